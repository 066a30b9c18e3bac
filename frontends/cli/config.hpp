// frontends/cli/config.hpp — agentanycastd configuration (upstream.md §7).
//
// Sources, highest first, resolved key by key:
//   1. command-line flags (Go flag syntax, flags.hpp)
//   2. AGENTANYCAST_* environment variables
//   3. the TOML file (-config, AGENTANYCAST_CONFIG, else ~/.agentanycast/config.toml)
//   4. the defaults written in the structs below — the only place they live.
// A flag or variable with an empty value counts as not given (as in the
// original, which tests `if *flag != ""`). After the merge `~` is expanded in
// paths and every value is validated; a bad value is refused with one line
// naming its source (flag -x, env NAME, file:line), the key and the expected
// form. The full table (key, flag, env, default, meaning) is config_keys.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/cli/duration.hpp"
#include "frontends/cli/flags.hpp"
#include "net/log.hpp"
#include "net/result.hpp"

namespace frontends::cli {

struct BridgeConfig {  // [bridge] — HTTP A2A bridge
  bool enabled = false;
  std::string listen = ":8080";
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> cors_origins = {"*"};
  std::string ca_file;  // CAs for SendTask{url} to https:// agents; "" = system store
};

struct AnycastConfig {  // [anycast] — skill routing
  std::string routing_strategy = "random";
  int64_t cache_ttl_ns = 30 * kSecond;
  bool auto_register = true;
  std::string registry_addr;
  std::vector<std::string> registry_addrs;
  bool enable_dht = false;
  std::string dht_mode;  // "" (= auto), auto, server, client
};

struct MetricsConfig {  // [metrics] — Prometheus
  bool enabled = false;
  std::string listen = ":9090";
};

struct McpConfig {  // [mcp] — MCP Streamable HTTP
  bool enabled = false;
  std::string listen = ":3000";
};

struct AnpConfig {  // [anp] — ANP bridge
  bool enabled = false;
  std::string listen = ":8090";
};

struct IdentityConfig {  // [identity]
  std::string did_web;
  std::string did_dns_domain;
};

struct TelemetryConfig {  // [telemetry] — parsed and stored; nothing acts on it yet
  bool enabled = false;
  std::string otlp_endpoint;
  double sample_rate = 1.0;
  bool insecure = true;
};

struct NatsConfig {  // [transport.nats] — parsed and stored; nothing acts on it yet
  bool enabled = false;
  std::string broker;
  std::string subject_prefix;
  std::string auth_user;
  std::string auth_pass;
  bool tls_enabled = false;
  std::string tls_cert_file;
  std::string tls_key_file;
};

struct TransportConfig {
  NatsConfig nats;
};

struct AclRule {  // [[policy.acl]]
  std::string source;  // glob
  std::string skill;   // glob
  bool allow = false;
};

struct RateLimitOverride {  // [[policy.rate_limit.overrides]]
  std::string source;
  int64_t rps = 0;
};

struct RateLimitConfig {  // [policy.rate_limit]
  // The original's DefaultConfig leaves this 0 (its limiter is off) although
  // its comment and docs suggest 100; we keep its behaviour: 0 = off.
  int64_t default_rps = 0;
  std::vector<RateLimitOverride> overrides;
};

struct PolicyConfig {  // [policy] — parsed and stored; nothing acts on it yet
  std::string audit_log_path;
  std::vector<AclRule> acl;
  RateLimitConfig rate_limit;
};

struct Config {
  std::string key_path = "~/.agentanycast/key";
  // TCP only until our QUIC transport lands (the original also listens on
  // /ip4/0.0.0.0/udp/0/quic-v1); IPv6 added.
  std::vector<std::string> listen_addrs = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"};
  std::string grpc_listen = "unix://~/.agentanycast/daemon.sock";
  std::vector<std::string> bootstrap_peers;
  bool enable_relay_client = true;
  bool enable_hole_punching = true;
  bool enable_quic = true;
  bool enable_webtransport = false;
  bool enable_mdns = true;
  std::string store_path = "~/.agentanycast/data";
  int64_t offline_queue_ttl_ns = 24 * kHour;
  std::string log_level = "info";   // debug, info, warn, error
  std::string log_format = "json";  // json, text
  std::string log_file;             // ours: "" = stderr; reopened on SIGHUP
  bool enable_perf = false;         // ours: serve /perf/1.0.0

  BridgeConfig bridge;
  AnycastConfig anycast;
  MetricsConfig metrics;
  McpConfig mcp;
  AnpConfig anp;
  IdentityConfig identity;
  TelemetryConfig telemetry;
  TransportConfig transport;
  PolicyConfig policy;

  // Command line only.
  bool mcp_stdio = false;          // -mcp: MCP over stdio; stdout is MCP's (no PEER_ID lines)
  std::string mcp_proxy;           // -mcp-proxy: command line of an MCP server to wrap
  std::string sdk_transport;       // -transport: passed by the SDKs; stored, not yet acting
  std::string sdk_namespace;       // -namespace: passed by the SDKs; stored, not yet acting
  std::vector<std::string> positional;  // arguments after the flags (ignored, as by the original)

  // Filled by the loader: the config file that was read ("" if none).
  std::string config_path;

  net::LogLevel level() const;    // valid after load_config
  net::LogFormat format() const;  // valid after load_config
};

inline constexpr std::string_view kDefaultConfigPath = "~/.agentanycast/config.toml";

// ---- injected environment and file system (tests pass their own) --------

// Returns the variable's value, or nullopt if it is unset.
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;
EnvGetter process_env();                                    // ::getenv
EnvGetter map_env(std::map<std::string, std::string> vars);  // for tests

// Returns the whole file, nullopt if it does not exist, or an error whose
// message names the path and the problem. Bounded by kMaxConfigFileLen.
using FileReader = std::function<net::Result<std::optional<std::string>>(const std::string& path)>;
FileReader disk_reader();

// ---- loading -------------------------------------------------------------

// The flags of agentanycastd (for the parser, usage and tests).
std::span<const FlagSpec> daemon_flags();

// Merges flags (already parsed), environment, file and defaults, expands `~`
// and validates. Unknown TOML keys are reported as warnings to `log` (may be
// null). Errors are Err::invalid with a one-line message starting "config: ".
net::Result<Config> resolve_config(const ParsedArgs& args, const EnvGetter& env,
                                   const FileReader& read, net::Log* log);

// parse_flags(daemon_flags(), args) then resolve_config. A flag syntax error
// carries Go's message ("flag provided but not defined: -foo"). args excludes
// argv[0]. Help and -version are not handled here (see daemon_startup).
net::Result<Config> load_config(std::span<const std::string_view> args, const EnvGetter& env,
                                const FileReader& read, net::Log* log);

// ---- what main() does with argv -------------------------------------------

// "Usage: agentanycastd [flags]" and every flag with its env var, TOML key and
// default (Go prints usage to stderr; so do we).
std::string daemon_usage(std::string_view prog);

// "agentanycastd 0.1.0 (commit 1d9aed3abcd, RelWithDebInfo GNU-12.2.0)".
std::string version_line();

struct Startup {
  bool run = false;   // true: start the daemon with `config`
  int exit_code = 0;  // otherwise exit with this status after printing out/err
  std::string out;    // for stdout
  std::string err;    // for stderr
  Config config;
};

// Everything between argv and a running daemon: -h/-help (usage, exit 0),
// flag errors (message + usage, exit 2, like Go), -version (exit 0), config
// errors (one line, exit 2).
Startup daemon_startup(std::span<const std::string_view> args, const EnvGetter& env,
                       const FileReader& read, net::Log* log);

}  // namespace frontends::cli
