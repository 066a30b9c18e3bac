// test/bench/aead_bench.cpp — ChaCha20-Poly1305-IETF throughput of the two
// crypto/ backends (libsodium, OpenSSL EVP), encrypt and decrypt in place,
// for full Noise transport messages (65519-byte plaintext), 1 KiB and 64 B
// (a yamux header plus a small frame), plus the Noise CipherState on top of
// the default backend. One core, MiB/s.
//
//   aead_bench [seconds_per_round] [rounds]     (default 0.3 s, 5 rounds)
//
// Throughput is bytes per second of this thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), best of `rounds` rounds that alternate the
// backends, so that other processes sharing the machine's cores change the
// wall time but hardly the figures. Prints a Markdown table and one JSON
// line per case (for test/bench/RESULTS.md).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "crypto/noise_aead.hpp"
#include "p2p/noise/noise_cipher.hpp"

namespace {

volatile uint8_t g_sink;

uint64_t cpu_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// MiB per CPU second of `op` (which processes `len` bytes) over `seconds`.
template <class Fn>
double measure(double seconds, size_t len, Fn&& op) {
  for (int i = 0; i < 16; ++i) op();  // warm up
  const uint64_t budget = static_cast<uint64_t>(seconds * 1e9);
  uint64_t bytes = 0;
  const uint64_t t0 = cpu_now_ns();
  uint64_t t = t0;
  while (t - t0 < budget) {
    for (int i = 0; i < 32; ++i) op();
    bytes += 32 * len;
    t = cpu_now_ns();
  }
  return static_cast<double>(bytes) / (1024.0 * 1024.0) / (static_cast<double>(t - t0) / 1e9);
}

struct Figures {
  double enc = 0, dec = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 0.3;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  struct Case {
    const char* name;
    size_t len;
  };
  const Case cases[] = {{"65519 B", 65519}, {"1 KiB", 1024}, {"64 B", 64}};
  const crypto::AeadBackend backends[] = {crypto::AeadBackend::openssl, crypto::AeadBackend::sodium};
  uint8_t key[crypto::kAeadKeyLen];
  for (size_t i = 0; i < sizeof key; ++i) key[i] = static_cast<uint8_t>(i * 31 + 7);
  const std::span<const uint8_t, crypto::kAeadKeyLen> k(key);

  std::printf("| backend | message | encrypt MiB/s | decrypt MiB/s |\n|---|---|---|---|\n");
  for (const Case& c : cases) {
    Figures best[2];
    double best_cs = 0;
    for (int round = 0; round < rounds; ++round) {
      for (int b = 0; b < 2; ++b) {
        crypto::ChaChaPoly a(backends[b]);
        if (!a.set_key(k)) return 1;
        std::vector<uint8_t> buf(c.len + crypto::kAeadTagLen, 0x5a);
        const std::span<uint8_t> all(buf);
        const std::span<const uint8_t> pt = all.first(c.len);
        uint64_t n = 0;
        best[b].enc = std::max(best[b].enc, measure(seconds, c.len, [&] {
          if (!a.encrypt(n++, {}, pt, all)) std::abort();
        }));
        // Decrypt one valid ciphertext again and again, into a second
        // buffer (in place would destroy it; the code path is the same).
        std::vector<uint8_t> out(c.len);
        if (!a.encrypt(7, {}, pt, all)) std::abort();
        best[b].dec = std::max(best[b].dec, measure(seconds, c.len, [&] {
          if (!a.decrypt(7, {}, all, out)) std::abort();
          g_sink = out[0];
        }));
      }
      // The Noise CipherState (nonce checks, in place) on the default backend.
      p2p::noise::CipherState cs;
      if (!cs.initialize_key(k)) return 1;
      std::vector<uint8_t> buf(c.len + crypto::kAeadTagLen, 0x5a);
      const std::span<uint8_t> all(buf);
      best_cs = std::max(best_cs, measure(seconds, c.len, [&] {
        if (!cs.encrypt_with_ad({}, all.first(c.len), all)) std::abort();
      }));
    }
    for (int b = 0; b < 2; ++b) {
      std::printf("| %s | %s | %.0f | %.0f |\n", crypto::aead_backend_name(backends[b]), c.name,
                  best[b].enc, best[b].dec);
    }
    std::printf("| CipherState (%s) | %s | %.0f | - |\n",
                crypto::aead_backend_name(crypto::kDefaultAeadBackend), c.name, best_cs);
    for (int b = 0; b < 2; ++b) {
      std::printf("{\"bench\":\"aead\",\"backend\":\"%s\",\"len\":%zu,\"encrypt_mib_s\":%.0f,"
                  "\"decrypt_mib_s\":%.0f}\n",
                  crypto::aead_backend_name(backends[b]), c.len, best[b].enc, best[b].dec);
    }
  }
  return 0;
}
