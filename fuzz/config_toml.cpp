// fuzz/config_toml.cpp — arbitrary bytes as the TOML config file: the loader
// must return a config or a one-line error, never crash or leak. A loaded
// config is re-checked for the invariants the daemon relies on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/cli/config.hpp"

using namespace frontends::cli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string doc(reinterpret_cast<const char*>(data), size);
  FileReader reader = [&doc](const std::string&) -> net::Result<std::optional<std::string>> {
    return std::optional<std::string>(doc);
  };
  std::vector<std::string_view> args;
  net::Log log;
  std::vector<std::string> lines;
  log.capture(&lines);
  auto cfg = load_config(args, map_env({{"HOME", "/home/f"}}), reader, &log);
  if (!cfg) {
    // One line, prefixed, never empty.
    if (cfg.what().empty() || cfg.what().find('\n') != std::string::npos) std::abort();
    if (cfg.what().rfind("config: ", 0) != 0) std::abort();
    return 0;
  }
  // Validation held: these are what the daemon trusts without re-checking.
  if (cfg->level() != net::LogLevel::debug && cfg->log_level != "info" && cfg->log_level != "warn" &&
      cfg->log_level != "error")
    std::abort();
  if (cfg->log_format != "json" && cfg->log_format != "text") std::abort();
  if (cfg->offline_queue_ttl_ns < 0 || cfg->anycast.cache_ttl_ns < 0) std::abort();
  if (!(cfg->telemetry.sample_rate >= 0 && cfg->telemetry.sample_rate <= 1)) std::abort();
  if (cfg->key_path.empty() || cfg->store_path.empty() || cfg->grpc_listen.empty()) std::abort();
  return 0;
}
