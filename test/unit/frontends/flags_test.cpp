#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "frontends/cli/flags.hpp"

using namespace frontends::cli;

namespace {

const FlagSpec kSpecs[] = {
    {"key", false, "path", "key file"},
    {"grpc-listen", false, "addr", "gRPC"},
    {"mcp", true, "", "MCP stdio"},
    {"version", true, "", "version"},
};

net::Result<ParsedArgs> parse(std::vector<std::string_view> args) { return parse_flags(kSpecs, args); }

std::string value_of(const ParsedArgs& p, std::string_view name) {
  const FlagUse* u = p.last(name);
  return u ? u->value : "<unset>";
}

}  // namespace

TEST_CASE("flags: the four spellings of a value flag (Go flag package)") {
  for (auto args : std::vector<std::vector<std::string_view>>{
           {"-key", "/k"}, {"--key", "/k"}, {"-key=/k"}, {"--key=/k"}}) {
    CAPTURE(args[0]);
    auto p = parse(args);
    REQUIRE(p);
    CHECK(value_of(*p, "key") == "/k");
    CHECK(p->positional.empty());
    CHECK_FALSE(p->help);
  }
}

TEST_CASE("flags: -x=v keeps everything after the first '='") {
  auto p = parse({"-grpc-listen=tcp://h:1=2", "-key="});
  REQUIRE(p);
  CHECK(value_of(*p, "grpc-listen") == "tcp://h:1=2");
  CHECK(value_of(*p, "key") == "");  // given, empty
}

TEST_CASE("flags: a separate value may start with a dash (Go takes it)") {
  auto p = parse({"-key", "-mcp"});
  REQUIRE(p);
  CHECK(value_of(*p, "key") == "-mcp");
  CHECK(value_of(*p, "mcp") == "<unset>");
}

TEST_CASE("flags: bool flags accept exactly strconv.ParseBool's spellings") {
  const struct { const char* arg; const char* want; } ok[] = {
      {"-mcp", "true"},        {"--mcp", "true"},        {"-mcp=true", "true"},   {"-mcp=false", "false"},
      {"--mcp=false", "false"}, {"-mcp=1", "true"},      {"-mcp=0", "false"},     {"-mcp=t", "true"},
      {"-mcp=T", "true"},       {"-mcp=f", "false"},     {"-mcp=F", "false"},     {"-mcp=TRUE", "true"},
      {"-mcp=True", "true"},    {"-mcp=FALSE", "false"}, {"-mcp=False", "false"},
  };
  for (const auto& t : ok) {
    CAPTURE(t.arg);
    auto p = parse({t.arg});
    REQUIRE(p);
    CHECK(value_of(*p, "mcp") == t.want);
  }
  const struct { const char* arg; const char* msg; } bad[] = {
      {"-mcp=yes", R"(invalid boolean value "yes" for -mcp: parse error)"},
      {"-mcp=tRUE", R"(invalid boolean value "tRUE" for -mcp: parse error)"},
      {"-mcp=", R"(invalid boolean value "" for -mcp: parse error)"},
      {"--mcp=2", R"(invalid boolean value "2" for -mcp: parse error)"},
  };
  for (const auto& t : bad) {
    CAPTURE(t.arg);
    auto p = parse({t.arg});
    REQUIRE_FALSE(p);
    CHECK(p.err() == net::Err::invalid);
    CHECK(p.what() == t.msg);
  }
}

TEST_CASE("flags: '-mcp false' sets mcp and makes 'false' the first positional (Go)") {
  auto p = parse({"-mcp", "false", "-key", "/k"});
  REQUIRE(p);
  CHECK(value_of(*p, "mcp") == "true");
  CHECK(value_of(*p, "key") == "<unset>");  // parsing stopped at "false"
  CHECK(p->positional == std::vector<std::string>{"false", "-key", "/k"});
}

TEST_CASE("flags: parsing stops at the first non-flag, at '-' and after '--'") {
  auto p = parse({"-key", "/k", "run", "-mcp"});
  REQUIRE(p);
  CHECK(value_of(*p, "mcp") == "<unset>");
  CHECK(p->positional == std::vector<std::string>{"run", "-mcp"});

  p = parse({"-", "-mcp"});
  REQUIRE(p);
  CHECK(p->positional == std::vector<std::string>{"-", "-mcp"});

  p = parse({"-mcp", "--", "-key", "/k"});
  REQUIRE(p);
  CHECK(value_of(*p, "mcp") == "true");
  CHECK(value_of(*p, "key") == "<unset>");
  CHECK(p->positional == std::vector<std::string>{"-key", "/k"});

  p = parse({"--"});
  REQUIRE(p);
  CHECK(p->positional.empty());
}

TEST_CASE("flags: a repeated flag: the last one wins") {
  auto p = parse({"-key", "/a", "--key=/b", "-mcp", "-mcp=false"});
  REQUIRE(p);
  CHECK(value_of(*p, "key") == "/b");
  CHECK(value_of(*p, "mcp") == "false");
  CHECK(p->flags.size() == 4);
}

TEST_CASE("flags: unknown flag, bad syntax and missing argument carry Go's messages") {
  const struct { std::vector<std::string_view> args; const char* msg; } vec[] = {
      {{"-foo"}, "flag provided but not defined: -foo"},
      {{"--foo=1"}, "flag provided but not defined: -foo"},
      {{"-key", "/k", "-transport", "tcp"}, "flag provided but not defined: -transport"},
      {{"-Key", "/k"}, "flag provided but not defined: -Key"},  // names are case-sensitive
      {{"---key"}, "bad flag syntax: ---key"},
      {{"-=x"}, "bad flag syntax: -=x"},
      {{"--=x"}, "bad flag syntax: --=x"},
      {{"-key"}, "flag needs an argument: -key"},
      {{"-mcp", "--grpc-listen"}, "flag needs an argument: -grpc-listen"},
  };
  for (const auto& t : vec) {
    CAPTURE(t.msg);
    auto p = parse(t.args);
    REQUIRE_FALSE(p);
    CHECK(p.err() == net::Err::invalid);
    CHECK(p.what() == t.msg);
  }
}

TEST_CASE("flags: -h, -help, --help request help (Go exits 0) and stop parsing") {
  for (auto a : {"-h", "-help", "--help", "--h", "-help=x"}) {
    CAPTURE(a);
    auto p = parse({"-mcp", a, "-foo"});
    REQUIRE(p);
    CHECK(p->help);
  }
  const FlagSpec with_h[] = {{"h", true, "", "defined"}};
  std::vector<std::string_view> args = {"-h"};
  auto p = parse_flags(with_h, args);
  REQUIRE(p);
  CHECK_FALSE(p->help);  // a defined -h is an ordinary flag
}

TEST_CASE("flags: no arguments") {
  auto p = parse({});
  REQUIRE(p);
  CHECK(p->flags.empty());
  CHECK(p->positional.empty());
}
