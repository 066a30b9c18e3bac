// frontends/cli/config_limits.hpp — bounds on configuration input (all ours:
// neither TOML nor the original daemon sets any). A config file is local,
// trusted input, but it is still parsed by a general parser (and fuzzed), so
// everything it can make us allocate is capped.
#pragma once

#include <cstddef>

namespace frontends::cli {

// Largest config file we read: real ones are a few KiB.
inline constexpr size_t kMaxConfigFileLen = 1024 * 1024;

// Entries in any list value (listen_addrs, bootstrap_peers, cors_origins,
// registry_addrs), whether from the file, a flag or an env var.
inline constexpr size_t kMaxListLen = 256;

// [[policy.acl]] rules and [[policy.rate_limit.overrides]] entries.
inline constexpr size_t kMaxAclRules = 1024;
inline constexpr size_t kMaxRateLimitOverrides = 1024;

// Unknown-key warnings logged per file (the rest are counted in one line), so
// a garbage file cannot flood the log.
inline constexpr size_t kMaxUnknownKeyWarnings = 32;
// Unknown keys remembered (to sort the warnings by line and count the rest).
inline constexpr size_t kMaxUnknownKeys = 4096;

}  // namespace frontends::cli
