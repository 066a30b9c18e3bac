// frontends/mcp/mcp_stdio.hpp — MCP over stdio (specs.md §16.4, the
// original's -mcp): newline-delimited JSON-RPC on stdin/stdout, on the
// daemon's loop. stdout carries nothing else (the daemon logs to stderr
// and skips its PEER_ID lines in this mode). A line longer than
// kMaxMessageLen is answered with a parse error (id null) and skipped.
// End of stdin ends the session: on_eof runs (the daemon stops).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "frontends/mcp/mcp_limits.hpp"
#include "frontends/mcp/mcp_server.hpp"
#include "net/buffer.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"

namespace frontends::mcp {

class McpStdio {
 public:
  // Sets both fds non-blocking. Errors: Err::io (an fd the loop cannot
  // watch, e.g. a regular file as stdin).
  static net::Result<std::unique_ptr<McpStdio>> start(net::Loop& loop, Server& server, int in_fd, int out_fd,
                                                      std::function<void()> on_eof, net::Log* log);
  ~McpStdio();
  McpStdio(const McpStdio&) = delete;
  McpStdio& operator=(const McpStdio&) = delete;

  const Session& session() const { return session_; }

 private:
  McpStdio(net::Loop& loop, Server& server, int in, int out, net::Log* log)
      : loop_(loop), server_(server), in_fd_(in), out_fd_(out), log_(log) {}
  void on_readable();
  void on_line(std::string_view line);
  void send(std::string json);
  void flush();
  void update_interest();

  net::Loop& loop_;
  Server& server_;
  int in_fd_, out_fd_;
  net::Log* log_;
  net::IoId in_io_ = net::kNoIo, out_io_ = net::kNoIo;
  std::string line_;
  bool discarding_ = false;  // inside a line longer than kMaxMessageLen
  bool eof_ = false;
  bool dropped_logged_ = false;
  net::Buffer out_{kStdoutLimit};
  Session session_;
  std::function<void()> on_eof_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace frontends::mcp
