// proto/runtime/pb_wire.cpp — out-of-line parts of the Encoder and Cursor.
#include "proto/runtime/pb_wire.hpp"

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

// ---- Cursor: errors --------------------------------------------------------

static const char* field_name(const MsgInfo& info, uint32_t number) {
  for (uint32_t i = 0; i < info.field_count; ++i)
    if (info.fields[i].number == number) return info.fields[i].name;
  return nullptr;
}

static std::string path_of(const MsgInfo& info, uint32_t number) {
  std::string s = info.full_name;
  if (const char* n = field_name(info, number)) {
    s += '.';
    s += n;
  }
  return s;
}

std::string Cursor::field_path() const { return path_of(info_, number_); }

static net::Error make_error(net::Err code, const std::string& what, size_t offset,
                             const std::string& path) {
  return {code, "pb: " + what + " at offset " + std::to_string(offset) + " (" + path + ")"};
}

static std::string field_str(uint32_t number, const char* kind) {
  return "field " + std::to_string(number) + " (" + kind + ")";
}

net::Error Cursor::field_error(net::Err code, const std::string& what, Kind k) const {
  return make_error(code, what + " " + field_str(number_, kind_name(k)), tag_offset(), field_path());
}

net::Error Cursor::wire_type_error(Kind k) const {
  return make_error(net::Err::proto,
                    "wire type " + std::to_string(static_cast<int>(wire_)) +
                        " not allowed for " + field_str(number_, kind_name(k)),
                    tag_offset(), field_path());
}

net::Status Cursor::status() const {
  if (err_.code != net::Err::ok) return err_;
  return {};
}

net::Status Cursor::missing_required(uint32_t number) const {
  return net::Error{net::Err::proto, "pb: missing required field " + std::to_string(number) +
                                         " (" + path_of(info_, number) + ")"};
}

// ---- Cursor: tags and skipping ---------------------------------------------

bool Cursor::read_tag(const uint8_t*& p, uint32_t& number, WireType& w, net::Error& err) const {
  size_t off = static_cast<size_t>(p - st_.base);
  uint64_t t = 0;
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p, static_cast<size_t>(end_ - p)}, &t, &n);
  if (s == net::VarintStatus::need_more) {
    err = make_error(net::Err::proto, "truncated tag", off, info_.full_name);
    return false;
  }
  if (s != net::VarintStatus::ok || t > 0xffffffffu) {
    err = make_error(net::Err::proto, "overlong tag", off, info_.full_name);
    return false;
  }
  number = static_cast<uint32_t>(t >> 3);
  uint32_t wt = static_cast<uint32_t>(t & 7);
  if (number == 0) {
    err = make_error(net::Err::proto, "invalid field number 0", off, info_.full_name);
    return false;
  }
  if (wt > 5) {
    err = make_error(net::Err::proto,
                     "invalid wire type " + std::to_string(wt) + " in field " + std::to_string(number),
                     off, path_of(info_, number));
    return false;
  }
  w = static_cast<WireType>(wt);
  p += n;
  return true;
}

bool Cursor::next() {
  if (err_.code != net::Err::ok || p_ == end_) return false;
  tag_ = p_;
  if (!read_tag(p_, number_, wire_, err_)) return false;
  if (wire_ == WireType::egroup) {
    err_ = make_error(net::Err::proto, "unexpected end-group of field " + std::to_string(number_),
                      tag_offset(), field_path());
    return false;
  }
  return true;
}

net::Status Cursor::skip() { return skip_value(p_, number_, wire_, tag_); }

net::Status Cursor::skip_value(const uint8_t*& p, uint32_t number, WireType w, const uint8_t* tag) {
  size_t off = static_cast<size_t>(tag - st_.base);
  auto truncated = [&] {
    return make_error(net::Err::proto, "truncated " + field_str(number, "unknown"), off,
                      path_of(info_, number));
  };
  size_t left = static_cast<size_t>(end_ - p);
  switch (w) {
    case WireType::varint: {
      uint64_t v = 0;
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p, left}, &v, &n);
      if (s == net::VarintStatus::need_more) return truncated();
      if (s != net::VarintStatus::ok)
        return make_error(net::Err::proto, "overlong varint in " + field_str(number, "unknown"), off,
                          path_of(info_, number));
      p += n;
      return {};
    }
    case WireType::i64:
      if (left < 8) return truncated();
      p += 8;
      return {};
    case WireType::i32:
      if (left < 4) return truncated();
      p += 4;
      return {};
    case WireType::len: {
      uint64_t len = 0;
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p, left}, &len, &n);
      if (s == net::VarintStatus::need_more) return truncated();
      if (s != net::VarintStatus::ok)
        return make_error(net::Err::proto, "overlong length of " + field_str(number, "unknown"), off,
                          path_of(info_, number));
      if (len > left - n)
        return make_error(net::Err::proto,
                          "length " + std::to_string(len) + " of " + field_str(number, "unknown") +
                              " exceeds the " + std::to_string(left - n) + " bytes left",
                          off, path_of(info_, number));
      p += n + len;
      return {};
    }
    case WireType::sgroup: {
      if (st_.depth >= st_.lim->max_depth)
        return make_error(net::Err::limit,
                          "nesting deeper than " + std::to_string(st_.lim->max_depth), off,
                          path_of(info_, number));
      ++st_.depth;
      net::Status s = skip_group(p, number, tag);
      --st_.depth;
      return s;
    }
    case WireType::egroup:
      break;
  }
  return make_error(net::Err::proto, "unexpected end-group of field " + std::to_string(number), off,
                    path_of(info_, number));
}

// Skips up to and including the end-group tag matching `number`.
net::Status Cursor::skip_group(const uint8_t*& p, uint32_t number, const uint8_t* tag) {
  for (;;) {
    if (p == end_)
      return make_error(net::Err::proto, "unterminated group field " + std::to_string(number),
                        static_cast<size_t>(tag - st_.base), path_of(info_, number));
    const uint8_t* t = p;
    uint32_t n = 0;
    WireType w = WireType::varint;
    net::Error e;
    if (!read_tag(p, n, w, e)) return e;
    if (w == WireType::egroup) {
      if (n != number)
        return make_error(net::Err::proto,
                          "end-group of field " + std::to_string(n) + " closes group field " +
                              std::to_string(number),
                          static_cast<size_t>(t - st_.base), path_of(info_, number));
      return {};
    }
    AAC_TRY(skip_value(p, n, w, t));
  }
}

// ---- Cursor: values --------------------------------------------------------

net::Status Cursor::raw(Kind k, uint64_t& out) {
  WireType w = wire_type_of(k);
  if (wire_ != w) return wire_type_error(k);
  size_t left = static_cast<size_t>(end_ - p_);
  switch (w) {
    case WireType::i32: {
      if (left < 4) return field_error(net::Err::proto, "truncated", k);
      uint32_t v = uint32_t{p_[0]} | (uint32_t{p_[1]} << 8) | (uint32_t{p_[2]} << 16) |
                   (uint32_t{p_[3]} << 24);
      out = v;
      p_ += 4;
      return {};
    }
    case WireType::i64: {
      if (left < 8) return field_error(net::Err::proto, "truncated", k);
      uint64_t v = 0;
      for (int i = 7; i >= 0; --i) v = (v << 8) | p_[i];
      out = v;
      p_ += 8;
      return {};
    }
    default: {
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p_, left}, &out, &n);
      if (s == net::VarintStatus::need_more) return field_error(net::Err::proto, "truncated", k);
      if (s != net::VarintStatus::ok) return field_error(net::Err::proto, "overlong varint in", k);
      p_ += n;
      return {};
    }
  }
}

net::Status Cursor::body_of(Kind k, net::BytesView& out) {
  if (wire_ != WireType::len) return wire_type_error(k);
  size_t left = static_cast<size_t>(end_ - p_);
  uint64_t len = 0;
  size_t n = 0;
  net::VarintStatus s = net::pb_varint_decode({p_, left}, &len, &n);
  if (s == net::VarintStatus::need_more) return field_error(net::Err::proto, "truncated", k);
  if (s != net::VarintStatus::ok) return field_error(net::Err::proto, "overlong length of", k);
  if (len > left - n)
    return make_error(net::Err::proto,
                      "length " + std::to_string(len) + " of " + field_str(number_, kind_name(k)) +
                          " exceeds the " + std::to_string(left - n) + " bytes left",
                      tag_offset(), field_path());
  out = {p_ + n, static_cast<size_t>(len)};
  p_ += n + len;
  return {};
}

net::Status Cursor::packed_value(Kind k, const uint8_t*& p, const uint8_t* e, uint64_t& out) {
  size_t left = static_cast<size_t>(e - p);
  switch (wire_type_of(k)) {
    case WireType::i32:
      if (left < 4) return field_error(net::Err::proto, "truncated packed", k);
      out = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
      p += 4;
      return {};
    case WireType::i64:
      if (left < 8) return field_error(net::Err::proto, "truncated packed", k);
      out = 0;
      for (int i = 7; i >= 0; --i) out = (out << 8) | p[i];
      p += 8;
      return {};
    default: {
      size_t n = 0;
      net::VarintStatus s = net::pb_varint_decode({p, left}, &out, &n);
      if (s == net::VarintStatus::need_more) return field_error(net::Err::proto, "truncated packed", k);
      if (s != net::VarintStatus::ok) return field_error(net::Err::proto, "overlong varint in packed", k);
      p += n;
      return {};
    }
  }
}

net::Status Cursor::str(std::string& out, bool utf8) {
  net::BytesView b;
  AAC_TRY(body_of(Kind::string, b));
  std::string_view s = net::as_chars(b);
  if (utf8 && !valid_utf8(s)) return field_error(net::Err::proto, "invalid UTF-8 in", Kind::string);
  out.assign(s);
  return {};
}

net::Status Cursor::bytes(net::Bytes& out) {
  net::BytesView b;
  AAC_TRY(body_of(Kind::bytes, b));
  out.assign(b.begin(), b.end());
  return {};
}

// ---- Cursor: limits --------------------------------------------------------

net::Status Cursor::enter() {
  const Limits& lim = *st_.lim;
  if (st_.depth >= lim.max_depth)
    return make_error(net::Err::limit, "nesting deeper than " + std::to_string(lim.max_depth),
                      tag_offset(), field_path());
  if (st_.elements >= lim.max_elements)
    return make_error(net::Err::limit,
                      "more than " + std::to_string(lim.max_elements) + " elements in total",
                      tag_offset(), field_path());
  ++st_.elements;
  ++st_.depth;
  return {};
}

net::Status Cursor::count(size_t current) {
  const Limits& lim = *st_.lim;
  if (current >= lim.max_repeated)
    return make_error(net::Err::limit,
                      "more than " + std::to_string(lim.max_repeated) +
                          " elements in repeated field " + std::to_string(number_),
                      tag_offset(), field_path());
  if (st_.elements >= lim.max_elements)
    return make_error(net::Err::limit,
                      "more than " + std::to_string(lim.max_elements) + " elements in total",
                      tag_offset(), field_path());
  ++st_.elements;
  return {};
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
