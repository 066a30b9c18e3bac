#include "frontends/json/json_parse.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace frontends::json {
namespace {

using net::Err;

// simdjson's own depth check counts an object member one level deeper than
// an array element (tested: max_depth 2 takes [[1]] but not {"a":[1]}), so
// it is set well above ours and only backs up the pre-scan.
size_t simdjson_depth(size_t max_depth) { return 2 * max_depth + 2; }

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The validator behind find_error(): a recursive-descent JSON reader with
// an explicit stack, so its depth is bounded by max_depth, not the C stack.
class Validator {
 public:
  Validator(std::string_view s, size_t max_depth) : s_(s), max_depth_(max_depth) {}

  std::optional<ParseError> run() {
    skip_ws();
    if (i_ == s_.size()) return fail_at(0, "empty document");
    if (!value()) return err_;
    skip_ws();
    if (i_ != s_.size()) return fail_at(i_, "unexpected content after the value");
    return std::nullopt;
  }

 private:
  std::optional<ParseError> fail_at(size_t off, std::string problem, Err code = Err::proto) {
    err_ = ParseError{code, off, std::move(problem)};
    return err_;
  }
  bool fail(size_t off, std::string problem, Err code = Err::proto) {
    fail_at(off, std::move(problem), code);
    return false;
  }
  void skip_ws() {
    while (i_ < s_.size() && is_ws(s_[i_])) i_++;
  }
  bool eof() const { return i_ >= s_.size(); }

  // One value and everything nested in it, iteratively.
  bool value() {
    std::vector<char> stack;  // '{' or '['
    for (;;) {
      // ---- a value is due at i_
      skip_ws();
      if (eof()) return fail(i_, "unexpected end of input");
      char c = s_[i_];
      if (c == '{' || c == '[') {
        if (stack.size() >= max_depth_) {
          return fail(i_, "nesting deeper than " + std::to_string(max_depth_) + " levels", Err::limit);
        }
        stack.push_back(c);
        i_++;
        skip_ws();
        if (eof()) return fail(i_, "unexpected end of input");
        if (s_[i_] == (c == '{' ? '}' : ']')) {
          stack.pop_back();
          i_++;
        } else if (c == '{') {
          if (!member_key()) return false;
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        if (!string()) return false;
      } else if (c == '-' || is_digit(c)) {
        if (!number()) return false;
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal()) return false;
      } else {
        return unexpected();
      }
      // ---- after a value: close containers or move to the next element
      for (;;) {
        if (stack.empty()) return true;
        skip_ws();
        if (eof()) return fail(i_, "unexpected end of input");
        char open = stack.back();
        char close = open == '{' ? '}' : ']';
        if (s_[i_] == close) {
          stack.pop_back();
          i_++;
          continue;
        }
        if (s_[i_] != ',') {
          return fail(i_, open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
        }
        i_++;
        if (open == '{' && !member_key()) return false;
        break;  // the next value
      }
    }
  }

  // At a member name (after '{' or ','): "key" ws ':'.
  bool member_key() {
    skip_ws();
    if (eof()) return fail(i_, "unexpected end of input");
    if (s_[i_] != '"') return fail(i_, "expected a string key");
    if (!string()) return false;
    skip_ws();
    if (eof()) return fail(i_, "unexpected end of input");
    if (s_[i_] != ':') return fail(i_, "expected ':' after object key");
    i_++;
    return true;
  }

  bool unexpected() {
    uint8_t c = static_cast<uint8_t>(s_[i_]);
    size_t bad;
    if (c >= 0x80 && !utf8_valid(s_.substr(i_, 4), &bad) && bad == 0) return fail(i_, "invalid UTF-8");
    if (c >= 0x21 && c < 0x7F) return fail(i_, std::string("unexpected '") + static_cast<char>(c) + "'");
    return fail(i_, "unexpected character");
  }

  bool string() {
    size_t start = i_++;
    for (;;) {
      if (eof()) return fail(start, "unterminated string");
      uint8_t c = static_cast<uint8_t>(s_[i_]);
      if (c == '"') {
        i_++;
        return true;
      }
      if (c < 0x20) return fail(i_, "control character in string");
      if (c == '\\') {
        if (!escape()) return false;
        continue;
      }
      if (c >= 0x80) {
        // Exactly one well-formed sequence (its length from the lead byte).
        size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        std::string_view seq = s_.substr(i_, len);
        if (seq.size() != len || !utf8_valid(seq)) return fail(i_, "invalid UTF-8");
        i_ += len;
        continue;
      }
      i_++;
    }
  }

  // At '\\'.
  bool escape() {
    size_t at = i_;
    if (i_ + 1 >= s_.size()) return fail(at, "unterminated string");
    char e = s_[i_ + 1];
    switch (e) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        i_ += 2;
        return true;
      case 'u':
        break;
      default:
        return fail(at, "invalid escape");
    }
    int cp = hex4(i_ + 2);
    if (cp < 0) return fail(at, "invalid escape");
    i_ += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(at, "lone surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (i_ + 1 < s_.size() && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
        int lo = hex4(i_ + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          i_ += 6;
          return true;
        }
      }
      return fail(at, "lone surrogate in \\u escape");
    }
    return true;
  }

  int hex4(size_t at) const {
    if (at + 4 > s_.size()) return -1;
    int v = 0;
    for (size_t k = 0; k < 4; k++) {
      int h = hex_val(s_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool number() {
    size_t start = i_;
    bool neg = s_[i_] == '-';
    if (neg) i_++;
    if (eof() || !is_digit(s_[i_])) return fail(start, "invalid number");
    if (s_[i_] == '0') {
      i_++;
      if (!eof() && is_digit(s_[i_])) return fail(start, "invalid number");
    } else {
      while (!eof() && is_digit(s_[i_])) i_++;
    }
    bool integer = true;
    if (!eof() && s_[i_] == '.') {
      integer = false;
      i_++;
      if (eof() || !is_digit(s_[i_])) return fail(start, "invalid number");
      while (!eof() && is_digit(s_[i_])) i_++;
    }
    if (!eof() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integer = false;
      i_++;
      if (!eof() && (s_[i_] == '+' || s_[i_] == '-')) i_++;
      if (eof() || !is_digit(s_[i_])) return fail(start, "invalid number");
      while (!eof() && is_digit(s_[i_])) i_++;
    }
    std::string text(s_.substr(start, i_ - start));
    if (integer) {
      // int64 for negatives, uint64 for the rest (simdjson's ranges).
      errno = 0;
      if (neg) {
        (void)std::strtoll(text.c_str(), nullptr, 10);
      } else {
        (void)std::strtoull(text.c_str(), nullptr, 10);
      }
      if (errno == ERANGE) return fail(start, "integer out of range");
    } else {
      double d = std::strtod(text.c_str(), nullptr);
      if (std::isinf(d)) return fail(start, "number out of range");
    }
    return true;
  }

  bool literal() {
    static constexpr std::string_view kLits[] = {"true", "false", "null"};
    for (std::string_view l : kLits) {
      if (s_[i_] != l[0]) continue;
      if (s_.substr(i_, l.size()) != l) return fail(i_, "invalid literal");
      i_ += l.size();
      return true;
    }
    return fail(i_, "invalid literal");
  }

  std::string_view s_;
  size_t max_depth_;
  size_t i_ = 0;
  ParseError err_;
};

Err map_simdjson(simdjson::error_code e) {
  switch (e) {
    case simdjson::MEMALLOC: return Err::nomem;
    case simdjson::CAPACITY:
    case simdjson::DEPTH_ERROR: return Err::limit;
    default: return Err::proto;
  }
}

net::Error type_error(std::string_view key, const char* want, simdjson::dom::element e) {
  return {Err::proto, "json: \"" + std::string(key) + "\" must be " + want + ", got " + type_name(e)};
}

}  // namespace

std::string ParseError::message() const { return "json: " + problem + " at offset " + std::to_string(offset); }

std::optional<ParseError> find_error(std::string_view text, size_t max_depth) {
  return Validator(text, max_depth == 0 ? 1 : max_depth).run();
}

size_t nesting_depth(std::string_view text, size_t max_depth, size_t* over) {
  *over = SIZE_MAX;
  size_t depth = 0, deepest = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    char c = *p;
    if (c == '"') {
      // skip the string: to the next unescaped quote
      p++;
      while (p < end && *p != '"') p += (*p == '\\' && end - p >= 2) ? 2 : 1;
      if (p < end) p++;
      continue;
    }
    if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        *over = static_cast<size_t>(p - text.data());
        return depth;
      }
      if (depth > deepest) deepest = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
    p++;
  }
  return deepest;
}

// simdjson's own capacity cap is the ceiling: our size check runs first,
// and simdjson refuses documents near a small cap that we accept.
Parser::Parser(ParseLimits lim) : lim_(lim), p_(kMaxDocumentLenCeiling) {
  if (lim_.max_len > kMaxDocumentLenCeiling) lim_.max_len = kMaxDocumentLenCeiling;
  if (lim_.max_depth == 0) lim_.max_depth = 1;
  // Sets the depth for every later parse; buffers grow on demand.
  if (p_.allocate(4096, simdjson_depth(lim_.max_depth)) != simdjson::SUCCESS) {
    // parse() reports MEMALLOC
  }
}

net::Result<simdjson::dom::element> Parser::parse(std::string_view text) {
  if (text.size() > lim_.max_len) {
    return net::Error{Err::limit, "json: document of " + std::to_string(text.size()) +
                                      " bytes exceeds the limit of " + std::to_string(lim_.max_len) + " bytes"};
  }
  size_t over;
  (void)nesting_depth(text, lim_.max_depth, &over);
  if (over != SIZE_MAX) {
    // Deeper than allowed; name the first error in document order (a
    // syntax error may come before the deep part).
    auto e = find_error(text, lim_.max_depth);
    if (e) return net::Error{e->code, e->message()};
    return net::Error{Err::limit, "json: nesting deeper than " + std::to_string(lim_.max_depth) +
                                      " levels at offset " + std::to_string(over)};
  }
  if (p_.capacity() > kParserKeepCapacity && text.size() <= kParserKeepCapacity) {
    if (p_.allocate(kParserKeepCapacity, simdjson_depth(lim_.max_depth)) != simdjson::SUCCESS) {
      // parse() reports MEMALLOC
    }
  }
  simdjson::dom::element el;
  // realloc_if_needed: simdjson reads up to SIMDJSON_PADDING bytes past the
  // end, so it copies the text into its own padded buffer.
  simdjson::error_code ec = p_.parse(text.data(), text.size(), true).get(el);
  if (ec == simdjson::SUCCESS) return el;
  if (ec == simdjson::MEMALLOC) return net::Error{Err::nomem, "json: out of memory"};
  if (ec == simdjson::EMPTY) return net::Error{Err::proto, "json: empty document"};
  auto e = find_error(text, lim_.max_depth);
  if (e) return net::Error{e->code, e->message()};
  return net::Error{map_simdjson(ec), std::string("json: ") + simdjson::error_message(ec)};
}

void write_element(Writer& w, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::ARRAY: {
      w.begin_array();
      simdjson::dom::array a;
      if (e.get_array().get(a) == simdjson::SUCCESS) {
        for (simdjson::dom::element x : a) write_element(w, x);
      }
      w.end_array();
      return;
    }
    case T::OBJECT: {
      w.begin_object();
      simdjson::dom::object o;
      if (e.get_object().get(o) == simdjson::SUCCESS) {
        for (simdjson::dom::key_value_pair kv : o) {
          w.key(kv.key);
          write_element(w, kv.value);
        }
      }
      w.end_object();
      return;
    }
    case T::INT64: {
      int64_t v = 0;
      if (e.get_int64().get(v) != simdjson::SUCCESS) v = {};
      w.value(v);
      return;
    }
    case T::UINT64: {
      uint64_t v = 0;
      if (e.get_uint64().get(v) != simdjson::SUCCESS) v = {};
      w.value(v);
      return;
    }
    case T::DOUBLE: {
      double v = 0;
      if (e.get_double().get(v) != simdjson::SUCCESS) v = {};
      w.value(v);
      return;
    }
    case T::STRING: {
      std::string_view v;
      if (e.get_string().get(v) != simdjson::SUCCESS) v = {};
      w.value(v);
      return;
    }
    case T::BOOL: {
      bool v = false;
      if (e.get_bool().get(v) != simdjson::SUCCESS) v = {};
      w.value(v);
      return;
    }
    case T::NULL_VALUE:
      w.null();
      return;
  }
}

std::string to_json(simdjson::dom::element e) {
  std::string out;
  Writer w(out);
  write_element(w, e);
  return out;
}

const char* type_name(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::ARRAY: return "array";
    case T::OBJECT: return "object";
    case T::INT64:
    case T::UINT64: return "integer";
    case T::DOUBLE: return "number";
    case T::STRING: return "string";
    case T::BOOL: return "boolean";
    case T::NULL_VALUE: return "null";
  }
  return "unknown";
}

net::Result<std::optional<std::string_view>> get_string(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::optional<std::string_view>{};
  std::string_view v;
  if (e.get_string().get(v) != simdjson::SUCCESS) return type_error(key, "a string", e);
  return std::optional<std::string_view>{v};
}

net::Result<std::optional<simdjson::dom::object>> get_object(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::optional<simdjson::dom::object>{};
  simdjson::dom::object v;
  if (e.get_object().get(v) != simdjson::SUCCESS) return type_error(key, "an object", e);
  return std::optional<simdjson::dom::object>{v};
}

net::Result<std::optional<simdjson::dom::array>> get_array(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::optional<simdjson::dom::array>{};
  simdjson::dom::array v;
  if (e.get_array().get(v) != simdjson::SUCCESS) return type_error(key, "an array", e);
  return std::optional<simdjson::dom::array>{v};
}

net::Result<std::optional<bool>> get_bool(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::optional<bool>{};
  bool v;
  if (e.get_bool().get(v) != simdjson::SUCCESS) return type_error(key, "a boolean", e);
  return std::optional<bool>{v};
}

net::Result<std::optional<int64_t>> get_int64(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::optional<int64_t>{};
  int64_t v;
  if (e.get_int64().get(v) != simdjson::SUCCESS) return type_error(key, "an integer", e);
  return std::optional<int64_t>{v};
}

}  // namespace frontends::json
