// frontends/http/http_sse.hpp — the Server-Sent Events writer (WHATWG HTML
// §9.2 "event stream" format) used by the HTTP listeners' streams (the A2A
// bridge's message/stream and resubscribe answers).
//
// Whatever the field values, one call writes exactly one event and nothing
// a client could read as another field or another event:
//   - data is split at every line break a client recognises (CRLF, CR, LF)
//     into one "data:" line each; the client joins them back with LF, so a
//     data value with CRLF or CR comes back with LF (the format cannot carry
//     CR; JSON, our only payload, never holds a raw one);
//   - event and id are single-line fields: a CR or LF in them is refused
//     (Err::invalid, nothing written) rather than cut, so a caller never
//     sends a different name than it meant; an id holding NUL is refused
//     too (clients ignore such an id);
//   - every field is written "name: value": the space makes a value that
//     starts with a space survive (clients strip exactly one).
// An empty event name is left out (the client's default type "message").
// Comments (keep-alives) are split at line breaks the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace frontends::http::sse {

struct Event {
  std::string_view event;  // "" = no event line (type "message")
  std::string_view id;     // "" = no id line
  std::string_view data;   // any bytes; "" = one empty data line
  std::optional<uint64_t> retry_ms;
};

// Appends one event, ending in the blank line that dispatches it. On error
// `out` is unchanged.
net::Status append_event(std::string& out, const Event& e);
// One data-only event (the bridge's JSON-RPC answers).
std::string data_event(std::string_view data);
// ": text" line(s) and no blank line: clients ignore them (keep-alive).
void append_comment(std::string& out, std::string_view text);

}  // namespace frontends::http::sse
