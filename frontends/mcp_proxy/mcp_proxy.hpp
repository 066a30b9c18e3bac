// frontends/mcp_proxy/mcp_proxy.hpp — -mcp-proxy "<command>" / [mcp] proxy:
// runs an MCP server as a child process and offers its tools as skills of
// this daemon's agent (upstream.md §8.3). The loop driver of the sans-I/O
// Client (mcp_client.hpp):
//
//   spawn     the command (split by command_line.hpp, looked up in PATH)
//             with pipes on stdin/stdout/stderr, all non-blocking on the
//             daemon's loop; its stderr lines go to our log (mod
//             "mcp-proxy", at info level).
//   handshake initialize, notifications/initialized, tools/list (all
//             pages); then the tools become skills: our card gets them
//             (Engine::set_card; without a card one is created: "MCP Proxy
//             Agent", version 0.7.0, a2a/0.3; an existing card keeps its
//             other skills; a skill with a tool's name is replaced).
//   tasks     the engine's incoming-task handler claims every task whose
//             target_skill_id is a tool's name (other tasks reach the
//             SubscribeIncomingTasks agents as before): WORKING, tools/call
//             with the first text part as JSON arguments, then COMPLETED
//             with one artifact (one TextPart: the raw result JSON) or
//             FAILED with the error (tool_task.hpp, mcp_client.hpp).
//   restart   when the server exits (or closes its stdout, or fails the
//             handshake): calls in flight fail ("MCP server exited with
//             status 1 ..."), tasks arriving meanwhile fail ("MCP server is
//             not running: restarting in N s"); it is spawned again after
//             1 s, doubling to 60 s, back to 1 s after a handshake.
//   stop      on daemon shutdown: calls in flight fail, stdin is closed,
//             SIGTERM after 0.5 s, SIGKILL after another 0.5 s.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "a2a/engine.hpp"
#include "frontends/json/json_parse.hpp"
#include "frontends/mcp_proxy/child_process.hpp"
#include "frontends/mcp_proxy/line_reader.hpp"
#include "frontends/mcp_proxy/mcp_client.hpp"
#include "net/buffer.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"

namespace frontends::mcp_proxy {

struct ProxyConfig {
  std::string command;  // as given; split by split_command
  std::string version;  // our version, sent as clientInfo.version
  net::Log* log = nullptr;
};

struct ProxyStats {
  uint64_t spawns = 0;
  uint64_t exits = 0;
  uint64_t tasks = 0;      // claimed
  uint64_t completed = 0;
  uint64_t failed = 0;
};

class McpProxy {
 public:
  // Errors: Err::invalid for a command that does not split ("-mcp-proxy:
  // unterminated ' quote"); Err::io when the first spawn fails (program
  // not found...). Later failures restart the server instead.
  static net::Result<std::unique_ptr<McpProxy>> start(net::Loop& loop, a2a::Engine& engine, ProxyConfig cfg);
  // Releases the engine's incoming handler and stops the server.
  ~McpProxy();
  McpProxy(const McpProxy&) = delete;
  McpProxy& operator=(const McpProxy&) = delete;

  bool ready() const { return client_ && client_->ready(); }
  pid_t child_pid() const { return child_ ? child_->pid() : -1; }
  const std::set<std::string, std::less<>>& skills() const { return skills_; }
  const ProxyStats& stats() const { return stats_; }

 private:
  struct Call {
    std::string task_id;
    std::string tool;
  };

  McpProxy(net::Loop& loop, a2a::Engine& engine, ProxyConfig cfg)
      : loop_(loop), engine_(engine), cfg_(std::move(cfg)) {}
  net::Status spawn();
  bool claim(const a2a::IncomingTask& ev);
  void run_task(const a2a::Task& task);
  void begin_call(const std::string& task_id, const std::string& tool, net::Result<std::string> args);
  void finish(const std::string& task_id, const std::string& tool, bool ok, std::string text);
  void on_stdout();
  void on_stderr();
  void flush_stdin();
  void pump();  // client output -> stdin, client events -> engine, timer
  void on_ready(const std::vector<Tool>& tools);
  void child_ending(const std::string& why);  // stdout closed / stdin broken / handshake failed
  void reap_step();
  void schedule_restart();
  void unwatch();
  std::string not_running_text() const;

  net::Loop& loop_;
  a2a::Engine& engine_;
  ProxyConfig cfg_;
  std::vector<std::string> argv_;
  std::optional<ChildProcess> child_;
  std::unique_ptr<Client> client_;
  net::IoId in_io_ = net::kNoIo, out_io_ = net::kNoIo, err_io_ = net::kNoIo;
  net::Buffer stdin_buf_{kMaxStdinQueued};
  LineReader out_lines_{kMaxLineLen};
  LineReader err_lines_{kMaxStderrLineLen};
  net::TimerId client_timer_ = net::kNoTimer;  // the client's next deadline
  net::TimerId reap_timer_ = net::kNoTimer;    // waiting for an ending child
  net::TimerId restart_timer_ = net::kNoTimer;
  net::Instant ending_since_ = 0;
  bool ending_ = false;       // the child is being stopped / reaped
  bool sent_term_ = false;
  bool pumping_ = false, pump_again_ = false;
  std::string end_reason_;
  uint64_t backoff_ns_ = 0;
  net::Instant restart_at_ = 0;
  std::set<std::string, std::less<>> skills_;  // claimed skill ids (kept while restarting)
  std::vector<std::string> card_skills_;       // skill ids we put on the card
  std::map<uint64_t, Call> calls_;             // token -> call in flight
  uint64_t next_token_ = 1;
  json::Parser args_parser_{{.max_len = kMaxArgumentsLen, .max_depth = kMaxJsonDepth}};
  ProxyStats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::mcp_proxy
