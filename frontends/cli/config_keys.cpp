// frontends/cli/config_keys.cpp — the key table (see config_keys.hpp).
// Flags, variables and TOML keys follow upstream.md §7; entries marked "ours"
// are additions of this implementation.
#include "frontends/cli/config_keys.hpp"

#include <charconv>
#include <cmath>

#include "frontends/cli/config_limits.hpp"

namespace frontends::cli {
namespace {

#define AAC_FIELD(expr) [](Config& c) -> FieldRef { return &c.expr; }

const KeyDef kKeys[] = {
    // ---- node --------------------------------------------------------------
    {.toml = "key_path", .kind = KeyKind::str, .field = AAC_FIELD(key_path), .flag = "key",
     .env = "AGENTANYCAST_KEY_PATH", .check = Check::path_required, .arg_name = "path",
     .help = "Ed25519 identity key file (created 0600 on first start)"},
    {.toml = "listen_addrs", .kind = KeyKind::list, .field = AAC_FIELD(listen_addrs),
     .flag = "listen", .env = "AGENTANYCAST_LISTEN_ADDRS", .check = Check::multiaddrs,
     .arg_name = "multiaddrs",
     .help = "libp2p listen multiaddrs, comma-separated (ours; replaces the list; TCP only "
             "until QUIC lands)"},
    {.toml = "grpc_listen", .kind = KeyKind::str, .field = AAC_FIELD(grpc_listen),
     .flag = "grpc-listen", .env = "AGENTANYCAST_GRPC_LISTEN", .check = Check::grpc_listen,
     .arg_name = "addr",
     .help = "SDK gRPC endpoint: unix://path, tcp://host:port, or a bare socket path"},
    {.toml = "bootstrap_peers", .kind = KeyKind::list, .field = AAC_FIELD(bootstrap_peers),
     .flag = "bootstrap-peers", .env = "AGENTANYCAST_BOOTSTRAP_PEERS", .check = Check::bootstrap,
     .arg_name = "multiaddrs",
     .help = "peers dialed at start (relays), comma-separated multiaddrs with /p2p/ "
             "(replaces the list)"},
    {.toml = "enable_relay_client", .kind = KeyKind::boolean,
     .field = AAC_FIELD(enable_relay_client), .help = "use circuit relay v2 to be reachable"},
    {.toml = "enable_hole_punching", .kind = KeyKind::boolean,
     .field = AAC_FIELD(enable_hole_punching), .help = "upgrade relayed connections with DCUtR"},
    {.toml = "enable_quic", .kind = KeyKind::boolean, .field = AAC_FIELD(enable_quic),
     .help = "QUIC transport (not yet implemented: ignored)"},
    {.toml = "enable_webtransport", .kind = KeyKind::boolean,
     .field = AAC_FIELD(enable_webtransport), .flag = "enable-webtransport",
     .help = "WebTransport listener (not yet implemented: ignored)"},
    {.toml = "enable_mdns", .kind = KeyKind::boolean, .field = AAC_FIELD(enable_mdns),
     .env = "AGENTANYCAST_ENABLE_MDNS", .env_mode = EnvMode::bool_disable_only,
     .help = "mDNS LAN discovery (the variable can only disable it: false or 0)"},
    {.toml = "store_path", .kind = KeyKind::str, .field = AAC_FIELD(store_path), .flag = "store",
     .env = "AGENTANYCAST_STORE_PATH", .check = Check::path_required, .arg_name = "dir",
     .help = "data directory (sqlite: tasks, cards, offline queue); flag is ours"},
    {.toml = "offline_queue_ttl", .kind = KeyKind::duration,
     .field = AAC_FIELD(offline_queue_ttl_ns), .check = Check::non_negative,
     .help = "how long undelivered messages are kept"},
    {.toml = "log_level", .kind = KeyKind::str, .field = AAC_FIELD(log_level),
     .flag = "log-level", .env = "AGENTANYCAST_LOG_LEVEL", .check = Check::log_level,
     .arg_name = "level", .help = "debug, info, warn or error"},
    {.toml = "log_format", .kind = KeyKind::str, .field = AAC_FIELD(log_format),
     .flag = "log-format", .env = "AGENTANYCAST_LOG_FORMAT", .check = Check::log_format,
     .arg_name = "format", .help = "json (slog-style lines) or text; flag and variable are ours"},
    {.toml = "log_file", .kind = KeyKind::str, .field = AAC_FIELD(log_file), .flag = "log-file",
     .env = "AGENTANYCAST_LOG_FILE", .check = Check::path_optional, .arg_name = "path",
     .help = "append logs to this file instead of stderr; reopened on SIGHUP (ours)"},
    {.toml = "enable_perf", .kind = KeyKind::boolean, .field = AAC_FIELD(enable_perf),
     .flag = "enable-perf", .env = "AGENTANYCAST_ENABLE_PERF", .env_mode = EnvMode::bool_strict,
     .help = "serve the libp2p perf protocol /perf/1.0.0 (ours)"},

    // ---- [bridge] -----------------------------------------------------------
    {.toml = "bridge.enabled", .kind = KeyKind::boolean, .field = AAC_FIELD(bridge.enabled),
     .help = "HTTP A2A bridge"},
    {.toml = "bridge.listen", .kind = KeyKind::str, .field = AAC_FIELD(bridge.listen),
     .flag = "bridge-listen", .enables = "bridge.enabled", .check = Check::host_port,
     .arg_name = "addr", .help = "bridge listen host:port; the flag also enables the bridge"},
    {.toml = "bridge.tls_cert", .kind = KeyKind::str, .field = AAC_FIELD(bridge.tls_cert),
     .check = Check::path_optional, .help = "PEM certificate: serve the bridge over TLS"},
    {.toml = "bridge.tls_key", .kind = KeyKind::str, .field = AAC_FIELD(bridge.tls_key),
     .check = Check::path_optional, .help = "PEM private key for bridge.tls_cert"},
    {.toml = "bridge.cors_origins", .kind = KeyKind::list, .field = AAC_FIELD(bridge.cors_origins),
     .help = "allowed CORS origins; \"*\" allows any"},
    {.toml = "bridge.ca_file", .kind = KeyKind::str, .field = AAC_FIELD(bridge.ca_file),
     .flag = "bridge-ca-file", .env = "AGENTANYCAST_BRIDGE_CA_FILE", .check = Check::path_optional,
     .arg_name = "path",
     .help = "PEM CA bundle for SendTask to https:// agents (ours); default: the system's CA store"},

    // ---- [anycast] ----------------------------------------------------------
    {.toml = "anycast.routing_strategy", .kind = KeyKind::str,
     .field = AAC_FIELD(anycast.routing_strategy),
     .help = "choice among agents offering a skill (the original only implements random)"},
    {.toml = "anycast.cache_ttl", .kind = KeyKind::duration, .field = AAC_FIELD(anycast.cache_ttl_ns),
     .check = Check::non_negative, .help = "skill resolution cache lifetime (0 = 30s)"},
    {.toml = "anycast.auto_register", .kind = KeyKind::boolean,
     .field = AAC_FIELD(anycast.auto_register),
     .help = "register the agent card's skills with the registries"},
    {.toml = "anycast.registry_addr", .kind = KeyKind::str, .field = AAC_FIELD(anycast.registry_addr),
     .check = Check::host_port, .help = "relay skill registry host:port (gRPC)"},
    {.toml = "anycast.registry_addrs", .kind = KeyKind::list,
     .field = AAC_FIELD(anycast.registry_addrs), .env = "AGENTANYCAST_REGISTRY_ADDRS",
     .check = Check::host_ports, .help = "several registries (federation), host:port each"},
    {.toml = "anycast.enable_dht", .kind = KeyKind::boolean, .field = AAC_FIELD(anycast.enable_dht),
     .help = "kad-DHT skill discovery"},
    {.toml = "anycast.dht_mode", .kind = KeyKind::str, .field = AAC_FIELD(anycast.dht_mode),
     .check = Check::dht_mode, .help = "auto (empty), server or client"},

    // ---- [metrics] [mcp] [anp] ------------------------------------------------
    {.toml = "metrics.enabled", .kind = KeyKind::boolean, .field = AAC_FIELD(metrics.enabled),
     .help = "Prometheus /metrics and /health"},
    {.toml = "metrics.listen", .kind = KeyKind::str, .field = AAC_FIELD(metrics.listen),
     .check = Check::host_port, .help = "metrics listen host:port"},
    {.toml = "mcp.enabled", .kind = KeyKind::boolean, .field = AAC_FIELD(mcp.enabled),
     .help = "MCP Streamable HTTP server"},
    {.toml = "mcp.listen", .kind = KeyKind::str, .field = AAC_FIELD(mcp.listen),
     .flag = "mcp-listen", .env = "AGENTANYCAST_MCP_LISTEN", .enables = "mcp.enabled",
     .env_enables = true, .check = Check::host_port, .arg_name = "addr",
     .help = "MCP HTTP listen host:port; flag and variable also enable it"},
    {.toml = "mcp.proxy", .kind = KeyKind::str, .field = AAC_FIELD(mcp_proxy), .flag = "mcp-proxy",
     .check = Check::command, .arg_name = "command",
     .help = "wrap this MCP server command line as a P2P agent (its tools become skills)"},
    {.toml = "anp.enabled", .kind = KeyKind::boolean, .field = AAC_FIELD(anp.enabled),
     .env = "AGENTANYCAST_ANP_ENABLED", .env_mode = EnvMode::bool_strict,
     .help = "ANP (Agent Network Protocol) bridge"},
    {.toml = "anp.listen", .kind = KeyKind::str, .field = AAC_FIELD(anp.listen),
     .flag = "anp-listen", .env = "AGENTANYCAST_ANP_LISTEN", .enables = "anp.enabled",
     .check = Check::host_port, .arg_name = "addr",
     .help = "ANP listen host:port; the flag (not the variable) also enables it"},

    // ---- [identity] -------------------------------------------------------------
    {.toml = "identity.did_web", .kind = KeyKind::str, .field = AAC_FIELD(identity.did_web),
     .env = "AGENTANYCAST_DID_WEB", .help = "did:web identifier of this agent"},
    {.toml = "identity.did_dns_domain", .kind = KeyKind::str,
     .field = AAC_FIELD(identity.did_dns_domain), .env = "AGENTANYCAST_DID_DNS_DOMAIN",
     .help = "domain for did:dns; its TXT records are read at _did.DOMAIN"},

    // ---- [telemetry] (stored; not yet acting) ----------------------------------
    {.toml = "telemetry.enabled", .kind = KeyKind::boolean, .field = AAC_FIELD(telemetry.enabled),
     .env = "AGENTANYCAST_TELEMETRY_ENABLED", .env_mode = EnvMode::bool_strict,
     .help = "OpenTelemetry tracing (not yet implemented)"},
    {.toml = "telemetry.otlp_endpoint", .kind = KeyKind::str,
     .field = AAC_FIELD(telemetry.otlp_endpoint), .flag = "otlp-endpoint",
     .env = "AGENTANYCAST_OTLP_ENDPOINT", .enables = "telemetry.enabled", .arg_name = "addr",
     .help = "OTLP gRPC collector; the flag (not the variable) also enables tracing"},
    {.toml = "telemetry.sample_rate", .kind = KeyKind::number,
     .field = AAC_FIELD(telemetry.sample_rate), .env = "AGENTANYCAST_SAMPLE_RATE",
     .check = Check::unit_interval, .help = "fraction of traces sampled, 0 to 1"},
    {.toml = "telemetry.insecure", .kind = KeyKind::boolean, .field = AAC_FIELD(telemetry.insecure),
     .help = "plaintext OTLP"},

    // ---- [transport.nats] (stored; not yet acting) -----------------------------
    {.toml = "transport.nats.enabled", .kind = KeyKind::boolean,
     .field = AAC_FIELD(transport.nats.enabled), .env = "AGENTANYCAST_NATS_ENABLED",
     .env_mode = EnvMode::bool_strict, .help = "NATS transport (not yet implemented)"},
    {.toml = "transport.nats.broker", .kind = KeyKind::str, .field = AAC_FIELD(transport.nats.broker),
     .flag = "nats-broker", .env = "AGENTANYCAST_NATS_BROKER", .enables = "transport.nats.enabled",
     .arg_name = "url", .help = "nats:// or tls:// URL; the flag also enables NATS"},
    {.toml = "transport.nats.subject_prefix", .kind = KeyKind::str,
     .field = AAC_FIELD(transport.nats.subject_prefix), .env = "AGENTANYCAST_NATS_SUBJECT_PREFIX",
     .help = "subject of an agent = prefix + peer id (original: \"agent.\" when empty)"},
    {.toml = "transport.nats.auth_user", .kind = KeyKind::str,
     .field = AAC_FIELD(transport.nats.auth_user), .help = "NATS user"},
    {.toml = "transport.nats.auth_pass", .kind = KeyKind::str,
     .field = AAC_FIELD(transport.nats.auth_pass), .help = "NATS password (never logged)"},
    {.toml = "transport.nats.tls_enabled", .kind = KeyKind::boolean,
     .field = AAC_FIELD(transport.nats.tls_enabled), .help = "TLS to the broker"},
    {.toml = "transport.nats.tls_cert_file", .kind = KeyKind::str,
     .field = AAC_FIELD(transport.nats.tls_cert_file), .check = Check::path_optional,
     .help = "client certificate"},
    {.toml = "transport.nats.tls_key_file", .kind = KeyKind::str,
     .field = AAC_FIELD(transport.nats.tls_key_file), .check = Check::path_optional,
     .help = "client key"},

    // ---- [policy] (stored; not yet acting) --------------------------------------
    {.toml = "policy.audit_log_path", .kind = KeyKind::str, .field = AAC_FIELD(policy.audit_log_path),
     .check = Check::path_optional, .help = "JSON-lines audit log (empty = off)"},
    {.toml = "policy.rate_limit.default_rps", .kind = KeyKind::integer,
     .field = AAC_FIELD(policy.rate_limit.default_rps), .check = Check::non_negative,
     .help = "requests per second per source (0 = no limit)"},

    // ---- command line only ------------------------------------------------------
    {.toml = "", .kind = KeyKind::boolean, .field = AAC_FIELD(mcp_stdio), .flag = "mcp",
     .help = "serve MCP over stdin/stdout (stdout then carries no PEER_ID/LISTEN_ADDR lines)"},
    {.toml = "", .kind = KeyKind::str, .field = AAC_FIELD(sdk_transport), .flag = "transport",
     .arg_name = "name", .help = "accepted for the SDKs, which pass it; stored, no effect yet"},
    {.toml = "", .kind = KeyKind::str, .field = AAC_FIELD(sdk_namespace), .flag = "namespace",
     .arg_name = "name", .help = "accepted for the SDKs, which pass it; stored, no effect yet"},
};

#undef AAC_FIELD

std::string quoted_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); i++) {
    if (i) s += ", ";
    s += go_quote(v[i]);
  }
  return s + "]";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const KeyDef> config_keys() { return kKeys; }

const KeyDef* find_key_by_toml(std::string_view toml) {
  if (toml.empty()) return nullptr;
  for (const auto& k : kKeys)
    if (k.toml == toml) return &k;
  return nullptr;
}

const KeyDef* find_key_by_flag(std::string_view flag) {
  if (flag.empty()) return nullptr;
  for (const auto& k : kKeys)
    if (k.flag == flag) return &k;
  return nullptr;
}

size_t key_index(const KeyDef& k) { return static_cast<size_t>(&k - kKeys); }

std::string_view key_name(const KeyDef& k) { return k.toml.empty() ? k.flag : k.toml; }

std::string default_text(const KeyDef& k) {
  Config def;
  FieldRef f = k.field(def);
  switch (k.kind) {
    case KeyKind::str: {
      const std::string& s = *std::get<std::string*>(f);
      return s.empty() ? "(none)" : go_quote(s);
    }
    case KeyKind::boolean: return *std::get<bool*>(f) ? "true" : "false";
    case KeyKind::list: {
      const auto& v = *std::get<std::vector<std::string>*>(f);
      return v.empty() ? "[]" : quoted_list(v);
    }
    case KeyKind::duration: return go_quote(format_duration(*std::get<int64_t*>(f)));
    case KeyKind::number: {
      double d = *std::get<double*>(f);
      return d == std::floor(d) ? std::to_string(static_cast<int64_t>(d)) + ".0" : std::to_string(d);
    }
    case KeyKind::integer: return std::to_string(*std::get<int64_t*>(f));
  }
  return {};
}

std::string describe(const ValueSource& s, std::string_view file) {
  switch (s.kind) {
    case ValueSource::Kind::flag: return "flag -" + std::string(s.name);
    case ValueSource::Kind::env: return "env " + std::string(s.name);
    case ValueSource::Kind::file: return std::string(file) + ":" + std::to_string(s.line);
    case ValueSource::Kind::default_value: break;
  }
  return "default";
}

net::Error config_error(std::string_view where, std::string_view key, std::string_view problem) {
  std::string m = "config: ";
  m += where;
  m += ": ";
  m += key;
  m += ": ";
  m += problem;
  return {net::Err::invalid, std::move(m)};
}

net::Status assign_text(const KeyDef& k, Config& cfg, std::string_view text) {
  FieldRef f = k.field(cfg);
  switch (k.kind) {
    case KeyKind::str: *std::get<std::string*>(f) = std::string(text); return {};
    case KeyKind::boolean: {
      bool b = false;
      if (!parse_go_bool(text, &b))
        return net::Error{net::Err::invalid,
                          "invalid boolean " + go_quote(text) + " (want true or false)"};
      *std::get<bool*>(f) = b;
      return {};
    }
    case KeyKind::list: {
      std::vector<std::string> items;
      while (true) {
        size_t comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        if (!item.empty()) {
          if (items.size() == kMaxListLen)
            return net::Error{net::Err::limit, "more than " + std::to_string(kMaxListLen) +
                                                   " entries (want at most " +
                                                   std::to_string(kMaxListLen) + ")"};
          items.emplace_back(item);
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
      }
      *std::get<std::vector<std::string>*>(f) = std::move(items);
      return {};
    }
    case KeyKind::duration: {
      auto d = parse_go_duration(text);
      if (!d)
        return net::Error{net::Err::invalid,
                          "invalid duration " + go_quote(text) + " (want e.g. 30s, 24h, 1h30m)"};
      *std::get<int64_t*>(f) = *d;
      return {};
    }
    case KeyKind::number: {
      std::string_view t = text;
      if (!t.empty() && t[0] == '+') t.remove_prefix(1);  // Go's ParseFloat accepts "+0.5"
      double d = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
      if (t.empty() || ec != std::errc() || p != t.data() + t.size())
        return net::Error{net::Err::invalid, "invalid number " + go_quote(text) + " (want e.g. 0.5)"};
      *std::get<double*>(f) = d;
      return {};
    }
    case KeyKind::integer: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size())
        return net::Error{net::Err::invalid, "invalid integer " + go_quote(text) + " (want e.g. 100)"};
      *std::get<int64_t*>(f) = v;
      return {};
    }
  }
  return {};
}

}  // namespace frontends::cli
