// frontends/cli/config_keys.hpp — the one table of configuration keys: TOML
// key, type, field, flag, environment variable, how the variable is read,
// what it switches on, how the value is checked, and its help text. The
// loader (config.cpp), the TOML reader (config_toml.cpp), the usage text and
// the tests all walk this table, so a key is added in exactly one place
// (plus its default in config.hpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "frontends/cli/config.hpp"

namespace frontends::cli {

enum class KeyKind : uint8_t {
  str,       // TOML string
  boolean,   // TOML boolean
  list,      // TOML array of strings; flags/env: comma-separated, trimmed, empties dropped
  duration,  // TOML string in Go duration syntax -> int64_t nanoseconds
  number,    // TOML float or integer -> double
  integer,   // TOML integer -> int64_t
};

enum class EnvMode : uint8_t {
  value,              // non-empty value replaces (lists: comma-separated)
  bool_strict,        // true/1 or false/0; anything else is an error
  bool_disable_only,  // only false/0 act (sets false); other values are ignored
                      // (AGENTANYCAST_ENABLE_MDNS in the original)
};

enum class Check : uint8_t {
  none,
  path_required,   // non-empty; `~` expanded
  path_optional,   // `~` expanded when set
  grpc_listen,     // unix://path, tcp://host:port or a bare socket path; `~` expanded
  log_level,       // debug, info, warn, error
  log_format,      // json, text
  multiaddrs,      // every entry a multiaddr
  bootstrap,       // every entry a multiaddr with /p2p/<peer id>
  host_port,       // host:port (host may be empty)
  host_ports,      // every entry host:port
  dht_mode,        // "", auto, server, client
  unit_interval,   // 0 <= x <= 1
  non_negative,    // durations, rates
  command,         // a command line with at least one word
};

using FieldRef = std::variant<std::string*, bool*, std::vector<std::string>*, int64_t*, double*>;

struct KeyDef {
  std::string_view toml;  // dotted TOML key; "" for command-line-only settings
  KeyKind kind;
  FieldRef (*field)(Config&);
  std::string_view flag;  // without dash; "" if none
  std::string_view env;   // "" if none
  EnvMode env_mode = EnvMode::value;
  std::string_view enables;   // TOML key of a bool set true when a flag sets this key ...
  bool env_enables = false;   // ... and also when the env var does
  Check check = Check::none;
  std::string_view arg_name;  // flag argument in usage: "-key path"
  std::string_view help;
};

std::span<const KeyDef> config_keys();
const KeyDef* find_key_by_toml(std::string_view toml);
const KeyDef* find_key_by_flag(std::string_view flag);
size_t key_index(const KeyDef& k);

// The key's name in messages: its TOML key, else its flag name.
std::string_view key_name(const KeyDef& k);

// The built-in default rendered for documentation: "\"info\"", "true", "24h",
// "[\"*\"]", "(none)".
std::string default_text(const KeyDef& k);

// Where the winning value of a key came from.
struct ValueSource {
  enum class Kind : uint8_t { default_value, file, env, flag };
  Kind kind = Kind::default_value;
  uint32_t line = 0;      // file: 1-based line of the value
  std::string_view name;  // env var or flag name (points into the key table)
};

struct Sources {
  std::vector<ValueSource> keys;  // indexed like config_keys()
  std::string file;               // the config file's path, for file:line
};

// "flag -log-level", "env AGENTANYCAST_LOG_LEVEL", "/root/.agentanycast/config.toml:3",
// "default".
std::string describe(const ValueSource& s, std::string_view file);

// "config: <where>: <key>: <problem>" — the one-line error format.
net::Error config_error(std::string_view where, std::string_view key, std::string_view problem);

// Applies a TOML document (config_toml.cpp, the only user of toml++): every
// known key it sets is written into cfg and its source recorded; unknown keys
// and sections are logged as warnings; syntax and type errors are returned.
net::Status apply_toml(std::string_view doc, const std::string& path, Config& cfg, Sources& src,
                       net::Log* log);

// Parses a non-TOML textual value (flag, env var, or a duration string from
// the file) into the key's field. On failure returns the problem text, e.g.
// `invalid duration "1x" (want e.g. 30s, 24h, 1h30m)`.
net::Status assign_text(const KeyDef& k, Config& cfg, std::string_view text);

}  // namespace frontends::cli
