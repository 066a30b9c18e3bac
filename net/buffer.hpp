// net/buffer.hpp — the one bounded byte queue of the project (STYLE.md §4).
//
// Shaped like ngtcp2_buf: begin <= pos <= last <= end, read at pos, append at
// last. The limit is fixed at construction and is a hard cap on the bytes
// held: append() refuses (all-or-nothing) rather than grow past it. Storage
// is allocated on first use, grows geometrically up to the limit, and is
// compacted (unread bytes moved to the front) instead of grown whenever that
// makes room, so the readable bytes are always one contiguous span.
//
// The fd helpers move bytes between a Buffer and a non-blocking fd. They
// return an IoResult instead of a Result: "would block" is the common case
// on the hot path and must not build an error string.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "net/bytes.hpp"
#include "net/result.hpp"

namespace net {

class Buffer {
 public:
  explicit Buffer(size_t limit) : limit_(limit) {}
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  size_t size() const { return last_ - pos_; }  // readable bytes
  bool empty() const { return last_ == pos_; }
  size_t limit() const { return limit_; }
  size_t room() const { return limit_ - size(); }  // bytes append() still accepts
  size_t capacity() const { return cap_; }         // bytes allocated now (<= limit)

  // The readable bytes, contiguous; valid until the next non-const call.
  BytesView data() const { return {ptr_.get() + pos_, size()}; }

  // Appends all of `b`, or nothing if size() + b.size() > limit().
  [[nodiscard]] bool append(BytesView b);
  // Same, as a Status: Err::limit "<what>: buffer limit N bytes exceeded".
  Status append_or_error(BytesView b, const char* what);

  // At least n writable bytes after the readable ones (compacting or growing
  // the storage, never past the limit); empty span if n > room().
  std::span<uint8_t> prepare(size_t n);
  // Marks n bytes of the last prepare() as written (n <= that span's size).
  void commit(size_t n) { last_ += n; }
  // Drops n readable bytes from the front (n <= size()).
  void consume(size_t n);
  void clear() { pos_ = last_ = 0; }
  // Moves the readable bytes to the front of the storage.
  void compact();
  // Frees the storage when empty (idle connections hold no memory).
  void release();

 private:
  bool reserve_tail(size_t n);

  std::unique_ptr<uint8_t[]> ptr_;
  size_t cap_ = 0;
  size_t pos_ = 0;
  size_t last_ = 0;
  size_t limit_;
};

// Outcome of one fd helper call. n bytes moved; then exactly one of:
// err == 0 and !eof (stopped at a cap, or the buffer is full/empty),
// would_block(), eof (read returned 0), or err = the errno of a failure.
struct IoResult {
  size_t n = 0;
  int err = 0;
  bool eof = false;
  bool would_block() const { return err == EAGAIN || err == EWOULDBLOCK; }
  bool failed() const { return err != 0 && !would_block(); }
};

// Reads from fd into buf until EAGAIN, EOF, max_len bytes, or buf is full.
// A short read ends the call (the fd is very likely drained; level-triggered
// readiness says so next turn if not), saving the EAGAIN syscall.
IoResult read_to_buffer(int fd, Buffer& buf, size_t max_len);

// Writes buf's bytes and then `extra` with one writev-style call per round
// until all is written or the fd would block (a short write counts as
// would_block(): the kernel buffer is full); consumes what was written from
// buf.
// IoResult::n counts bytes of both; bytes of `extra` written are
// n - (buf size before the call) when n exceeds it. Uses sendmsg with
// MSG_NOSIGNAL (no SIGPIPE) on sockets, writev on other fds.
IoResult write_from_buffer(int fd, Buffer& buf, BytesView extra = {});

}  // namespace net
