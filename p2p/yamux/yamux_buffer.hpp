// p2p/yamux/yamux_buffer.hpp — the byte containers of the yamux session
// (STYLE.md §4, after ngtcp2_buf / ngtcp2_ringbuf):
//   OutQueue  one contiguous FIFO of outgoing frames, read at head, written
//             at tail; compacts instead of wrapping so pending() is one span.
//   RxRing    a stream's receive buffer: power-of-two ring, grown on demand
//             up to the stream's window (which bounds it).
//   Fifo<T>   a growable ring of small values (events).
// None zero-fills, none allocates once warmed up to its working size; memory
// is given back only by release() (Session::trim_memory()).
// If another protocol needs the same shapes, move them to net/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

namespace p2p::yamux {

class OutQueue {
 public:
  size_t size() const { return tail_ - head_; }
  bool empty() const { return tail_ == head_; }
  size_t capacity() const { return cap_; }
  std::span<const uint8_t> pending() const { return {buf_.get() + head_, tail_ - head_}; }

  // Room for n more bytes at the tail; returns where to write them. The
  // caller must then commit(n).
  uint8_t* reserve(size_t n) {
    if (cap_ - tail_ < n) make_room(n);
    return buf_.get() + tail_;
  }
  void commit(size_t n) { tail_ += n; }
  void append(const uint8_t* p, size_t n) {
    std::memcpy(reserve(n), p, n);
    commit(n);
  }
  void consume(size_t n) {
    head_ += std::min(n, size());
    if (head_ == tail_) head_ = tail_ = 0;
  }
  void release() {
    if (empty()) {
      buf_.reset();
      cap_ = head_ = tail_ = 0;
    }
  }

 private:
  void make_room(size_t n) {
    size_t used = size();
    if (head_ > 0 && cap_ - used >= n) {  // compact; pending is bounded by the session's budget
      std::memmove(buf_.get(), buf_.get() + head_, used);
      head_ = 0;
      tail_ = used;
      return;
    }
    size_t cap = std::max<size_t>(cap_ * 2, 256);  // small: idle sessions send only control frames
    while (cap - used < n) cap *= 2;
    std::unique_ptr<uint8_t[]> nb(new uint8_t[cap]);
    if (used) std::memcpy(nb.get(), buf_.get() + head_, used);
    buf_ = std::move(nb);
    cap_ = cap;
    head_ = 0;
    tail_ = used;
  }

  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0, head_ = 0, tail_ = 0;
};

class RxRing {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return cap_; }

  void push(const uint8_t* p, size_t n) {
    if (cap_ - size_ < n) grow(size_ + n);
    size_t tail = (head_ + size_) & (cap_ - 1);
    size_t first = std::min(n, cap_ - tail);
    std::memcpy(buf_.get() + tail, p, first);
    std::memcpy(buf_.get(), p + first, n - first);
    size_ += n;
  }
  // The first contiguous run of buffered bytes (may be shorter than size()).
  std::span<const uint8_t> front() const {
    return {buf_.get() + head_, std::min(size_, cap_ - head_)};
  }
  void pop(size_t n) {
    n = std::min(n, size_);
    head_ = (head_ + n) & (cap_ ? cap_ - 1 : 0);
    size_ -= n;
    if (size_ == 0) head_ = 0;
  }
  size_t copy_out(std::span<uint8_t> out) {
    size_t n = std::min(out.size(), size_);
    size_t first = std::min(n, cap_ - head_);
    if (n) {
      std::memcpy(out.data(), buf_.get() + head_, first);
      std::memcpy(out.data() + first, buf_.get(), n - first);
    }
    pop(n);
    return n;
  }
  void release() {
    if (empty()) {
      buf_.reset();
      cap_ = head_ = 0;
    }
  }

 private:
  void grow(size_t need) {
    // 512: below glibc's large-request threshold, like net::Buffer's first
    // allocation (a stream carrying one envelope never needs more).
    size_t cap = std::max<size_t>(cap_, 512);
    while (cap < need) cap *= 2;
    std::unique_ptr<uint8_t[]> nb(new uint8_t[cap]);
    size_t first = std::min(size_, cap_ - head_);
    if (size_) {
      std::memcpy(nb.get(), buf_.get() + head_, first);
      std::memcpy(nb.get() + first, buf_.get(), size_ - first);
    }
    buf_ = std::move(nb);
    cap_ = cap;
    head_ = 0;
  }

  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0, head_ = 0, size_ = 0;
};

template <class T>
class Fifo {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void push(T v) {
    if (size_ == cap_) grow();
    buf_[(head_ + size_) & (cap_ - 1)] = std::move(v);
    ++size_;
  }
  T pop() {
    T v = std::move(buf_[head_]);
    head_ = (head_ + 1) & (cap_ - 1);
    --size_;
    return v;
  }
  void release() {
    if (empty()) {
      buf_.reset();
      cap_ = head_ = 0;
    }
  }

 private:
  void grow() {
    size_t cap = cap_ ? cap_ * 2 : 16;
    std::unique_ptr<T[]> nb(new T[cap]);
    for (size_t i = 0; i < size_; ++i) nb[i] = std::move(buf_[(head_ + i) & (cap_ - 1)]);
    buf_ = std::move(nb);
    cap_ = cap;
    head_ = 0;
  }

  std::unique_ptr<T[]> buf_;
  size_t cap_ = 0, head_ = 0, size_ = 0;
};

}  // namespace p2p::yamux
