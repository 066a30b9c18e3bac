// p2p/mdns/mdns_driver.hpp — binds the mDNS core (mdns.hpp) to net::Loop
// and two UDP sockets: 224.0.0.251:5353 and [ff02::fb]:5353.
//
// Sockets: one per family, bound to the wildcard address and port 5353 with
// SO_REUSEADDR and SO_REUSEPORT (several daemons, avahi or a js peer on one
// host share the port), IP_MULTICAST_LOOP on (peers in the same network
// namespace hear each other, and we hear our own query, which we answer),
// multicast TTL / hop limit 255 (RFC 6762 §11). The group is joined on
// every interface that is up, multicast-capable, not loopback (unless
// DriverOptions::loopback) and has an address of the family; interfaces
// are re-listed every interface_refresh_ns and new ones joined. A failed
// join is logged and skipped; start() fails only when no socket could be
// bound at all.
//
// Sending: every multicast datagram of the core goes to the group on each
// joined interface (IP_MULTICAST_IF per send); a legacy answer goes back to
// the querier's address. Receiving: up to kMaxDatagramsPerTurn per socket
// per loop turn; truncated datagrams are dropped. The core is told whether
// the source port was 5353 (else: a legacy querier) and whether the source
// is this host (loopback or one of our interface addresses).
//
// Discoveries: each PeerFound is logged at info level as
//   {"level":"INFO","mod":"mdns","msg":"mdns peer found","peer_id":"12D3…","addrs":[…]}
// and handed to the on_found callback (the host dials). The callback may
// destroy the driver.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/socket.hpp"
#include "p2p/mdns/mdns.hpp"

namespace p2p::mdns {

inline constexpr size_t kMaxDatagramsPerTurn = 64;                      // ours
inline constexpr uint64_t kInterfaceRefreshNs = 10 * net::kSecond;      // ours (js: 5 s)

struct DriverOptions {
  bool ipv4 = true;
  bool ipv6 = true;
  // Also join and send on loopback interfaces, and advertise and accept
  // loopback addresses: for tests inside one network namespace.
  bool loopback = false;
  // Only these interface names (empty: every eligible one).
  std::vector<std::string> interfaces;
  uint16_t port = kMdnsPort;
  uint64_t interface_refresh_ns = kInterfaceRefreshNs;
  Limits limits;
};

class Driver {
 public:
  using OnPeerFound = std::function<void(const PeerFound&)>;

  // Binds, joins and starts the query schedule. rng defaults to the OS
  // CSPRNG (crypto::random_u64). Errors: Err::io / Err::limit when no
  // socket could be bound (the message lists each family's failure),
  // Err::invalid when both families are disabled.
  static net::Result<std::unique_ptr<Driver>> start(net::Loop& loop, const PeerId& local_id,
                                                    DriverOptions opt, OnPeerFound on_found,
                                                    net::Log* log = nullptr, Rng rng = {});
  // Sends the goodbye, leaves the loop.
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // The host's listen addresses: 0.0.0.0 / :: are expanded to the addresses
  // of the up interfaces (again at every interface refresh), a trailing
  // /p2p/<our id> is allowed. Announced at once when the set changed.
  void set_addresses(const std::vector<Multiaddr>& listen_addrs);

  const Mdns& core() const { return core_; }
  // Interface indexes the groups are joined on, per family.
  const std::vector<unsigned>& joined_v4() const { return v4_.joined; }
  const std::vector<unsigned>& joined_v6() const { return v6_.joined; }
  uint16_t local_port() const { return port_; }

 private:
  struct Sock {
    net::Fd fd;
    int family = 0;
    net::IoId io = net::kNoIo;
    std::vector<unsigned> joined;
  };

  Driver(net::Loop& loop, Config cfg, DriverOptions opt, OnPeerFound cb, net::Log* log, Rng rng);
  net::Status open(Sock& s, int family);
  void refresh_interfaces();
  void apply_addresses();
  void on_readable(Sock& s);
  bool is_local(const net::SockAddr& a) const;
  void pump();  // sends the core's datagrams, reports events, re-arms the timer
  void send_multicast(Sock& s, net::BytesView data);

  net::Loop& loop_;
  DriverOptions opt_;
  Mdns core_;
  OnPeerFound on_found_;
  net::Log* log_;
  Sock v4_, v6_;
  uint16_t port_ = 0;
  net::TimerId timer_ = net::kNoTimer;
  net::TimerId refresh_ = net::kNoTimer;
  std::vector<net::Interface> ifs_;
  std::vector<Multiaddr> listen_;
  // Source of the datagram being handled (for legacy unicast answers).
  Sock* src_sock_ = nullptr;
  net::SockAddr src_addr_;
  bool* dead_flag_ = nullptr;
};

}  // namespace p2p::mdns
