// test/bench/task_bench_client.hpp — the load generator of task_bench: a
// small gRPC client on nghttp2 over a unix socket, driven by poll() from one
// thread (so it costs one core at most; task_bench reports the CPU time it
// used, to show it is not the bottleneck). Not a product
// API; the SDKs are the real clients (the interop and process tests use
// grpc-js and python3-grpcio).
#pragma once

#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/bytes.hpp"

namespace bench {

// One gRPC call. Messages arrive whole (5-byte gRPC framing removed).
struct Call {
  std::function<void(net::BytesView)> on_message;
  std::function<void(int status, const std::string& message)> on_end;  // status -1: reset, no trailers
  net::Bytes in;          // DATA not yet deframed
  net::Bytes out;         // request bytes not yet taken by nghttp2
  size_t out_off = 0;
  bool out_end = false;   // half-close once `out` is drained
  bool deferred = false;  // nghttp2 waits for resume
  int status = -1;
  std::string message;
  bool refused = false;  // RST_STREAM(REFUSED_STREAM): not processed, safe to retry
};

class H2Client {
 public:
  explicit H2Client(const std::string& unix_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", unix_path.c_str());
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error("connect " + unix_path + ": " + std::strerror(errno));
    nghttp2_session_callbacks* cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
    nghttp2_session_client_new(&s_, cb, this);
    nghttp2_session_callbacks_del(cb);
    // Large windows: the bench measures the daemon, not our acknowledgements.
    nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 4 << 20},
                                   {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1000}};
    nghttp2_submit_settings(s_, NGHTTP2_FLAG_NONE, iv, 2);
    nghttp2_session_set_local_window_size(s_, NGHTTP2_FLAG_NONE, 0, 64 << 20);
    flush();
  }
  ~H2Client() {
    nghttp2_session_del(s_);
    ::close(fd_);
  }
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  int fd() const { return fd_; }

  // Starts `path` with `first` as its first message (absent: none yet);
  // `end`: half-close after it (unary and server streaming).
  int32_t start(const std::string& path, const net::Bytes* first, bool end, Call call) {
    std::string p = path;
    const nghttp2_nv hdrs[] = {nv(":method", "POST"), nv(":scheme", "http"), nv(":path", p),
                               nv(":authority", "localhost"), nv("content-type", "application/grpc"),
                               nv("te", "trailers")};
    int32_t sid = next_sid_;
    next_sid_ += 2;
    auto& c = calls_[sid] = std::move(call);
    if (first) append_message(c, *first);
    c.out_end = end;
    nghttp2_data_provider dp{};
    dp.read_callback = read_cb;
    int32_t got = nghttp2_submit_request(s_, nullptr, hdrs, 6, &dp, nullptr);
    if (got != sid) throw std::runtime_error("nghttp2_submit_request failed");
    flush();
    return sid;
  }
  // Client streaming: more messages, then end().
  void send(int32_t sid, const net::Bytes& msg) {
    auto it = calls_.find(sid);
    if (it == calls_.end()) return;
    append_message(it->second, msg);
    resume(sid, it->second);
  }
  void end(int32_t sid) {
    auto it = calls_.find(sid);
    if (it == calls_.end()) return;
    it->second.out_end = true;
    resume(sid, it->second);
  }
  size_t unsent(int32_t sid) const {
    auto it = calls_.find(sid);
    return it == calls_.end() ? 0 : it->second.out.size() - it->second.out_off;
  }
  void cancel(int32_t sid) {
    if (!calls_.count(sid)) return;
    nghttp2_submit_rst_stream(s_, NGHTTP2_FLAG_NONE, sid, NGHTTP2_CANCEL);
    flush();
  }
  size_t open_calls() const { return calls_.size(); }
  uint64_t refused() const { return refused_; }
  // Whether the call that just ended (inside on_end) was refused unprocessed.
  bool last_refused() const { return last_refused_; }

  // The socket is readable.
  void on_readable() {
    uint8_t buf[65536];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("daemon closed the gRPC connection");
    // Callbacks may start, cancel and feed calls: nghttp2 forbids sending
    // from inside mem_recv, so they only queue; we send after it returns.
    in_recv_ = true;
    ssize_t r = nghttp2_session_mem_recv(s_, buf, static_cast<size_t>(n));
    in_recv_ = false;
    if (r < 0) throw std::runtime_error("h2 recv error");
    flush();
  }
  void flush() {
    if (in_recv_) return;
    for (;;) {
      const uint8_t* d;
      ssize_t n = nghttp2_session_mem_send(s_, &d);
      if (n < 0) throw std::runtime_error("h2 send error");
      if (n == 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = ::write(fd_, d + off, static_cast<size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
        off += w;
      }
    }
  }

 private:
  static nghttp2_nv nv(const char* k, const std::string& v) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(k)), reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())),
            std::strlen(k), v.size(), NGHTTP2_NV_FLAG_NONE};
  }
  static nghttp2_nv nv(const char* k, const char* v) {
    return {reinterpret_cast<uint8_t*>(const_cast<char*>(k)), reinterpret_cast<uint8_t*>(const_cast<char*>(v)),
            std::strlen(k), std::strlen(v), NGHTTP2_NV_FLAG_NONE};
  }
  static void append_message(Call& c, const net::Bytes& m) {
    // Drop what nghttp2 has taken once it is at least half the buffer, so
    // `out` stays near the caller's read-ahead instead of growing (and
    // faulting in fresh pages) for the whole upload.
    if (c.out_off > 0 && c.out_off * 2 >= c.out.size()) {
      c.out.erase(c.out.begin(), c.out.begin() + static_cast<ptrdiff_t>(c.out_off));
      c.out_off = 0;
    }
    uint32_t len = static_cast<uint32_t>(m.size());
    const uint8_t hdr[5] = {0, uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len)};
    c.out.insert(c.out.end(), hdr, hdr + 5);
    c.out.insert(c.out.end(), m.begin(), m.end());
  }
  void resume(int32_t sid, Call& c) {
    if (c.deferred) {
      c.deferred = false;
      nghttp2_session_resume_data(s_, sid);
    }
    flush();
  }
  static H2Client* me(void* u) { return static_cast<H2Client*>(u); }
  static ssize_t read_cb(nghttp2_session*, int32_t sid, uint8_t* buf, size_t len, uint32_t* flags,
                         nghttp2_data_source*, void* u) {
    auto it = me(u)->calls_.find(sid);
    if (it == me(u)->calls_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    Call& c = it->second;
    size_t avail = c.out.size() - c.out_off;
    size_t n = std::min(avail, len);
    std::memcpy(buf, c.out.data() + c.out_off, n);
    c.out_off += n;
    if (c.out_off == c.out.size()) {
      if (c.out_end) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
      } else if (n == 0) {
        c.deferred = true;  // send() / end() resume it
        return NGHTTP2_ERR_DEFERRED;
      }
    }
    return static_cast<ssize_t>(n);
  }
  static int on_data(nghttp2_session*, uint8_t, int32_t sid, const uint8_t* d, size_t n, void* u) {
    auto it = me(u)->calls_.find(sid);
    if (it == me(u)->calls_.end()) return 0;
    Call& c = it->second;
    c.in.insert(c.in.end(), d, d + n);
    size_t off = 0;
    while (c.in.size() - off >= 5) {
      uint32_t len = (uint32_t(c.in[off + 1]) << 24) | (uint32_t(c.in[off + 2]) << 16) |
                     (uint32_t(c.in[off + 3]) << 8) | c.in[off + 4];
      if (c.in.size() - off - 5 < len) break;
      if (c.on_message) c.on_message(net::BytesView(c.in.data() + off + 5, len));
      off += 5 + len;
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<ptrdiff_t>(off));
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v,
                       size_t vl, uint8_t, void* u) {
    auto it = me(u)->calls_.find(f->hd.stream_id);
    if (it == me(u)->calls_.end()) return 0;
    std::string k(reinterpret_cast<const char*>(n), nl);
    if (k == "grpc-status") it->second.status = std::atoi(std::string(reinterpret_cast<const char*>(v), vl).c_str());
    if (k == "grpc-message") it->second.message.assign(reinterpret_cast<const char*>(v), vl);
    return 0;
  }
  static int on_close(nghttp2_session*, int32_t sid, uint32_t code, void* u) {
    auto it = me(u)->calls_.find(sid);
    if (it == me(u)->calls_.end()) return 0;
    Call c = std::move(it->second);
    if (c.status < 0 && code != 0) c.message = "stream reset, h2 error " + std::to_string(code);
    c.refused = c.status < 0 && code == NGHTTP2_REFUSED_STREAM;
    if (c.refused) ++me(u)->refused_;
    me(u)->calls_.erase(it);
    me(u)->last_refused_ = c.refused;
    if (c.on_end) c.on_end(c.status, c.message);
    return 0;
  }

  int fd_ = -1;
  nghttp2_session* s_ = nullptr;
  int32_t next_sid_ = 1;
  bool in_recv_ = false;
  bool last_refused_ = false;
  uint64_t refused_ = 0;
  std::map<int32_t, Call> calls_;
};

}  // namespace bench
