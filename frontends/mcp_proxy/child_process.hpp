// frontends/mcp_proxy/child_process.hpp — a child process with pipes on its
// stdin, stdout and stderr (posix_spawnp: no fork of a large parent). Our
// fds are close-on-exec and non-blocking; the child gets only 0, 1, 2 (every
// other fd is closed in it), an empty signal mask and default dispositions
// for the signals the daemon blocks (signalfd) or ignores (SIGPIPE): both
// would otherwise be inherited across exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "net/result.hpp"

namespace frontends::mcp_proxy {

class ChildProcess {
 public:
  // Errors: Err::io "spawn <program>: <strerror>" (e.g. not in PATH),
  // "pipe: ...".
  static net::Result<ChildProcess> spawn(const std::vector<std::string>& argv);

  ChildProcess() = default;
  ChildProcess(ChildProcess&& o) noexcept { *this = std::move(o); }
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  // Kills (SIGKILL) and reaps a child still running; closes the fds.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  void close_stdin();
  void close_stdout();
  void close_stderr();
  void signal(int signo) const;
  // Reaps without blocking: true once the child has exited (exit_text()
  // then says how).
  bool poll_exit();
  bool exited() const { return pid_ <= 0; }
  const std::string& exit_text() const { return exit_text_; }
  // SIGKILL and a blocking reap.
  void kill_now();

 private:
  void reset();

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string exit_text_;
};

}  // namespace frontends::mcp_proxy
