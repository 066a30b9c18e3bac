// frontends/http/http_sse.cpp — see http_sse.hpp.
#include "frontends/http/http_sse.hpp"

namespace frontends::http::sse {

namespace {

// "name: " + each line of `value` (split at CRLF, CR, LF) + "\n".
void append_lines(std::string& out, std::string_view name, std::string_view value) {
  size_t start = 0;
  for (;;) {
    size_t br = value.find_first_of("\r\n", start);
    out.append(name).append(": ").append(value.substr(start, br == std::string_view::npos ? br : br - start));
    out.push_back('\n');
    if (br == std::string_view::npos) return;
    start = br + 1;
    if (value[br] == '\r' && start < value.size() && value[start] == '\n') ++start;  // CRLF is one break
  }
}

bool has_line_break(std::string_view v) { return v.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

net::Status append_event(std::string& out, const Event& e) {
  if (has_line_break(e.event)) return {net::Err::invalid, "sse: event name holds a line break"};
  if (has_line_break(e.id)) return {net::Err::invalid, "sse: id holds a line break"};
  if (e.id.find('\0') != std::string_view::npos) return {net::Err::invalid, "sse: id holds NUL"};
  out.reserve(out.size() + e.data.size() + e.event.size() + e.id.size() + 32);
  if (!e.event.empty()) out.append("event: ").append(e.event).push_back('\n');
  if (!e.id.empty()) out.append("id: ").append(e.id).push_back('\n');
  if (e.retry_ms) out.append("retry: ").append(std::to_string(*e.retry_ms)).push_back('\n');
  append_lines(out, "data", e.data);
  out.push_back('\n');
  return net::ok_status();
}

std::string data_event(std::string_view data) {
  std::string out;
  (void)append_event(out, Event{.data = data});  // no event, no id: cannot fail
  return out;
}

void append_comment(std::string& out, std::string_view text) { append_lines(out, "", text); }

}  // namespace frontends::http::sse
