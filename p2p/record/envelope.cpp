#include "p2p/record/envelope.hpp"

#include <algorithm>
#include <string>

#include "proto/libp2p/envelope.pb.hpp"

namespace p2p::record {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

Bytes make_unsigned(std::string_view domain, BytesView payload_type, BytesView payload) {
  Bytes out;
  out.reserve(domain.size() + payload_type.size() + payload.size() + 3 * net::kMaxUvarintLen);
  net::Writer w(out);
  w.lp_bytes(net::as_bytes(domain));
  w.lp_bytes(payload_type);
  w.lp_bytes(payload);
  return out;
}

Result<Bytes> seal_envelope(const crypto::Ed25519PrivateKey& key, std::string_view domain,
                            BytesView payload_type, BytesView payload) {
  if (domain.empty()) return {Err::invalid, "envelope: empty domain"};
  if (payload_type.empty()) return {Err::invalid, "envelope: empty payload type"};
  const Bytes unsigned_bytes = make_unsigned(domain, payload_type, payload);
  const crypto::Ed25519Signature sig = key.sign(unsigned_bytes);
  pb::record::Envelope env;
  env.public_key = pb::crypto::PublicKey{.Type = pb::crypto::KeyType::Ed25519,
                                         .Data = Bytes(key.public_raw().begin(), key.public_raw().end())};
  env.payload_type.assign(payload_type.begin(), payload_type.end());
  env.payload.assign(payload.begin(), payload.end());
  env.signature.assign(sig.begin(), sig.end());
  return env.encode();
}

Result<OpenedEnvelope> open_envelope(BytesView bytes, std::string_view expected_domain,
                                     BytesView expected_payload_type, size_t max_len) {
  if (bytes.size() > max_len)
    return {Err::limit, "envelope: " + std::to_string(bytes.size()) + " bytes exceed the limit of " +
                            std::to_string(max_len)};
  pb::record::Envelope env;
  if (auto s = env.decode(bytes, pb::Limits{.max_message_len = max_len}); !s)
    return {s.err(), "envelope: " + s.what()};
  if (!env.public_key) return {Err::proto, "envelope: missing public_key"};

  // The strict key decoder validates the key for its type (length, curve
  // point, RSA size before any RSA work: CVE-2023-39533).
  auto key = crypto::unmarshal_public_key(env.public_key->encode());
  if (!key) return {key.err(), "envelope: public_key: " + key.what()};

  // specs.md §2.1: the signature covers the received payload_type and
  // payload bytes, framed with the domain we expect.
  const Bytes unsigned_bytes = make_unsigned(expected_domain, env.payload_type, env.payload);
  if (auto s = crypto::verify(*key, unsigned_bytes, env.signature); !s)
    return {s.err(), "envelope: " + s.what()};
  // Checked after the signature (as go's ConsumeEnvelope): a tampered
  // payload_type is a bad signature, a genuine other type is unsupported.
  if (!std::equal(env.payload_type.begin(), env.payload_type.end(), expected_payload_type.begin(),
                  expected_payload_type.end()))
    return {Err::unsupported, "envelope: payload type " + net::to_hex(env.payload_type) + ", want " +
                                  net::to_hex(expected_payload_type)};

  OpenedEnvelope out;
  out.signer = PeerId::from_public_key_proto(crypto::marshal_public_key(*key));
  out.public_key = key.take();
  out.payload_type = std::move(env.payload_type);
  out.payload = std::move(env.payload);
  return out;
}

}  // namespace p2p::record
