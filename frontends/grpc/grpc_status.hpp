// frontends/grpc/grpc_status.hpp — gRPC status codes (doc/statuscodes.md,
// specs.md §18) and the grpc-message percent-encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace frontends::grpc {

// All 17 codes, with their wire numbers.
enum class Code : uint8_t {
  ok = 0,
  cancelled = 1,
  unknown = 2,
  invalid_argument = 3,
  deadline_exceeded = 4,
  not_found = 5,
  already_exists = 6,
  permission_denied = 7,
  resource_exhausted = 8,
  failed_precondition = 9,
  aborted = 10,
  out_of_range = 11,
  unimplemented = 12,
  internal = 13,
  unavailable = 14,
  data_loss = 15,
  unauthenticated = 16,
};
inline constexpr int kCodeCount = 17;

// "OK", "CANCELLED", ..., "UNAUTHENTICATED"; "UNKNOWN_CODE" out of range.
const char* code_name(Code c);

// The outcome of a call: what the trailers carry.
struct Status {
  Code code = Code::ok;
  std::string message;  // UTF-8; percent-encoded on the wire

  bool ok() const { return code == Code::ok; }
  bool operator==(const Status&) const = default;
};

// grpc-message encoding (doc/PROTOCOL-HTTP2.md): bytes outside 0x20..0x7E
// and '%' become "%XX" (upper-case hex); an invalid UTF-8 sequence is first
// replaced by U+FFFD, as grpc-go does. The result is cut to max_len bytes
// (never inside a %XX triple).
std::string percent_encode(std::string_view msg, size_t max_len = SIZE_MAX);
// Tolerant decoding: "%XX" with two hex digits becomes the byte; anything
// else (a lone '%', "%G1", a truncated "%4") is kept as it is.
std::string percent_decode(std::string_view wire);

}  // namespace frontends::grpc
