#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "frontends/cli/duration.hpp"

using namespace frontends::cli;

namespace {
constexpr int64_t kMs = kMillisecond, kUs = kMicrosecond, kS = kSecond, kM = kMinute, kH = kHour;
}

// Vectors from Go's src/time/time_test.go parseDurationTests, plus the config
// examples of upstream.md §7 (24h, 30s, 1h30m, 500ms, 1.5h, 0).
TEST_CASE("duration: Go ParseDuration valid inputs") {
  const struct { const char* in; int64_t want; } vec[] = {
      {"0", 0},
      {"5s", 5 * kS},
      {"30s", 30 * kS},
      {"1478s", 1478 * kS},
      {"-5s", -5 * kS},
      {"+5s", 5 * kS},
      {"-0", 0},
      {"+0", 0},
      {"5.0s", 5 * kS},
      {"5.6s", 5 * kS + 600 * kMs},
      {"5.s", 5 * kS},
      {".5s", 500 * kMs},
      {"1.0s", 1 * kS},
      {"1.00s", 1 * kS},
      {"1.004s", 1 * kS + 4 * kMs},
      {"1.0040s", 1 * kS + 4 * kMs},
      {"100.00100s", 100 * kS + 1 * kMs},
      {"10ns", 10},
      {"11us", 11 * kUs},
      {"12\xc2\xb5s", 12 * kUs},  // U+00B5
      {"12\xce\xbcs", 12 * kUs},  // U+03BC
      {"13ms", 13 * kMs},
      {"14s", 14 * kS},
      {"15m", 15 * kM},
      {"16h", 16 * kH},
      {"3h30m", 3 * kH + 30 * kM},
      {"10.5s4m", 4 * kM + 10 * kS + 500 * kMs},
      {"-2m3.4s", -(2 * kM + 3 * kS + 400 * kMs)},
      {"1h2m3s4ms5us6ns", 1 * kH + 2 * kM + 3 * kS + 4 * kMs + 5 * kUs + 6},
      {"39h9m14.425s", 39 * kH + 9 * kM + 14 * kS + 425 * kMs},
      {"52763797000ns", 52763797000},
      {"0.3333333333333333333h", 20 * kM},
      {"9007199254740993ns", (int64_t{1} << 53) + 1},
      {"9223372036854775807ns", std::numeric_limits<int64_t>::max()},
      {"9223372036854775.807us", std::numeric_limits<int64_t>::max()},
      {"9223372036s854ms775us807ns", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808ns", std::numeric_limits<int64_t>::min()},
      {"-9223372036854775.808us", std::numeric_limits<int64_t>::min()},
      {"-9223372036s854ms775us808ns", std::numeric_limits<int64_t>::min()},
      {"-2562047h47m16.854775808s", std::numeric_limits<int64_t>::min()},
      {"0.100000000000000000000h", 6 * kM},
      {"0.830103483285477580700h", 49 * kM + 48 * kS + 372539827},
      {"24h", 24 * kH},
      {"1h30m", 90 * kM},
      {"500ms", 500 * kMs},
      {"1.5h", 90 * kM},
  };
  for (const auto& t : vec) {
    std::string in = t.in;
    CAPTURE(in);
    auto r = parse_go_duration(t.in);
    REQUIRE(r);
    CHECK(*r == t.want);
  }
}

TEST_CASE("duration: Go ParseDuration invalid inputs carry Go's messages") {
  const struct { const char* in; const char* msg; } vec[] = {
      {"", R"(time: invalid duration "")"},
      {"3", R"(time: missing unit in duration "3")"},
      {"-", R"(time: invalid duration "-")"},
      {"+", R"(time: invalid duration "+")"},
      {"s", R"(time: invalid duration "s")"},
      {".", R"(time: invalid duration ".")"},
      {"-.", R"(time: invalid duration "-.")"},
      {".s", R"(time: invalid duration ".s")"},
      {"+.s", R"(time: invalid duration "+.s")"},
      {"1x", R"(time: unknown unit "x" in duration "1x")"},
      {"1d", R"(time: unknown unit "d" in duration "1d")"},
      {"1H", R"(time: unknown unit "H" in duration "1H")"},
      {"1 s", R"(time: unknown unit " s" in duration "1 s")"},
      {"1h30", R"(time: missing unit in duration "1h30")"},
      {"1.2.3s", R"(time: missing unit in duration "1.2.3s")"},
      {"\x85\x85", R"(time: invalid duration "\x85\x85")"},
      {"\xff" "ff", R"(time: invalid duration "\xffff")"},
      {"hello \xff" "ff world", R"(time: invalid duration "hello \xffff world")"},
      {"1\ns", R"(time: unknown unit "\x0as" in duration "1\x0as")"},
      {"9223372036854775808ns", R"(time: invalid duration "9223372036854775808ns")"},
      {"9223372036854775.808us", R"(time: invalid duration "9223372036854775.808us")"},
      {"9223372036854ms775us808ns", R"(time: invalid duration "9223372036854ms775us808ns")"},
      {"-9223372036854775809ns", R"(time: invalid duration "-9223372036854775809ns")"},
      {"2562048h", R"(time: invalid duration "2562048h")"},
      {"99999999999999999999s", R"(time: invalid duration "99999999999999999999s")"},
  };
  for (const auto& t : vec) {
    std::string in = t.in;
    CAPTURE(in);
    auto r = parse_go_duration(t.in);
    REQUIRE_FALSE(r);
    CHECK(r.err() == net::Err::invalid);
    CHECK(r.what() == t.msg);
  }
}

TEST_CASE("duration: format_duration is compact and parses back") {
  const struct { int64_t ns; const char* want; } vec[] = {
      {0, "0"},
      {1, "1ns"},
      {999, "999ns"},
      {1500, "1.5us"},
      {500 * kMs, "500ms"},
      {1500 * kUs, "1.5ms"},
      {kS, "1s"},
      {1500 * kMs, "1.5s"},
      {30 * kS, "30s"},
      {90 * kM, "1h30m"},
      {24 * kH, "24h"},
      {kH + 5 * kS, "1h5s"},
      {-90 * kS, "-1m30s"},
      {kH + 1, "1h0.000000001s"},
      {std::numeric_limits<int64_t>::max(), "2562047h47m16.854775807s"},
      {std::numeric_limits<int64_t>::min(), "-2562047h47m16.854775808s"},
  };
  for (const auto& t : vec) {
    CAPTURE(t.ns);
    CHECK(format_duration(t.ns) == t.want);
    auto back = parse_go_duration(format_duration(t.ns));
    REQUIRE(back);
    CHECK(*back == t.ns);
  }
}

TEST_CASE("duration: go_quote keeps any input on one printable line") {
  CHECK(go_quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(go_quote("x\ny") == R"("x\x0ay")");
  CHECK(go_quote("\xc2\xb5") == R"("\xc2\xb5")");
  CHECK(go_quote("") == R"("")");
}
