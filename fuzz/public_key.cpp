// fuzz/public_key.cpp — arbitrary bytes as a libp2p PublicKey protobuf (what
// a peer sends in its Noise payload, identify message or signed envelope).
// A decoded key must re-encode to the input (the encoding is deterministic;
// the one exception is an uncompressed secp256k1 point, which comes back
// compressed, and must then be stable), and verify() must run on it — with
// signatures that cannot be valid — through the OpenSSL and libsodium paths.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/keys.hpp"
#include "net/bytes.hpp"

using namespace crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  auto k = unmarshal_public_key(in);
  if (!k) {
    if (k.what().empty() || k.what().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  const net::Bytes enc = marshal_public_key(*k);
  const bool normalised = k->type == KeyType::secp256k1 && enc.size() != size;
  if (!normalised && !(enc.size() == size && std::equal(enc.begin(), enc.end(), data)))
    std::abort();
  auto again = unmarshal_public_key(enc);
  if (!again || !(*again == *k) || marshal_public_key(*again) != enc) std::abort();

  static const uint8_t kMsg[] = {'f', 'u', 'z', 'z'};
  static const uint8_t kDerSig[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
  switch (k->type) {
    case KeyType::ed25519: {
      const net::Bytes sig(64, 0);
      if (verify(*k, kMsg, sig)) std::abort();
      break;
    }
    case KeyType::rsa:
      for (size_t len : {size_t{256}, size_t{384}, size_t{512}, size_t{1024}}) {
        const net::Bytes sig(len, 0x01);
        (void)verify(*k, kMsg, sig);
      }
      break;
    case KeyType::ecdsa:
    case KeyType::secp256k1:
      (void)verify(*k, kMsg, kDerSig);
      (void)verify(*k, kMsg, net::Bytes(72, 0x30));
      break;
  }
  return 0;
}
