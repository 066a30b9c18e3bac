// frontends/json/json_parse.hpp — JSON parsing for the frontends: simdjson's
// DOM behind a size limit and a depth limit, with errors that say what is
// wrong and where.
//
//   json::Parser parser({.max_len = 16 << 20});        // one per frontend
//   auto doc = parser.parse(body);
//   if (!doc) return rpc_error(-32700, doc.what());    // "json: expected ':' after object key at offset 17"
//   simdjson::dom::object req;
//   if (doc->get_object().get(req)) ...                // error-code API only
//
// The element is valid until the next parse() on the same Parser (it points
// into the parser's buffers). No exceptions: only simdjson's error-code API
// is used, and callers must do the same after startup (STYLE.md §3).
//
// Limits (json_limits.hpp): a document longer than max_len is refused before
// any parsing (Err::limit); nesting deeper than max_depth (containers, the
// outermost is level 1) is refused by a linear pre-scan before simdjson
// runs (Err::limit), so "[[[[…" 10 000 deep costs one pass and no stack.
// Everything else simdjson refuses is Err::proto. When simdjson fails, a
// small validator (json_parse.cpp) re-reads the text to name the first
// error and its byte offset; if it finds none (a disagreement), the message
// is simdjson's own, without offset.
//
// Accepted: RFC 8259 with duplicate keys kept (simdjson's behaviour), any
// integer in int64 or uint64 range, doubles that are finite (1e400 is
// refused, 1e-400 reads as 0), "\u0000" in strings. Refused: lone UTF-16
// surrogates in \u escapes, invalid UTF-8, control characters in strings.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "frontends/json/json_limits.hpp"
#include "frontends/json/json_writer.hpp"
#include "net/result.hpp"

namespace frontends::json {

struct ParseLimits {
  size_t max_len = kMaxDocumentLen;  // clamped to kMaxDocumentLenCeiling
  size_t max_depth = kMaxDepth;      // >= 1
};

class Parser {
 public:
  explicit Parser(ParseLimits lim = {});
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Errors:
  //   Err::limit "json: document of N bytes exceeds the limit of M bytes"
  //   Err::limit "json: nesting deeper than D levels at offset N"
  //   Err::proto "json: <problem> at offset N", e.g. "expected ',' or '}'",
  //              "invalid UTF-8", "control character in string",
  //              "unterminated string", "invalid number",
  //              "integer out of range", "number out of range",
  //              "invalid escape", "lone surrogate in \\u escape",
  //              "unexpected end of input", "unexpected content after the value";
  //              "json: empty document"
  //   Err::nomem "json: out of memory"
  net::Result<simdjson::dom::element> parse(std::string_view text);

  const ParseLimits& limits() const { return lim_; }
  // Bytes of simdjson buffers held between parses (shrunk back to
  // kParserKeepCapacity after a large document).
  size_t capacity() const { return p_.capacity(); }

 private:
  ParseLimits lim_;
  simdjson::dom::parser p_;
};

// The first error in `text` by the rules above (nullopt if none), with
// its offset. Exposed for tests and for callers that validate without a DOM.
struct ParseError {
  net::Err code = net::Err::proto;
  size_t offset = 0;
  std::string problem;  // "expected ':' after object key"
  std::string message() const;  // "json: <problem> at offset <offset>"
};
std::optional<ParseError> find_error(std::string_view text, size_t max_depth = kMaxDepth);

// Deepest container nesting of `text` (strings skipped; syntax not
// checked), stopping at the first container deeper than max_depth:
// returns its offset in *over (else *over = SIZE_MAX).
size_t nesting_depth(std::string_view text, size_t max_depth, size_t* over);

// Writes a parsed element with our Writer (re-serialization, raw embedding
// of user JSON such as A2A metadata). Recursion is bounded by the parse's
// depth limit.
void write_element(Writer& w, simdjson::dom::element e);
// The element as compact JSON text, by write_element.
std::string to_json(simdjson::dom::element e);

// "object", "array", "string", "integer", "number", "boolean", "null":
// for messages such as `"params" must be an object, got array`.
const char* type_name(simdjson::dom::element e);

// Field lookup helpers for the common JSON-RPC shapes. nullopt if the key
// is absent; a present key of the wrong type is an error
// (Err::proto "json: \"<key>\" must be a <type>, got <type>").
net::Result<std::optional<std::string_view>> get_string(simdjson::dom::object o, std::string_view key);
net::Result<std::optional<simdjson::dom::object>> get_object(simdjson::dom::object o, std::string_view key);
net::Result<std::optional<simdjson::dom::array>> get_array(simdjson::dom::object o, std::string_view key);
net::Result<std::optional<bool>> get_bool(simdjson::dom::object o, std::string_view key);
net::Result<std::optional<int64_t>> get_int64(simdjson::dom::object o, std::string_view key);

}  // namespace frontends::json
