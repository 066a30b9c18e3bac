#include "net/buffer.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace net {
namespace {
// First allocation of a buffer. Below glibc's large-request threshold (1 KiB):
// a 4 KiB first allocation made malloc consolidate its fastbins on almost
// every new stream or message (2.5 % of the task path in perf); most
// messages are a few hundred bytes and bigger ones double from here.
constexpr size_t kMinAlloc = 512;
}

bool Buffer::reserve_tail(size_t n) {
  if (n > room()) return false;
  if (cap_ - last_ >= n) return true;
  const size_t used = size();
  if (cap_ - used >= n && ptr_) {  // enough space once compacted
    compact();
    return true;
  }
  size_t want = cap_ < kMinAlloc ? kMinAlloc : cap_;
  while (want < used + n) want = want > SIZE_MAX / 2 ? SIZE_MAX : want * 2;
  if (want > limit_) want = limit_;
  std::unique_ptr<uint8_t[]> p(new uint8_t[want]);
  if (used) memcpy(p.get(), ptr_.get() + pos_, used);
  ptr_ = std::move(p);
  cap_ = want;
  pos_ = 0;
  last_ = used;
  return true;
}

bool Buffer::append(BytesView b) {
  if (b.empty()) return true;
  if (!reserve_tail(b.size())) return false;
  memcpy(ptr_.get() + last_, b.data(), b.size());
  last_ += b.size();
  return true;
}

Status Buffer::append_or_error(BytesView b, const char* what) {
  if (append(b)) return {};
  return Error{Err::limit, std::string(what) + ": buffer limit " + std::to_string(limit_) +
                               " bytes exceeded"};
}

std::span<uint8_t> Buffer::prepare(size_t n) {
  if (n == 0 || !reserve_tail(n)) return {};
  return {ptr_.get() + last_, cap_ - last_ < room() ? cap_ - last_ : room()};
}

void Buffer::consume(size_t n) {
  pos_ += n < size() ? n : size();
  if (pos_ == last_) pos_ = last_ = 0;  // empty: restart at the front, no copy
}

void Buffer::compact() {
  if (pos_ == 0) return;
  const size_t used = size();
  if (used) memmove(ptr_.get(), ptr_.get() + pos_, used);
  pos_ = 0;
  last_ = used;
}

void Buffer::release() {
  if (!empty()) return;
  ptr_.reset();
  cap_ = pos_ = last_ = 0;
}

IoResult read_to_buffer(int fd, Buffer& buf, size_t max_len) {
  IoResult r;
  while (r.n < max_len) {
    size_t want = max_len - r.n;
    if (want > buf.room()) want = buf.room();
    if (want == 0) break;  // buffer full
    std::span<uint8_t> tail = buf.prepare(want);
    if (tail.size() > want) tail = tail.first(want);
    ssize_t k = ::read(fd, tail.data(), tail.size());
    if (k > 0) {
      buf.commit(static_cast<size_t>(k));
      r.n += static_cast<size_t>(k);
      if (static_cast<size_t>(k) < tail.size()) break;  // short read: drained
    } else if (k == 0) {
      r.eof = true;
      break;
    } else if (errno != EINTR) {
      r.err = errno;
      break;
    }
  }
  return r;
}

IoResult write_from_buffer(int fd, Buffer& buf, BytesView extra) {
  IoResult r;
  bool is_socket = true;
  for (;;) {
    BytesView a = buf.data();
    iovec iov[2];
    int cnt = 0;
    if (!a.empty()) iov[cnt++] = {const_cast<uint8_t*>(a.data()), a.size()};
    if (!extra.empty()) iov[cnt++] = {const_cast<uint8_t*>(extra.data()), extra.size()};
    if (cnt == 0) break;
    const size_t asked = a.size() + extra.size();
    ssize_t k;
    if (is_socket) {
      msghdr mh{};
      mh.msg_iov = iov;
      mh.msg_iovlen = static_cast<size_t>(cnt);
      k = ::sendmsg(fd, &mh, MSG_NOSIGNAL);
      if (k < 0 && errno == ENOTSOCK) {
        is_socket = false;
        continue;
      }
    } else {
      k = ::writev(fd, iov, cnt);
    }
    if (k < 0) {
      if (errno == EINTR) continue;
      r.err = errno;
      break;
    }
    const size_t w = static_cast<size_t>(k);
    r.n += w;
    const size_t from_buf = w < a.size() ? w : a.size();
    buf.consume(from_buf);
    extra = extra.subspan(w - from_buf);
    if (w < asked) {  // short write: the kernel buffer is full; skip the EAGAIN round trip
      r.err = EAGAIN;
      break;
    }
  }
  return r;
}

}  // namespace net
