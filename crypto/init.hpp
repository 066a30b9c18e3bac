// crypto/init.hpp — library start-up and the OS CSPRNG (STYLE.md §8).
//
// init() runs sodium_init() once: it picks libsodium's SIMD code paths and
// opens the random source, so call it at program start, before any thread.
// Every crypto/ function that needs it calls it again; later calls are free.
// OpenSSL 3 initialises itself.
#pragma once

#include <cstdint>
#include <span>

#include "net/result.hpp"

namespace crypto {

// Idempotent and thread safe. Err::crypto "libsodium: sodium_init failed"
// (no usable random source) is fatal for the daemon.
[[nodiscard]] net::Status init();

// Fills `out` from the OS CSPRNG (getrandom). Never fails.
void random_bytes(std::span<uint8_t> out);
// For public values that must be unpredictable but are not secrets (task
// and envelope ids): served from a per-thread pool of 256 bytes refilled
// from random_bytes, so that an id costs no system call (getrandom per id
// was 1.5 % of the daemon's CPU on the task path). Bytes handed out are
// wiped from the pool. Never for keys or nonces: use random_bytes.
void random_public_bytes(std::span<uint8_t> out);
uint64_t random_u64();

}  // namespace crypto
