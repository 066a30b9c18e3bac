// a2a/api_status.hpp — how the engine API reports failure to its frontends
// (gRPC NodeService, HTTP bridge, MCP). The codes are gRPC's status codes
// (same numbers), so the gRPC layer casts; the messages are the original
// daemon's where it had one (upstream.md §1.4, §3.7), e.g.
//   invalid_argument    "task_id is required", "invalid peer_id: ..."
//   not_found           "task not found: <id>", "no card for peer <id>"
//   failed_precondition "invalid transition: SUBMITTED -> COMPLETED for task <id>",
//                       "task <id> is in terminal state COMPLETED"
//   resource_exhausted  "offline queue for peer <id> is full (10000 envelopes)",
//                       "subscriber too slow: 256 events queued"
//   unavailable         "peer <id> did not answer GET_TASK within 10 s"
//   internal            "store: disk I/O error"
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "net/result.hpp"

namespace a2a {

enum class ApiCode : int32_t {
  ok = 0,
  cancelled = 1,
  invalid_argument = 3,
  not_found = 5,
  resource_exhausted = 8,
  failed_precondition = 9,
  aborted = 10,
  internal = 13,
  unavailable = 14,
};

const char* api_code_name(ApiCode c);  // "INVALID_ARGUMENT", ...

struct ApiError {
  ApiCode code = ApiCode::ok;
  std::string message;
};

// A store (or other internal) failure as an API error: INTERNAL.
inline ApiError internal_error(const net::Error& e) { return {ApiCode::internal, e.what}; }

template <class T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T v) : v_(std::move(v)) {}              // NOLINT(google-explicit-constructor)
  ApiResult(ApiError e) : e_(std::move(e)) {}       // NOLINT
  ApiResult(ApiCode c, std::string m) : e_{c, std::move(m)} {}

  explicit operator bool() const { return e_.code == ApiCode::ok; }
  bool ok() const { return e_.code == ApiCode::ok; }
  ApiCode code() const { return e_.code; }
  const std::string& message() const { return e_.message; }
  const ApiError& error() const { return e_; }
  T& operator*() { return v_; }
  const T& operator*() const { return v_; }
  T* operator->() { return &v_; }
  const T* operator->() const { return &v_; }
  T take() { return std::move(v_); }

 private:
  T v_{};
  ApiError e_;
};

template <>
class [[nodiscard]] ApiResult<void> {
 public:
  ApiResult() = default;
  ApiResult(ApiError e) : e_(std::move(e)) {}  // NOLINT
  ApiResult(ApiCode c, std::string m) : e_{c, std::move(m)} {}
  explicit operator bool() const { return e_.code == ApiCode::ok; }
  bool ok() const { return e_.code == ApiCode::ok; }
  ApiCode code() const { return e_.code; }
  const std::string& message() const { return e_.message; }
  const ApiError& error() const { return e_; }

 private:
  ApiError e_;
};

using ApiStatus = ApiResult<void>;

}  // namespace a2a
