// p2p/host/host.hpp — the libp2p host: TCP listeners and dials, the
// connection upgrader (ConnCore), connection limits, the protocol handler
// registry, stream opening with multistream-select, the peer store, and
// notifications. The driver that binds the sans-I/O cores to net::Loop.
//
// Everything runs on the loop thread. Callbacks are never invoked from inside
// the API call that triggered them when that could surprise the caller:
// connect()/new_stream() always answer from the loop (deferred), never
// synchronously.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/ed25519.hpp"
#include "net/acceptor.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host_limits.hpp"
#include "p2p/host/peer_store.hpp"
#include "p2p/host/stream.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/noise/noise_session.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/yamux/yamux_limits.hpp"

namespace p2p {

struct HostConfig {
  const crypto::Ed25519PrivateKey* identity = nullptr;  // must outlive the host
  HostLimits limits;
  yamux::Limits yamux_limits;
  net::Log* log = nullptr;
  // One Noise static key for every connection of this host, as js-libp2p
  // (saves an X25519 keygen and an Ed25519 signature per handshake); false:
  // a fresh one per connection, as go-libp2p.
  bool noise_static_per_host = true;
};

struct ConnInfo {
  ConnId id = 0;
  PeerId peer;
  bool inbound = false;
  Multiaddr remote_addr;
  Multiaddr local_addr;
  net::Instant opened_at = 0;
  size_t streams = 0;
  uint64_t rtt_ns = 0;
};

struct HostStats {
  uint64_t connections_opened_in = 0;
  uint64_t connections_opened_out = 0;
  uint64_t handshakes_failed = 0;
  uint64_t refused_over_limit = 0;
};

// What the host holds right now (tests, metrics). Host::usage() walks every
// connection and stream: O(connections + streams), not for hot paths.
struct HostUsage {
  size_t connections = 0;         // open or still upgrading
  size_t inbound_handshakes = 0;  // inbound connections still upgrading
  size_t streams = 0;             // application streams, negotiating or open
  size_t out_bytes = 0;           // queued for the peers: core output + TCP queues
  size_t in_bytes = 0;            // received stream bytes no application consumed yet
};

class Host {
 public:
  using StreamHandler = std::function<void(Stream&)>;
  using ConnectCallback = net::SmallFn<void(net::Result<ConnId>)>;
  using StreamCallback = net::SmallFn<void(net::Result<Stream*>)>;
  using PeerEvent = std::function<void(const PeerId&, ConnId)>;

  Host(net::Loop& loop, HostConfig cfg);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const PeerId& peer_id() const { return self_; }
  const crypto::Ed25519PrivateKey& identity() const { return *cfg_.identity; }
  net::Loop& loop() { return loop_; }
  net::Log* log() const { return cfg_.log; }

  // ---- listening ----
  // Binds a /ip4|ip6/…/tcp/… address. Errors name the address.
  net::Status listen(const Multiaddr& addr);
  // Our reachable addresses: the bound ones, 0.0.0.0 / :: expanded to the
  // interfaces' addresses (no /p2p suffix).
  const std::vector<Multiaddr>& listen_addrs() const { return listen_addrs_; }
  // Addresses learned from peers' identify (observed), for the signed record.
  void close_listeners();

  // ---- protocols ----
  void set_stream_handler(const std::string& protocol, StreamHandler h);
  void remove_stream_handler(const std::string& protocol);
  // Sorted; what identify advertises and multistream responders accept.
  const std::vector<std::string>& protocols() const { return protocol_list_; }

  // ---- connections ----
  // Connects to `peer` (reusing an open connection, joining a dial already
  // in flight) using `addrs` plus the peer store's addresses.
  void connect(const PeerId& peer, const std::vector<Multiaddr>& addrs, ConnectCallback cb);
  // Dials one address; with a /p2p/ suffix the remote must be that peer.
  void dial(const Multiaddr& addr, ConnectCallback cb);
  bool is_connected(const PeerId& peer) const;
  std::vector<ConnInfo> connections() const;
  std::vector<PeerId> connected_peers() const;
  std::optional<ConnInfo> connection(ConnId id) const;
  // Graceful: GoAway, flush, close.
  void close_connection(ConnId id);
  void close_peer(const PeerId& peer);
  size_t connection_count() const { return conns_.size(); }

  // ---- streams ----
  // Opens a stream on an open connection to `peer` (connecting first when
  // needed) and negotiates one of `protocols`. With exactly one protocol the
  // callback comes at once after opening (lazy select: the first write may
  // go out with the proposal); a refusal then arrives as on_close.
  void new_stream(const PeerId& peer, std::vector<std::string> protocols, StreamCallback cb);
  void new_stream_on(ConnId conn, std::vector<std::string> protocols, StreamCallback cb);
  Stream* find_stream(StreamGlobalId id);

  // ---- notifications ----
  void on_connected(PeerEvent f) { connected_cbs_.push_back(std::move(f)); }
  void on_disconnected(PeerEvent f) { disconnected_cbs_.push_back(std::move(f)); }

  PeerStore& peer_store() { return peers_; }
  const HostStats& stats() const { return stats_; }
  HostUsage usage() const;
  const HostLimits& limits() const { return cfg_.limits; }

  // Closes everything (connections reset) without waiting.
  void shutdown();

 private:
  friend class Connection;
  friend class Stream;
  // One outbound dial of a peer (or of an address without /p2p/): its
  // addresses are tried in turn; every connect() waiting for it is answered.
  struct Dial {
    uint64_t id = 0;
    PeerId peer;  // empty for a dial to an address without /p2p/
    std::vector<Multiaddr> addrs;
    size_t next = 0;
    std::vector<ConnectCallback> cbs;
    net::TimerId timer = net::kNoTimer;
    net::Error last_error;
    bool attempting = false;
  };

  Connection* find_conn(ConnId id);
  Connection* best_conn(const PeerId& peer);
  void on_accept(net::Fd fd, const net::SockAddr& peer);
  void adopt(std::unique_ptr<Connection> c);
  void conn_opened(Connection& c);
  void conn_closed(Connection& c, const net::Error& why);
  void reap();
  void open_stream_on(Connection& c, std::vector<std::string> protocols, StreamCallback cb);

  // dialing (dialer.cpp)
  void start_dial(Dial& d);
  void dial_next(Dial& d);
  void dial_attempt_done(Dial& d, Connection* c, const net::Error& why);
  void finish_dial(uint64_t dial_id, net::Result<ConnId> r);
  std::unique_ptr<Connection> dial_tcp(const Multiaddr& addr, const PeerId& expected, net::Error* err);

  net::Loop& loop_;
  HostConfig cfg_;
  std::shared_ptr<const noise::LocalStatic> noise_static_;  // null: per connection
  PeerId self_;
  std::vector<std::unique_ptr<net::Acceptor>> acceptors_;
  std::vector<Multiaddr> listen_addrs_;
  std::map<std::string, StreamHandler> handlers_;
  std::vector<std::string> protocol_list_;
  PeerStore peers_;
  HostStats stats_;

  std::unordered_map<ConnId, std::unique_ptr<Connection>> conns_;
  std::unordered_multimap<PeerId, ConnId> by_peer_;
  std::vector<std::unique_ptr<Connection>> graveyard_;
  bool reap_scheduled_ = false;
  size_t inbound_handshakes_ = 0;
  ConnId next_conn_id_ = 1;
  StreamGlobalId next_stream_id_ = 1;
  std::unordered_map<StreamGlobalId, Stream*> streams_;

  std::unordered_map<uint64_t, std::unique_ptr<Dial>> dials_;
  std::unordered_map<PeerId, uint64_t> dial_by_peer_;
  uint64_t next_dial_id_ = 1;

  std::vector<PeerEvent> connected_cbs_;
  std::vector<PeerEvent> disconnected_cbs_;
  bool shutting_down_ = false;
};

}  // namespace p2p
