// frontends/cli/flags.hpp — a command-line parser that accepts exactly what
// Go's `flag` package accepts, so scripts and SDKs written for the original
// daemon and relay (which use Go's flag.Parse) keep working.
//
// Go semantics (src/flag/flag.go, FlagSet.parseOne), reproduced here:
//   -name  --name  -name=value  --name=value  -name value   (non-bool flags)
//   -b  --b  -b=true|false|1|0|t|f|T|F|TRUE|FALSE|True|False  (bool flags)
//   "-b false" sets b and leaves "false" as the first positional argument.
//   Parsing stops at the first non-flag argument ("x", "-") or after "--".
//   A repeated flag is applied again (the last one wins).
//   -h / -help / --help (when not defined): help requested (Go exits 0).
// Errors carry Go's messages verbatim:
//   flag provided but not defined: -foo
//   bad flag syntax: ---foo
//   flag needs an argument: -key
//   invalid boolean value "x" for -mcp: parse error
// (Go prints the message and the usage to stderr and exits 2.)
//
// The flag tables live with their programs (config.cpp for agentanycastd; the
// relay defines its own), so this parser knows nothing about configuration.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace frontends::cli {

struct FlagSpec {
  std::string_view name;      // without dashes: "grpc-listen"
  bool is_bool = false;       // takes no separate argument
  std::string_view arg_name;  // for usage: "-grpc-listen addr" (ignored for bools)
  std::string_view help;      // one sentence for usage
};

struct FlagUse {
  const FlagSpec* spec = nullptr;
  std::string value;  // as given; "true" for a bare bool flag
};

struct ParsedArgs {
  std::vector<FlagUse> flags;           // in command-line order
  std::vector<std::string> positional;  // arguments after the flags
  bool help = false;                    // -h / -help seen (parsing stopped there)

  // The last use of a flag, or null if it was not given.
  const FlagUse* last(std::string_view name) const;
};

// args excludes the program name (argv[1..]).
net::Result<ParsedArgs> parse_flags(std::span<const FlagSpec> specs,
                                    std::span<const std::string_view> args);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
bool parse_go_bool(std::string_view s, bool* out);

}  // namespace frontends::cli
