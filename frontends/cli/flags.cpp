// frontends/cli/flags.cpp — see flags.hpp; mirrors Go's FlagSet.parseOne.
#include "frontends/cli/flags.hpp"

#include "frontends/cli/duration.hpp"  // go_quote

namespace frontends::cli {
namespace {

const FlagSpec* find(std::span<const FlagSpec> specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

net::Error fail(std::string msg) { return {net::Err::invalid, std::move(msg)}; }

}  // namespace

const FlagUse* ParsedArgs::last(std::string_view name) const {
  for (auto it = flags.rbegin(); it != flags.rend(); ++it)
    if (it->spec->name == name) return &*it;
  return nullptr;
}

bool parse_go_bool(std::string_view s, bool* out) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") {
    *out = false;
    return true;
  }
  return false;
}

net::Result<ParsedArgs> parse_flags(std::span<const FlagSpec> specs,
                                    std::span<const std::string_view> args) {
  ParsedArgs out;
  size_t i = 0;
  while (i < args.size()) {
    std::string_view s = args[i];
    if (s.size() < 2 || s[0] != '-') break;  // first positional argument
    size_t minuses = 1;
    if (s[1] == '-') {
      minuses = 2;
      if (s.size() == 2) {  // "--" terminates the flags
        i++;
        break;
      }
    }
    std::string_view name = s.substr(minuses);
    if (name.empty() || name[0] == '-' || name[0] == '=')
      return fail("bad flag syntax: " + std::string(s));
    i++;
    bool has_value = false;
    std::string_view value;
    if (size_t eq = name.find('=', 1); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* spec = find(specs, name);
    if (!spec) {
      if (name == "help" || name == "h") {
        out.help = true;
        return out;
      }
      return fail("flag provided but not defined: -" + std::string(name));
    }
    if (spec->is_bool) {
      bool b = true;
      if (has_value && !parse_go_bool(value, &b))
        return fail("invalid boolean value " + go_quote(value) + " for -" + std::string(name) +
                    ": parse error");
      out.flags.push_back({spec, b ? "true" : "false"});
      continue;
    }
    if (!has_value) {
      if (i == args.size()) return fail("flag needs an argument: -" + std::string(name));
      value = args[i++];  // may itself start with '-': Go takes it as the value
    }
    out.flags.push_back({spec, std::string(value)});
  }
  for (; i < args.size(); i++) out.positional.emplace_back(args[i]);
  return out;
}

}  // namespace frontends::cli
