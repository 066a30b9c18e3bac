// test/unit/proto/pb_sample.hpp — test helpers built on the generated
// visit_fields(): fill any message with deterministic sample values, print
// any message as protoc text format, and run protoc.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "net/bytes.hpp"
#include "proto/runtime/pb.hpp"

namespace pbtest {

template <class T>
concept Message = requires { T::kFullName; T::kInfo; };

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_box : std::false_type {};
template <class T> struct is_box<pb::Box<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <> struct is_vector<net::Bytes> : std::false_type {};  // bytes, not repeated
template <class T> struct is_map : std::false_type {};
template <class K, class V> struct is_map<std::map<K, V>> : std::true_type {};

// ---- filling ---------------------------------------------------------------

// Counts the alternatives of each oneof of a message (keyed by the address of
// its case member).
struct OneofCounter {
  std::map<const void*, int> n;
  template <class T>
  void operator()(const pb::FieldMeta&, const T&) {}
  template <class T, class C>
  void oneof(const pb::FieldMeta&, const T&, const C& c, C) {
    ++n[&c];
  }
};

// Sets every field: scalars to varied non-default values (negative ints,
// large uint64s, multi-byte UTF-8, bytes with 00/ff/quotes, an unknown value
// of open enums), two elements per repeated field and map, the oneof
// alternative `variant` (shifted by depth), sub-messages down to max_depth.
struct Filler {
  int variant = 0;
  int max_depth = 3;
  int depth = 0;
  uint32_t seq = 0;

  template <Message M>
  void fill(M& m) {
    OneofCounter cnt;
    m.visit_fields(cnt);
    Visit v{*this, cnt.n, {}};
    m.visit_fields(v);
  }

  struct Visit {
    Filler& f;
    std::map<const void*, int> counts;
    std::map<const void*, int> seen;
    template <class T>
    void operator()(const pb::FieldMeta&, T& member) {
      f.value(member);
    }
    template <class T, class C>
    void oneof(const pb::FieldMeta&, T& member, C& c, C val) {
      int k = seen[&c]++;
      if (k == (f.variant + f.depth) % counts[&c]) {
        c = val;
        f.value(member);
      }
    }
  };

  template <class T>
  void value(T& v) {
    ++seq;
    if constexpr (std::is_same_v<T, bool>) {
      v = true;
    } else if constexpr (std::is_enum_v<T>) {
      using Tr = pb::EnumTraits<T>;
      constexpr size_t n = std::size(Tr::kValues);
      if (!Tr::kClosed && seq % 5 == 0) {
        v = static_cast<T>(77);  // open enum: unknown values are kept
      } else {
        v = Tr::kValues[seq % n];
        if (static_cast<int32_t>(v) == 0 && n > 1) v = Tr::kValues[(seq + 1) % n];
      }
    } else if constexpr (std::is_same_v<T, float>) {
      v = seq % 4 == 0 ? -0.0f : static_cast<float>(seq) * 1.25f + 0.1f;
    } else if constexpr (std::is_same_v<T, double>) {
      v = seq % 3 == 0 ? -1e-300 * seq : seq * 3.141592653589793;
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      v = seq % 2 ? -static_cast<T>(seq * 1000 + 1) : static_cast<T>(seq * 100000 + 7);
      if constexpr (sizeof(T) == 8) v *= 1000003;
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(uint64_t{seq} * 2654435761u);
      if constexpr (sizeof(T) == 8) v = (v << 28) | seq;
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = "s" + std::to_string(seq) + " \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \"q\\";
    } else if constexpr (std::is_same_v<T, net::Bytes>) {
      v = {0x00, 0xff, static_cast<uint8_t>(seq), 0x80, '"', '\\', '\n'};
    } else if constexpr (Message<T>) {
      if (depth >= max_depth) return;
      ++depth;
      fill(v);
      --depth;
    } else if constexpr (is_optional<T>::value) {
      value(v.emplace());
    } else if constexpr (is_box<T>::value) {
      if (depth < max_depth) value(v.emplace());
    } else if constexpr (is_vector<T>::value) {
      using E = typename T::value_type;
      if constexpr (Message<E>)
        if (depth >= max_depth) return;
      for (int i = 0; i < 2; ++i) {
        E x{};
        value(x);
        v.push_back(std::move(x));
      }
    } else if constexpr (is_map<T>::value) {
      for (int i = 0; i < 2; ++i) {
        typename T::key_type k{};
        typename T::mapped_type x{};
        value(k);
        value(x);
        v.insert_or_assign(std::move(k), std::move(x));
      }
    } else {
      static_assert(sizeof(T) == 0, "unhandled member type");
    }
  }
};

// Number of samples to cover every alternative of every oneof of M.
template <Message M>
int oneof_variants() {
  M m;
  OneofCounter c;
  m.visit_fields(c);
  int n = 1;
  for (const auto& [k, v] : c.n) n = std::max(n, v);
  return n;
}

// ---- protoc text format ----------------------------------------------------

struct Printer {
  std::string& out;

  static void quoted(std::string& o, const uint8_t* p, size_t n) {
    o += '"';
    for (size_t i = 0; i < n; ++i) {
      char b[8];
      std::snprintf(b, sizeof b, "\\%03o", p[i]);
      o += b;
    }
    o += '"';
  }

  template <class T>
  void scalar(const T& v) {
    char b[64];
    if constexpr (std::is_same_v<T, bool>) {
      out += v ? "true" : "false";
    } else if constexpr (std::is_enum_v<T>) {
      out += std::to_string(static_cast<int32_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) out += "nan";
      else if (std::isinf(v)) out += v < 0 ? "-inf" : "inf";
      else {
        std::snprintf(b, sizeof b, std::is_same_v<T, float> ? "%.9g" : "%.17g", double{v});
        out += b;
      }
    } else if constexpr (std::is_integral_v<T>) {
      out += std::to_string(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
      quoted(out, reinterpret_cast<const uint8_t*>(v.data()), v.size());
    } else {
      quoted(out, v.data(), v.size());
    }
  }

  template <class T>
  void item(std::string_view name, const T& v) {
    out += name;
    if constexpr (Message<T>) {
      out += " { ";
      v.visit_fields(*this);
      out += "} ";
    } else {
      out += ": ";
      scalar(v);
      out += ' ';
    }
  }

  template <class T>
  void operator()(const pb::FieldMeta& m, const T& v) {
    if constexpr (is_vector<T>::value) {
      for (const auto& x : v) {
        if constexpr (std::is_same_v<typename T::value_type, bool>) item(m.name, static_cast<bool>(x));
        else item(m.name, x);
      }
    } else if constexpr (is_map<T>::value) {
      for (const auto& [k, x] : v) {
        out += m.name;
        out += " { ";
        item("key", k);
        item("value", x);
        out += "} ";
      }
    } else if constexpr (is_optional<T>::value || is_box<T>::value) {
      if (v) item(m.name, *v);
    } else if constexpr (Message<T>) {
      item(m.name, v);
    } else {
      if ((m.flags & pb::kRequired) || pb::is_set(v)) item(m.name, v);
    }
  }

  template <class T, class C>
  void oneof(const pb::FieldMeta& m, const T& v, const C& c, C val) {
    if (c != val) return;
    if constexpr (is_box<T>::value) {
      if (v) item(m.name, *v);
      else {
        out += m.name;
        out += " { } ";
      }
    } else {
      item(m.name, v);
    }
  }
};

template <Message M>
std::string to_text(const M& m) {
  std::string s;
  Printer p{s};
  m.visit_fields(p);
  return s;
}

// ---- protoc ----------------------------------------------------------------

// Runs `protoc <args>` with stdin from `in`; returns false (and the message in
// *err) if protoc fails.
inline bool run_protoc(const std::string& args, const std::string& dir, const std::string& in,
                       std::string* out, std::string* err) {
  std::string fin = dir + "/in", fout = dir + "/out", ferr = dir + "/err";
  {
    std::ofstream f(fin, std::ios::binary);
    f << in;
  }
  std::string cmd = "protoc " + args + " <" + fin + " >" + fout + " 2>" + ferr;
  int rc = std::system(cmd.c_str());
  auto slurp = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  };
  *out = slurp(fout);
  *err = slurp(ferr);
  return rc == 0;
}

}  // namespace pbtest
