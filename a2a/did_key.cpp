#include "a2a/did_key.hpp"

#include "crypto/keys.hpp"
#include "p2p/multiformats/multibase.hpp"

namespace a2a {

namespace {
constexpr std::string_view kPrefix = "did:key:z";
constexpr uint8_t kEd25519Pub[2] = {0xed, 0x01};  // multicodec ed25519-pub, as a uvarint
}  // namespace

net::Result<std::string> did_key_from_peer_id(const p2p::PeerId& peer) {
  auto proto = peer.extract_public_key_proto();
  auto key = crypto::unmarshal_public_key(proto);
  if (proto.empty() || !key || key->type != crypto::KeyType::ed25519 || key->data.size() != 32)
    return net::Error{net::Err::unsupported, "did:key: peer " + peer.to_base58() + " does not inline an Ed25519 key"};
  net::Bytes b(kEd25519Pub, kEd25519Pub + 2);
  b.insert(b.end(), key->data.begin(), key->data.end());
  return std::string(kPrefix) + p2p::multibase::base58btc_encode(b);
}

net::Result<p2p::PeerId> peer_id_from_did_key(std::string_view did) {
  if (did.substr(0, kPrefix.size()) != kPrefix)
    return net::Error{net::Err::proto, "did:key: want a did:key:z... (base58btc) identifier"};
  auto raw = p2p::multibase::base58btc_decode(did.substr(kPrefix.size()), 128);
  if (!raw) return net::Error{net::Err::proto, "did:key: " + raw.what()};
  if (raw->size() != 34 || (*raw)[0] != kEd25519Pub[0] || (*raw)[1] != kEd25519Pub[1])
    return net::Error{net::Err::proto, "did:key: not an Ed25519 public key (want 0xed01 + 32 bytes)"};
  crypto::PublicKey pk{crypto::KeyType::ed25519, net::Bytes(raw->begin() + 2, raw->end())};
  return p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(pk));
}

}  // namespace a2a
