// fuzz/key_file.cpp — arbitrary bytes as the contents of the identity key
// file (a libp2p PrivateKey protobuf, or a raw 64-byte seed || pub). A key
// that loads must sign what its public key verifies, and survive
// marshal -> unmarshal; the canonical 68-byte form must re-encode to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/key_file.hpp"
#include "net/bytes.hpp"

using namespace crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  auto k = decode_identity(in);
  if (!k) {
    if (k.what().empty() || k.what().find('\n') != std::string::npos) std::abort();
    return 0;
  }
  if (!k->valid()) std::abort();
  const Ed25519PrivateKeyProto enc = k->marshal();
  if (size == enc.size() && !std::equal(enc.data(), enc.data() + enc.size(), data)) std::abort();
  auto back = Ed25519PrivateKey::unmarshal(enc.span());
  if (!back || back->public_raw() != k->public_raw()) std::abort();
  static const uint8_t kMsg[] = {'f', 'u', 'z', 'z'};
  const auto sig = k->sign(kMsg);
  if (!verify(k->public_key(), kMsg, sig)) std::abort();
  return 0;
}
