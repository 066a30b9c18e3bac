// fuzz/sse_writer.cpp — the Server-Sent Events writer
// (frontends/http/http_sse) on arbitrary event names, ids, data and
// comments, read back by an event-stream parser written here from the
// WHATWG HTML spec (§9.2.6: lines end at CRLF, LF or CR; "field: value"
// with one leading space stripped; data lines joined with LF; a blank line
// dispatches; ":" starts a comment; an id holding NUL is ignored).
//
// Input: byte 0 = flags (bits 0-1: 1..4 events, bit 2: a comment holding
// the event's data before each event, bit 3: a retry field); the rest is
// split at 0xFF into event name, id, data, event name, id, data, ...
//
// Invariants: the output holds no CR; each event ends in a blank line; an event
// whose name or id has a line break (or whose id has NUL) is refused with
// the output unchanged, every other event is read back exactly once, in
// order, with its type (or "message"), data (line breaks become LF), last
// event id and retry; comments produce no event; nothing else appears.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/http/http_sse.hpp"

namespace sse = frontends::http::sse;

namespace {

struct Parsed {
  std::string type, data, last_id;
  std::optional<uint64_t> retry;
};

// WHATWG event-stream interpretation of a complete stream.
std::vector<Parsed> parse(std::string_view s) {
  std::vector<Parsed> events;
  std::string type, data, last_id;
  std::optional<uint64_t> retry;
  size_t i = 0;
  while (i < s.size()) {
    size_t br = s.find_first_of("\r\n", i);
    if (br == std::string_view::npos) break;  // an unfinished line is never processed
    std::string_view line = s.substr(i, br - i);
    i = br + 1;
    if (s[br] == '\r' && i < s.size() && s[i] == '\n') ++i;
    if (line.empty()) {  // dispatch
      if (data.empty()) {
        type.clear();
        continue;
      }
      if (data.back() == '\n') data.pop_back();
      events.push_back({type.empty() ? "message" : type, data, last_id, retry});
      type.clear();
      data.clear();
      continue;
    }
    if (line[0] == ':') continue;  // comment
    size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon), value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "event") {
      type = value;
    } else if (field == "data") {
      data.append(value).push_back('\n');
    } else if (field == "id") {
      if (value.find('\0') == std::string_view::npos) last_id = value;
    } else if (field == "retry") {
      if (!value.empty() && value.size() < 20 && value.find_first_not_of("0123456789") == std::string_view::npos)
        retry = std::stoull(std::string(value));
    }
  }
  return events;
}

std::string lf_only(std::string_view d) {
  std::string r;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] == '\r') {
      r.push_back('\n');
      if (i + 1 < d.size() && d[i + 1] == '\n') ++i;
    } else {
      r.push_back(d[i]);
    }
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = in[0];
  const size_t n_events = 1 + (flags & 3);
  const bool comments = flags & 4, with_retry = flags & 8;
  std::vector<std::string_view> fields;
  std::string_view rest(reinterpret_cast<const char*>(in + 1), size - 1);
  for (;;) {
    size_t sep = rest.find('\xff');
    fields.push_back(rest.substr(0, sep));
    if (sep == std::string_view::npos) break;
    rest.remove_prefix(sep + 1);
  }
  auto field = [&](size_t k) { return k < fields.size() ? fields[k] : std::string_view(); };

  std::string out;
  std::vector<Parsed> want;
  std::string last_id;
  std::optional<uint64_t> retry;
  for (size_t e = 0; e < n_events; ++e) {
    sse::Event ev{.event = field(3 * e), .id = field(3 * e + 1), .data = field(3 * e + 2)};
    if (with_retry) ev.retry_ms = 1000 + e;
    if (comments) sse::append_comment(out, ev.data);
    const std::string before = out;
    net::Status st = sse::append_event(out, ev);
    const bool bad = ev.event.find_first_of("\r\n") != std::string_view::npos ||
                     ev.id.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
    if (bad != !st) abort();
    if (!st) {
      if (out != before) abort();
      continue;
    }
    if (out.size() < before.size() + 2 || out.compare(out.size() - 2, 2, "\n\n") != 0) abort();
    if (!ev.id.empty()) last_id = ev.id;
    if (ev.retry_ms) retry = ev.retry_ms;
    want.push_back({ev.event.empty() ? "message" : std::string(ev.event), lf_only(ev.data), last_id, retry});
  }
  if (out.find('\r') != std::string::npos) abort();
  std::vector<Parsed> got = parse(out);
  if (got.size() != want.size()) abort();
  for (size_t k = 0; k < got.size(); ++k) {
    if (got[k].type != want[k].type || got[k].data != want[k].data || got[k].last_id != want[k].last_id ||
        got[k].retry != want[k].retry)
      abort();
  }
  // data_event is append_event with data only.
  std::string d = sse::data_event(field(2));
  if (parse(d).size() != 1 || parse(d)[0].data != lf_only(field(2))) abort();
  return 0;
}
