// frontends/mcp_proxy/mcp_proxy.cpp — see mcp_proxy.hpp.
#include "frontends/mcp_proxy/mcp_proxy.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "frontends/mcp_proxy/command_line.hpp"
#include "frontends/mcp_proxy/tool_task.hpp"
#include "net/poller.hpp"

namespace frontends::mcp_proxy {

namespace {
constexpr uint64_t kReapPollNs = 20 * net::kMillisecond;
}  // namespace

net::Result<std::unique_ptr<McpProxy>> McpProxy::start(net::Loop& loop, a2a::Engine& engine, ProxyConfig cfg) {
  auto argv = split_command(cfg.command);
  if (!argv) return net::Error{argv.err(), "-mcp-proxy: " + argv.what()};
  std::unique_ptr<McpProxy> p(new McpProxy(loop, engine, std::move(cfg)));
  p->argv_ = argv.take();
  McpProxy* self = p.get();
  p->client_timer_ = loop.create_timer([self] {
    if (!self->client_) return;
    self->client_->on_timeout(self->loop_.now());
    self->pump();
  });
  p->reap_timer_ = loop.create_timer([self] { self->reap_step(); });
  p->restart_timer_ = loop.create_timer([self] {
    auto st = self->spawn();
    if (!st) {
      AAC_LOG(self->cfg_.log, warn, "mcp-proxy", "cannot start the MCP server", {{"error", st.what()}});
      self->schedule_restart();
    }
  });
  // A write to the stdin of a server that just died must be an EPIPE
  // (handled: restart), not a SIGPIPE that kills the daemon. The daemon
  // ignores SIGPIPE too, but only at the end of its start, after this.
  ::signal(SIGPIPE, SIG_IGN);
  AAC_TRY(p->spawn());
  engine.set_incoming_handler([self](const a2a::IncomingTask& ev) { return self->claim(ev); });
  return p;
}

McpProxy::~McpProxy() {
  *alive_ = false;
  engine_.set_incoming_handler({});
  for (auto& [token, c] : calls_) engine_.fail_task(c.task_id, "MCP proxy stopped: the daemon is shutting down", [](auto) {});
  calls_.clear();
  for (auto t : {client_timer_, reap_timer_, restart_timer_}) loop_.cancel_timer(t);
  unwatch();
  if (child_ && !child_->exited()) {
    // specs.md §16.1 (stdio shutdown): close stdin, then SIGTERM, then SIGKILL.
    child_->close_stdin();
    auto wait = [this](uint64_t ns) {
      for (uint64_t waited = 0; waited < ns; waited += 10 * net::kMillisecond) {
        if (child_->poll_exit()) return true;
        ::usleep(10 * 1000);
      }
      return child_->poll_exit();
    };
    if (!wait(kStopGraceNs)) {
      child_->signal(SIGTERM);
      if (!wait(kStopGraceNs)) child_->kill_now();
    }
    AAC_LOG(cfg_.log, info, "mcp-proxy", "MCP server stopped", {{"status", child_->exit_text()}});
  }
  child_.reset();
}

net::Status McpProxy::spawn() {
  auto c = ChildProcess::spawn(argv_);
  if (!c) return net::Error{c.err(), "-mcp-proxy: " + c.what()};
  child_.emplace(c.take());
  ++stats_.spawns;
  ending_ = false;
  sent_term_ = false;
  end_reason_.clear();
  stdin_buf_.clear();
  out_lines_ = LineReader(kMaxLineLen);
  err_lines_ = LineReader(kMaxStderrLineLen);
  auto in = loop_.add_fd(child_->stdin_fd(), 0, [this](uint32_t) { flush_stdin(); });
  auto out = loop_.add_fd(child_->stdout_fd(), net::kReadable, [this](uint32_t) { on_stdout(); });
  auto err = loop_.add_fd(child_->stderr_fd(), net::kReadable, [this](uint32_t) { on_stderr(); });
  if (!in || !out || !err) {
    if (in) loop_.remove_fd(*in);
    if (out) loop_.remove_fd(*out);
    if (err) loop_.remove_fd(*err);
    child_.reset();  // kills and reaps it
    return net::Error{net::Err::io, "-mcp-proxy: cannot watch the server's pipes"};
  }
  in_io_ = *in;
  out_io_ = *out;
  err_io_ = *err;
  AAC_LOG(cfg_.log, info, "mcp-proxy", "MCP server started", {{"command", argv_}, {"pid", child_->pid()}});
  client_ = std::make_unique<Client>(cfg_.version);
  client_->start(loop_.now());
  pump();
  return {};
}

void McpProxy::unwatch() {
  for (net::IoId* id : {&in_io_, &out_io_, &err_io_}) {
    loop_.remove_fd(*id);
    *id = net::kNoIo;
  }
}

// ------------------------------------------------------------------ pipes

void McpProxy::on_stdout() {
  if (!child_ || child_->stdout_fd() < 0) return;
  auto buf = loop_.scratch();
  ssize_t n = ::read(child_->stdout_fd(), buf.data(), buf.size());
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  auto sink = [this](std::string_view line, bool oversize) {
    if (client_) client_->on_line(line, oversize, loop_.now());
  };
  if (n <= 0) {
    out_lines_.finish(sink);
    loop_.remove_fd(out_io_);
    out_io_ = net::kNoIo;
    child_->close_stdout();
    pump();
    child_ending("");
    return;
  }
  out_lines_.feed({reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n)}, sink);
  pump();
}

void McpProxy::on_stderr() {
  if (!child_ || child_->stderr_fd() < 0) return;
  auto buf = loop_.scratch();
  ssize_t n = ::read(child_->stderr_fd(), buf.data(), buf.size());
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  auto sink = [this](std::string_view line, bool oversize) {
    if (line.empty()) return;
    if (oversize) {
      AAC_LOG(cfg_.log, info, "mcp-proxy", "MCP server stderr", {{"line", line}, {"truncated", true}});
    } else {
      AAC_LOG(cfg_.log, info, "mcp-proxy", "MCP server stderr", {{"line", line}});
    }
  };
  if (n <= 0) {
    err_lines_.finish(sink);
    loop_.remove_fd(err_io_);
    err_io_ = net::kNoIo;
    child_->close_stderr();
    return;
  }
  err_lines_.feed({reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n)}, sink);
}

void McpProxy::flush_stdin() {
  if (!child_ || child_->stdin_fd() < 0) return;
  if (!stdin_buf_.empty()) {
    net::IoResult r = net::write_from_buffer(child_->stdin_fd(), stdin_buf_);
    if (r.failed()) {
      stdin_buf_.clear();
      child_ending(std::string("its stdin broke: ") + strerror(r.err));
      return;
    }
    if (stdin_buf_.empty()) stdin_buf_.release();
  }
  (void)loop_.set_interest(in_io_, stdin_buf_.empty() ? 0 : net::kWritable);
}

// ------------------------------------------------------------------ client

void McpProxy::pump() {
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  do {
    pump_again_ = false;
    if (!client_) break;
    for (auto& line : client_->take_output()) {
      if (!child_ || ending_ || child_->stdin_fd() < 0) break;
      line.push_back('\n');
      if (!stdin_buf_.append({reinterpret_cast<const uint8_t*>(line.data()), line.size()})) {
        child_ending("it does not read its stdin (" + std::to_string(kMaxStdinQueued) + " bytes queued)");
        break;
      }
    }
    flush_stdin();
    if (!client_) break;
    for (auto& ev : client_->take_events()) {
      switch (ev.kind) {
        case ClientEvent::Kind::ready: on_ready(ev.tools); break;
        case ClientEvent::Kind::call_done: {
          auto it = calls_.find(ev.token);
          if (it == calls_.end()) break;
          Call c = std::move(it->second);
          calls_.erase(it);
          finish(c.task_id, c.tool, ev.ok, std::move(ev.text));
          break;
        }
        case ClientEvent::Kind::failed:
          AAC_LOG(cfg_.log, warn, "mcp-proxy", "MCP server handshake failed", {{"error", ev.text}});
          child_ending(ev.text);
          break;
        case ClientEvent::Kind::log: AAC_LOG(cfg_.log, warn, "mcp-proxy", ev.text); break;
      }
    }
  } while (pump_again_);
  pumping_ = false;
  if (client_) loop_.arm_timer(client_timer_, client_->next_deadline());
}

void McpProxy::on_ready(const std::vector<Tool>& tools) {
  backoff_ns_ = 0;
  std::vector<std::string> names;
  for (const auto& t : tools) names.push_back(t.name);
  skills_ = std::set<std::string, std::less<>>(names.begin(), names.end());
  AAC_LOG(cfg_.log, info, "mcp-proxy", "MCP server ready",
          {{"server", client_->server_name()}, {"protocol_version", client_->server_protocol_version()},
           {"tools", names}});
  const std::string desc = "Tools of the MCP server " +
                           (client_->server_name().empty() ? argv_.front() : client_->server_name()) +
                           ", offered by agentanycastd -mcp-proxy";
  a2a::AgentCard card = card_with_tools(engine_.card(), card_skills_, tools, desc);
  card_skills_ = std::move(names);
  // Tasks for these tools that arrived before the listing (or before a
  // restart of the daemon) and still wait for an agent are ours now.
  if (size_t n = engine_.reoffer_undispatched(); n > 0)
    AAC_LOG(cfg_.log, info, "mcp-proxy", "claimed tasks that arrived before the tools were known",
            {{"tasks", static_cast<uint64_t>(n)}});
  if (engine_.card() && *engine_.card() == card) return;  // a restart with the same tools
  net::Log* log = cfg_.log;
  engine_.set_card(std::move(card), [log](a2a::ApiResult<a2a::AgentCard> r) {
    if (!r) AAC_LOG(log, warn, "mcp-proxy", "cannot set the agent card", {{"error", r.message()}});
  });
}

// ------------------------------------------------------------------ the child's end

void McpProxy::child_ending(const std::string& why) {
  if (!child_ || ending_) return;
  ending_ = true;
  end_reason_ = why;
  ending_since_ = loop_.now();
  loop_.remove_fd(in_io_);
  in_io_ = net::kNoIo;
  child_->close_stdin();
  stdin_buf_.clear();
  if (!why.empty()) {  // we stop it: its stdout no longer matters
    loop_.remove_fd(out_io_);
    out_io_ = net::kNoIo;
    child_->close_stdout();
  }
  reap_step();
}

void McpProxy::reap_step() {
  if (!child_ || !ending_) return;
  const uint64_t elapsed = loop_.now() - ending_since_;
  if (!child_->poll_exit()) {
    if (elapsed < kStopGraceNs || (sent_term_ && elapsed < 2 * kStopGraceNs)) {
      loop_.arm_timer(reap_timer_, loop_.now() + kReapPollNs);
      return;
    }
    if (!sent_term_) {
      sent_term_ = true;
      child_->signal(SIGTERM);
      loop_.arm_timer(reap_timer_, loop_.now() + kReapPollNs);
      return;
    }
    child_->kill_now();
  }
  // Its last stderr words (why it died) before the fds go.
  if (err_io_ != net::kNoIo) {
    for (int i = 0; i < 16 && child_->stderr_fd() >= 0; ++i) on_stderr();
  }
  unwatch();
  ++stats_.exits;
  const std::string status = child_->exit_text();
  AAC_LOG(cfg_.log, warn, "mcp-proxy", "MCP server ended", {{"status", status}, {"reason", end_reason_.empty() ? std::string("closed its stdout") : end_reason_}});
  const std::string why = end_reason_.empty() ? "MCP server " + status : "MCP server stopped: " + end_reason_;
  if (client_) {
    client_->on_closed(why);
    pump();
  }
  client_.reset();
  loop_.arm_timer(client_timer_, net::kNever);
  child_.reset();
  ending_ = false;
  schedule_restart();
}

void McpProxy::schedule_restart() {
  backoff_ns_ = backoff_ns_ ? std::min(backoff_ns_ * 2, kRestartMaxNs) : kRestartMinNs;
  restart_at_ = loop_.now() + backoff_ns_;
  loop_.arm_timer(restart_timer_, restart_at_);
  AAC_LOG(cfg_.log, info, "mcp-proxy", "restarting the MCP server", {{"in_s", backoff_ns_ / net::kSecond}});
}

std::string McpProxy::not_running_text() const {
  if (loop_.timer_armed(restart_timer_)) {
    const uint64_t left = restart_at_ > loop_.now() ? restart_at_ - loop_.now() : 0;
    return "MCP server is not running: restarting in " + std::to_string((left + net::kSecond - 1) / net::kSecond) +
           " s";
  }
  return "MCP server is not ready (starting)";
}

// ------------------------------------------------------------------ tasks

bool McpProxy::claim(const a2a::IncomingTask& ev) {
  if (!ev.task) return false;
  const a2a::Task& t = *ev.task;
  if (t.target_skill_id.empty() || skills_.find(t.target_skill_id) == skills_.end()) return false;
  ++stats_.tasks;
  // Not from inside the engine's publish: the engine calls below change
  // state, so they run as a deferred call.
  auto task = std::make_shared<a2a::Task>(t);
  std::weak_ptr<bool> alive = alive_;
  loop_.defer([this, alive, task] {
    if (alive.expired()) return;
    run_task(*task);
  });
  return true;
}

void McpProxy::run_task(const a2a::Task& task) {
  auto args = task_arguments(task, args_parser_);
  std::weak_ptr<bool> alive = alive_;
  std::string id = task.task_id, tool = task.target_skill_id;
  AAC_LOG(cfg_.log, debug, "mcp-proxy", "task for a tool", {{"task_id", id}, {"tool", tool}});
  engine_.update_status(id, a2a::TaskStatus::TASK_STATUS_WORKING, std::nullopt,
                        [this, alive, id, tool, args = std::move(args)](a2a::ApiResult<void> r) mutable {
                          if (alive.expired()) return;
                          if (!r) {
                            AAC_LOG(cfg_.log, warn, "mcp-proxy", "task not started",
                                    {{"task_id", id}, {"error", r.message()}});
                            return;
                          }
                          begin_call(id, tool, std::move(args));
                        });
}

void McpProxy::begin_call(const std::string& task_id, const std::string& tool, net::Result<std::string> args) {
  if (!args) return finish(task_id, tool, false, "invalid arguments for tool " + tool + ": " + args.what());
  if (!client_ || !client_->ready() || ending_) return finish(task_id, tool, false, not_running_text());
  if (!client_->has_tool(tool))
    return finish(task_id, tool, false, "tool " + tool + " is no longer offered by the MCP server");
  const uint64_t token = next_token_++;
  auto st = client_->call_tool(token, tool, *args, loop_.now());
  if (!st) return finish(task_id, tool, false, st.what());
  calls_[token] = {task_id, tool};
  pump();
}

void McpProxy::finish(const std::string& task_id, const std::string& tool, bool ok, std::string text) {
  net::Log* log = cfg_.log;
  std::string id = task_id;
  auto on_reply = [log, id](a2a::ApiResult<void> r) {
    if (!r) AAC_LOG(log, warn, "mcp-proxy", "cannot finish the task", {{"task_id", id}, {"error", r.message()}});
  };
  if (ok) {
    ++stats_.completed;
    std::vector<a2a::Artifact> arts;
    arts.push_back(result_artifact(tool, std::move(text)));
    engine_.complete_task(task_id, std::move(arts), std::nullopt, std::move(on_reply));
  } else {
    ++stats_.failed;
    AAC_LOG(cfg_.log, info, "mcp-proxy", "tool call failed", {{"task_id", task_id}, {"error", text}});
    engine_.fail_task(task_id, std::move(text), std::move(on_reply));
  }
}

}  // namespace frontends::mcp_proxy
