// test/bench/aead_bench.cpp — ChaCha20-Poly1305-IETF throughput of the two
// crypto/ backends (libsodium, OpenSSL EVP), encrypt and decrypt in place,
// for full Noise transport messages (65519-byte plaintext), 1 KiB and 64 B
// (a yamux header plus a small frame), plus
// the Noise CipherState on top of the default backend. One core, MiB/s.
//
//   aead_bench [seconds_per_case]     (default 1.0)
//
// Prints a Markdown table and one JSON line per case (for RESULTS.md).
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "crypto/noise_aead.hpp"
#include "net/clock.hpp"
#include "p2p/noise/noise_cipher.hpp"

namespace {

struct Case {
  const char* name;
  size_t len;
};

volatile uint8_t g_sink;

template <class Fn>
double run(double seconds, size_t len, Fn&& op) {
  // Warm up, then time whole batches until the budget is used.
  for (int i = 0; i < 64; ++i) op();
  const net::Instant budget = static_cast<net::Instant>(seconds * 1e9);
  uint64_t bytes = 0;
  const net::Instant t0 = net::monotonic_now();
  net::Instant t = t0;
  while (t - t0 < budget) {
    for (int i = 0; i < 64; ++i) op();
    bytes += 64 * len;
    t = net::monotonic_now();
  }
  return static_cast<double>(bytes) / (1024.0 * 1024.0) / (static_cast<double>(t - t0) / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const Case cases[] = {{"65519 B", 65519}, {"1 KiB", 1024}, {"64 B", 64}};
  const crypto::AeadBackend backends[] = {crypto::AeadBackend::openssl, crypto::AeadBackend::sodium};
  uint8_t key[crypto::kAeadKeyLen];
  for (size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<uint8_t>(i * 31 + 7);

  std::printf("| backend | message | encrypt MiB/s | decrypt MiB/s |\n|---|---|---|---|\n");
  for (const Case& c : cases) {
    for (crypto::AeadBackend b : backends) {
      crypto::ChaChaPoly a(b);
      if (!a.set_key(std::span<const uint8_t, crypto::kAeadKeyLen>(key))) return 1;
      std::vector<uint8_t> buf(c.len + crypto::kAeadTagLen, 0x5a);
      uint64_t n = 0;
      const std::span<uint8_t> all(buf);
      const std::span<const uint8_t> pt = all.first(c.len);
      const double enc = run(seconds, c.len, [&] {
        if (!a.encrypt(n++, {}, pt, all)) std::abort();
      });
      // Decrypt a fixed valid ciphertext into a second buffer (decrypt in
      // place would destroy it); the copy-free path is the same code.
      std::vector<uint8_t> out(c.len);
      if (!a.encrypt(7, {}, pt, all)) std::abort();
      const double dec = run(seconds, c.len, [&] {
        if (!a.decrypt(7, {}, all, out)) std::abort();
        g_sink = out[0];
      });
      std::printf("| %s | %s | %.0f | %.0f |\n", crypto::aead_backend_name(b), c.name, enc, dec);
      std::printf("{\"bench\":\"aead\",\"backend\":\"%s\",\"len\":%zu,\"encrypt_mib_s\":%.0f,"
                  "\"decrypt_mib_s\":%.0f}\n",
                  crypto::aead_backend_name(b), c.len, enc, dec);
    }
    // The Noise CipherState (nonce checks, in place) on the default backend.
    p2p::noise::CipherState cs;
    if (!cs.initialize_key(std::span<const uint8_t, crypto::kAeadKeyLen>(key))) return 1;
    std::vector<uint8_t> buf(c.len + crypto::kAeadTagLen, 0x5a);
    const std::span<uint8_t> all(buf);
    const double enc = run(seconds, c.len, [&] {
      if (!cs.encrypt_with_ad({}, all.first(c.len), all)) std::abort();
    });
    std::printf("| CipherState(%s) | %s | %.0f | - |\n",
                crypto::aead_backend_name(crypto::kDefaultAeadBackend), c.name, enc);
  }
  return 0;
}
