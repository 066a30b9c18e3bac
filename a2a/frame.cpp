#include "a2a/frame.hpp"

#include <algorithm>
#include <string>

namespace a2a {

std::array<uint8_t, kFrameHeaderLen> frame_header(uint32_t len) {
  return {static_cast<uint8_t>(len >> 24), static_cast<uint8_t>(len >> 16), static_cast<uint8_t>(len >> 8),
          static_cast<uint8_t>(len)};
}

net::Status append_frame(net::BytesView payload, net::Bytes& out, size_t max_len) {
  if (payload.size() > max_len)
    return {net::Err::limit, "a2a frame: payload of " + std::to_string(payload.size()) +
                                 " bytes exceeds the limit of " + std::to_string(max_len)};
  auto h = frame_header(static_cast<uint32_t>(payload.size()));
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return {};
}

net::Result<size_t> FrameReader::feed(net::BytesView in) {
  if (err_.code != net::Err::ok) return err_;
  if (ready_ || want_reserve_) return size_t{0};
  size_t used = 0;
  if (!in_body_) {
    // Header (possibly split over feeds).
    while (hdr_fill_ < kFrameHeaderLen && used < in.size()) hdr_[hdr_fill_++] = in[used++];
    if (hdr_fill_ < kFrameHeaderLen) return used;
    const size_t len = (size_t{hdr_[0]} << 24) | (size_t{hdr_[1]} << 16) | (size_t{hdr_[2]} << 8) | hdr_[3];
    if (len > max_len_) {
      err_ = {net::Err::limit, "a2a frame: length " + std::to_string(len) + " exceeds the limit of " +
                                   std::to_string(max_len_)};
      return err_;
    }
    hdr_fill_ = 0;
    body_len_ = len;
    in_body_ = true;
    // Whole in this input: hand out a view, no copy.
    if (in.size() - used >= len) {
      frame_ = in.subspan(used, len);
      used += len;
      in_body_ = false;
      ready_ = true;
      return used;
    }
    want_reserve_ = true;
    return used;
  }
  const size_t take = std::min(body_len_ - buf_.size(), in.size());
  buf_.insert(buf_.end(), in.begin(), in.begin() + static_cast<ptrdiff_t>(take));
  used += take;
  if (buf_.size() == body_len_) {
    frame_ = buf_;
    in_body_ = false;
    ready_ = true;
  }
  return used;
}

void FrameReader::grant() {
  if (!want_reserve_) return;
  want_reserve_ = false;
  granted_ = body_len_;
  buf_.reserve(body_len_);
}

size_t FrameReader::pop() {
  if (!ready_) return 0;
  ready_ = false;
  frame_ = {};
  if (!buf_.empty() || granted_ != 0) {
    buf_.clear();
    buf_.shrink_to_fit();  // a 16 MiB frame does not stay allocated
  }
  const size_t g = granted_;
  granted_ = 0;
  body_len_ = 0;
  return g;
}

}  // namespace a2a
