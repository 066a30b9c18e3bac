// fuzz/json_parse.cpp — frontends::json::Parser on arbitrary text, with a
// small depth limit so the depth pre-scan and the validator are exercised.
// Invariants: every error is one line starting "json: "; simdjson and our
// validator agree on what is valid (find_error() is empty exactly when the
// parse succeeds, apart from the size limit); an accepted document
// re-serialized by the writer parses again to the same text (stable).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/json/json_parse.hpp"

using namespace frontends::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Parser parser({.max_len = 1 << 20, .max_depth = 16});
  static Parser again({.max_len = 4 << 20, .max_depth = 16});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = parser.parse(text);
  auto err = find_error(text, 16);
  if (!doc) {
    if (doc.what().rfind("json: ", 0) != 0 || doc.what().find('\n') != std::string::npos) abort();
    if (doc.err() != net::Err::proto && doc.err() != net::Err::limit) abort();
    // Our validator must name a problem too (else the message would lack an offset).
    if (!err) abort();
    // Same problem; "empty document" is reported without an offset.
    if (doc.what() != err->message() && doc.what() != "json: " + err->problem) abort();
    return 0;
  }
  if (err) abort();
  const std::string s1 = to_json(*doc);
  auto d2 = again.parse(s1);
  if (!d2) abort();
  if (to_json(*d2) != s1) abort();
  return 0;
}
