// frontends/cli/config.cpp — merging flags, environment, file and defaults
// (see config.hpp), then `~` expansion and validation.
#include "frontends/cli/config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "build_info.hpp"
#include "frontends/cli/config_keys.hpp"
#include "frontends/cli/config_limits.hpp"
#include "frontends/cli/listen_addr.hpp"
#include "p2p/multiaddr/multiaddr.hpp"

namespace frontends::cli {
namespace {

constexpr std::string_view kConfigFlag = "config";
constexpr std::string_view kVersionFlag = "version";
constexpr std::string_view kConfigEnv = "AGENTANYCAST_CONFIG";

// The flags: every key with a flag, plus -config and -version.
const std::vector<FlagSpec>& flag_table() {
  static const std::vector<FlagSpec> table = [] {
    std::vector<FlagSpec> t;
    t.push_back({kConfigFlag, false, "path", "TOML config file"});
    for (const auto& k : config_keys())
      if (!k.flag.empty()) t.push_back({k.flag, k.kind == KeyKind::boolean, k.arg_name, k.help});
    t.push_back({kVersionFlag, true, "", "print the version and exit"});
    return t;
  }();
  return table;
}

// ---- `~` ------------------------------------------------------------------

// "~" and "~/x" become $HOME and $HOME/x; "~user/x" and other paths are kept.
net::Result<std::string> expand_tilde(std::string_view p, const EnvGetter& env) {
  if (p.empty() || p[0] != '~' || (p.size() > 1 && p[1] != '/')) return std::string(p);
  auto home = env("HOME");
  if (!home || home->empty())
    return net::Error{net::Err::invalid, "cannot expand " + go_quote(p) + " (HOME is not set)"};
  std::string h = *home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  return h + std::string(p.substr(1));
}

// ---- layers -----------------------------------------------------------------

void set_enabled(const KeyDef& k, Config& cfg, Sources& src, const ValueSource& from) {
  if (k.enables.empty()) return;
  const KeyDef* target = find_key_by_toml(k.enables);
  *std::get<bool*>(target->field(cfg)) = true;
  src.keys[key_index(*target)] = from;
}

net::Status apply_env(const EnvGetter& env, Config& cfg, Sources& src) {
  for (const auto& k : config_keys()) {
    if (k.env.empty()) continue;
    auto v = env(k.env);
    if (!v || v->empty()) continue;  // unset or empty: not given (as in the original)
    const ValueSource from{ValueSource::Kind::env, 0, k.env};
    const std::string where = describe(from, {});
    if (k.kind == KeyKind::boolean) {
      const bool is_true = *v == "true" || *v == "1", is_false = *v == "false" || *v == "0";
      if (k.env_mode == EnvMode::bool_disable_only) {
        if (!is_false) continue;  // the original only honours false/0 here
      } else if (!is_true && !is_false) {
        return config_error(where, k.toml, "invalid boolean " + go_quote(*v) +
                                               " (want true, false, 1 or 0)");
      }
      *std::get<bool*>(k.field(cfg)) = is_true;
    } else {
      if (k.kind == KeyKind::list && v->find_first_not_of(" \t,") == std::string::npos)
        continue;  // only separators: the original keeps the previous list
      auto st = assign_text(k, cfg, *v);
      if (!st) return config_error(where, k.toml, st.what());
    }
    src.keys[key_index(k)] = from;
    if (k.env_enables) set_enabled(k, cfg, src, from);
  }
  return {};
}

net::Status apply_flags(const ParsedArgs& args, Config& cfg, Sources& src) {
  for (const auto& use : args.flags) {
    const KeyDef* k = find_key_by_flag(use.spec->name);
    if (!k) continue;  // -config, -version
    if (use.value.empty()) continue;  // -key= : not given (as in the original)
    if (k->kind == KeyKind::list && use.value.find_first_not_of(" \t,") == std::string::npos)
      continue;
    const ValueSource from{ValueSource::Kind::flag, 0, k->flag};
    auto st = assign_text(*k, cfg, use.value);
    if (!st) return config_error(describe(from, {}), key_name(*k), st.what());
    src.keys[key_index(*k)] = from;
    if (k->kind != KeyKind::boolean || *std::get<bool*>(k->field(cfg))) set_enabled(*k, cfg, src, from);
  }
  return {};
}

// ---- validation -------------------------------------------------------------

// The parser's message without its "multiaddr: " prefix (the config error
// already says "invalid multiaddr").
std::string multiaddr_problem(const std::string& what) {
  constexpr std::string_view kPrefix = "multiaddr: ";
  return what.rfind(kPrefix, 0) == 0 ? what.substr(kPrefix.size()) : what;
}

net::Status check_key(const KeyDef& k, Config& cfg, const std::string& where, const EnvGetter& env) {
  const std::string_view name = key_name(k);
  FieldRef f = k.field(cfg);
  auto fail = [&](const std::string& problem) { return config_error(where, name, problem); };
  switch (k.check) {
    case Check::none: return {};
    case Check::path_required:
    case Check::path_optional: {
      std::string& p = *std::get<std::string*>(f);
      if (p.empty()) {
        if (k.check == Check::path_optional) return {};
        return fail("empty (want a path)");
      }
      auto x = expand_tilde(p, env);
      if (!x) return fail(x.what());
      p = x.take();
      return {};
    }
    case Check::grpc_listen: {
      std::string& s = *std::get<std::string*>(f);
      auto g = parse_grpc_listen(s);
      if (!g)
        return fail("invalid address " + go_quote(s) + ": " + g.what() +
                    " (want unix:///path, tcp://host:port or a socket path)");
      if (g->kind == GrpcListen::Kind::unix_socket) {
        auto x = expand_tilde(g->path, env);
        if (!x) return fail(x.what());
        s = s.rfind("unix://", 0) == 0 ? "unix://" + x.take() : x.take();
      }
      return {};
    }
    case Check::log_level: {
      const std::string& s = *std::get<std::string*>(f);
      if (s == "debug" || s == "info" || s == "warn" || s == "error") return {};
      return fail("invalid level " + go_quote(s) + " (want debug, info, warn or error)");
    }
    case Check::log_format: {
      const std::string& s = *std::get<std::string*>(f);
      if (s == "json" || s == "text") return {};
      return fail("invalid format " + go_quote(s) + " (want json or text)");
    }
    case Check::multiaddrs:
    case Check::bootstrap: {
      const auto& v = *std::get<std::vector<std::string>*>(f);
      for (const auto& a : v) {
        auto ma = p2p::Multiaddr::parse(a);
        if (!ma)
          return fail("invalid multiaddr " + go_quote(a) + ": " + multiaddr_problem(ma.what()) +
                      (k.check == Check::bootstrap ? " (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...)"
                                                   : " (want e.g. /ip4/0.0.0.0/tcp/4001)"));
        if (k.check == Check::bootstrap && !ma->peer_id())
          return fail("multiaddr " + go_quote(a) +
                      " has no peer id (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...)");
      }
      return {};
    }
    case Check::host_port: {
      const std::string& s = *std::get<std::string*>(f);
      if (s.empty()) return {};
      auto hp = parse_host_port(s);
      if (!hp) return fail("invalid address " + go_quote(s) + ": " + hp.what() + " (want host:port, e.g. 127.0.0.1:8080 or :8080)");
      return {};
    }
    case Check::host_ports: {
      for (const auto& s : *std::get<std::vector<std::string>*>(f)) {
        auto hp = parse_host_port(s);
        if (!hp)
          return fail("invalid address " + go_quote(s) + ": " + hp.what() +
                      " (want host:port, e.g. relay.example.com:50052)");
      }
      return {};
    }
    case Check::dht_mode: {
      const std::string& s = *std::get<std::string*>(f);
      if (s.empty() || s == "auto" || s == "server" || s == "client") return {};
      return fail("invalid mode " + go_quote(s) + " (want auto, server or client)");
    }
    case Check::unit_interval: {
      double d = *std::get<double*>(f);
      if (d >= 0 && d <= 1) return {};
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", d);
      return fail(std::string(buf) + " out of range (want a number from 0 to 1)");
    }
    case Check::non_negative: {
      int64_t v = *std::get<int64_t*>(f);
      if (v >= 0) return {};
      if (k.kind == KeyKind::duration)
        return fail("negative duration " + go_quote(format_duration(v)) + " (want e.g. 30s, 24h, 1h30m)");
      return fail(std::to_string(v) + " is negative (want 0 or more)");
    }
    case Check::command: {
      const std::string& s = *std::get<std::string*>(f);
      if (s.empty() || s.find_first_not_of(" \t") != std::string::npos) return {};
      return fail("empty command (want e.g. \"uvx mcp-server-filesystem /tmp\")");
    }
  }
  return {};
}

net::Status validate(Config& cfg, const Sources& src, const EnvGetter& env) {
  for (const auto& k : config_keys()) {
    const std::string where = describe(src.keys[key_index(k)], src.file);
    AAC_TRY(check_key(k, cfg, where, env));
  }
  // node:internal/config/config.go Validate(): a NATS broker is a nats:// or tls:// URL.
  const auto& nats = cfg.transport.nats;
  if (nats.enabled && nats.broker.rfind("nats://", 0) != 0 && nats.broker.rfind("tls://", 0) != 0) {
    const KeyDef* broker = find_key_by_toml("transport.nats.broker");
    const KeyDef* enabled = find_key_by_toml("transport.nats.enabled");
    const bool blame_broker = src.keys[key_index(*broker)].kind != ValueSource::Kind::default_value;
    const KeyDef* k = blame_broker ? broker : enabled;
    const std::string problem =
        nats.broker.empty() ? "NATS enabled without a broker (want transport.nats.broker = \"nats://host:4222\")"
                            : "invalid broker " + go_quote(nats.broker) + " (want nats://host:port or tls://host:port)";
    return config_error(describe(src.keys[key_index(*k)], src.file), k->toml, problem);
  }
  return {};
}

}  // namespace

// ---- public -----------------------------------------------------------------

net::LogLevel Config::level() const {
  net::LogLevel l = net::LogLevel::info;
  (void)net::parse_log_level(log_level, &l);
  return l;
}

net::LogFormat Config::format() const {
  return log_format == "text" ? net::LogFormat::text : net::LogFormat::json;
}

EnvGetter process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

EnvGetter map_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

FileReader disk_reader() {
  return [](const std::string& path) -> net::Result<std::optional<std::string>> {
    FILE* f = std::fopen(path.c_str(), "rbe");
    if (!f) {
      if (errno == ENOENT) return std::optional<std::string>();
      return net::Error{net::Err::io, "config: " + path + ": " + std::strerror(errno)};
    }
    std::string data;
    char buf[16384];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
      if (data.size() + n > kMaxConfigFileLen) {
        std::fclose(f);
        return net::Error{net::Err::limit, "config: " + path + ": larger than " +
                                               std::to_string(kMaxConfigFileLen) + " bytes"};
      }
      data.append(buf, n);
    }
    const bool failed = std::ferror(f) != 0;
    const int e = errno;
    std::fclose(f);
    if (failed) return net::Error{net::Err::io, "config: " + path + ": " + std::strerror(e)};
    return std::optional<std::string>(std::move(data));
  };
}

std::span<const FlagSpec> daemon_flags() { return flag_table(); }

net::Result<Config> resolve_config(const ParsedArgs& args, const EnvGetter& env,
                                   const FileReader& read, net::Log* log) {
  Config cfg;
  Sources src;
  src.keys.resize(config_keys().size());

  // Which file: -config > AGENTANYCAST_CONFIG > default. Only the default may be missing.
  std::string path(kDefaultConfigPath);
  ValueSource path_from;
  if (const FlagUse* u = args.last(kConfigFlag); u && !u->value.empty()) {
    path = u->value;
    path_from = {ValueSource::Kind::flag, 0, kConfigFlag};
  } else if (auto v = env(kConfigEnv); v && !v->empty()) {
    path = *v;
    path_from = {ValueSource::Kind::env, 0, kConfigEnv};
  }
  auto expanded = expand_tilde(path, env);
  if (!expanded) return config_error(describe(path_from, {}), "config", expanded.what());
  path = expanded.take();

  auto contents = read(path);
  if (!contents) return contents.take_error();
  if (contents->has_value()) {
    src.file = path;
    AAC_TRY(apply_toml(**contents, path, cfg, src, log));
    cfg.config_path = path;
  } else if (path_from.kind != ValueSource::Kind::default_value) {
    return config_error(describe(path_from, {}), "config", "file " + go_quote(path) + " does not exist");
  }

  AAC_TRY(apply_env(env, cfg, src));
  AAC_TRY(apply_flags(args, cfg, src));
  AAC_TRY(validate(cfg, src, env));
  cfg.positional = args.positional;
  return cfg;
}

net::Result<Config> load_config(std::span<const std::string_view> args, const EnvGetter& env,
                                const FileReader& read, net::Log* log) {
  auto parsed = parse_flags(daemon_flags(), args);
  if (!parsed) return parsed.take_error();
  return resolve_config(*parsed, env, read, log);
}

std::string version_line() {
  return std::string("agentanycastd ") + build_info::kVersion + " (commit " + build_info::kGitCommit +
         ", " + build_info::kBuildOptions + ")";
}

std::string daemon_usage(std::string_view prog) {
  std::string u = "Usage: " + std::string(prog) + " [flags]\n\n";
  u += "Each setting is taken from, in order: its flag, its AGENTANYCAST_* variable, the\n"
       "TOML file, the built-in default. Flags accept -x, --x, -x=v, --x=v and -x v\n"
       "(bool flags only -x or -x=false). An empty value counts as not given.\n\n";
  u += "  -config path\n"
       "        TOML config file; a missing default file means built-in defaults\n"
       "        env AGENTANYCAST_CONFIG | default \"~/.agentanycast/config.toml\"\n";
  for (const auto& k : config_keys()) {
    if (k.flag.empty()) continue;
    u += "  -" + std::string(k.flag);
    if (k.kind != KeyKind::boolean) u += " " + std::string(k.arg_name);
    u += "\n        " + std::string(k.help) + "\n        ";
    if (!k.env.empty()) u += "env " + std::string(k.env) + " | ";
    if (!k.toml.empty()) u += "toml " + std::string(k.toml) + " | ";
    u += "default " + default_text(k) + "\n";
  }
  u += "  -version\n        print the version and exit\n";
  u += "\nSettings with no flag are set in the TOML file or through their variable;\n"
       "see the README's configuration reference.\n";
  return u;
}

Startup daemon_startup(std::span<const std::string_view> args, const EnvGetter& env,
                       const FileReader& read, net::Log* log) {
  Startup s;
  auto parsed = parse_flags(daemon_flags(), args);
  if (!parsed) {
    s.err = parsed.what() + "\n" + daemon_usage("agentanycastd");
    s.exit_code = 2;
    return s;
  }
  if (parsed->help) {
    s.err = daemon_usage("agentanycastd");
    s.exit_code = 0;
    return s;
  }
  if (const FlagUse* v = parsed->last(kVersionFlag); v && v->value == "true") {
    s.out = version_line() + "\n";
    s.exit_code = 0;
    return s;
  }
  auto cfg = resolve_config(*parsed, env, read, log);
  if (!cfg) {
    s.err = cfg.what() + "\n";
    s.exit_code = 2;
    return s;
  }
  s.config = cfg.take();
  s.run = true;
  return s;
}

}  // namespace frontends::cli
