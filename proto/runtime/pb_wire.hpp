// proto/runtime/pb_wire.hpp — the protobuf wire format (specs.md §18): the
// Encoder and the bounds-checked, limit-checked decoding Cursor that the
// generated codecs (build/gen/proto/**.pb.cpp, proto/README.md) are made of.
//
// Encoding writes fields in the order the generated code calls it (field
// number order), minimal varints, no defaults of implicit-presence fields:
// the deterministic encoding signed libp2p payloads need.
//
// Decoding accepts everything a conforming parser must: packed and unpacked
// repeated scalars, non-minimal varints, fields in any order, repeated
// occurrences of singular fields (last one wins; messages merge), unknown
// fields and groups (skipped, not kept). Errors name the field and the
// offset of its tag in the top-level input, e.g.
//   pb: truncated field 3 (bytes) at offset 17 (record.pb.Envelope.payload)
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "proto/runtime/pb_box.hpp"
#include "proto/runtime/pb_limits.hpp"

namespace pb {

enum class WireType : uint8_t { varint = 0, i64 = 1, len = 2, sgroup = 3, egroup = 4, i32 = 5 };

// Field types, numbered as FieldDescriptorProto.Type.
enum class Kind : uint8_t {
  double_ = 1, float_ = 2, int64 = 3, uint64 = 4, int32 = 5, fixed64 = 6, fixed32 = 7,
  bool_ = 8, string = 9, group = 10, message = 11, bytes = 12, uint32 = 13, enum_ = 14,
  sfixed32 = 15, sfixed64 = 16, sint32 = 17, sint64 = 18,
  map = 19,  // not a descriptor type: names map fields in errors
};

const char* kind_name(Kind k);

constexpr WireType wire_type_of(Kind k) {
  switch (k) {
    case Kind::double_: case Kind::fixed64: case Kind::sfixed64: return WireType::i64;
    case Kind::float_: case Kind::fixed32: case Kind::sfixed32: return WireType::i32;
    case Kind::string: case Kind::bytes: case Kind::message: case Kind::map: return WireType::len;
    case Kind::group: return WireType::sgroup;
    default: return WireType::varint;
  }
}

constexpr uint32_t zigzag32(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}
constexpr uint64_t zigzag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int32_t unzigzag32(uint32_t u) {
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}
constexpr int64_t unzigzag64(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

// The raw wire value (varint, or the bits of a fixed field) of a scalar.
template <Kind K, class T>
constexpr uint64_t to_raw(T v) {
  if constexpr (K == Kind::sint32) return zigzag32(static_cast<int32_t>(v));
  else if constexpr (K == Kind::sint64) return zigzag64(static_cast<int64_t>(v));
  else if constexpr (K == Kind::float_) return std::bit_cast<uint32_t>(static_cast<float>(v));
  else if constexpr (K == Kind::double_) return std::bit_cast<uint64_t>(static_cast<double>(v));
  else if constexpr (K == Kind::bool_) return v ? 1 : 0;
  // int32 and enums are sign-extended to 64 bits (10-byte varints).
  else if constexpr (K == Kind::int32 || K == Kind::enum_)
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
  else if constexpr (K == Kind::sfixed32 || K == Kind::fixed32)
    return static_cast<uint32_t>(v);
  else return static_cast<uint64_t>(v);
}

template <Kind K, class T>
constexpr T from_raw(uint64_t r) {
  if constexpr (K == Kind::sint32) return static_cast<T>(unzigzag32(static_cast<uint32_t>(r)));
  else if constexpr (K == Kind::sint64) return static_cast<T>(unzigzag64(r));
  else if constexpr (K == Kind::float_) return std::bit_cast<float>(static_cast<uint32_t>(r));
  else if constexpr (K == Kind::double_) return std::bit_cast<double>(r);
  else if constexpr (K == Kind::bool_) return r != 0;
  else if constexpr (K == Kind::int32 || K == Kind::enum_ || K == Kind::sfixed32)
    return static_cast<T>(static_cast<int32_t>(static_cast<uint32_t>(r)));
  else if constexpr (K == Kind::uint32 || K == Kind::fixed32)
    return static_cast<T>(static_cast<uint32_t>(r));
  else return static_cast<T>(r);
}

// proto3 implicit presence: is the value different from the default?
// Floats compare bits, so -0.0 is written (as protoc does).
template <class T>
constexpr bool is_set(const T& v) {
  if constexpr (std::is_same_v<T, float>) return std::bit_cast<uint32_t>(v) != 0;
  else if constexpr (std::is_same_v<T, double>) return std::bit_cast<uint64_t>(v) != 0;
  else if constexpr (std::is_enum_v<T>) return static_cast<int32_t>(v) != 0;
  else if constexpr (std::is_arithmetic_v<T>) return v != 0;
  else return !v.empty();
}

// Field equality for the generated operator==: floats compare bits (so NaN
// equals itself and -0.0 differs from 0.0, as their encodings do).
template <class T>
bool eq(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, float>) return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
  else if constexpr (std::is_same_v<T, double>) return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
  else return a == b;
}
template <class T>
bool eq(const std::optional<T>& a, const std::optional<T>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return eq(*a, *b);
}
template <class T>
bool eq(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!eq(a[i], b[i])) return false;
  return true;
}
template <class K, class V>
bool eq(const std::map<K, V>& a, const std::map<K, V>& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (!(i->first == j->first) || !eq(i->second, j->second)) return false;
  return true;
}

// A oneof member held in a Box: an active member that was never set (null)
// encodes as, and so equals, an empty message.
template <class T>
bool eq_boxed(const Box<T>& a, const Box<T>& b) {
  if (a && b) return *a == *b;
  if (!a && !b) return true;
  return (a ? *a : *b) == T{};
}

// Sizes (for encoded_size()).
constexpr size_t tag_len(uint32_t number) { return net::varint_len(uint64_t{number} << 3); }
template <Kind K, class T>
constexpr size_t scalar_len(uint32_t number, T v) {
  constexpr WireType w = wire_type_of(K);
  if constexpr (w == WireType::i32) return tag_len(number) + 4;
  else if constexpr (w == WireType::i64) return tag_len(number) + 8;
  else return tag_len(number) + net::varint_len(to_raw<K>(v));
}
constexpr size_t len_field_len(uint32_t number, size_t body) {
  return tag_len(number) + net::varint_len(body) + body;
}
template <Kind K, class T>
size_t packed_len(uint32_t number, const std::vector<T>& v) {
  if (v.empty()) return 0;
  size_t body = 0;
  constexpr WireType w = wire_type_of(K);
  if constexpr (w == WireType::i32) body = 4 * v.size();
  else if constexpr (w == WireType::i64) body = 8 * v.size();
  else
    for (const T& x : v) body += net::varint_len(to_raw<K>(x));
  return len_field_len(number, body);
}

template <Kind K, class T>
size_t value_len(uint32_t number, const T& v) {
  if constexpr (K == Kind::string || K == Kind::bytes) return len_field_len(number, v.size());
  else if constexpr (K == Kind::message) return len_field_len(number, v.encoded_size());
  else return scalar_len<K>(number, v);
}
template <Kind KK, Kind VK, class K, class V>
size_t map_len(uint32_t number, const std::map<K, V>& m) {
  size_t n = 0;
  for (const auto& [k, v] : m) n += len_field_len(number, value_len<KK>(1, k) + value_len<VK>(2, v));
  return n;
}

// ---- Encoder ---------------------------------------------------------------

class Encoder {
 public:
  explicit Encoder(net::Bytes& out) : out_(out) {}

  void tag(uint32_t number, WireType w) { varint((uint64_t{number} << 3) | uint64_t(w)); }
  void varint(uint64_t v);
  void field_varint(uint32_t number, uint64_t v);
  void field_fixed32(uint32_t number, uint32_t v);
  void field_fixed64(uint32_t number, uint64_t v);
  void field_len(uint32_t number, const void* p, size_t n);

  template <Kind K, class T>
  void scalar(uint32_t number, T v) {
    constexpr WireType w = wire_type_of(K);
    if constexpr (w == WireType::i32) field_fixed32(number, static_cast<uint32_t>(to_raw<K>(v)));
    else if constexpr (w == WireType::i64) field_fixed64(number, to_raw<K>(v));
    else field_varint(number, to_raw<K>(v));
  }
  void str(uint32_t number, std::string_view s) { field_len(number, s.data(), s.size()); }
  void bytes(uint32_t number, net::BytesView b) { field_len(number, b.data(), b.size()); }

  // A length-delimited field whose body is written between begin() and end().
  size_t begin(uint32_t number);
  void end(size_t body_start);
  // Rewrites the length varint at [len_at, body) to the body's real length.
  void fix_len(size_t len_at, size_t body);

  // The length goes in first, from encoded_size(): closing with end()
  // would move the whole body to make room for a length of two or more
  // bytes — once per nesting level, a full copy of a 1 MiB artifact chunk
  // each time (measured: 2.3 % of a daemon's CPU on the artifact path).
  // A size that disagrees with what encode() wrote is repaired (fix_len),
  // so a wrong encoded_size() costs speed, never a wrong encoding.
  template <class M>
  void msg(uint32_t number, const M& m) {
    tag(number, WireType::len);
    const size_t predicted = m.encoded_size();
    const size_t len_at = out_.size();
    varint(predicted);
    const size_t body = out_.size();
    m.encode(out_);
    if (out_.size() - body != predicted) fix_len(len_at, body);
  }
  template <Kind K, class T>
  void packed(uint32_t number, const std::vector<T>& v) {
    if (v.empty()) return;
    size_t at = begin(number);
    constexpr WireType w = wire_type_of(K);
    for (const T& x : v) {
      if constexpr (w == WireType::i32) raw_fixed32(static_cast<uint32_t>(to_raw<K>(x)));
      else if constexpr (w == WireType::i64) raw_fixed64(to_raw<K>(x));
      else varint(to_raw<K>(x));
    }
    end(at);
  }
  template <Kind K, class T>
  void value(uint32_t number, const T& v) {
    if constexpr (K == Kind::string) str(number, v);
    else if constexpr (K == Kind::bytes) bytes(number, v);
    else if constexpr (K == Kind::message) msg(number, v);
    else scalar<K>(number, v);
  }
  // Map entries in key order; key and value always written (as protoc does).
  template <Kind KK, Kind VK, class K, class V>
  [[gnu::noinline]] void map(uint32_t number, const std::map<K, V>& m) {
    for (const auto& [k, v] : m) {
      size_t at = begin(number);
      value<KK>(1, k);
      value<VK>(2, v);
      end(at);
    }
  }
  net::Bytes& out() { return out_; }

 private:
  void raw_fixed32(uint32_t v);
  void raw_fixed64(uint64_t v);
  net::Bytes& out_;
};

// ---- Decoding --------------------------------------------------------------

// Static description of a message for error messages (generated).
struct FieldInfo {
  uint32_t number;
  const char* name;
};
struct MsgInfo {
  const char* full_name;  // "record.pb.Envelope"
  const FieldInfo* fields;
  uint32_t field_count;
};

// Shared by every Cursor of one decode call.
struct DecodeState {
  const uint8_t* base = nullptr;  // start of the top-level input: offsets count from here
  const Limits* lim = nullptr;
  uint32_t depth = 0;
  uint32_t elements = 0;
  net::Error err;  // the first error; once set, every Cursor stops
};

// Walks the fields of one message. Errors are sticky: the first one is kept
// in the DecodeState and makes next() return false in every Cursor of the
// decode, so generated code needs no error branch per field:
//   while (c.next()) switch (c.number()) { case 1: c.get<Kind::int32>(x); break; ... }
// (A reader that fails leaves its destination unspecified; the decode as a
// whole then fails.)
class Cursor {
 public:
  Cursor(DecodeState& st, net::BytesView in, const MsgInfo& info)
      : st_(st), p_(in.data()), end_(in.data() + in.size()), info_(info) {}

  // Reads the next tag; false at the end of the message or after an error.
  bool next();
  bool failed() const { return st_.err.code != net::Err::ok; }
  net::Status status() const;
  uint32_t number() const { return number_; }
  WireType wire() const { return wire_; }

  // Skips the current field (unknown fields, groups).
  void skip();

  // Singular scalar of kind K.
  template <Kind K, class T>
  void get(T& out) {
    uint64_t r = 0;
    if (raw(K, r)) out = from_raw<K, T>(r);
  }
  bool raw(Kind k, uint64_t& out);
  void str(std::string& out, bool utf8);
  void bytes(net::Bytes& out);

  // Nested message: merges into m (repeated occurrences of a singular
  // message field merge, as protobuf requires).
  // One out-of-line copy per message type in the program.
  template <class M>
  [[gnu::noinline]] void msg(M& m) {
    net::BytesView body;
    if (!body_of(Kind::message, body) || !enter()) return;
    Cursor sub(st_, body, M::kInfo);
    m.merge_from(sub);
    --st_.depth;
  }
  // An optional / Box message field: created if absent, then merged.
  template <class M>
  [[gnu::noinline]] void opt_msg(std::optional<M>& m) {
    msg(m ? *m : m.emplace());
  }
  template <class M>
  [[gnu::noinline]] void opt_msg(Box<M>& m) {
    msg(m ? *m : m.emplace());
  }

  // Any single value of kind K (map keys and values).
  template <Kind K, class T>
  void read(T& out, bool utf8) {
    if constexpr (K == Kind::string) str(out, utf8);
    else if constexpr (K == Kind::bytes) bytes(out);
    else if constexpr (K == Kind::message) msg(out);
    else get<K>(out);
  }

  // Repeated fields. `keep` filters values of closed (proto2) enums: an
  // unknown value is dropped as protobuf drops it into the unknown fields.
  template <Kind K, class T>
  [[gnu::noinline]] void rep(std::vector<T>& v, bool (*keep)(T) = nullptr) {
    if (wire_ == WireType::len) {
      net::BytesView body;
      if (!body_of(K, body)) return;
      const uint8_t* p = body.data();
      const uint8_t* e = p + body.size();
      while (p < e) {
        uint64_t r = 0;
        if (!count(v.size()) || !packed_value(K, p, e, r)) return;
        T x = from_raw<K, T>(r);
        if (!keep || keep(x)) v.push_back(x);
      }
      return;
    }
    uint64_t r = 0;
    if (!count(v.size()) || !raw(K, r)) return;
    T x = from_raw<K, T>(r);
    if (!keep || keep(x)) v.push_back(x);
  }
  void rep_str(std::vector<std::string>& v, bool utf8) {
    if (count(v.size())) str(v.emplace_back(), utf8);
  }
  void rep_bytes(std::vector<net::Bytes>& v) {
    if (count(v.size())) bytes(v.emplace_back());
  }
  template <class M>
  [[gnu::noinline]] void rep_msg(std::vector<M>& v) {
    if (count(v.size())) msg(v.emplace_back());
  }

  // One map entry (key = 1, value = 2; a missing one is the default). One
  // out-of-line copy per map type in the program.
  template <Kind KK, Kind VK, class K, class V>
  [[gnu::noinline]] void map(std::map<K, V>& m, const MsgInfo& entry, bool utf8) {
    net::BytesView body;
    if (!count(m.size()) || !body_of(Kind::map, body) || !enter()) return;
    K k{};
    V v{};
    Cursor e(st_, body, entry);
    while (e.next()) {
      if (e.number() == 1) e.read<KK>(k, utf8);
      else if (e.number() == 2) e.read<VK>(v, utf8);
      else e.skip();
    }
    --st_.depth;
    if (!failed()) m.insert_or_assign(std::move(k), std::move(v));
  }

  // A required field (proto2) was not in the message.
  void missing_required(uint32_t number);

  // Current field as "Msg.name" (for errors).
  std::string field_path() const;
  size_t tag_offset() const { return static_cast<size_t>(tag_ - st_.base); }

 private:
  bool body_of(Kind k, net::BytesView& out);
  bool packed_value(Kind k, const uint8_t*& p, const uint8_t* e, uint64_t& out);
  bool enter();
  bool count(size_t current);
  bool read_tag(const uint8_t*& p, uint32_t& number, WireType& w);
  bool skip_value(const uint8_t*& p, uint32_t number, WireType w, const uint8_t* tag);
  bool skip_group(const uint8_t*& p, uint32_t number, const uint8_t* tag);
  // Records "pb: <what> at offset <offset> (<Msg>[.<field named by number>])".
  [[gnu::format(printf, 5, 6)]] bool fail(net::Err code, size_t offset, uint32_t number, const char* fmt, ...);
  bool field_error(const char* what, Kind k);
  bool wire_type_error(Kind k);

  DecodeState& st_;
  const uint8_t* p_;
  const uint8_t* end_;
  const MsgInfo& info_;
  const uint8_t* tag_ = nullptr;
  uint32_t number_ = 0;
  WireType wire_ = WireType::varint;
};

// Top-level decode: checks the size limit, then merges into m (which the
// generated decode() has reset).
net::Status decode_erased(net::BytesView in, const Limits& lim, const MsgInfo& info, void* m,
                          void (*merge)(void* m, Cursor& c));

template <class M>
net::Status decode_message(M& m, net::BytesView in, const Limits& lim) {
  return decode_erased(in, lim, M::kInfo, &m, [](void* p, Cursor& c) { static_cast<M*>(p)->merge_from(c); });
}

// Sets v to its default value (one out-of-line copy per type). Destroying and
// re-constructing in place is much smaller code than `v = T{}` (no member-wise
// move-assignment); default construction of generated types cannot throw.
template <class T>
[[gnu::noinline]] void reset(T& v) {
  v.~T();
  ::new (static_cast<void*>(&v)) T();
}

// Value of an optional/Box field, created empty if absent (used when a
// message field is decoded or set).
template <class T>
T& ensure(std::optional<T>& o) {
  if (!o) o.emplace();
  return *o;
}
template <class T>
T& ensure(Box<T>& b) {
  if (!b) b.emplace();
  return *b;
}

// Strict UTF-8 (RFC 3629: no overlongs, surrogates or values past U+10FFFF),
// as protobuf checks proto3 string fields.
bool valid_utf8(std::string_view s);

// ---- Reflection-lite for tests, fuzzers and tools --------------------------

// What visit_fields() passes with each member.
struct FieldMeta {
  uint32_t number;
  std::string_view name;
  Kind kind;     // for maps: Kind::map
  uint8_t flags;
};
inline constexpr uint8_t kRepeated = 1;   // std::vector (or std::map for maps)
inline constexpr uint8_t kPresence = 2;   // std::optional / Box: explicit presence
inline constexpr uint8_t kRequired = 4;   // proto2 required
inline constexpr uint8_t kPacked = 8;     // repeated scalar written packed
inline constexpr uint8_t kUtf8 = 16;      // proto3 string: UTF-8 checked on decode
inline constexpr uint8_t kOneof = 32;     // member of a oneof

// Specialized by the generated code for every enum.
template <class E>
struct EnumTraits;

template <class... T>
struct TypeList {};

}  // namespace pb
