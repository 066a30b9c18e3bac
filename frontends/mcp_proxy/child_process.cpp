// frontends/mcp_proxy/child_process.cpp — see child_process.hpp.
#include "frontends/mcp_proxy/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace frontends::mcp_proxy {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string describe_status(int st) {
  if (WIFEXITED(st)) return "exited with status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return std::string("killed by signal ") + std::to_string(WTERMSIG(st)) + " (" +
                              strsignal(WTERMSIG(st)) + ")";
  return "ended (status " + std::to_string(st) + ")";
}

}  // namespace

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this == &o) return *this;
  reset();
  pid_ = std::exchange(o.pid_, -1);
  in_ = std::exchange(o.in_, -1);
  out_ = std::exchange(o.out_, -1);
  err_ = std::exchange(o.err_, -1);
  exit_text_ = std::move(o.exit_text_);
  return *this;
}

ChildProcess::~ChildProcess() { reset(); }

void ChildProcess::reset() {
  close_fd(in_);
  close_fd(out_);
  close_fd(err_);
  if (pid_ > 0) kill_now();
}

net::Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return net::Error{net::Err::invalid, "spawn: empty command"};
  int p_in[2], p_out[2], p_err[2];
  if (pipe2(p_in, O_CLOEXEC) != 0) return net::Error{net::Err::io, std::string("pipe: ") + strerror(errno)};
  if (pipe2(p_out, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(p_in[0]), ::close(p_in[1]);
    return net::Error{net::Err::io, std::string("pipe: ") + strerror(e)};
  }
  if (pipe2(p_err, O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(p_in[0]), ::close(p_in[1]), ::close(p_out[0]), ::close(p_out[1]);
    return net::Error{net::Err::io, std::string("pipe: ") + strerror(e)};
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p_in[0], 0);  // dup2 clears close-on-exec on 0, 1, 2
  posix_spawn_file_actions_adddup2(&fa, p_out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, p_err[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // fds the daemon opened without O_CLOEXEC
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &defaults);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &fa, &at, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  ::close(p_in[0]), ::close(p_out[1]), ::close(p_err[1]);
  if (rc != 0) {
    ::close(p_in[1]), ::close(p_out[0]), ::close(p_err[0]);
    return net::Error{net::Err::io, "spawn " + argv[0] + ": " + strerror(rc)};
  }
  ChildProcess c;
  c.pid_ = pid;
  c.in_ = p_in[1];
  c.out_ = p_out[0];
  c.err_ = p_err[0];
  for (int fd : {c.in_, c.out_, c.err_}) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  }
  return c;
}

void ChildProcess::close_stdin() { close_fd(in_); }
void ChildProcess::close_stdout() { close_fd(out_); }
void ChildProcess::close_stderr() { close_fd(err_); }

void ChildProcess::signal(int signo) const {
  if (pid_ > 0) ::kill(pid_, signo);
}

bool ChildProcess::poll_exit() {
  if (pid_ <= 0) return true;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == 0) return false;
  exit_text_ = r == pid_ ? describe_status(st) : std::string("lost (waitpid: ") + strerror(errno) + ")";
  pid_ = -1;
  return true;
}

void ChildProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &st, 0);
  } while (r < 0 && errno == EINTR);
  exit_text_ = r == pid_ ? describe_status(st) : std::string("lost");
  pid_ = -1;
}

}  // namespace frontends::mcp_proxy
