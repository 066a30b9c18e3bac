// net/bytes.hpp — the one byte cursor (Reader) and appender (Writer) of the
// project (STYLE.md §7). Every wire parser reads through Reader: lengths are
// compared against left() before any pointer arithmetic, so an untrusted
// length can never overflow a pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/varint.hpp"

namespace net {

using Bytes = std::vector<uint8_t>;
using BytesView = std::span<const uint8_t>;

inline BytesView as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(BytesView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string to_string(BytesView b) { return std::string(as_chars(b)); }

std::string to_hex(BytesView b);
// Returns false on odd length or a non-hex character.
bool from_hex(std::string_view hex, Bytes* out);

class Reader {
 public:
  explicit Reader(BytesView s) : begin_(s.data()), p_(s.data()), end_(s.data() + s.size()) {}

  size_t left() const { return static_cast<size_t>(end_ - p_); }
  size_t pos() const { return static_cast<size_t>(p_ - begin_); }
  bool empty() const { return p_ == end_; }
  BytesView rest() const { return {p_, left()}; }

  bool u8(uint8_t& v) {
    if (left() < 1) return false;
    v = *p_++;
    return true;
  }
  bool be16(uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return true;
  }
  bool be32(uint32_t& v) {
    if (left() < 4) return false;
    v = (uint32_t{p_[0]} << 24) | (uint32_t{p_[1]} << 16) | (uint32_t{p_[2]} << 8) | p_[3];
    p_ += 4;
    return true;
  }
  bool be64(uint64_t& v) {
    uint32_t hi, lo;
    if (left() < 8) return false;
    (void)be32(hi);
    (void)be32(lo);
    v = (uint64_t{hi} << 32) | lo;
    return true;
  }
  bool le32(uint32_t& v) {
    if (left() < 4) return false;
    v = uint32_t{p_[0]} | (uint32_t{p_[1]} << 8) | (uint32_t{p_[2]} << 16) | (uint32_t{p_[3]} << 24);
    p_ += 4;
    return true;
  }
  bool le64(uint64_t& v) {
    uint32_t lo, hi;
    if (left() < 8) return false;
    (void)le32(lo);
    (void)le32(hi);
    v = (uint64_t{hi} << 32) | lo;
    return true;
  }
  // Multiformats unsigned varint; on failure nothing is consumed and the
  // reason is in *why (if given).
  bool uvarint(uint64_t& v, VarintStatus* why = nullptr) {
    size_t n = 0;
    VarintStatus s = uvarint_decode(rest(), &v, &n);
    if (why) *why = s;
    if (s != VarintStatus::ok) return false;
    p_ += n;
    return true;
  }
  // Protobuf varint.
  bool pb_varint(uint64_t& v, VarintStatus* why = nullptr) {
    size_t n = 0;
    VarintStatus s = pb_varint_decode(rest(), &v, &n);
    if (why) *why = s;
    if (s != VarintStatus::ok) return false;
    p_ += n;
    return true;
  }
  bool take(size_t n, BytesView& out) {
    if (left() < n) return false;  // not p_ + n > end_: UB on overflow
    out = {p_, n};
    p_ += n;
    return true;
  }
  bool skip(size_t n) {
    if (left() < n) return false;
    p_ += n;
    return true;
  }

 private:
  const uint8_t* begin_;
  const uint8_t* p_;
  const uint8_t* end_;
};

// Appends to a caller-owned Bytes. Never fails (allocation failure aborts, as
// everywhere in C++ without exceptions); callers bound sizes beforehand.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  void u8(uint8_t v) { out_.push_back(v); }
  void be16(uint16_t v) {
    uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    raw(b, 2);
  }
  void be32(uint32_t v) {
    uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    raw(b, 4);
  }
  void be64(uint64_t v) {
    be32(static_cast<uint32_t>(v >> 32));
    be32(static_cast<uint32_t>(v));
  }
  void le32(uint32_t v) {
    uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                    static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
    raw(b, 4);
  }
  void le64(uint64_t v) {
    le32(static_cast<uint32_t>(v));
    le32(static_cast<uint32_t>(v >> 32));
  }
  void varint(uint64_t v) {
    uint8_t b[kMaxPbVarintLen];
    raw(b, varint_encode(v, b));
  }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void bytes(BytesView b) { raw(b.data(), b.size()); }
  void str(std::string_view s) { raw(s.data(), s.size()); }
  // uvarint length prefix + bytes (multiformats / libp2p framing).
  void lp_bytes(BytesView b) {
    varint(b.size());
    bytes(b);
  }
  size_t size() const { return out_.size(); }
  Bytes& buffer() { return out_; }

 private:
  Bytes& out_;
};

}  // namespace net
