// fuzz/noise_fixture.hpp — the fixed identities and X25519 keys shared by
// fuzz/noise_handshake.cpp and fuzz/noise_payload.cpp, so that the seed
// corpora (written by the targets themselves, see AAC_NOISE_WRITE_CORPUS)
// contain real handshakes and correctly signed payloads.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crypto/ed25519.hpp"
#include "crypto/noise_x25519.hpp"
#include "net/bytes.hpp"

namespace noise_fuzz {

// Initiator: identity 0x11, static 1, ephemeral 2; responder: 0x22, 3, 4.
inline const crypto::Ed25519PrivateKey& identity(bool initiator) {
  static const auto make = [](uint8_t seed) {
    std::array<uint8_t, 32> s;
    s.fill(seed);
    auto k = crypto::Ed25519PrivateKey::from_seed(s);
    if (!k) abort();
    return k.take();
  };
  static const crypto::Ed25519PrivateKey i = make(0x11), r = make(0x22);
  return initiator ? i : r;
}

// X25519 key pairs without a scalar multiplication per call: the public
// halves are computed once.
inline crypto::X25519KeyPair x25519(uint8_t seed) {
  static std::array<crypto::X25519Public, 256> pubs;
  static std::array<bool, 256> have{};
  std::array<uint8_t, 32> raw;
  raw.fill(seed);
  if (!have[seed]) {
    pubs[seed] = crypto::x25519_from_private(raw).pub;
    have[seed] = true;
  }
  crypto::X25519KeyPair kp;
  for (size_t i = 0; i < raw.size(); ++i) kp.priv.data()[i] = raw[i];
  kp.pub = pubs[seed];
  return kp;
}

inline void write_seed(const char* dir, const std::string& name, net::BytesView b) {
  std::string path = std::string(dir) + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) abort();
  if (!b.empty()) std::fwrite(b.data(), 1, b.size(), f);
  std::fclose(f);
}

}  // namespace noise_fuzz
