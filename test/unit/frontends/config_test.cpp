#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/cli/config.hpp"
#include "frontends/cli/config_keys.hpp"
#include "frontends/cli/config_limits.hpp"

using namespace frontends::cli;

namespace {

constexpr const char* kHome = "/home/t";
constexpr const char* kFile = "/home/t/.agentanycast/config.toml";

// One run of the loader with an injected environment and file system.
struct Run {
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> env{{"HOME", kHome}};
  std::vector<std::string> args;
  std::vector<std::string> warnings;

  net::Result<Config> load() {
    net::Log log;
    log.capture(&warnings);
    std::vector<std::string_view> a(args.begin(), args.end());
    auto reader = [this](const std::string& path) -> net::Result<std::optional<std::string>> {
      auto it = files.find(path);
      if (it == files.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
    return load_config(a, map_env(env), reader, &log);
  }
  Startup startup() {
    std::vector<std::string_view> a(args.begin(), args.end());
    auto reader = [this](const std::string& path) -> net::Result<std::optional<std::string>> {
      auto it = files.find(path);
      if (it == files.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
    return daemon_startup(a, map_env(env), reader, nullptr);
  }
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + v[i];
  return s;
}
std::string b(bool v) { return v ? "true" : "false"; }

// The error of a run that must fail.
std::string error_of(Run r) {
  auto c = r.load();
  REQUIRE_FALSE(c);
  CHECK(c.err() == net::Err::invalid);
  return c.what();
}

}  // namespace

// ---- defaults ---------------------------------------------------------------

TEST_CASE("config: no file, no env, no flags = the defaults of upstream.md §7.2, ~ expanded") {
  Run r;
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->key_path == "/home/t/.agentanycast/key");
  CHECK(c->listen_addrs == std::vector<std::string>{"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"});
  CHECK(c->grpc_listen == "unix:///home/t/.agentanycast/daemon.sock");
  CHECK(c->bootstrap_peers.empty());
  CHECK(c->enable_relay_client);
  CHECK(c->enable_hole_punching);
  CHECK(c->enable_quic);
  CHECK_FALSE(c->enable_webtransport);
  CHECK(c->enable_mdns);
  CHECK(c->store_path == "/home/t/.agentanycast/data");
  CHECK(c->offline_queue_ttl_ns == 24 * kHour);
  CHECK(c->log_level == "info");
  CHECK(c->log_format == "json");
  CHECK(c->log_file.empty());
  CHECK_FALSE(c->enable_perf);
  CHECK_FALSE(c->bridge.enabled);
  CHECK(c->bridge.listen == ":8080");
  CHECK(c->bridge.cors_origins == std::vector<std::string>{"*"});
  CHECK(c->anycast.routing_strategy == "random");
  CHECK(c->anycast.cache_ttl_ns == 30 * kSecond);
  CHECK(c->anycast.auto_register);
  CHECK(c->anycast.registry_addr.empty());
  CHECK(c->anycast.registry_addrs.empty());
  CHECK_FALSE(c->anycast.enable_dht);
  CHECK(c->anycast.dht_mode.empty());
  CHECK_FALSE(c->metrics.enabled);
  CHECK(c->metrics.listen == ":9090");
  CHECK_FALSE(c->mcp.enabled);
  CHECK(c->mcp.listen == ":3000");
  CHECK_FALSE(c->anp.enabled);
  CHECK(c->anp.listen == ":8090");
  CHECK(c->identity.did_web.empty());
  CHECK_FALSE(c->telemetry.enabled);
  CHECK(c->telemetry.sample_rate == 1.0);
  CHECK(c->telemetry.insecure);
  CHECK_FALSE(c->transport.nats.enabled);
  CHECK(c->policy.acl.empty());
  CHECK(c->policy.rate_limit.default_rps == 0);
  CHECK_FALSE(c->mcp_stdio);
  CHECK(c->mcp_proxy.empty());
  CHECK(c->config_path.empty());  // the default file is missing: defaults, no error
  CHECK(c->level() == net::LogLevel::info);
  CHECK(c->format() == net::LogFormat::json);
  CHECK(r.warnings.empty());
}

// ---- precedence, key by key ---------------------------------------------------

namespace {
struct PrecedenceRow {
  const char* name;
  const char* file;      // TOML text setting the key ("" = key has no TOML form)
  const char* env_name;  // nullptr = key has no variable
  const char* env_value;
  const char* flag;      // nullptr = key has no flag
  std::function<std::string(const Config&)> get;
  const char* want_default;
  const char* want_file;
  const char* want_env;
  const char* want_flag;
};

const PrecedenceRow kPrecedence[] = {
    {"key_path", "key_path = \"/f/key\"", "AGENTANYCAST_KEY_PATH", "/e/key", "-key=/c/key",
     [](const Config& c) { return c.key_path; }, "/home/t/.agentanycast/key", "/f/key", "/e/key", "/c/key"},
    {"listen_addrs", "listen_addrs = [\"/ip4/1.1.1.1/tcp/1\"]", "AGENTANYCAST_LISTEN_ADDRS",
     "/ip4/2.2.2.2/tcp/2, /ip6/::1/tcp/2", "-listen=/ip4/3.3.3.3/tcp/3",
     [](const Config& c) { return join(c.listen_addrs); }, "/ip4/0.0.0.0/tcp/0,/ip6/::/tcp/0",
     "/ip4/1.1.1.1/tcp/1", "/ip4/2.2.2.2/tcp/2,/ip6/::1/tcp/2", "/ip4/3.3.3.3/tcp/3"},
    {"grpc_listen", "grpc_listen = \"tcp://127.0.0.1:1\"", "AGENTANYCAST_GRPC_LISTEN",
     "unix:///e.sock", "--grpc-listen=/c.sock", [](const Config& c) { return c.grpc_listen; },
     "unix:///home/t/.agentanycast/daemon.sock", "tcp://127.0.0.1:1", "unix:///e.sock", "/c.sock"},
    {"bootstrap_peers", "bootstrap_peers = [\"/ip4/1.1.1.1/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq\"]",
     "AGENTANYCAST_BOOTSTRAP_PEERS", "/ip4/2.2.2.2/tcp/2/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA,,/dns4/r/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
     "-bootstrap-peers=/ip4/3.3.3.3/tcp/3/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv", [](const Config& c) { return join(c.bootstrap_peers); },
     "", "/ip4/1.1.1.1/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq", "/ip4/2.2.2.2/tcp/2/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA,/dns4/r/tcp/4001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
     "/ip4/3.3.3.3/tcp/3/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv"},
    {"enable_webtransport", "enable_webtransport = true", nullptr, nullptr, "-enable-webtransport=false",
     [](const Config& c) { return b(c.enable_webtransport); }, "false", "true", "true", "false"},
    {"store_path", "store_path = \"/f/data\"", "AGENTANYCAST_STORE_PATH", "/e/data", "-store=/c/data",
     [](const Config& c) { return c.store_path; }, "/home/t/.agentanycast/data", "/f/data", "/e/data", "/c/data"},
    {"log_level", "log_level = \"warn\"", "AGENTANYCAST_LOG_LEVEL", "error", "-log-level=debug",
     [](const Config& c) { return c.log_level; }, "info", "warn", "error", "debug"},
    {"log_format", "log_format = \"text\"", "AGENTANYCAST_LOG_FORMAT", "json", "-log-format=text",
     [](const Config& c) { return c.log_format; }, "json", "text", "json", "text"},
    {"log_file", "log_file = \"~/f.log\"", "AGENTANYCAST_LOG_FILE", "/e.log", "-log-file=/c.log",
     [](const Config& c) { return c.log_file; }, "", "/home/t/f.log", "/e.log", "/c.log"},
    {"enable_perf", "enable_perf = true", "AGENTANYCAST_ENABLE_PERF", "false", "-enable-perf",
     [](const Config& c) { return b(c.enable_perf); }, "false", "true", "false", "true"},
    {"bridge.listen", "[bridge]\nlisten = \"127.0.0.1:1\"", nullptr, nullptr, "-bridge-listen=:3",
     [](const Config& c) { return c.bridge.listen; }, ":8080", "127.0.0.1:1", "127.0.0.1:1", ":3"},
    {"bridge.ca_file", "[bridge]\nca_file = \"/f/ca.pem\"", "AGENTANYCAST_BRIDGE_CA_FILE", "/e/ca.pem",
     "-bridge-ca-file=/c/ca.pem", [](const Config& c) { return c.bridge.ca_file; }, "", "/f/ca.pem", "/e/ca.pem",
     "/c/ca.pem"},
    {"anycast.registry_addrs", "[anycast]\nregistry_addrs = [\"f:1\"]", "AGENTANYCAST_REGISTRY_ADDRS",
     "e:2, e:3", nullptr, [](const Config& c) { return join(c.anycast.registry_addrs); }, "", "f:1",
     "e:2,e:3", "e:2,e:3"},
    {"mcp.listen", "[mcp]\nlisten = \":1\"", "AGENTANYCAST_MCP_LISTEN", ":2", "-mcp-listen=:3",
     [](const Config& c) { return c.mcp.listen; }, ":3000", ":1", ":2", ":3"},
    {"mcp.proxy", "[mcp]\nproxy = \"node f.mjs\"", nullptr, nullptr, "-mcp-proxy=node c.mjs",
     [](const Config& c) { return c.mcp_proxy; }, "", "node f.mjs", "node f.mjs", "node c.mjs"},
    {"anp.enabled", "[anp]\nenabled = true", "AGENTANYCAST_ANP_ENABLED", "0", nullptr,
     [](const Config& c) { return b(c.anp.enabled); }, "false", "true", "false", "false"},
    {"anp.listen", "[anp]\nlisten = \":1\"", "AGENTANYCAST_ANP_LISTEN", ":2", "-anp-listen=:3",
     [](const Config& c) { return c.anp.listen; }, ":8090", ":1", ":2", ":3"},
    {"identity.did_web", "[identity]\ndid_web = \"did:web:f\"", "AGENTANYCAST_DID_WEB", "did:web:e", nullptr,
     [](const Config& c) { return c.identity.did_web; }, "", "did:web:f", "did:web:e", "did:web:e"},
    {"identity.did_dns_domain", "[identity]\ndid_dns_domain = \"f.example\"", "AGENTANYCAST_DID_DNS_DOMAIN",
     "e.example", nullptr, [](const Config& c) { return c.identity.did_dns_domain; }, "", "f.example",
     "e.example", "e.example"},
    {"telemetry.enabled", "[telemetry]\nenabled = true", "AGENTANYCAST_TELEMETRY_ENABLED", "false", nullptr,
     [](const Config& c) { return b(c.telemetry.enabled); }, "false", "true", "false", "false"},
    {"telemetry.otlp_endpoint", "[telemetry]\notlp_endpoint = \"f:4317\"", "AGENTANYCAST_OTLP_ENDPOINT",
     "e:4317", "-otlp-endpoint=c:4317", [](const Config& c) { return c.telemetry.otlp_endpoint; }, "",
     "f:4317", "e:4317", "c:4317"},
    {"telemetry.sample_rate", "[telemetry]\nsample_rate = 0.5", "AGENTANYCAST_SAMPLE_RATE", "0.25", nullptr,
     [](const Config& c) { return std::to_string(c.telemetry.sample_rate); }, "1.000000", "0.500000",
     "0.250000", "0.250000"},
    {"transport.nats.enabled", "[transport.nats]\nenabled = true\nbroker = \"nats://f:4222\"",
     "AGENTANYCAST_NATS_ENABLED", "0", nullptr, [](const Config& c) { return b(c.transport.nats.enabled); },
     "false", "true", "false", "false"},
    {"transport.nats.broker", "[transport.nats]\nbroker = \"nats://f:1\"", "AGENTANYCAST_NATS_BROKER",
     "tls://e:2", "-nats-broker=nats://c:3", [](const Config& c) { return c.transport.nats.broker; }, "",
     "nats://f:1", "tls://e:2", "nats://c:3"},
    {"transport.nats.subject_prefix", "[transport.nats]\nsubject_prefix = \"f.\"",
     "AGENTANYCAST_NATS_SUBJECT_PREFIX", "e.", nullptr,
     [](const Config& c) { return c.transport.nats.subject_prefix; }, "", "f.", "e.", "e."},
    {"mcp (stdio)", "", nullptr, nullptr, "-mcp", [](const Config& c) { return b(c.mcp_stdio); }, "false",
     "false", "false", "true"},
    {"mcp-proxy", "", nullptr, nullptr, "-mcp-proxy=uvx srv /tmp", [](const Config& c) { return c.mcp_proxy; },
     "", "", "", "uvx srv /tmp"},
    {"transport (SDK)", "", nullptr, nullptr, "--transport=tcp", [](const Config& c) { return c.sdk_transport; },
     "", "", "", "tcp"},
    {"namespace (SDK)", "", nullptr, nullptr, "--namespace=team-a",
     [](const Config& c) { return c.sdk_namespace; }, "", "", "", "team-a"},
};
}  // namespace

TEST_CASE("config: precedence flag > env > file > default, for every key with a flag or variable") {
  for (const auto& row : kPrecedence) {
    CAPTURE(row.name);
    // 1. defaults
    {
      Run r;
      auto c = r.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_default);
    }
    // 2. file
    Run r;
    if (*row.file) r.files[kFile] = row.file;
    {
      auto c = r.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_file);
      CHECK(r.warnings.empty());
    }
    // 3. file + env
    if (row.env_name) r.env[row.env_name] = row.env_value;
    {
      auto c = r.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_env);
    }
    // 4. file + env + flag
    if (row.flag) r.args.push_back(row.flag);
    {
      auto c = r.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_flag);
    }
    // 5. flag alone beats the default; env alone beats the default
    if (row.flag) {
      Run f;
      f.args.push_back(row.flag);
      auto c = f.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_flag);
    }
    if (row.env_name) {
      Run e;
      e.env[row.env_name] = row.env_value;
      auto c = e.load();
      REQUIRE(c);
      CHECK(row.get(*c) == row.want_env);
    }
  }
}

TEST_CASE("config: every key with a flag or variable has a precedence row") {
  for (const auto& k : config_keys()) {
    if (k.flag.empty() && k.env.empty()) continue;
    if (k.toml == "enable_mdns") continue;  // disable-only variable: its own test below
    bool found = false;
    for (const auto& row : kPrecedence) {
      std::string_view n = row.name;
      if (n == key_name(k) || n.substr(0, n.find(' ')) == key_name(k)) found = true;
    }
    CAPTURE(key_name(k));
    CHECK(found);
  }
}

TEST_CASE("config: a flag overrides only its own key") {
  Run r;
  r.files[kFile] = "log_level = \"warn\"\nlog_format = \"text\"\nkey_path = \"/f/key\"\n";
  r.env["AGENTANYCAST_KEY_PATH"] = "/e/key";
  r.args = {"-log-level", "error"};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "error");   // flag
  CHECK(c->log_format == "text");   // file
  CHECK(c->key_path == "/e/key");   // env
  CHECK(c->store_path == "/home/t/.agentanycast/data");  // default
}

TEST_CASE("config: empty flag and variable values count as not given (as in the original)") {
  Run r;
  r.files[kFile] = "log_level = \"warn\"\nbootstrap_peers = [\"/ip4/1.1.1.1/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq\"]\n";
  r.env["AGENTANYCAST_LOG_LEVEL"] = "";
  r.env["AGENTANYCAST_BOOTSTRAP_PEERS"] = " , ,";
  r.args = {"-key=", "-bootstrap-peers", ","};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "warn");
  CHECK(c->key_path == "/home/t/.agentanycast/key");
  CHECK(c->bootstrap_peers == std::vector<std::string>{"/ip4/1.1.1.1/tcp/1/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"});
}

TEST_CASE("config: AGENTANYCAST_ENABLE_MDNS only disables (false/0), like the original") {
  const struct { const char* file; const char* env; bool want; } vec[] = {
      {"", "false", false},  {"", "0", false},   {"", "true", true},   {"", "yes", true},
      {"enable_mdns = false", "true", false},  // the variable cannot re-enable it
      {"enable_mdns = false", "1", false},     {"enable_mdns = true", "0", false},
  };
  for (const auto& t : vec) {
    CAPTURE(t.env);
    Run r;
    if (*t.file) r.files[kFile] = t.file;
    r.env["AGENTANYCAST_ENABLE_MDNS"] = t.env;
    auto c = r.load();
    REQUIRE(c);
    CHECK(c->enable_mdns == t.want);
  }
}

TEST_CASE("config: -bridge-listen, -mcp-listen, -anp-listen, -otlp-endpoint, -nats-broker also enable") {
  Run r;
  r.files[kFile] =
      "[bridge]\nenabled = false\n[mcp]\nenabled = false\n[anp]\nenabled = false\n"
      "[telemetry]\nenabled = false\n[transport.nats]\nenabled = false\n";
  r.env["AGENTANYCAST_ANP_ENABLED"] = "false";
  r.args = {"-bridge-listen", ":1", "-mcp-listen", ":2", "-anp-listen", ":3", "-otlp-endpoint", "o:4",
            "-nats-broker", "nats://n:5"};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->bridge.enabled);
  CHECK(c->mcp.enabled);
  CHECK(c->anp.enabled);  // flag beats AGENTANYCAST_ANP_ENABLED=false
  CHECK(c->telemetry.enabled);
  CHECK(c->transport.nats.enabled);
}

TEST_CASE("config: of the variables only AGENTANYCAST_MCP_LISTEN also enables (as in the original)") {
  Run r;
  r.env = {{"HOME", kHome},
           {"AGENTANYCAST_MCP_LISTEN", ":2"},
           {"AGENTANYCAST_ANP_LISTEN", ":3"},
           {"AGENTANYCAST_OTLP_ENDPOINT", "o:4"},
           {"AGENTANYCAST_NATS_BROKER", "nats://n:5"}};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->mcp.enabled);
  CHECK(c->mcp.listen == ":2");
  CHECK_FALSE(c->anp.enabled);
  CHECK(c->anp.listen == ":3");
  CHECK_FALSE(c->telemetry.enabled);
  CHECK_FALSE(c->transport.nats.enabled);
}

TEST_CASE("config: an explicit false bool flag overrides a true file value") {
  Run r;
  r.files[kFile] = "enable_webtransport = true\nenable_perf = true\n";
  r.args = {"-enable-webtransport=false", "--enable-perf=0"};
  auto c = r.load();
  REQUIRE(c);
  CHECK_FALSE(c->enable_webtransport);
  CHECK_FALSE(c->enable_perf);
}

TEST_CASE("config: the SDK spawn argv of upstream.md §2.2 is accepted") {
  Run r;
  r.env["AGENTANYCAST_STORE_PATH"] = "/home/t/.agentanycast/data";
  r.args = {"--key=/home/t/.agentanycast/key", "--grpc-listen=unix:///home/t/.agentanycast/daemon.sock",
            "--log-level=info", "--bootstrap-peers=/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv",
            "--transport=tcp", "--namespace=prod"};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->grpc_listen == "unix:///home/t/.agentanycast/daemon.sock");
  CHECK(c->bootstrap_peers == std::vector<std::string>{"/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv"});
  CHECK(c->sdk_transport == "tcp");
  CHECK(c->sdk_namespace == "prod");
}

TEST_CASE("config: docker-compose node argv (upstream.md §5) with separate values") {
  Run r;
  r.env["AGENTANYCAST_ENABLE_MDNS"] = "false";
  r.args = {"--grpc-listen", "tcp://0.0.0.0:50051", "--log-level", "info", "--bridge-listen", ":8080"};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->grpc_listen == "tcp://0.0.0.0:50051");
  CHECK(c->bridge.enabled);
  CHECK_FALSE(c->enable_mdns);
}

// ---- the file -------------------------------------------------------------------

TEST_CASE("config: every key and section of upstream.md §7.2 is read and stored") {
  Run r;
  r.files[kFile] = R"(key_path = "/k"
listen_addrs = ["/ip4/0.0.0.0/tcp/4001"]
grpc_listen = "tcp://127.0.0.1:50051"
bootstrap_peers = ["/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv"]
enable_relay_client = false
enable_hole_punching = false
enable_quic = false
enable_webtransport = true
enable_mdns = false
store_path = "/s"
offline_queue_ttl = "1h30m"
log_level = "debug"
log_format = "text"
log_file = "/var/log/aac.log"
enable_perf = true

[bridge]
enabled = true
listen = "127.0.0.1:8081"
tls_cert = "~/c.pem"
tls_key = "~/k.pem"
cors_origins = ["https://a.example", "https://b.example"]

[anycast]
routing_strategy = "random"
cache_ttl = "1.5m"
auto_register = false
registry_addr = "relay.example.com:50052"
registry_addrs = ["r1:50052", "r2:50052"]
enable_dht = true
dht_mode = "server"

[metrics]
enabled = true
listen = ":9191"

[mcp]
enabled = true
listen = ":3001"

[anp]
enabled = true
listen = ":8091"

[identity]
did_web = "did:web:example.com:agents:a"
did_dns_domain = "example.com"

[telemetry]
enabled = true
otlp_endpoint = "localhost:4317"
sample_rate = 1
insecure = false

[transport.nats]
enabled = true
broker = "tls://nats.example:4222"
subject_prefix = "agent."
auth_user = "u"
auth_pass = "p"
tls_enabled = true
tls_cert_file = "~/n.crt"
tls_key_file = "/n.key"

[policy]
audit_log_path = "~/audit.jsonl"

[[policy.acl]]
source = "did:web:trusted.example:*"
skill = "*"
allow = true

[[policy.acl]]
source = "*"
skill = "internal-*"

[policy.rate_limit]
default_rps = 100

[[policy.rate_limit.overrides]]
source = "did:key:z6Mk"
rps = 500
)";
  auto c = r.load();
  REQUIRE(c);
  CHECK(r.warnings.empty());
  CHECK(c->config_path == kFile);
  CHECK(c->key_path == "/k");
  CHECK(c->listen_addrs == std::vector<std::string>{"/ip4/0.0.0.0/tcp/4001"});
  CHECK(c->grpc_listen == "tcp://127.0.0.1:50051");
  CHECK(c->bootstrap_peers.size() == 1);
  CHECK_FALSE(c->enable_relay_client);
  CHECK_FALSE(c->enable_hole_punching);
  CHECK_FALSE(c->enable_quic);
  CHECK(c->enable_webtransport);
  CHECK_FALSE(c->enable_mdns);
  CHECK(c->store_path == "/s");
  CHECK(c->offline_queue_ttl_ns == 90 * kMinute);
  CHECK(c->level() == net::LogLevel::debug);
  CHECK(c->format() == net::LogFormat::text);
  CHECK(c->log_file == "/var/log/aac.log");
  CHECK(c->enable_perf);
  CHECK(c->bridge.enabled);
  CHECK(c->bridge.listen == "127.0.0.1:8081");
  CHECK(c->bridge.tls_cert == "/home/t/c.pem");
  CHECK(c->bridge.tls_key == "/home/t/k.pem");
  CHECK(c->bridge.cors_origins == std::vector<std::string>{"https://a.example", "https://b.example"});
  CHECK(c->anycast.cache_ttl_ns == 90 * kSecond);
  CHECK_FALSE(c->anycast.auto_register);
  CHECK(c->anycast.registry_addr == "relay.example.com:50052");
  CHECK(c->anycast.registry_addrs == std::vector<std::string>{"r1:50052", "r2:50052"});
  CHECK(c->anycast.enable_dht);
  CHECK(c->anycast.dht_mode == "server");
  CHECK(c->metrics.enabled);
  CHECK(c->metrics.listen == ":9191");
  CHECK(c->mcp.enabled);
  CHECK(c->mcp.listen == ":3001");
  CHECK(c->anp.enabled);
  CHECK(c->anp.listen == ":8091");
  CHECK(c->identity.did_web == "did:web:example.com:agents:a");
  CHECK(c->identity.did_dns_domain == "example.com");
  CHECK(c->telemetry.enabled);
  CHECK(c->telemetry.otlp_endpoint == "localhost:4317");
  CHECK(c->telemetry.sample_rate == 1.0);  // an integer is accepted for a float
  CHECK_FALSE(c->telemetry.insecure);
  CHECK(c->transport.nats.enabled);
  CHECK(c->transport.nats.broker == "tls://nats.example:4222");
  CHECK(c->transport.nats.subject_prefix == "agent.");
  CHECK(c->transport.nats.auth_user == "u");
  CHECK(c->transport.nats.auth_pass == "p");
  CHECK(c->transport.nats.tls_enabled);
  CHECK(c->transport.nats.tls_cert_file == "/home/t/n.crt");
  CHECK(c->transport.nats.tls_key_file == "/n.key");
  CHECK(c->policy.audit_log_path == "/home/t/audit.jsonl");
  REQUIRE(c->policy.acl.size() == 2);
  CHECK(c->policy.acl[0].source == "did:web:trusted.example:*");
  CHECK(c->policy.acl[0].skill == "*");
  CHECK(c->policy.acl[0].allow);
  CHECK(c->policy.acl[1].skill == "internal-*");
  CHECK_FALSE(c->policy.acl[1].allow);
  CHECK(c->policy.rate_limit.default_rps == 100);
  REQUIRE(c->policy.rate_limit.overrides.size() == 1);
  CHECK(c->policy.rate_limit.overrides[0].source == "did:key:z6Mk");
  CHECK(c->policy.rate_limit.overrides[0].rps == 500);
}

TEST_CASE("config: dotted keys and inline tables are the same keys") {
  Run r;
  r.files[kFile] = "bridge.listen = \":1\"\nmcp = { enabled = true, listen = \":2\" }\n";
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->bridge.listen == ":1");
  CHECK(c->mcp.enabled);
  CHECK(c->mcp.listen == ":2");
  CHECK(r.warnings.empty());
}

TEST_CASE("config: unknown keys and sections are warnings naming file:line and the key") {
  Run r;
  r.files[kFile] =
      "log_level = \"info\"\n"      // 1
      "bogus = 1\n"                 // 2
      "[bridge]\n"                  // 3
      "listen = \":8080\"\n"        // 4
      "colour = \"red\"\n"          // 5
      "[nonsense]\n"                // 6
      "x = 1\n"                     // 7
      "[transport.grpc]\n"          // 8
      "[[policy.acl]]\n"            // 9
      "source = \"*\"\n"            // 10
      "weight = 3\n";               // 11
  auto c = r.load();
  REQUIRE(c);
  REQUIRE(r.warnings.size() == 5);
  const struct { const char* at; const char* key; } want[] = {
      {"config.toml:2", "bogus"},         {"config.toml:5", "bridge.colour"},
      {"config.toml:6", "nonsense"},      {"config.toml:8", "transport.grpc"},
      {"config.toml:11", "policy.acl[0].weight"},
  };
  for (size_t i = 0; i < 5; i++) {
    CAPTURE(r.warnings[i]);
    CHECK(r.warnings[i].find("\"level\":\"WARN\"") != std::string::npos);
    CHECK(r.warnings[i].find("\"msg\":\"unknown config key ignored\"") != std::string::npos);
    CHECK(r.warnings[i].find(std::string("\"at\":\"/home/t/.agentanycast/") + want[i].at + "\"") !=
          std::string::npos);
    CHECK(r.warnings[i].find(std::string("\"key\":\"") + want[i].key + "\"") != std::string::npos);
  }
}

TEST_CASE("config: unknown-key warnings are capped per file") {
  Run r;
  std::string doc;
  for (size_t i = 0; i < kMaxUnknownKeyWarnings + 5; i++) doc += "k" + std::to_string(i) + " = 1\n";
  r.files[kFile] = doc;
  auto c = r.load();
  REQUIRE(c);
  REQUIRE(r.warnings.size() == kMaxUnknownKeyWarnings + 1);
  CHECK(r.warnings.back().find("\"msg\":\"more unknown config keys ignored\"") != std::string::npos);
  CHECK(r.warnings.back().find("\"count\":5") != std::string::npos);
}

TEST_CASE("config: which file: -config > AGENTANYCAST_CONFIG > ~/.agentanycast/config.toml") {
  Run r;
  r.files[kFile] = "log_level = \"warn\"";
  r.files["/etc/aac.toml"] = "log_level = \"error\"";
  r.files["/home/t/flag.toml"] = "log_level = \"debug\"";
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "warn");
  r.env["AGENTANYCAST_CONFIG"] = "/etc/aac.toml";
  c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "error");
  CHECK(c->config_path == "/etc/aac.toml");
  r.args = {"-config", "~/flag.toml"};
  c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "debug");
  CHECK(c->config_path == "/home/t/flag.toml");
}

TEST_CASE("config: an explicitly named config file that is missing is an error") {
  Run r;
  r.args = {"-config=/nope.toml"};
  CHECK(error_of(r) == R"(config: flag -config: config: file "/nope.toml" does not exist)");
  Run e;
  e.env["AGENTANYCAST_CONFIG"] = "~/nope.toml";
  CHECK(error_of(e) == R"(config: env AGENTANYCAST_CONFIG: config: file "/home/t/nope.toml" does not exist)");
}

TEST_CASE("config: a file that cannot be read is an error") {
  Run r;
  std::vector<std::string_view> none;
  auto reader = [](const std::string& path) -> net::Result<std::optional<std::string>> {
    return net::Error{net::Err::io, "config: " + path + ": Permission denied"};
  };
  auto c = load_config(none, map_env({{"HOME", kHome}}), reader, nullptr);
  REQUIRE_FALSE(c);
  CHECK(c.err() == net::Err::io);
  CHECK(c.what() == "config: /home/t/.agentanycast/config.toml: Permission denied");
}

// ---- ~ expansion ---------------------------------------------------------------

TEST_CASE("config: ~ expansion in paths") {
  Run r;
  r.env["HOME"] = "/root/";
  r.files["/root/.agentanycast/config.toml"] =
      "key_path = \"~\"\nstore_path = \"~other/data\"\nlog_file = \"~/logs/d.log\"\n"
      "grpc_listen = \"~/d.sock\"\n";
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->key_path == "/root");
  CHECK(c->store_path == "~other/data");  // ~user is not expanded
  CHECK(c->log_file == "/root/logs/d.log");
  CHECK(c->grpc_listen == "/root/d.sock");
  r.args = {"-grpc-listen=unix://~/x.sock", "-key", "rel/key"};
  c = r.load();
  REQUIRE(c);
  CHECK(c->grpc_listen == "unix:///root/x.sock");
  CHECK(c->key_path == "rel/key");
  r.args = {"-grpc-listen=tcp://~:1"};  // not a path: untouched
  auto t = r.load();
  REQUIRE(t);
  CHECK(t->grpc_listen == "tcp://~:1");
}

TEST_CASE("config: without HOME the ~ default paths cannot be expanded") {
  Run r;
  r.env.clear();
  CHECK(error_of(r) ==
        R"(config: default: config: cannot expand "~/.agentanycast/config.toml" (HOME is not set))");
  r.args = {"-config=/etc/aac.toml"};
  r.files["/etc/aac.toml"] = "";
  CHECK(error_of(r) ==
        R"(config: default: key_path: cannot expand "~/.agentanycast/key" (HOME is not set))");
}

// ---- bad values: one line each, naming the source, the key and the form ----------

#define BAD_FILE(title, toml, msg)              \
  TEST_CASE("config bad value: " title) {       \
    Run r;                                      \
    r.files[kFile] = toml;                      \
    CHECK(error_of(r) == (msg));                \
  }
#define BAD_ENV(title, var, value, msg)         \
  TEST_CASE("config bad value: " title) {       \
    Run r;                                      \
    r.env[var] = value;                         \
    CHECK(error_of(r) == (msg));                \
  }
#define BAD_FLAG(title, flag, msg)              \
  TEST_CASE("config bad value: " title) {       \
    Run r;                                      \
    r.args = {flag};                            \
    CHECK(error_of(r) == (msg));                \
  }

#define F "config: /home/t/.agentanycast/config.toml:"

BAD_FILE("file duration", "log_level = \"info\"\n\noffline_queue_ttl = \"1x\"\n",
         F R"(3: offline_queue_ttl: invalid duration "1x" (want e.g. 30s, 24h, 1h30m))")
BAD_FILE("file duration without unit", "[anycast]\ncache_ttl = \"30\"\n",
         F R"(2: anycast.cache_ttl: invalid duration "30" (want e.g. 30s, 24h, 1h30m))")
BAD_FILE("file negative duration", "offline_queue_ttl = \"-1h\"\n",
         F R"(1: offline_queue_ttl: negative duration "-1h" (want e.g. 30s, 24h, 1h30m))")
BAD_FILE("file duration as integer", "offline_queue_ttl = 30\n",
         F R"(1: offline_queue_ttl: expected a duration string (e.g. "30s"), got an integer)")
BAD_FILE("file log level", "\nlog_level = \"verbose\"\n",
         F R"(2: log_level: invalid level "verbose" (want debug, info, warn or error))")
BAD_FILE("file log level uppercase", "log_level = \"DEBUG\"\n",
         F R"(1: log_level: invalid level "DEBUG" (want debug, info, warn or error))")
BAD_FILE("file log format", "log_format = \"xml\"\n",
         F R"(1: log_format: invalid format "xml" (want json or text))")
BAD_FILE("file bool type", "enable_mdns = \"yes\"\n", F "1: enable_mdns: expected a boolean, got a string")
BAD_FILE("file string type", "key_path = 5\n", F "1: key_path: expected a string, got an integer")
BAD_FILE("file list type", "listen_addrs = \"/ip4/0.0.0.0/tcp/0\"\n",
         F "1: listen_addrs: expected an array of strings, got a string")
BAD_FILE("file list element type", "listen_addrs = [\n  \"/ip4/0.0.0.0/tcp/0\",\n  5,\n]\n",
         F "3: listen_addrs[1]: expected a string, got an integer")
BAD_FILE("file section type", "bridge = 1\n", F "1: bridge: expected a table, got an integer")
BAD_FILE("file integer type", "[policy.rate_limit]\ndefault_rps = 1.5\n",
         F "2: policy.rate_limit.default_rps: expected an integer, got a float")
BAD_FILE("file number type", "[telemetry]\nsample_rate = \"1\"\n",
         F "2: telemetry.sample_rate: expected a number, got a string")
BAD_FILE("file date type", "log_level = 1979-05-27\n", F "1: log_level: expected a string, got a date")
BAD_FILE("file empty key_path", "key_path = \"\"\n", F "1: key_path: empty (want a path)")
BAD_FILE("file empty store_path", "store_path = \"\"\n", F "1: store_path: empty (want a path)")
BAD_FILE("file grpc scheme", "grpc_listen = \"http://127.0.0.1:1\"\n",
         F R"(1: grpc_listen: invalid address "http://127.0.0.1:1": unknown scheme "http://" (want unix:///path, tcp://host:port or a socket path))")
BAD_FILE("file dht_mode", "[anycast]\ndht_mode = \"full\"\n",
         F R"(2: anycast.dht_mode: invalid mode "full" (want auto, server or client))")
BAD_FILE("file sample_rate range", "[telemetry]\nsample_rate = 1.5\n",
         F "2: telemetry.sample_rate: 1.5 out of range (want a number from 0 to 1)")
BAD_FILE("file bridge listen", "[bridge]\nlisten = \"8080\"\n",
         F R"(2: bridge.listen: invalid address "8080": missing port in address (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_FILE("file metrics listen port", "[metrics]\nlisten = \":99999\"\n",
         F R"(2: metrics.listen: invalid address ":99999": port 99999 out of range (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_FILE("file registry addr", "[anycast]\nregistry_addr = \"relay.example.com\"\n",
         F R"(2: anycast.registry_addr: invalid address "relay.example.com": missing port in address (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_FILE("file listen multiaddr", "listen_addrs = [\"ip4/0.0.0.0/tcp/0\"]\n",
         F R"(1: listen_addrs: invalid multiaddr "ip4/0.0.0.0/tcp/0": must begin with '/' at offset 0 (want e.g. /ip4/0.0.0.0/tcp/4001))")
BAD_FILE("file bootstrap without peer id", "bootstrap_peers = [\"/ip4/1.2.3.4/tcp/4001\"]\n",
         F R"(1: bootstrap_peers: multiaddr "/ip4/1.2.3.4/tcp/4001" has no peer id (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...))")
BAD_FILE("file nats enabled without broker", "[transport.nats]\nenabled = true\n",
         F R"(2: transport.nats.enabled: NATS enabled without a broker (want transport.nats.broker = "nats://host:4222"))")
BAD_FILE("file nats broker scheme", "[transport.nats]\nenabled = true\nbroker = \"localhost:4222\"\n",
         F R"(3: transport.nats.broker: invalid broker "localhost:4222" (want nats://host:port or tls://host:port))")
BAD_FILE("file negative default_rps", "[policy.rate_limit]\ndefault_rps = -1\n",
         F "2: policy.rate_limit.default_rps: -1 is negative (want 0 or more)")
BAD_FILE("file negative override rps", "[[policy.rate_limit.overrides]]\nsource = \"x\"\nrps = -5\n",
         F "3: policy.rate_limit.overrides[0].rps: -5 is negative (want 0 or more)")
BAD_FILE("file acl not a table", "[policy]\nacl = [\"allow all\"]\n",
         F "2: policy.acl[0]: expected a table, got a string")
BAD_FILE("file acl allow type", "[[policy.acl]]\nallow = \"yes\"\n",
         F "2: policy.acl[0].allow: expected a boolean, got a string")
BAD_FILE("file syntax error", "log_level = \"info\"\nlisten_addrs = [\n",
         F "2:18: Error while parsing array: encountered end-of-file")
BAD_FILE("file duplicate key", "log_level = \"info\"\nlog_level = \"warn\"\n",
         F "2:13: Error while parsing key-value pair: cannot redefine existing string 'log_level'")

BAD_ENV("env log level", "AGENTANYCAST_LOG_LEVEL", "loud",
        R"(config: env AGENTANYCAST_LOG_LEVEL: log_level: invalid level "loud" (want debug, info, warn or error))")
BAD_ENV("env log format", "AGENTANYCAST_LOG_FORMAT", "yaml",
        R"(config: env AGENTANYCAST_LOG_FORMAT: log_format: invalid format "yaml" (want json or text))")
BAD_ENV("env grpc tcp without port", "AGENTANYCAST_GRPC_LISTEN", "tcp://0.0.0.0",
        R"(config: env AGENTANYCAST_GRPC_LISTEN: grpc_listen: invalid address "tcp://0.0.0.0": missing port in address (want unix:///path, tcp://host:port or a socket path))")
BAD_ENV("env bool", "AGENTANYCAST_ANP_ENABLED", "yes",
        R"(config: env AGENTANYCAST_ANP_ENABLED: anp.enabled: invalid boolean "yes" (want true, false, 1 or 0))")
BAD_ENV("env bool TRUE", "AGENTANYCAST_TELEMETRY_ENABLED", "TRUE",
        R"(config: env AGENTANYCAST_TELEMETRY_ENABLED: telemetry.enabled: invalid boolean "TRUE" (want true, false, 1 or 0))")
BAD_ENV("env sample rate not a number", "AGENTANYCAST_SAMPLE_RATE", "half",
        R"(config: env AGENTANYCAST_SAMPLE_RATE: telemetry.sample_rate: invalid number "half" (want e.g. 0.5))")
BAD_ENV("env sample rate out of range", "AGENTANYCAST_SAMPLE_RATE", "2",
        "config: env AGENTANYCAST_SAMPLE_RATE: telemetry.sample_rate: 2 out of range (want a number from 0 to 1)")
BAD_ENV("env sample rate NaN", "AGENTANYCAST_SAMPLE_RATE", "nan",
        "config: env AGENTANYCAST_SAMPLE_RATE: telemetry.sample_rate: nan out of range (want a number from 0 to 1)")
BAD_ENV("env registry addrs", "AGENTANYCAST_REGISTRY_ADDRS", "r1:50052,r2",
        R"(config: env AGENTANYCAST_REGISTRY_ADDRS: anycast.registry_addrs: invalid address "r2": missing port in address (want host:port, e.g. relay.example.com:50052))")
BAD_ENV("env bootstrap", "AGENTANYCAST_BOOTSTRAP_PEERS", "/ip4/1.2.3.4/tcp/1/p2p/",
        R"(config: env AGENTANYCAST_BOOTSTRAP_PEERS: bootstrap_peers: invalid multiaddr "/ip4/1.2.3.4/tcp/1/p2p/": missing value for p2p at offset 22 (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...))")
BAD_ENV("env listen unknown protocol", "AGENTANYCAST_LISTEN_ADDRS", "/ip4/0.0.0.0/tcp/0,/ip4/0.0.0.0/foo/1",
        R"(config: env AGENTANYCAST_LISTEN_ADDRS: listen_addrs: invalid multiaddr "/ip4/0.0.0.0/foo/1": unknown protocol "foo" at offset 13 (want e.g. /ip4/0.0.0.0/tcp/4001))")
BAD_FILE("file listen bad ip4", "listen_addrs = [\"/ip4/1.2.3/tcp/1\"]\n",
         F R"(1: listen_addrs: invalid multiaddr "/ip4/1.2.3/tcp/1": invalid ip4 address "1.2.3" at offset 5 (want e.g. /ip4/0.0.0.0/tcp/4001))")
BAD_FLAG("flag listen bad port", "-listen=/ip4/0.0.0.0/tcp/65536",
         R"(config: flag -listen: listen_addrs: invalid multiaddr "/ip4/0.0.0.0/tcp/65536": invalid tcp port "65536" at offset 17: out of range 0..65535 (want e.g. /ip4/0.0.0.0/tcp/4001))")
BAD_FLAG("flag bootstrap bad peer id", "-bootstrap-peers=/ip4/1.2.3.4/tcp/1/p2p/QmNotAPeer",
         R"(config: flag -bootstrap-peers: bootstrap_peers: invalid multiaddr "/ip4/1.2.3.4/tcp/1/p2p/QmNotAPeer": invalid peer id "QmNotAPeer" at offset 23: peerid: multihash: digest length 115 but 6 bytes follow at byte 2 (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...))")
BAD_ENV("env nats broker", "AGENTANYCAST_NATS_ENABLED", "1",
        R"(config: env AGENTANYCAST_NATS_ENABLED: transport.nats.enabled: NATS enabled without a broker (want transport.nats.broker = "nats://host:4222"))")
BAD_ENV("env mcp listen", "AGENTANYCAST_MCP_LISTEN", "3000",
        R"(config: env AGENTANYCAST_MCP_LISTEN: mcp.listen: invalid address "3000": missing port in address (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_ENV("env value with newline stays on one line", "AGENTANYCAST_LOG_LEVEL", "info\nlevel=debug",
        R"(config: env AGENTANYCAST_LOG_LEVEL: log_level: invalid level "info\x0alevel=debug" (want debug, info, warn or error))")

BAD_FLAG("flag log level", "-log-level=verbose",
         R"(config: flag -log-level: log_level: invalid level "verbose" (want debug, info, warn or error))")
BAD_FLAG("flag log format", "--log-format=logfmt",
         R"(config: flag -log-format: log_format: invalid format "logfmt" (want json or text))")
BAD_FLAG("flag listen", "-listen=/ip4/0.0.0.0/tcp/0,ip6/::/tcp/0",
         R"(config: flag -listen: listen_addrs: invalid multiaddr "ip6/::/tcp/0": must begin with '/' at offset 0 (want e.g. /ip4/0.0.0.0/tcp/4001))")
BAD_FLAG("flag bootstrap", "-bootstrap-peers=/ip4/1.2.3.4/tcp/4001",
         R"(config: flag -bootstrap-peers: bootstrap_peers: multiaddr "/ip4/1.2.3.4/tcp/4001" has no peer id (want e.g. /ip4/203.0.113.7/tcp/4001/p2p/12D3KooW...))")
BAD_FLAG("flag grpc unix empty", "-grpc-listen=unix://",
         R"(config: flag -grpc-listen: grpc_listen: invalid address "unix://": empty socket path (want unix:///path, tcp://host:port or a socket path))")
BAD_FLAG("flag bridge listen", "-bridge-listen=localhost",
         R"(config: flag -bridge-listen: bridge.listen: invalid address "localhost": missing port in address (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_FLAG("flag anp listen", "-anp-listen=[::1]",
         R"(config: flag -anp-listen: anp.listen: invalid address "[::1]": missing port in address (want host:port, e.g. 127.0.0.1:8080 or :8080))")
BAD_FLAG("flag nats broker", "-nats-broker=localhost:4222",
         R"(config: flag -nats-broker: transport.nats.broker: invalid broker "localhost:4222" (want nats://host:port or tls://host:port))")
BAD_FLAG("flag mcp-proxy blank", "-mcp-proxy=  ",
         R"(config: flag -mcp-proxy: mcp.proxy: empty command (want e.g. "uvx mcp-server-filesystem /tmp"))")

#undef F
#undef BAD_FILE
#undef BAD_ENV
#undef BAD_FLAG

TEST_CASE("config: a bad file value overridden by a good flag is not an error (resolved per key)") {
  Run r;
  r.files[kFile] = "log_level = \"verbose\"\n";
  r.args = {"-log-level", "debug"};
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->log_level == "debug");
}

TEST_CASE("config: flag syntax errors carry Go's messages") {
  Run r;
  r.args = {"-foo"};
  CHECK(error_of(r) == "flag provided but not defined: -foo");
  r.args = {"-log-level"};
  CHECK(error_of(r) == "flag needs an argument: -log-level");
  r.args = {"-mcp=maybe"};
  CHECK(error_of(r) == R"(invalid boolean value "maybe" for -mcp: parse error)");
}

// ---- limits ----------------------------------------------------------------------

TEST_CASE("config limit: list entries (file, flag, env) up to kMaxListLen") {
  auto list = [](size_t n, bool toml) {
    std::string s = toml ? "cors_origins = [" : "";
    for (size_t i = 0; i < n; i++) s += std::string(i ? "," : "") + (toml ? "\"o\"" : "/ip4/1.1.1.1/tcp/1");
    return toml ? "[bridge]\n" + s + "]\n" : s;
  };
  Run ok;
  ok.files[kFile] = list(kMaxListLen, true);
  ok.args = {"-listen=" + list(kMaxListLen, false)};
  REQUIRE(ok.load());

  Run file;
  file.files[kFile] = list(kMaxListLen + 1, true);
  CHECK(error_of(file) == "config: /home/t/.agentanycast/config.toml:2: bridge.cors_origins: 257 entries (want at most 256)");
  Run flag;
  flag.args = {"-listen=" + list(kMaxListLen + 1, false)};
  auto c = flag.load();
  REQUIRE_FALSE(c);
  CHECK(c.err() == net::Err::invalid);
  CHECK(c.what() == "config: flag -listen: listen_addrs: more than 256 entries (want at most 256)");
  Run env;
  env.env["AGENTANYCAST_LISTEN_ADDRS"] = list(kMaxListLen + 1, false);
  c = env.load();
  REQUIRE_FALSE(c);
  CHECK(c.what() == "config: env AGENTANYCAST_LISTEN_ADDRS: listen_addrs: more than 256 entries (want at most 256)");
}

TEST_CASE("config limit: ACL rules and rate-limit overrides") {
  std::string acl, ovr;
  for (size_t i = 0; i < kMaxAclRules; i++) acl += "[[policy.acl]]\nsource = \"*\"\n";
  for (size_t i = 0; i < kMaxRateLimitOverrides; i++) ovr += "[[policy.rate_limit.overrides]]\nrps = 1\n";
  Run ok;
  ok.files[kFile] = acl + ovr;
  auto c = ok.load();
  REQUIRE(c);
  CHECK(c->policy.acl.size() == kMaxAclRules);
  CHECK(c->policy.rate_limit.overrides.size() == kMaxRateLimitOverrides);

  Run a;
  a.files[kFile] = acl + "[[policy.acl]]\n";
  CHECK(error_of(a).find(": policy.acl: 1025 rules (want at most 1024)") != std::string::npos);
  Run o;
  o.files[kFile] = ovr + "[[policy.rate_limit.overrides]]\n";
  CHECK(error_of(o).find(": policy.rate_limit.overrides: 1025 entries (want at most 1024)") !=
        std::string::npos);
}

TEST_CASE("config limit: file size up to kMaxConfigFileLen") {
  std::string big(kMaxConfigFileLen, ' ');
  big[0] = '#';
  Run ok;
  ok.files[kFile] = big;
  REQUIRE(ok.load());
  Run over;
  over.files[kFile] = big + " ";
  auto c = over.load();
  REQUIRE_FALSE(c);
  CHECK(c.err() == net::Err::limit);
  CHECK(c.what() == "config: /home/t/.agentanycast/config.toml: file is 1048577 bytes (want at most 1048576)");
}

// ---- startup: -h, -version, errors, exit codes --------------------------------------

TEST_CASE("startup: -h and -help print usage to stderr and exit 0 (Go)") {
  for (auto a : {"-h", "-help", "--help"}) {
    Run r;
    r.args = {a};
    auto s = r.startup();
    CHECK_FALSE(s.run);
    CHECK(s.exit_code == 0);
    CHECK(s.out.empty());
    CHECK(s.err.rfind("Usage: agentanycastd [flags]\n", 0) == 0);
  }
}

TEST_CASE("startup: an unknown flag prints Go's message and the usage, exit 2") {
  Run r;
  r.args = {"-foo"};
  auto s = r.startup();
  CHECK_FALSE(s.run);
  CHECK(s.exit_code == 2);
  CHECK(s.err.rfind("flag provided but not defined: -foo\nUsage: agentanycastd [flags]\n", 0) == 0);
}

TEST_CASE("startup: -version prints one line to stdout and exits 0") {
  Run r;
  r.args = {"--version"};
  auto s = r.startup();
  CHECK_FALSE(s.run);
  CHECK(s.exit_code == 0);
  CHECK(s.out == version_line() + "\n");
  CHECK(s.out.rfind("agentanycastd ", 0) == 0);
  CHECK(s.out.find(" (commit ") != std::string::npos);
  r.args = {"-version=false"};
  CHECK(r.startup().run);
}

TEST_CASE("startup: a bad value is one line on stderr, exit 2") {
  Run r;
  r.files[kFile] = "\n\noffline_queue_ttl = \"1x\"\n";
  auto s = r.startup();
  CHECK_FALSE(s.run);
  CHECK(s.exit_code == 2);
  CHECK(s.err ==
        "config: /home/t/.agentanycast/config.toml:3: offline_queue_ttl: invalid duration \"1x\" "
        "(want e.g. 30s, 24h, 1h30m)\n");
}

TEST_CASE("startup: good arguments run, positional arguments are kept") {
  Run r;
  r.args = {"-mcp", "false"};
  auto s = r.startup();
  CHECK(s.run);
  CHECK(s.config.mcp_stdio);
  CHECK(s.config.positional == std::vector<std::string>{"false"});
}

TEST_CASE("usage: lists every flag with its variable, TOML key and default") {
  const std::string u = daemon_usage("agentanycastd");
  for (const auto& f : daemon_flags()) {
    CAPTURE(f.name);
    CHECK(u.find("\n  -" + std::string(f.name) + (f.is_bool ? "\n" : " ")) != std::string::npos);
  }
  for (const auto& k : config_keys()) {
    if (k.flag.empty()) continue;
    CAPTURE(k.flag);
    if (!k.env.empty()) CHECK(u.find("env " + std::string(k.env)) != std::string::npos);
    if (!k.toml.empty()) CHECK(u.find("toml " + std::string(k.toml)) != std::string::npos);
  }
  CHECK(u.find("-log-level level\n        debug, info, warn or error\n        env "
               "AGENTANYCAST_LOG_LEVEL | toml log_level | default \"info\"\n") != std::string::npos);
}

TEST_CASE("config keys: table is consistent") {
  for (const auto& k : config_keys()) {
    CAPTURE(key_name(k));
    CHECK(!key_name(k).empty());
    if (!k.toml.empty()) CHECK(find_key_by_toml(k.toml) == &k);
    if (!k.flag.empty()) CHECK(find_key_by_flag(k.flag) == &k);
    if (!k.enables.empty()) {
      const KeyDef* t = find_key_by_toml(k.enables);
      REQUIRE(t);
      CHECK(t->kind == KeyKind::boolean);
    }
    if (k.env_mode != EnvMode::value) CHECK(k.kind == KeyKind::boolean);
    CHECK(!k.help.empty());
    CHECK(!default_text(k).empty());
  }
}

#define F_ "config: /home/t/.agentanycast/config.toml:"
// ---- toml++ 3.3.0 undefined behaviour guard (marzer/tomlplusplus#190, #295) -------

TEST_CASE("config toml guard: non-ASCII outside strings and comments is refused before toml++") {
  const struct { const char* doc; const char* msg; } vec[] = {
      {"\xcc\xaa", F_ "1:1: non-ASCII character outside a string or comment"},  // tomlplusplus#295
      {"log_level = \"info\"\nx = 1\xc2\xa7\n", F_ "2:6: non-ASCII character outside a string or comment"},
      {"\xef\xba\xbf!", F_ "1:1: non-ASCII character outside a string or comment"},  // found by our fuzzer
      {"s = \"\"\"\\\n\xc2\xa7\"\"\"\n",  // tomlplusplus#190 (valid TOML, refused)
       F_ "2:1: non-ASCII character after a backslash in a multi-line string (unsupported)"},
      {"s = \"\"\"\\  \n\n   \xc3\xa9\"\"\"\n",
       F_ "3:4: non-ASCII character after a backslash in a multi-line string (unsupported)"},
      {"s = \"\"\"a\\\xc3\xa9\"\"\"\n", F_ "1:10: non-ASCII character after a backslash in a multi-line string (unsupported)"},
      {"s = \"\"\"a\"\"\"\"\"\xc3\xa9\n", F_ "1:14: non-ASCII character outside a string or comment"},
      {"[&", F_ "1:2: invalid table header (want [name] or [[name]])"},  // tomlplusplus#294
      {"ogflie_ttl =0\"\xcb\x87\"\n", F_ "1:14: unexpected quote"},  // our fuzzer
      {"a = [1'x']\n", F_ "1:7: unexpected quote"},
      {"a = \"x\"\"y\"\n", F_ "1:8: unexpected quote"},
      {"a = [[1, 2+3:\x01[\"/ip4/\xef\xbb\x9f\n", F_ "1:16: unexpected quote"},  // our fuzzer
      {"a = 1=\"\xc3\xa9\"\n", F_ "1:7: unexpected quote"},
      {"a = {b = 1 'x'}\n", F_ "1:12: unexpected quote"},
      {"a = 1\n  [[[1]]]\n", F_ "2:5: invalid table header (want [name] or [[name]])"},  // PR #301
      {"# x\n[[ =", F_ "2:4: invalid table header (want [name] or [[name]])"},
      {"[//a.example\", 1]", F_ "1:2: invalid table header (want [name] or [[name]])"},  // our fuzzer
  };
  for (const auto& t : vec) {
    CAPTURE(t.msg);
    Run r;
    r.files[kFile] = t.doc;
    CHECK(error_of(r) == t.msg);
  }
}

TEST_CASE("config toml guard: broken toml++ preconditions end in an error, not undefined behaviour") {
  Run r;
  r.files[kFile] = "a = [[2, 2], [\"x\"], [1.5, }]\nt = 07:32:00\n";  // found by our fuzzer
  CHECK(error_of(r) == F_ "1:27: Error while parsing value: could not determine value type");
}

TEST_CASE("config toml guard: brackets inside values are not table headers") {
  Run r;
  r.files[kFile] = "x = [\n  [{a = 1}],\n  [ [2] ],\n]\ny = { z = [[3]] }\n[ \"q\" ]\n[[ t ]]\n";
  auto c = r.load();
  REQUIRE(c);
  CHECK(r.warnings.size() == 4);  // x, y, q, t are unknown keys
  Run e;
  e.files[kFile] = "[ [a]]\n";  // toml++'s own error, no longer undefined
  CHECK(error_of(e).find(F_ "1:3: ") == 0);
}

TEST_CASE("config toml guard: non-ASCII in strings, keys in quotes and comments is fine") {
  Run r;
  r.files[kFile] =
      "\xef\xbb\xbf# comment \xc3\xa9\xc2\xa7\n"  // BOM, non-ASCII comment
      "[identity] # \xe2\x80\x80\n"
      "did_web = \"did:web:caf\xc3\xa9.example\"\n"
      "did_dns_domain = 'b\xc3\xbc" "cher.example'\n"
      "[\"b\xc3\xa9\"]\n"
      "x = \"\"\"\n\xc2\xa7 \\\"\"\" \\\\ \xc3\xa9\"\"\"\n"
      "y = '''\xc3\xa9\n\xc2\xa7'''''\n"
      "z = \"\"\"\\\n  ok \xc3\xa9\"\"\"\n"
      "q = [\"a\",'b', {c=\"d\"}, \"\"\"e\"\"\"]\n"
      "\"k\".'l'.\"m\" = 1\n";
  auto c = r.load();
  REQUIRE(c);
  CHECK(c->identity.did_web == "did:web:caf\xc3\xa9.example");
  CHECK(c->identity.did_dns_domain == "b\xc3\xbc" "cher.example");
  CHECK(r.warnings.size() == 1);  // the unknown table ["bé"] (holding x, y, z, q, k)
}
