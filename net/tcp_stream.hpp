// net/tcp_stream.hpp — one connected non-blocking TCP (or unix) stream on
// the loop. Protocol drivers (noise, yamux, HTTP, gRPC) sit on top: they
// feed on_data bytes to their sans-I/O core and write() its pending output.
//
// Reading: level-triggered; on a readable turn the stream reads into the
// loop's shared 64 KiB scratch buffer until a short read, EAGAIN or
// read_cap bytes (64 KiB) for this turn, and hands each chunk to on_data.
// No allocation per read; the span is valid only during the callback (copy
// what you keep).
//
// Writing: write() tries the socket at once when nothing is queued (no extra
// latency, no copy); what the kernel does not take is queued in a bounded
// Buffer (out_limit, hard cap: write() refuses all-or-nothing) and flushed
// when the socket turns writable. Back-pressure: stop producing while
// writable() is false (buffered() > high_water); on_drain fires once the
// queue is back at or below low_water.
//
// Closing: close() is graceful: flush the queue, shutdown(SHUT_WR), then read
// (and discard) until the peer's EOF; close_timeout bounds the whole, after
// which the stream is reset. abort() sends RST at once (SO_LINGER 0) and
// drops the queue. Peer EOF: on_eof if set (the stream stays writable, a
// half-close), else the stream closes itself gracefully.
//
// on_close(reason) fires exactly once per stream, from the loop (a timer
// event), never from inside a call the owner made (write/close/abort) —
// unless the owner destroys the stream first, in which case it never fires.
// reason.code: Err::ok (clean close, either side), Err::closed (abort()),
// Err::timeout (connect or close timeout), Err::io (refused, reset, …; the
// message has the address and the errno text).
//
// Re-entrancy: every callback may write, close, abort, or destroy the stream
// (delete it, or erase the owning unique_ptr). The stream checks a
// "destroyed" flag (net/destroy_guard.hpp) after each callback and touches
// nothing if set. Destroying the stream closes the socket silently.
#pragma once

#include <memory>

#include "net/buffer.hpp"
#include "net/loop.hpp"
#include "net/net_limits.hpp"
#include "net/socket.hpp"

namespace net {

struct TcpStreamOptions {
  size_t out_limit = kTcpOutLimit;
  size_t high_water = kTcpHighWater;
  size_t low_water = kTcpLowWater;
  size_t read_cap = kReadCapPerTurn;  // bytes per readable turn, <= kLoopScratchLen
  uint64_t close_timeout_ns = kTcpCloseTimeoutNs;
};

class TcpStream {
 public:
  enum class State : uint8_t { connecting, open, closing, draining, closed };

  using OnConnect = SmallFn<void()>;
  using OnData = SmallFn<void(BytesView)>;
  using OnDrain = SmallFn<void()>;
  using OnEof = SmallFn<void()>;
  using OnClose = SmallFn<void(const Error& reason)>;

  // A connected socket (from an Acceptor). Errors: Err::io (loop).
  static Result<std::unique_ptr<TcpStream>> adopt(Loop& loop, Fd fd, const TcpStreamOptions& opt = {});
  // Starts connecting; on_connect or on_close(reason) follows from the loop.
  // timeout_ns 0: no connect timeout. Errors (synchronous, nothing started):
  // Err::invalid (not an IP address), Err::limit (out of fds), Err::io (loop).
  // Every failure of connect() itself is reported through on_close.
  static Result<std::unique_ptr<TcpStream>> dial(Loop& loop, const SockAddr& addr,
                                                 uint64_t timeout_ns = kTcpConnectTimeoutNs,
                                                 const TcpStreamOptions& opt = {});
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  void on_connect(OnConnect cb) { on_connect_ = std::move(cb); }
  void on_data(OnData cb) { on_data_ = std::move(cb); }
  void on_drain(OnDrain cb) { on_drain_ = std::move(cb); }
  void on_eof(OnEof cb) { on_eof_ = std::move(cb); }
  void on_close(OnClose cb) { on_close_ = std::move(cb); }

  // Queues all of data or nothing. false: the stream is closing/closed, or
  // buffered() + data.size() would exceed out_limit (check is_open()), or the
  // socket failed just now (on_close will tell why). Allowed while
  // connecting (sent once connected).
  [[nodiscard]] bool write(BytesView data);
  size_t buffered() const { return out_.size(); }
  // True while open (or connecting) and buffered() <= high_water.
  bool writable() const;
  void pause_reading();
  void resume_reading();
  void close();
  void abort();

  State state() const { return state_; }
  bool is_open() const { return state_ == State::connecting || state_ == State::open; }
  const SockAddr& peer() const { return peer_; }
  Result<SockAddr> local() const { return local_addr(fd_.get()); }
  int fd() const { return fd_.get(); }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  TcpStream(Loop& loop, Fd fd, const SockAddr& peer, const TcpStreamOptions& opt, State st);
  Status register_fd();
  void on_io(uint32_t ev);
  void on_timer();
  void finish_connect();
  void do_read();
  void do_flush();
  void do_shutdown();
  void on_peer_eof();
  void update_interest();
  void fail(Error e) { finish(std::move(e), false); }
  void fail_errno(int err);  // "tcp <peer>: <strerror>"
  void finish(Error reason, bool rst);
  void maybe_drain();

  Loop& loop_;
  Fd fd_;
  SockAddr peer_;
  TcpStreamOptions opt_;
  Buffer out_;
  State state_;
  IoId io_ = kNoIo;
  TimerId timer_ = kNoTimer;  // connect timeout, close timeout, then on_close delivery
  uint32_t interest_ = 0;
  bool reading_ = true;
  bool peer_eof_ = false;
  bool want_drain_ = false;
  bool notified_ = false;
  bool* dead_flag_ = nullptr;
  uint64_t connect_timeout_ns_ = 0;
  uint64_t bytes_read_ = 0;
  uint64_t bytes_written_ = 0;
  Error reason_;

  OnConnect on_connect_;
  OnData on_data_;
  OnDrain on_drain_;
  OnEof on_eof_;
  OnClose on_close_;
};

}  // namespace net
