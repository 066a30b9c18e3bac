// p2p/peer_id.hpp — libp2p peer IDs (specs.md §2, libp2p/specs
// peer-ids/peer-ids.md).
//
// A peer ID is the multihash of the peer's PublicKey protobuf: the identity
// multihash when the proto is at most 42 bytes (Ed25519, secp256k1), else
// sha2-256 (RSA, ECDSA). Text: bare base58btc (`12D3KooW…`, `16Uiu2…`, `Qm…`,
// our default, as the spec says to display) or a CIDv1 with codec
// libp2p-key 0x72 in any multibase (`bafz…` in base32).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiformats/cid.hpp"

namespace p2p {

class PeerId {
 public:
  PeerId() = default;  // empty: not a valid peer ID; empty() is true

  // From a serialized libp2p PublicKey proto (deterministic encoding, as the
  // key module produces it). Never fails.
  static PeerId from_public_key_proto(net::BytesView pubkey_proto);
  // From the binary peer ID (a multihash). Accepts identity with a digest of
  // at most kMaxInlineKeyLen bytes and sha2-256 with 32; errors (Err::proto):
  //   "peerid: empty input", "peerid: multihash: ...",
  //   "peerid: unsupported multihash sha2-512, expected identity or sha2-256",
  //   "peerid: identity digest of 43 bytes exceeds 42".
  static net::Result<PeerId> from_bytes(net::BytesView b);
  // Text in either form. Starts with '1' or "Qm": bare base58btc. Otherwise
  // a multibase CID whose codec must be libp2p-key:
  //   "peerid: CID codec raw (0x55) is not libp2p-key (0x72)".
  // Err::limit beyond kMaxPeerIdTextLen characters.
  static net::Result<PeerId> parse(std::string_view text);

  bool empty() const { return mh_.empty(); }
  const net::Bytes& bytes() const { return mh_; }
  bool is_identity() const { return !mh_.empty() && mh_[0] == 0x00; }

  // Encoded once per object and kept (the A2A engine prints the peer of
  // every envelope several times: 3 % of a daemon's CPU on the task path).
  // By value, so a temporary's text cannot dangle.
  std::string to_base58() const;
  std::string to_string() const { return to_base58(); }
  Cid to_cid() const;
  std::string to_cid_string() const;  // CIDv1 libp2p-key, base32: "bafz…"
  // "…" + the last 6 base58 characters, for logs ("…mo7R3pq" style).
  std::string short_string() const;

  // The PublicKey proto inlined in an identity peer ID; empty for sha2-256
  // peer IDs (the key must then come from the handshake or identify).
  net::BytesView extract_public_key_proto() const;

  friend bool operator==(const PeerId& a, const PeerId& b) { return a.mh_ == b.mh_; }
  friend bool operator!=(const PeerId& a, const PeerId& b) { return !(a == b); }
  friend bool operator<(const PeerId& a, const PeerId& b) { return a.mh_ < b.mh_; }

 private:
  explicit PeerId(net::Bytes mh) : mh_(std::move(mh)) {}
  net::Bytes mh_;  // the multihash bytes
  mutable std::string base58_;  // to_base58() once asked (the daemon is one thread)
};

}  // namespace p2p

template <>
struct std::hash<p2p::PeerId> {
  size_t operator()(const p2p::PeerId& p) const noexcept {
    return std::hash<std::string_view>{}(net::as_chars(p.bytes()));
  }
};
