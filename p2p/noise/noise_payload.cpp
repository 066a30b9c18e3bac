#include "p2p/noise/noise_payload.hpp"

#include <algorithm>

#include "crypto/keys.hpp"
#include "p2p/noise/noise_limits.hpp"
#include "proto/libp2p/noise.pb.hpp"

namespace p2p::noise {

namespace {

// "noise-libp2p-static-key:" || static public key: what identity_sig signs.
net::Bytes static_key_message(const crypto::X25519Public& s) {
  net::Bytes m;
  m.reserve(kStaticKeySigPrefix.size() + s.size());
  m.insert(m.end(), kStaticKeySigPrefix.begin(), kStaticKeySigPrefix.end());
  m.insert(m.end(), s.begin(), s.end());
  return m;
}

// Peer-chosen strings in an error message: at most 4, each cut to 64 bytes.
std::string list_for_error(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size() && i < 4; ++i) {
    if (i) s += ", ";
    s += v[i].size() > 64 ? v[i].substr(0, 64) + "…" : v[i];
  }
  if (v.size() > 4) s += ", …";
  return s + "]";
}

}  // namespace

net::Bytes make_payload(const crypto::Ed25519PrivateKey& identity,
                        const crypto::X25519Public& static_pub,
                        const std::vector<std::string>& muxers) {
  const auto sig = identity.sign(static_key_message(static_pub));
  pb::noise::NoiseHandshakePayload p;
  p.identity_key = crypto::marshal_public_key(identity.public_key());
  p.identity_sig = net::Bytes(sig.begin(), sig.end());
  // js-libp2p reads a present-but-empty list as "no early negotiation" too,
  // but omitting the extensions is what go sends without muxers.
  if (!muxers.empty()) p.extensions = pb::noise::NoiseExtensions{.stream_muxers = muxers};
  return p.encode();
}

net::Result<RemoteIdentity> verify_payload(net::BytesView payload,
                                           const crypto::X25519Public& remote_static,
                                           const PeerId& expected) {
  pb::noise::NoiseHandshakePayload p;
  // Two levels (payload, extensions); 16 muxers and 16 certhashes at most.
  const pb::Limits lim{.max_message_len = kMaxPayloadLen,
                       .max_depth = 2,
                       .max_repeated = kMaxStreamMuxers,
                       .max_elements = 2 * kMaxStreamMuxers + 2};
  if (auto st = p.decode(payload, lim); !st) {
    return net::Error{st.err(), "noise: payload: " + st.what()};
  }
  if (!p.identity_key || p.identity_key->empty()) {
    return net::Error{net::Err::proto, "noise: payload has no identity key"};
  }
  if (!p.identity_sig || p.identity_sig->empty()) {
    return net::Error{net::Err::proto, "noise: payload has no identity signature"};
  }
  RemoteIdentity id;
  if (p.extensions) {
    for (const std::string& m : p.extensions->stream_muxers) {
      if (m.size() > kMaxMuxerIdLen) {
        return net::Error{net::Err::limit, "noise: stream muxer id of " + std::to_string(m.size()) +
                                               " bytes exceeds " + std::to_string(kMaxMuxerIdLen)};
      }
    }
    id.muxers = std::move(p.extensions->stream_muxers);
  }
  auto key = crypto::unmarshal_public_key(*p.identity_key);
  if (!key) return net::Error{key.err(), "noise: identity key: " + key.what()};
  // specs.md §4.1: the signature binds the libp2p identity to the Noise
  // static key this very handshake authenticated.
  if (auto v = crypto::verify(*key, static_key_message(remote_static), *p.identity_sig); !v) {
    return net::Error{v.err(), "noise: identity signature: " + v.what()};
  }
  // The key module may normalise the key (a 65-byte secp256k1 point comes
  // back compressed): the peer ID is derived from its canonical encoding.
  id.public_key_proto = crypto::marshal_public_key(*key);
  id.peer = PeerId::from_public_key_proto(id.public_key_proto);
  if (!expected.empty() && id.peer != expected) {
    return net::Error{net::Err::crypto, "noise: remote peer ID " + id.peer.to_base58() +
                                            " does not match expected " + expected.to_base58()};
  }
  return id;
}

net::Result<std::string> select_muxer(const std::vector<std::string>& initiator,
                                      const std::vector<std::string>& responder) {
  if (initiator.empty() || responder.empty()) return std::string();
  for (const std::string& m : initiator) {
    if (std::find(responder.begin(), responder.end(), m) != responder.end()) return m;
  }
  return net::Error{net::Err::proto, "noise: no common stream muxer between initiator " +
                                         list_for_error(initiator) + " and responder " +
                                         list_for_error(responder)};
}

}  // namespace p2p::noise
