// fuzz/command_line.cpp — the -mcp-proxy command line splitter
// (frontends/mcp_proxy/command_line). Invariants: an accepted line has at
// least one word; each word quoted back with '...' (a ' inside as '\'')
// and joined by spaces splits into the same words.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontends/mcp_proxy/command_line.hpp"

using frontends::mcp_proxy::split_command;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto words = split_command(text);
  if (!words) return 0;
  if (words->empty()) abort();
  std::string quoted;
  for (const auto& w : *words) {
    if (!quoted.empty()) quoted += ' ';
    quoted += '\'';
    for (char c : w) {
      if (c == '\'') quoted += "'\\''";
      else quoted += c;
    }
    quoted += '\'';
  }
  auto again = split_command(quoted);
  if (!again) {
    // Quoting can only lengthen the line: a limit may refuse it, nothing else.
    if (again.err() != net::Err::limit) abort();
    return 0;
  }
  if (*again != *words) abort();
  return 0;
}
