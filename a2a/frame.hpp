// a2a/frame.hpp — the framing of both agentanycast protocols (upstream.md
// §3.2): a 4-byte big-endian length, then that many bytes of protobuf
// (A2AEnvelope on /agentanycast/a2a/1.0, AgentCard on /agentanycast/card/1.0).
// A length above the limit (16 MiB, or the card limit) is refused before
// anything is buffered.
//
// FrameReader is sans-I/O: feed() it the bytes of a stream as they come.
// A frame that arrives whole is handed out as a view into the input (no
// copy). A frame that spans several feeds is assembled in the reader's
// buffer — but only after the caller granted memory for its declared length
// (wants_reserve() / grant()), so the binding can bound assembly memory per
// peer and in total without a deadlock: memory is reserved whole, so a
// reader holding some can always finish.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "a2a/a2a_limits.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace a2a {

std::array<uint8_t, kFrameHeaderLen> frame_header(uint32_t len);
// Appends header + payload. Err::limit
// "a2a frame: payload of 16777217 bytes exceeds the limit of 16777216".
net::Status append_frame(net::BytesView payload, net::Bytes& out, size_t max_len = kMaxFrameLen);

class FrameReader {
 public:
  explicit FrameReader(size_t max_len = kMaxFrameLen) : max_len_(max_len) {}

  // Consumes bytes of `in`; returns how many (all of them unless a frame
  // became ready or a reservation is wanted). Errors (sticky): Err::limit
  // "a2a frame: length 16777217 exceeds the limit of 16777216".
  net::Result<size_t> feed(net::BytesView in);

  // A complete payload: a view into the last feed's input or into the
  // reader's buffer, valid until the next feed()/pop().
  bool has_frame() const { return ready_; }
  net::BytesView frame() const { return frame_; }
  // Drops the frame; returns the bytes grant() had reserved for it (0 for a
  // frame handed out as a view), for the caller to release.
  size_t pop();

  // A frame of reserve_len() bytes has begun and the input did not hold it
  // whole: call grant() before feeding more (feed consumes nothing until then).
  bool wants_reserve() const { return want_reserve_; }
  size_t reserve_len() const { return body_len_; }
  void grant();
  // Bytes reserved by grant() and not yet returned by pop(): the caller
  // releases them when it drops the reader mid-frame.
  size_t granted() const { return granted_; }

  // True between frames (nothing partial buffered): EOF here is clean.
  bool at_boundary() const { return hdr_fill_ == 0 && !in_body_ && !ready_; }
  size_t buffered() const { return buf_.size() + hdr_fill_; }

 private:
  size_t max_len_;
  std::array<uint8_t, kFrameHeaderLen> hdr_{};
  size_t hdr_fill_ = 0;
  bool in_body_ = false;      // header parsed, body being assembled
  bool want_reserve_ = false;
  size_t body_len_ = 0;
  size_t granted_ = 0;
  net::Bytes buf_;
  bool ready_ = false;
  net::BytesView frame_;
  net::Error err_;
};

}  // namespace a2a
