// proto/runtime/pb_wire.cpp — out-of-line parts of the Encoder and Cursor.
#include "proto/runtime/pb_wire.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace pb {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::double_: return "double";
    case Kind::float_: return "float";
    case Kind::int64: return "int64";
    case Kind::uint64: return "uint64";
    case Kind::int32: return "int32";
    case Kind::fixed64: return "fixed64";
    case Kind::fixed32: return "fixed32";
    case Kind::bool_: return "bool";
    case Kind::string: return "string";
    case Kind::group: return "group";
    case Kind::message: return "message";
    case Kind::bytes: return "bytes";
    case Kind::uint32: return "uint32";
    case Kind::enum_: return "enum";
    case Kind::sfixed32: return "sfixed32";
    case Kind::sfixed64: return "sfixed64";
    case Kind::sint32: return "sint32";
    case Kind::sint64: return "sint64";
    case Kind::map: return "map";
  }
  return "?";
}

// ---- Encoder ---------------------------------------------------------------

void Encoder::varint(uint64_t v) {
  uint8_t b[net::kMaxPbVarintLen];
  size_t n = net::varint_encode(v, b);
  out_.insert(out_.end(), b, b + n);
}

void Encoder::field_varint(uint32_t number, uint64_t v) {
  tag(number, WireType::varint);
  varint(v);
}

void Encoder::raw_fixed32(uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                  static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  out_.insert(out_.end(), b, b + 4);
}

void Encoder::raw_fixed64(uint64_t v) {
  raw_fixed32(static_cast<uint32_t>(v));
  raw_fixed32(static_cast<uint32_t>(v >> 32));
}

void Encoder::field_fixed32(uint32_t number, uint32_t v) {
  tag(number, WireType::i32);
  raw_fixed32(v);
}

void Encoder::field_fixed64(uint32_t number, uint64_t v) {
  tag(number, WireType::i64);
  raw_fixed64(v);
}

void Encoder::field_len(uint32_t number, const void* p, size_t n) {
  tag(number, WireType::len);
  varint(n);
  const auto* b = static_cast<const uint8_t*>(p);
  out_.insert(out_.end(), b, b + n);
}

// The body is written after a one-byte length placeholder; end() widens the
// placeholder when the body turns out to be 128 bytes or longer (one
// memmove of the body, instead of a second pass computing sizes).
size_t Encoder::begin(uint32_t number) {
  tag(number, WireType::len);
  out_.push_back(0);
  return out_.size();
}

void Encoder::end(size_t body_start) {
  size_t len = out_.size() - body_start;
  if (len < 0x80) {
    out_[body_start - 1] = static_cast<uint8_t>(len);
    return;
  }
  uint8_t b[net::kMaxPbVarintLen];
  size_t n = net::varint_encode(len, b);
  out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(body_start), n - 1, uint8_t{0});
  std::memcpy(out_.data() + body_start - 1, b, n);
}

void Encoder::fix_len(size_t len_at, size_t body) {
  const size_t len = out_.size() - body;
  uint8_t b[net::kMaxPbVarintLen];
  const size_t n = net::varint_encode(len, b);
  const size_t had = body - len_at;
  const auto at = out_.begin() + static_cast<std::ptrdiff_t>(len_at);
  if (n > had) out_.insert(at, n - had, uint8_t{0});
  else if (n < had) out_.erase(at, at + static_cast<std::ptrdiff_t>(had - n));
  std::memcpy(out_.data() + len_at, b, n);
}

// ---- Cursor: errors --------------------------------------------------------

static const char* field_name(const MsgInfo& info, uint32_t number) {
  for (uint32_t i = 0; i < info.field_count; ++i)
    if (info.fields[i].number == number) return info.fields[i].name;
  return nullptr;
}

std::string Cursor::field_path() const {
  std::string s = info_.full_name;
  if (const char* n = field_name(info_, number_)) {
    s += '.';
    s += n;
  }
  return s;
}

bool Cursor::fail(net::Err code, size_t offset, uint32_t number, const char* fmt, ...) {
  if (!failed()) {
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char* name = number ? field_name(info_, number) : nullptr;
    char buf[512];
    std::snprintf(buf, sizeof buf, "pb: %s at offset %zu (%s%s%s)", what, offset, info_.full_name,
                  name ? "." : "", name ? name : "");
    st_.err = {code, buf};
  }
  p_ = end_;
  return false;
}

bool Cursor::field_error(const char* what, Kind k) {
  return fail(net::Err::proto, tag_offset(), number_, "%s field %u (%s)", what, number_, kind_name(k));
}

bool Cursor::wire_type_error(Kind k) {
  return fail(net::Err::proto, tag_offset(), number_, "wire type %d not allowed for field %u (%s)",
              static_cast<int>(wire_), number_, kind_name(k));
}

net::Status Cursor::status() const {
  if (failed()) return st_.err;
  return {};
}

void Cursor::missing_required(uint32_t number) {
  if (!failed()) {
    const char* name = field_name(info_, number);
    char buf[512];
    std::snprintf(buf, sizeof buf, "pb: missing required field %u (%s.%s)", number, info_.full_name,
                  name ? name : "?");
    st_.err = {net::Err::proto, buf};
  }
  p_ = end_;
}

net::Status decode_erased(net::BytesView in, const Limits& lim, const MsgInfo& info, void* m,
                          void (*merge)(void* m, Cursor& c)) {
  if (in.size() > lim.max_message_len) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "pb: message of %zu bytes exceeds the limit of %zu (%s)", in.size(),
                  lim.max_message_len, info.full_name);
    return net::Error{net::Err::limit, buf};
  }
  DecodeState st;
  st.base = in.data();
  st.lim = &lim;
  Cursor c(st, in, info);
  merge(m, c);
  return c.status();
}

// ---- Cursor: tags and skipping ---------------------------------------------

bool Cursor::read_tag(const uint8_t*& p, uint32_t& number, WireType& w) {
  size_t off = static_cast<size_t>(p - st_.base);
  uint64_t t = 0;
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p, static_cast<size_t>(end_ - p)}, &t, &n);
  if (s == net::VarintStatus::need_more) return fail(net::Err::proto, off, 0, "truncated tag");
  if (s != net::VarintStatus::ok || t > 0xffffffffu) return fail(net::Err::proto, off, 0, "overlong tag");
  number = static_cast<uint32_t>(t >> 3);
  uint32_t wt = static_cast<uint32_t>(t & 7);
  if (number == 0) return fail(net::Err::proto, off, 0, "invalid field number 0");
  if (wt > 5) return fail(net::Err::proto, off, number, "invalid wire type %u in field %u", wt, number);
  w = static_cast<WireType>(wt);
  p += n;
  return true;
}

bool Cursor::next() {
  if (p_ == end_ || failed()) return false;
  tag_ = p_;
  if (!read_tag(p_, number_, wire_)) return false;
  if (wire_ == WireType::egroup)
    return fail(net::Err::proto, tag_offset(), number_, "unexpected end-group of field %u", number_);
  return true;
}

void Cursor::skip() { skip_value(p_, number_, wire_, tag_); }

bool Cursor::skip_value(const uint8_t*& p, uint32_t number, WireType w, const uint8_t* tag) {
  size_t off = static_cast<size_t>(tag - st_.base);
  size_t left = static_cast<size_t>(end_ - p);
  switch (w) {
    case WireType::varint: {
      uint64_t v = 0;
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p, left}, &v, &n);
      if (s == net::VarintStatus::need_more)
        return fail(net::Err::proto, off, number, "truncated field %u (unknown)", number);
      if (s != net::VarintStatus::ok)
        return fail(net::Err::proto, off, number, "overlong varint in field %u (unknown)", number);
      p += n;
      return true;
    }
    case WireType::i64:
    case WireType::i32: {
      size_t n = w == WireType::i64 ? 8 : 4;
      if (left < n) return fail(net::Err::proto, off, number, "truncated field %u (unknown)", number);
      p += n;
      return true;
    }
    case WireType::len: {
      uint64_t len = 0;
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p, left}, &len, &n);
      if (s == net::VarintStatus::need_more)
        return fail(net::Err::proto, off, number, "truncated field %u (unknown)", number);
      if (s != net::VarintStatus::ok)
        return fail(net::Err::proto, off, number, "overlong length of field %u (unknown)", number);
      if (len > left - n)
        return fail(net::Err::proto, off, number, "length %llu of field %u (unknown) exceeds the %zu bytes left",
                    static_cast<unsigned long long>(len), number, left - n);
      p += n + len;
      return true;
    }
    case WireType::sgroup: {
      if (st_.depth >= st_.lim->max_depth)
        return fail(net::Err::limit, off, number, "nesting deeper than %u", st_.lim->max_depth);
      ++st_.depth;
      bool ok = skip_group(p, number, tag);
      --st_.depth;
      return ok;
    }
    case WireType::egroup:
      break;
  }
  return fail(net::Err::proto, off, number, "unexpected end-group of field %u", number);
}

// Skips up to and including the end-group tag matching `number`.
bool Cursor::skip_group(const uint8_t*& p, uint32_t number, const uint8_t* tag) {
  for (;;) {
    if (p == end_)
      return fail(net::Err::proto, static_cast<size_t>(tag - st_.base), number, "unterminated group field %u",
                  number);
    const uint8_t* t = p;
    uint32_t n = 0;
    WireType w = WireType::varint;
    if (!read_tag(p, n, w)) return false;
    if (w == WireType::egroup) {
      if (n != number)
        return fail(net::Err::proto, static_cast<size_t>(t - st_.base), number,
                    "end-group of field %u closes group field %u", n, number);
      return true;
    }
    if (!skip_value(p, n, w, t)) return false;
  }
}

// ---- Cursor: values --------------------------------------------------------

static uint64_t load_le(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

bool Cursor::raw(Kind k, uint64_t& out) {
  WireType w = wire_type_of(k);
  if (wire_ != w) return wire_type_error(k);
  size_t left = static_cast<size_t>(end_ - p_);
  if (w == WireType::i32 || w == WireType::i64) {
    size_t n = w == WireType::i64 ? 8 : 4;
    if (left < n) return field_error("truncated", k);
    out = load_le(p_, n);
    p_ += n;
    return true;
  }
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p_, left}, &out, &n);
  if (s == net::VarintStatus::need_more) return field_error("truncated", k);
  if (s != net::VarintStatus::ok) return field_error("overlong varint in", k);
  p_ += n;
  return true;
}

bool Cursor::body_of(Kind k, net::BytesView& out) {
  if (wire_ != WireType::len) return wire_type_error(k);
  size_t left = static_cast<size_t>(end_ - p_);
  uint64_t len = 0;
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p_, left}, &len, &n);
  if (s == net::VarintStatus::need_more) return field_error("truncated", k);
  if (s != net::VarintStatus::ok) return field_error("overlong length of", k);
  if (len > left - n)
    return fail(net::Err::proto, tag_offset(), number_, "length %llu of field %u (%s) exceeds the %zu bytes left",
                static_cast<unsigned long long>(len), number_, kind_name(k), left - n);
  out = {p_ + n, static_cast<size_t>(len)};
  p_ += n + len;
  return true;
}

bool Cursor::packed_value(Kind k, const uint8_t*& p, const uint8_t* e, uint64_t& out) {
  size_t left = static_cast<size_t>(e - p);
  WireType w = wire_type_of(k);
  if (w == WireType::i32 || w == WireType::i64) {
    size_t n = w == WireType::i64 ? 8 : 4;
    if (left < n) return field_error("truncated packed", k);
    out = load_le(p, n);
    p += n;
    return true;
  }
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p, left}, &out, &n);
  if (s == net::VarintStatus::need_more) return field_error("truncated packed", k);
  if (s != net::VarintStatus::ok) return field_error("overlong varint in packed", k);
  p += n;
  return true;
}

void Cursor::str(std::string& out, bool utf8) {
  net::BytesView b;
  if (!body_of(Kind::string, b)) return;
  std::string_view s = net::as_chars(b);
  if (utf8 && !valid_utf8(s)) {
    field_error("invalid UTF-8 in", Kind::string);
    return;
  }
  out.assign(s);
}

void Cursor::bytes(net::Bytes& out) {
  net::BytesView b;
  if (body_of(Kind::bytes, b)) out.assign(b.begin(), b.end());
}

// ---- Cursor: limits --------------------------------------------------------

bool Cursor::enter() {
  const Limits& lim = *st_.lim;
  if (st_.depth >= lim.max_depth)
    return fail(net::Err::limit, tag_offset(), number_, "nesting deeper than %u", lim.max_depth);
  if (st_.elements >= lim.max_elements)
    return fail(net::Err::limit, tag_offset(), number_, "more than %u elements in total", lim.max_elements);
  ++st_.elements;
  ++st_.depth;
  return true;
}

bool Cursor::count(size_t current) {
  const Limits& lim = *st_.lim;
  if (current >= lim.max_repeated)
    return fail(net::Err::limit, tag_offset(), number_, "more than %u elements in repeated field %u",
                lim.max_repeated, number_);
  if (st_.elements >= lim.max_elements)
    return fail(net::Err::limit, tag_offset(), number_, "more than %u elements in total", lim.max_elements);
  ++st_.elements;
  return true;
}

// ---- UTF-8 -----------------------------------------------------------------

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* e = p + s.size();
  while (p < e) {
    uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 3;
      if (c == 0xe0) lo = 0xa0;       // overlong
      else if (c == 0xed) hi = 0x9f;  // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 4;
      if (c == 0xf0) lo = 0x90;       // overlong
      else if (c == 0xf4) hi = 0x8f;  // past U+10FFFF
    } else {
      return false;
    }
    if (static_cast<size_t>(e - p) < n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t i = 2; i < n; ++i)
      if ((p[i] & 0xc0) != 0x80) return false;
    p += n;
  }
  return true;
}

}  // namespace pb
