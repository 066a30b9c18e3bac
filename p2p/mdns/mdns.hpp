// p2p/mdns/mdns.hpp — libp2p mDNS discovery, sans-I/O (specs.md §12,
// libp2p/specs discovery/mdns.md, RFC 6762/6763). The core owns no socket,
// clock or RNG: it is fed datagrams and the time, and hands out datagrams to
// multicast and PeerFound events (quinn shape, STYLE.md §2).
//
// What goes on the wire (checked against js @libp2p/mdns 12.0.32, go-libp2p
// (zeroconf) and rust-libp2p):
//  * query: id 0, flags 0, one question "_p2p._udp.local PTR IN" (QM),
//    at start(), then 1 s and 2 s later, then every kQueryInterval (5 s).
//    We answer our own query (the spec's MUST), which also announces us.
//  * answer to "_p2p._udp.local PTR" (or ANY): flags QR|AA, id 0 and
//    Answer:      _p2p._udp.local PTR <peer-name>._p2p._udp.local   (shared)
//    Additional:  <peer-name>._p2p._udp.local TXT "dnsaddr=<ma>/p2p/<id>" ...
//                 <peer-name>._p2p._udp.local SRV 0 0 <port> <peer-name>.local
//                 <peer-name>.local A / AAAA <each distinct IP advertised>
//    all with TTL 120 s; TXT, SRV, A, AAAA carry the cache-flush bit. ONE TXT
//    record holds every address, one string each: go's zeroconf keeps only
//    the last TXT record it sees, js and rust read every string of every TXT
//    record; rust reads TXT only from the additional section, js from both.
//    The SRV and A/AAAA records are what go's zeroconf needs to report an
//    entry. The PTR is the only PTR in the packet: js takes the last PTR of
//    the answer section and drops the packet if its name is not the service.
//  * direct questions for "<peer-name>._p2p._udp.local" SRV/TXT/ANY and
//    "<peer-name>.local" A/AAAA/ANY are answered with those records; the
//    DNS-SD meta query "_services._dns-sd._udp.local PTR" gets its own packet
//    (PTR -> _p2p._udp.local), never mixed with ours (js would take it as the
//    last PTR and drop the answer).
//  * answers are delayed 20-120 ms at random and no record set is multicast
//    twice within 1 s (RFC 6762 §6); queries arriving meanwhile merge into
//    the pending answer. A query that lists our PTR as a known answer with
//    at least half its TTL left is not answered with it (RFC 6762 §7.1).
//  * legacy queries (source port != 5353, RFC 6762 §6.7) are answered at
//    once by unicast to the source: same id, questions repeated, TTL 10 s,
//    no cache-flush bits. Responses from a port other than 5353 are ignored.
//  * shutdown(): a goodbye, our PTR with TTL 0 (RFC 6762 §10.1) and no TXT,
//    so js (which ignores TTLs) does not mistake it for a discovery.
//  * we advertise nothing until set_addresses() gave us something; with no
//    address we do not answer at all (as js).
//
// Loopback: our loopback addresses are advertised only with
// Config::advertise_loopback (the driver sets it when it runs on the
// loopback interface, for tests). Loopback addresses in a received answer
// are kept only when the packet came from this host (PacketInfo::from_local:
// its source is a loopback or one of our own addresses): elsewhere
// 127.0.0.1 names the receiver, not the sender. js advertises its loopback
// addresses; go advertises every interface address.
//
// Received answers: every TXT record named "<label>._p2p._udp.local" (any
// section but authority, TTL > 0, label not ours) contributes its
// "dnsaddr=" strings (prefix case-insensitive, RFC 6763 §6.4); each must
// parse as a multiaddr ending in /p2p/<id>, else it is skipped (counted in
// Stats::bad_addrs). Addresses are grouped by that peer ID, our own ID is
// ignored, at most max_addrs_per_peer per peer and max_peers_per_packet
// peers per packet are kept. A group becomes a PeerFound event (addresses
// without the /p2p suffix) unless the same peer was reported less than
// peer_found_interval (10 s) ago with the same address set. A goodbye (PTR
// TTL 0) for a peer's instance forgets it, so its return is reported at once.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/mdns/dns_message.hpp"
#include "p2p/mdns/mdns_limits.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"

namespace p2p::mdns {

using net::Instant;

struct PeerFound {
  PeerId peer_id;
  std::vector<Multiaddr> addrs;  // without the trailing /p2p/<peer_id>, in the sender's order
};

struct Transmit {
  net::Bytes data;
  // false: multicast to the mDNS groups; true: unicast back to the source
  // of the packet just handled (a legacy query's answer).
  bool to_source = false;
};

// What the driver knows about a datagram's origin.
struct PacketInfo {
  bool legacy = false;      // source port != 5353 (RFC 6762 §6.7)
  bool from_local = false;  // source address is loopback or one of ours
};

// Uniform 64-bit random values: the OS CSPRNG in the driver, a seeded
// generator in tests. Used for the peer name and the answer delay.
using Rng = std::function<uint64_t()>;

struct Config {
  PeerId local_id;
  bool advertise_loopback = false;
  Limits limits;
};

struct Stats {
  uint64_t packets = 0;        // handed to handle_packet
  uint64_t malformed = 0;      // refused by the DNS parser
  uint64_t ignored = 0;        // opcode/rcode != 0, or a response from a legacy port
  uint64_t queries = 0;        // queries received
  uint64_t queries_sent = 0;
  uint64_t responses = 0;      // responses received
  uint64_t answers_sent = 0;   // multicast or unicast answers (packets)
  uint64_t bad_addrs = 0;      // dnsaddr strings skipped: bad multiaddr, no /p2p
  uint64_t dropped = 0;        // addresses, peers, events or transmits over a limit
  uint64_t peers_found = 0;    // PeerFound events emitted
};

class Mdns {
 public:
  // The peer name is drawn from rng here: 32..63 chars of [a-z0-9].
  Mdns(Config cfg, Rng rng, net::Log* log = nullptr);

  const std::string& peer_name() const { return peer_name_; }
  const std::string& instance_name() const { return instance_; }  // <peer-name>._p2p._udp.local
  const std::string& host_name() const { return host_; }          // <peer-name>.local

  // Our listen addresses (the driver has expanded 0.0.0.0 / ::). A trailing
  // /p2p/<our id> is removed; unspecified addresses, addresses with another
  // peer's /p2p, loopback ones (unless advertise_loopback) and those whose
  // TXT string would exceed 255 bytes are dropped; duplicates removed; at
  // most max_advertised_addrs kept. A change after start() is announced.
  void set_addresses(const std::vector<Multiaddr>& addrs, Instant now);
  const std::vector<Multiaddr>& addresses() const { return addrs_; }
  const std::vector<std::string>& txt_strings() const { return txt_; }

  // Schedules the start-up queries (the first at `now`). Packets handed in
  // before start() are handled too (answers, discoveries).
  void start(Instant now);
  // Queues the goodbye (if anything was advertised) and goes quiet.
  void shutdown();

  // One received datagram. Errors are the DNS parser's (Err::proto,
  // Err::limit); the packet is dropped and the core stays usable.
  net::Status handle_packet(net::BytesView packet, Instant now, const PacketInfo& info = {});

  std::optional<Transmit> poll_transmit();
  std::optional<PeerFound> poll_event();
  Instant next_deadline() const;
  void on_timeout(Instant now);

  const Stats& stats() const { return stats_; }
  size_t tracked_peers() const { return peers_.size(); }

  // Record selection bits for an answer.
  enum : uint8_t { kPtr = 1, kTxt = 2, kSrv = 4, kA = 8, kAaaa = 16 };

 private:
  struct Tracked {
    std::vector<Multiaddr> sorted_addrs;
    std::string instance;  // the sender's peer-name label, lowercased
    Instant last_found = 0;
    Instant last_seen = 0;
    Instant expires = 0;
  };
  struct Group {
    PeerId id;
    std::string instance;
    uint32_t ttl = 0;
    std::vector<Multiaddr> addrs;
  };

  void handle_query(const Message& m, Instant now, const PacketInfo& info);
  void handle_response(const Message& m, Instant now, const PacketInfo& info);
  void report(Group& g, Instant now);
  void schedule_answer(uint8_t bits, bool meta, Instant now);
  uint8_t available_bits() const;
  // An answer packet with the records in `bits` (and, with `extras`, the
  // additional records a resolver needs next); ttl and id as given.
  net::Result<net::Bytes> build_answer(uint8_t bits, uint32_t ttl, uint16_t id, bool flush,
                                       std::vector<Question> questions, bool extras = true) const;
  net::Result<net::Bytes> build_meta_answer(uint32_t ttl, uint16_t id, std::vector<Question> questions) const;
  net::Bytes build_query() const;
  void push_transmit(net::Result<net::Bytes> data, bool to_source);
  Record make_record(std::string name, uint16_t type, uint32_t ttl, bool flush) const;

  Config cfg_;
  Rng rng_;
  net::Log* log_;
  std::string peer_name_, instance_, host_;

  std::vector<Multiaddr> addrs_;
  std::vector<std::string> txt_;
  std::vector<std::array<uint8_t, 4>> ip4_;
  std::vector<std::array<uint8_t, 16>> ip6_;
  uint16_t srv_port_ = 0;

  bool started_ = false;
  bool shut_ = false;
  Instant next_query_ = net::kNever;
  size_t queries_scheduled_ = 0;

  uint8_t pending_bits_ = 0;
  bool pending_meta_ = false;
  Instant pending_at_ = net::kNever;
  Instant last_multicast_ = 0;
  bool multicast_once_ = false;

  std::deque<Transmit> transmits_;
  std::deque<PeerFound> events_;
  std::unordered_map<PeerId, Tracked> peers_;
  Stats stats_;
};

}  // namespace p2p::mdns
