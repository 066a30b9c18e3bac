// p2p/identify/identify.hpp — identify (`/ipfs/id/1.0.0`) and identify push
// (`/ipfs/id/push/1.0.0`), specs.md §6. Sans-I/O: no stream, no clock, no
// host. The driver (p2p/host) moves the bytes:
//
//   Answering identify, or pushing (same message, specs.md §6):
//     Snapshot snap = *Snapshot::make(key, local);    // again when addrs/protocols change
//     Bytes out; snap.encode(conn.remote_addr, out);  // one length-prefixed message
//     write(out); close the write side.
//
//   Asking identify (or receiving a push):
//     IdentifyReader rd(conn.remote_peer, now);
//     on data: if (auto s = rd.feed(bytes, now); !s) reset the stream (s.what())
//     on EOF:  auto info = rd.on_eof(); if (!info) reset, log info.what()
//     timer:   rd.next_deadline(); on expiry rd.on_timeout(now) -> failed
//     identify: peer store = *info;  push: merge_push(stored, info.take())
//
// Framing: uvarint length prefix + Identify protobuf, repeated until EOF. Up
// to kMaxMessages messages of at most kMaxMessageLen bytes are merged as
// protobuf merges them (singular fields: the last one wins; repeated fields:
// appended), which is what go does and what go's writer relies on when it
// sends the signed record in a second message.
//
// Validation (hardening.md rows 5 and 7):
//  * publicKey must be a valid key whose peer ID is the connection's remote
//    peer, else the whole identify fails (Err::crypto), as js does; a message
//    without a key is accepted (the key came with the Noise handshake).
//  * signedPeerRecord is verified (signature, domain, payload type, signer =
//    record peer = remote peer). A valid record's addresses are preferred
//    over listenAddrs (IdentifyInfo::addrs()). An invalid one is ignored and
//    kept as record_error, as go and rust do (js fails the identify): the
//    peer's unsigned listen addresses are still usable.
//  * Invalid multiaddrs and unusable protocol ids are skipped, duplicates
//    dropped, and both lists capped (Limits); each skip is counted in
//    IdentifyInfo::warnings so the driver logs once per identify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/keys.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/identify/identify_limits.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"

namespace p2p::identify {

// "agentanycastd/<project version>".
std::string default_agent_version();

// ---- our side ---------------------------------------------------------------

struct LocalInfo {
  std::string protocol_version = std::string(kProtocolVersion);
  std::string agent_version = default_agent_version();
  std::vector<Multiaddr> listen_addrs;  // a trailing /p2p is stripped
  std::vector<std::string> protocols;   // what we accept inbound (the handler registry)
  // The signed peer record's seq; must grow with every new snapshot. go and
  // we use the unix time in ns (the driver reads the clock).
  uint64_t record_seq = 0;
  bool signed_record = true;  // false: no signedPeerRecord
};

// Our identify message, prepared once per change of addresses or protocols.
class Snapshot {
 public:
  Snapshot() = default;

  // Signs the peer record and lays out the message so that it stays within
  // kMaxOwnMessageLen - kObservedAddrReserve: addresses beyond
  // record::kMaxPeerRecordAddrs, then those of least value (loopback before
  // private before public; webrtc-direct, webtransport, wss, tcp, quic-v1 in
  // rising value; later before earlier) are left out of both listenAddrs and
  // the record. Errors:
  //   Err::invalid "identify: protocol id '<id>' is not negotiable" (empty,
  //                longer than kMaxProtocolIdLen, or containing '\n')
  //   Err::limit   "identify: our message of N bytes exceeds the budget of
  //                3840 even without addresses" (too many protocols)
  static net::Result<Snapshot> make(const crypto::Ed25519PrivateKey& key, LocalInfo info);

  // Appends one length-prefixed Identify message for a connection to a peer
  // we see at `observed` (the remote's address; empty: unknown, not sent).
  // Loopback listen addresses are left out unless `observed` is loopback or
  // empty (go createBaseIdentifyResponse). The message is at most
  // kMaxOwnMessageLen bytes; an observed address that does not fit the
  // reserve is left out.
  void encode(const Multiaddr& observed, net::Bytes& out) const;

  const std::vector<Multiaddr>& listen_addrs() const { return addrs_; }  // as advertised
  size_t dropped_addrs() const { return dropped_addrs_; }
  const net::Bytes& signed_record() const { return record_; }  // empty if none
  uint64_t seq() const { return seq_; }

 private:
  std::vector<Multiaddr> addrs_;
  size_t dropped_addrs_ = 0;
  net::Bytes record_;
  uint64_t seq_ = 0;
  // The message without observedAddr: all listen addresses, and without the
  // loopback ones. observedAddr (field 4) is appended per connection.
  net::Bytes body_all_;
  net::Bytes body_no_loopback_;
};

// ---- their side -------------------------------------------------------------

struct Warnings {
  uint32_t invalid_listen_addrs = 0;  // not a multiaddr of ours, or empty
  uint32_t dropped_listen_addrs = 0;  // beyond Limits::max_listen_addrs
  uint32_t invalid_protocols = 0;     // empty, too long, or containing '\n'
  uint32_t dropped_protocols = 0;     // beyond Limits::max_protocols
  uint32_t invalid_observed_addr = 0;
  uint32_t total() const {
    return invalid_listen_addrs + dropped_listen_addrs + invalid_protocols + dropped_protocols +
           invalid_observed_addr;
  }
};

struct IdentifyInfo {
  std::optional<std::string> protocol_version;
  std::optional<std::string> agent_version;
  std::optional<crypto::PublicKey> public_key;  // checked against the remote peer ID
  std::vector<Multiaddr> listen_addrs;          // unsigned, valid, de-duplicated
  std::optional<Multiaddr> observed_addr;       // how the remote sees us
  std::vector<std::string> protocols;           // valid, de-duplicated, in order

  // Set when signedPeerRecord was present and verified.
  std::optional<uint64_t> signed_record_seq;
  std::vector<Multiaddr> verified_addrs;  // the record's addresses
  net::Bytes signed_record;               // the envelope as received (to store)
  // Set when signedPeerRecord was present but refused (then listen_addrs count).
  std::optional<net::Error> record_error;

  Warnings warnings;
  size_t messages = 0;  // merged from the stream

  // The addresses to dial: the signed ones when there is a valid record.
  const std::vector<Multiaddr>& addrs() const { return signed_record_seq ? verified_addrs : listen_addrs; }
};

// Identify push: a push may be partial (specs.md §6); what it leaves out is
// kept. A singular field replaces the stored one when present; listen_addrs
// and protocols replace the stored lists when non-empty (rust Info::merge);
// a verified record replaces the stored one only with a higher seq (go
// certified addr book, js peer store); record_error, warnings and messages
// are the push's.
void merge_push(IdentifyInfo& stored, IdentifyInfo update);

// Reads identify messages from a stream until EOF.
class IdentifyReader {
 public:
  IdentifyReader(PeerId remote, net::Instant now, Limits lim = {}, net::Log* log = nullptr);

  // Consumes all of `in`. Errors (the reader is then failed, and every later
  // call returns the same error):
  //   Err::proto "identify: bad length prefix: <varint reason>"
  //   Err::limit "identify: message of 9000 bytes exceeds the limit of 8192"
  //              (as soon as the prefix is complete)
  //   Err::limit "identify: more than 10 messages" (at the 11th prefix byte)
  //   <pb code>  "identify: message 1: pb: ..." (malformed protobuf)
  //   <key code> "identify: publicKey: ..." (crypto::unmarshal_public_key)
  //   Err::crypto "identify: publicKey is the key of 12D3…A, not of the remote 12D3…B"
  //   Err::closed "identify: data after EOF"
  net::Status feed(net::BytesView in, net::Instant now);

  // The remote closed its write side: returns the merged, validated result
  // (once; later calls fail with Err::closed "identify: result already taken").
  //   Err::proto "identify: stream ended before any message"
  //   Err::proto "identify: stream ended inside message 2 (5 of 40 bytes)"
  net::Result<IdentifyInfo> on_eof();

  net::Instant next_deadline() const;
  // Fails the reader with Err::timeout "identify: no answer within 10 s"
  // once the deadline passed.
  void on_timeout(net::Instant now);

  bool failed() const { return error_.code != net::Err::ok; }
  const net::Error& error() const { return error_; }
  size_t messages() const { return info_.messages; }

 private:
  net::Status fail(net::Error e);
  net::Status on_message(net::BytesView msg);

  PeerId remote_;
  Limits lim_;
  net::Log* log_;
  net::Instant deadline_;
  net::Bytes buf_;        // a partial prefix or message (at most prefix + max_message_len)
  size_t need_ = 0;       // length of the message being read, once its prefix is known
  bool have_len_ = false;
  bool eof_ = false;
  IdentifyInfo info_;
  std::optional<net::Bytes> record_;  // the last signedPeerRecord seen
  net::Error error_;
};

}  // namespace p2p::identify
