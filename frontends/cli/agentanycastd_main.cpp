// agentanycastd — the node daemon. See README.md.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/cli/config.hpp"
#include "frontends/cli/malloc_tuning.hpp"
#include "frontends/daemon/daemon.hpp"

int main(int argc, char** argv) {
  frontends::cli::tune_malloc_or_reexec(argv);  // before anything is allocated or opened
  std::vector<std::string_view> args(argv + 1, argv + argc);
  net::Log& log = net::Log::global();
  auto env = frontends::cli::process_env();
  auto reader = frontends::cli::disk_reader();

  auto s = frontends::cli::daemon_startup(args, env, reader, &log);
  if (!s.out.empty()) fputs(s.out.c_str(), stdout);
  if (!s.err.empty()) fputs(s.err.c_str(), stderr);
  if (!s.run) return s.exit_code;
  const auto& cfg = s.config;

  log.set_level(cfg.level());
  log.set_format(cfg.format());
  if (!cfg.log_file.empty() && !log.set_path(cfg.log_file)) {
    fprintf(stderr, "log_file %s: cannot open\n", cfg.log_file.c_str());
    return 1;
  }

  auto reload = [args, env, reader]() -> net::Result<frontends::cli::Config> {
    return frontends::cli::load_config(args, env, reader, nullptr);
  };
  auto d = frontends::Daemon::start(cfg, log, reload);
  if (!d) {
    log.write(net::LogLevel::error, "", d.what());
    return 1;
  }
  // The stdout contract of the original (its SDK test suites read it); in
  // -mcp mode stdout belongs to MCP.
  if (!cfg.mcp_stdio) {
    const std::string id = (*d)->peer_id().to_base58();
    printf("PEER_ID=%s\n", id.c_str());
    for (const auto& a : (*d)->listen_addr_strings()) printf("LISTEN_ADDR=%s/p2p/%s\n", a.c_str(), id.c_str());
    fflush(stdout);
  }
  return (*d)->run();
}
