// frontends/cli/config_toml.cpp — the TOML layer. The only translation unit
// that includes toml++ (it is heavy to compile). Built without exceptions:
// toml::parse returns a parse_result instead of throwing.
//
// toml++ 3.3.0 states its parser's preconditions as TOML_ASSERT_ASSUME(...),
// which with NDEBUG becomes __builtin_assume — undefined behaviour when
// malformed input breaks one, and fuzzing breaks several (parse_value() given
// a value terminator by parse_array() on "[1, }]", parse_key() on "[&"). So
// here NDEBUG is lifted for toml++ and TOML_ASSERT counts failures instead of
// aborting: toml++ then takes its ordinary error paths, and a document that
// tripped a check is refused even if toml++ did not notice.

namespace frontends::cli {
namespace {
thread_local unsigned toml_check_failures = 0;
[[maybe_unused]] void toml_check_failed() { toml_check_failures++; }
}  // namespace
}  // namespace frontends::cli

#ifdef NDEBUG
#undef NDEBUG
#endif
#define TOML_ASSERT(expr) (static_cast<bool>(expr) ? void() : ::frontends::cli::toml_check_failed())
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "frontends/cli/config_keys.hpp"
#include "frontends/cli/config_limits.hpp"

namespace frontends::cli {
namespace {

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

uint32_t line_of(const toml::node& n) { return n.source().begin.line; }

// Sections are the proper prefixes of the table's dotted keys ("transport",
// "transport.nats", "policy.rate_limit"), plus the two arrays of tables.
bool is_section(std::string_view name) {
  for (const auto& k : config_keys()) {
    if (k.toml.size() > name.size() && k.toml.substr(0, name.size()) == name &&
        k.toml[name.size()] == '.')
      return true;
  }
  return false;
}

class Reader {
 public:
  Reader(const std::string& path, Config& cfg, Sources& src, net::Log* log)
      : path_(path), cfg_(cfg), src_(src), log_(log) {}

  net::Status table(const toml::table& t, const std::string& prefix) {
    for (auto&& [k, v] : t) {
      std::string full = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (const KeyDef* def = find_key_by_toml(full)) {
        AAC_TRY(value(*def, v));
        src_.keys[key_index(*def)] = {ValueSource::Kind::file, line_of(v), {}};
      } else if (full == "policy.acl") {
        AAC_TRY(acl(v));
      } else if (full == "policy.rate_limit.overrides") {
        AAC_TRY(overrides(v));
      } else if (is_section(full)) {
        const toml::table* sub = v.as_table();
        if (!sub) return type_error(line_of(v), full, "a table", v);
        AAC_TRY(table(*sub, full));
      } else {
        unknown(k.source().begin.line, full);
      }
    }
    return {};
  }

  // toml++ tables are ordered by key, not by position: report in file order.
  void finish() {
    std::stable_sort(unknown_.begin(), unknown_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < unknown_.size() && i < kMaxUnknownKeyWarnings; i++)
      AAC_LOG(log_, warn, "config", "unknown config key ignored",
              {{"at", where(unknown_[i].first)}, {"key", unknown_[i].second}});
    if (unknown_total_ > kMaxUnknownKeyWarnings)
      AAC_LOG(log_, warn, "config", "more unknown config keys ignored",
              {{"file", path_}, {"count", unknown_total_ - kMaxUnknownKeyWarnings}});
  }

 private:
  net::Error type_error(uint32_t line, std::string_view key, std::string_view want,
                        const toml::node& got) {
    return config_error(where(line), key,
                        "expected " + std::string(want) + ", got " + type_name(got.type()));
  }

  std::string where(uint32_t line) const { return path_ + ":" + std::to_string(line); }

  void unknown(uint32_t line, const std::string& key) {
    unknown_total_++;
    if (unknown_.size() < kMaxUnknownKeys) unknown_.emplace_back(line, key);
  }

  net::Status string_list(const toml::node& v, std::string_view key, std::vector<std::string>* out) {
    const toml::array* arr = v.as_array();
    if (!arr) return type_error(line_of(v), key, "an array of strings", v);
    if (arr->size() > kMaxListLen)
      return config_error(where(line_of(v)), key,
                          std::to_string(arr->size()) + " entries (want at most " +
                              std::to_string(kMaxListLen) + ")");
    std::vector<std::string> items;
    items.reserve(arr->size());
    for (size_t i = 0; i < arr->size(); i++) {
      const toml::node& el = *arr->get(i);
      const auto* s = el.as_string();
      if (!s)
        return type_error(line_of(el), std::string(key) + "[" + std::to_string(i) + "]", "a string",
                          el);
      items.push_back(s->get());
    }
    *out = std::move(items);
    return {};
  }

  net::Status value(const KeyDef& k, const toml::node& v) {
    FieldRef f = k.field(cfg_);
    const uint32_t line = line_of(v);
    switch (k.kind) {
      case KeyKind::str:
        if (const auto* s = v.as_string()) {
          *std::get<std::string*>(f) = s->get();
          return {};
        }
        return type_error(line, k.toml, "a string", v);
      case KeyKind::boolean:
        if (const auto* b = v.as_boolean()) {
          *std::get<bool*>(f) = b->get();
          return {};
        }
        return type_error(line, k.toml, "a boolean", v);
      case KeyKind::list: return string_list(v, k.toml, std::get<std::vector<std::string>*>(f));
      case KeyKind::duration:
        if (const auto* s = v.as_string()) {
          auto st = assign_text(k, cfg_, s->get());
          if (!st) return config_error(where(line), k.toml, st.what());
          return {};
        }
        return type_error(line, k.toml, "a duration string (e.g. \"30s\")", v);
      case KeyKind::number:
        if (const auto* d = v.as_floating_point()) {
          *std::get<double*>(f) = d->get();
          return {};
        }
        if (const auto* i = v.as_integer()) {
          *std::get<double*>(f) = static_cast<double>(i->get());
          return {};
        }
        return type_error(line, k.toml, "a number", v);
      case KeyKind::integer:
        if (const auto* i = v.as_integer()) {
          *std::get<int64_t*>(f) = i->get();
          return {};
        }
        return type_error(line, k.toml, "an integer", v);
    }
    return {};
  }

  // [[policy.acl]]: source (glob), skill (glob), allow.
  net::Status acl(const toml::node& v) {
    const toml::array* arr = v.as_array();
    if (!arr) return type_error(line_of(v), "policy.acl", "an array of tables ([[policy.acl]])", v);
    if (arr->size() > kMaxAclRules)
      return config_error(where(line_of(v)), "policy.acl",
                          std::to_string(arr->size()) + " rules (want at most " +
                              std::to_string(kMaxAclRules) + ")");
    std::vector<AclRule> rules;
    for (size_t i = 0; i < arr->size(); i++) {
      const std::string name = "policy.acl[" + std::to_string(i) + "]";
      const toml::node& el = *arr->get(i);
      const toml::table* t = el.as_table();
      if (!t) return type_error(line_of(el), name, "a table", el);
      AclRule r;
      for (auto&& [k, f] : *t) {
        const std::string field = name + "." + std::string(k.str());
        if (k.str() == "source" || k.str() == "skill") {
          const auto* s = f.as_string();
          if (!s) return type_error(line_of(f), field, "a string", f);
          (k.str() == "source" ? r.source : r.skill) = s->get();
        } else if (k.str() == "allow") {
          const auto* b = f.as_boolean();
          if (!b) return type_error(line_of(f), field, "a boolean", f);
          r.allow = b->get();
        } else {
          unknown(k.source().begin.line, field);
        }
      }
      rules.push_back(std::move(r));
    }
    cfg_.policy.acl = std::move(rules);
    return {};
  }

  // [[policy.rate_limit.overrides]]: source, rps.
  net::Status overrides(const toml::node& v) {
    static constexpr std::string_view kName = "policy.rate_limit.overrides";
    const toml::array* arr = v.as_array();
    if (!arr) return type_error(line_of(v), kName, "an array of tables", v);
    if (arr->size() > kMaxRateLimitOverrides)
      return config_error(where(line_of(v)), kName,
                          std::to_string(arr->size()) + " entries (want at most " +
                              std::to_string(kMaxRateLimitOverrides) + ")");
    std::vector<RateLimitOverride> out;
    for (size_t i = 0; i < arr->size(); i++) {
      const std::string name = std::string(kName) + "[" + std::to_string(i) + "]";
      const toml::node& el = *arr->get(i);
      const toml::table* t = el.as_table();
      if (!t) return type_error(line_of(el), name, "a table", el);
      RateLimitOverride o;
      for (auto&& [k, f] : *t) {
        const std::string field = name + "." + std::string(k.str());
        if (k.str() == "source") {
          const auto* s = f.as_string();
          if (!s) return type_error(line_of(f), field, "a string", f);
          o.source = s->get();
        } else if (k.str() == "rps") {
          const auto* n = f.as_integer();
          if (!n) return type_error(line_of(f), field, "an integer", f);
          if (n->get() < 0)
            return config_error(where(line_of(f)), field,
                                std::to_string(n->get()) + " is negative (want 0 or more)");
          o.rps = n->get();
        } else {
          unknown(k.source().begin.line, field);
        }
      }
      out.push_back(std::move(o));
    }
    cfg_.policy.rate_limit.overrides = std::move(out);
    return {};
  }

  const std::string& path_;
  Config& cfg_;
  Sources& src_;
  net::Log* log_;
  std::vector<std::pair<uint32_t, std::string>> unknown_;  // (line, key)
  size_t unknown_total_ = 0;
};

// toml++ 3.3.0 (Debian 12) has undefined behaviour on some malformed input,
// found by fuzz/config_toml.cpp and known upstream:
//  - it reaches __builtin_unreachable() when asking whether certain non-ASCII
//    code points are whitespace (marzer/tomlplusplus#190, #295; fixed by PR
//    #305). It asks about every character it reads outside strings and
//    comments — including the whole of a malformed bare value, which it scans
//    up to the next space, newline, ']', '}', ',' or '#' (so in `x = 0"é"` or
//    `x = 1[ "é"` the é is not in a string for toml++) — and in a multi-line
//    basic string about the character after a backslash.
//  - a table header whose name starts with neither a bare-key character nor a
//    quote ("[&", "[[[") breaks parse_key()'s assumed precondition (#294, PR #301).
// Valid TOML has none of this (whitespace is space and tab, bare keys and
// bare values are ASCII and contain no quotes), so this lexer, which follows
// toml++'s key / value / bare-token states, refuses such input first. The one
// valid document it refuses: a line-ending backslash in a multi-line basic
// string followed by a non-ASCII character as the next non-blank one.
net::Status guard_toml(std::string_view doc, const std::string& path) {
  enum class In : uint8_t { code, comment, basic, literal, ml_basic, ml_literal } in = In::code;
  enum class Want : uint8_t { key, value, token, after } want = Want::key;  // code only
  Want after_string = Want::key;  // what follows the string being read
  std::vector<char> open;         // 'A' array, 'T' inline table, 'H' table header
  bool line_start = true;         // only blanks since the last newline
  uint32_t line = 1, col = 0;
  size_t i = 0;
  auto at = [&](size_t n) { return i + n < doc.size() ? doc[i + n] : '\0'; };
  auto fail = [&](const char* what) {
    return net::Error{net::Err::invalid,
                      "config: " + path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + what};
  };
  auto step = [&]() {  // consume doc[i], keeping line/col as toml++ counts them (code points)
    const char c = doc[i++];
    if (c == '\n') {
      line++;
      col = 0;
    } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
      col++;
    }
  };
  auto top = [&]() { return open.empty() ? 'D' : open.back(); };
  auto is_blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  auto bare_key_char = [](char k) {
    return k == '_' || k == '-' || (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9');
  };

  if (doc.substr(0, 3) == "\xef\xbb\xbf") i = 3;  // a UTF-8 BOM is allowed
  while (i < doc.size()) {
    const char c = doc[i];
    switch (in) {
      case In::code: {
        if (static_cast<unsigned char>(c) >= 0x80) {
          col++;
          return fail("non-ASCII character outside a string or comment");
        }
        if (want == Want::token) {  // a bare value: toml++ scans to a terminator
          if (is_blank(c) || c == '\n' || c == ']' || c == '}' || c == ',' || c == '#') {
            want = Want::after;  // and handle c below
          } else {
            if (c == '"' || c == '\'') {
              col++;
              return fail("unexpected quote");
            }
            break;
          }
        }
        const bool header = c == '[' && want == Want::key && open.empty() && line_start;
        if (c == '\n') {
          line_start = true;
          if (top() != 'A') {  // a newline ends a key/value pair (inside {} or [] header: an error)
            open.clear();
            want = Want::key;
          }
        } else if (!is_blank(c)) {
          line_start = false;
        }
        if (c == '#') {
          in = In::comment;
        } else if (c == '"' || c == '\'') {
          if (want == Want::after) {
            col++;
            return fail("unexpected quote");
          }
          after_string = want == Want::key ? Want::key : Want::after;
          const bool triple = at(1) == c && at(2) == c;
          in = c == '"' ? (triple ? In::ml_basic : In::basic) : (triple ? In::ml_literal : In::literal);
          if (triple) {
            step();
            step();
          }
        } else if (header) {
          size_t j = i + 1;
          while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\t')) j++;
          if (j == i + 1 && j < doc.size() && doc[j] == '[') {
            j++;
            while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\t')) j++;
          }
          const char k = j < doc.size() ? doc[j] : ']';
          if (!(k == ']' || k == '"' || k == '\'' || bare_key_char(k) ||
                static_cast<unsigned char>(k) >= 0x80)) {  // (non-ASCII: refused as a character)
            while (i < j) step();
            col++;
            return fail("invalid table header (want [name] or [[name]])");
          }
          open.push_back('H');
        } else if (c == '=' && want == Want::key) {
          want = Want::value;
        } else if (c == '[' && want == Want::value) {
          open.push_back('A');
        } else if (c == '{' && want == Want::value) {
          open.push_back('T');
          want = Want::key;
        } else if (c == ']' || c == '}') {
          if (!open.empty()) open.pop_back();
          want = Want::after;
        } else if (c == ',') {
          want = top() == 'A' ? Want::value : Want::key;
        } else if (want == Want::value && !is_blank(c) && c != '\n') {
          want = Want::token;
        } else if (want == Want::after && !is_blank(c) && c != '\n' && c != '[') {
          want = Want::token;  // an error for toml++; stay careful
        }
        break;
      }
      case In::comment:
        if (c == '\n') {
          in = In::code;
          continue;  // the newline is handled as code
        }
        break;
      case In::basic:
      case In::literal:
        if (c == '\n') {
          in = In::code;  // unterminated: toml++ stops here
          continue;
        }
        if (in == In::basic ? c == '"' : c == '\'') {
          in = In::code;
          want = after_string;
        } else if (in == In::basic && c == '\\') {
          step();  // the escaped character (a quote or '\' must not end the string)
          if (i >= doc.size() || doc[i] == '\n') continue;
        }
        break;
      case In::ml_basic:
      case In::ml_literal: {
        const char q = in == In::ml_basic ? '"' : '\'';
        if (c == q && at(1) == q && at(2) == q) {
          step();
          step();
          for (int extra = 0; extra < 2 && at(1) == q; extra++) step();  // """"" ends with 2 quotes of content
          in = In::code;
          want = after_string;
        } else if (in == In::ml_basic && c == '\\') {
          step();
          size_t j = i;
          while (j < doc.size() && (doc[j] == ' ' || doc[j] == '\t' || doc[j] == '\r' || doc[j] == '\n')) j++;
          const bool line_ending = j > i && doc.substr(i, j - i).find('\n') != std::string_view::npos;
          const size_t next = line_ending ? j : i;
          if (next < doc.size() && static_cast<unsigned char>(doc[next]) >= 0x80) {
            while (i < next) step();
            col++;
            return fail("non-ASCII character after a backslash in a multi-line string (unsupported)");
          }
          if (!line_ending && i < doc.size()) step();  // the escaped character
          continue;
        }
        break;
      }
    }
    step();
  }
  return {};
}

// toml++ descriptions are one line already; make sure of it.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

net::Status apply_toml(std::string_view doc, const std::string& path, Config& cfg, Sources& src,
                       net::Log* log) {
  if (doc.size() > kMaxConfigFileLen)
    return net::Error{net::Err::limit, "config: " + path + ": file is " + std::to_string(doc.size()) +
                                           " bytes (want at most " +
                                           std::to_string(kMaxConfigFileLen) + ")"};
  AAC_TRY(guard_toml(doc, path));
  toml_check_failures = 0;
  toml::parse_result r = toml::parse(doc, path);
  if (toml_check_failures != 0 && r)
    return net::Error{net::Err::invalid, "config: " + path + ": malformed TOML (toml++ internal check failed)"};
  if (!r) {
    const toml::parse_error& e = r.error();
    return net::Error{net::Err::invalid, "config: " + path + ":" +
                                             std::to_string(e.source().begin.line) + ":" +
                                             std::to_string(e.source().begin.column) + ": " +
                                             one_line(e.description())};
  }
  Reader reader(path, cfg, src, log);
  AAC_TRY(reader.table(r.table(), ""));
  reader.finish();
  return {};
}

}  // namespace frontends::cli
