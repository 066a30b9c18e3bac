// frontends/mcp/mcp_stdio.cpp — see mcp_stdio.hpp.
#include "frontends/mcp/mcp_stdio.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "net/poller.hpp"

namespace frontends::mcp {

net::Result<std::unique_ptr<McpStdio>> McpStdio::start(net::Loop& loop, Server& server, int in_fd, int out_fd,
                                                      std::function<void()> on_eof, net::Log* log) {
  std::unique_ptr<McpStdio> m(new McpStdio(loop, server, in_fd, out_fd, log));
  m->on_eof_ = std::move(on_eof);
  for (int fd : {in_fd, out_fd}) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return net::Error{net::Err::io, "mcp stdio: fcntl failed"};
  }
  McpStdio* self = m.get();
  auto in = loop.add_fd(in_fd, net::kReadable, [self](uint32_t) { self->on_readable(); });
  if (!in) return net::Error{net::Err::io, "mcp stdio: cannot watch stdin: " + in.what()};
  m->in_io_ = *in;
  auto out = loop.add_fd(out_fd, 0, [self](uint32_t) { self->flush(); });
  if (!out) return net::Error{net::Err::io, "mcp stdio: cannot watch stdout: " + out.what()};
  m->out_io_ = *out;
  AAC_LOG(log, info, "mcp", "serving MCP on stdio");
  return m;
}

McpStdio::~McpStdio() {
  *alive_ = false;
  loop_.remove_fd(in_io_);
  loop_.remove_fd(out_io_);
}

void McpStdio::on_readable() {
  auto buf = loop_.scratch();
  ssize_t n = ::read(in_fd_, buf.data(), buf.size());
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    n = 0;  // a read error ends the session like EOF
  }
  if (n == 0) {
    eof_ = true;
    (void)loop_.set_interest(in_io_, 0);
    if (!line_.empty() && !discarding_) on_line(line_);  // a last line without '\n'
    line_.clear();
    flush();
    AAC_LOG(log_, info, "mcp", "stdin closed");
    if (on_eof_) on_eof_();
    return;
  }
  std::string_view data(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
  while (!data.empty()) {
    size_t nl = data.find('\n');
    std::string_view part = data.substr(0, nl);
    if (!discarding_) {
      if (line_.size() + part.size() > kMaxMessageLen) {
        discarding_ = true;
        line_.clear();
        send(error_response("null", kParseError,
                            "Parse error: message exceeds " + std::to_string(kMaxMessageLen) + " bytes"));
      } else {
        line_.append(part);
      }
    }
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
    if (!discarding_) {
      std::string line;
      line.swap(line_);
      on_line(line);
    }
    discarding_ = false;
  }
  update_interest();
}

void McpStdio::on_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  std::weak_ptr<bool> alive = alive_;
  server_.handle(session_, line, [this, alive](std::string json) {
    if (alive.expired()) return;
    send(std::move(json));
  });
}

void McpStdio::send(std::string json) {
  json.push_back('\n');  // the writer never emits a raw newline inside a message
  if (!out_.append({reinterpret_cast<const uint8_t*>(json.data()), json.size()})) {
    if (!dropped_logged_) {
      dropped_logged_ = true;
      AAC_LOG(log_, warn, "mcp", "stdout not read: answer dropped", {{"queued", out_.size()}});
    }
    return;
  }
  flush();
}

void McpStdio::flush() {
  if (!out_.empty()) {
    net::IoResult r = net::write_from_buffer(out_fd_, out_);
    if (r.failed()) out_.clear();  // stdout is gone: nobody to answer
    if (out_.empty()) out_.release();
  }
  update_interest();
}

void McpStdio::update_interest() {
  (void)loop_.set_interest(out_io_, out_.empty() ? 0 : net::kWritable);
  if (!eof_) (void)loop_.set_interest(in_io_, out_.size() > kStdoutHighWater ? 0 : net::kReadable);
}

}  // namespace frontends::mcp
