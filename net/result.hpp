// net/result.hpp — the one error type of the project (STYLE.md §3).
//
// No exceptions after loop.run(): every fallible call returns a Result<T>.
// An error carries a code (what the peer did, or what we lack) and a short
// human message that names the problem precisely ("varint: non-minimal
// encoding at offset 3"); tests assert on both.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace net {

enum class Err : int16_t {
  ok = 0,
  need_more,    // incomplete input: feed more bytes, nothing was consumed
  proto,        // the peer broke the protocol (malformed input)
  limit,        // a named limit was crossed (size, count, depth)
  crypto,       // a signature, MAC or key check failed
  closed,       // the stream / connection is closed
  timeout,      // a deadline passed
  io,           // a system call failed (errno in the message)
  invalid,      // a local caller passed a bad argument / config value
  not_found,    // a lookup found nothing
  unsupported,  // valid but not implemented by us (key type, protocol)
  nomem,        // allocation failed
  fatal_ = 100  // codes >= fatal_ mean: drop the whole connection
};

constexpr bool is_fatal(Err e) { return static_cast<int>(e) >= static_cast<int>(Err::fatal_); }

const char* err_name(Err e);

struct Error {
  Err code = Err::ok;
  std::string what;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}  // NOLINT(google-explicit-constructor)
  Result(Error e) : e_(std::move(e)) {}  // NOLINT
  Result(Err code, std::string what = {}) : e_{code, std::move(what)} {}  // NOLINT

  explicit operator bool() const { return e_.code == Err::ok; }
  bool ok() const { return e_.code == Err::ok; }
  Err err() const { return e_.code; }
  const std::string& what() const { return e_.what; }
  const Error& error() const { return e_; }
  Error take_error() { return std::move(e_); }

  T& operator*() { return v_; }
  const T& operator*() const { return v_; }
  T* operator->() { return &v_; }
  const T* operator->() const { return &v_; }
  T& value() { return v_; }
  const T& value() const { return v_; }
  T take() { return std::move(v_); }

 private:
  T v_{};
  Error e_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}  // NOLINT
  Result(Err code, std::string what = {}) : e_{code, std::move(what)} {}  // NOLINT

  explicit operator bool() const { return e_.code == Err::ok; }
  bool ok() const { return e_.code == Err::ok; }
  Err err() const { return e_.code; }
  const std::string& what() const { return e_.what; }
  const Error& error() const { return e_; }
  Error take_error() { return std::move(e_); }

 private:
  Error e_;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

}  // namespace net

// Propagate an error from an expression returning Result<...> / Status.
#define AAC_TRY(expr)                                   \
  do {                                                  \
    auto aac_try_r_ = (expr);                           \
    if (!aac_try_r_) return aac_try_r_.take_error();    \
  } while (0)
