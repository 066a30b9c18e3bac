// frontends/mcp_proxy/command_line.hpp — splits the -mcp-proxy command line
// into words the way a POSIX shell does for simple quoting, without running
// a shell:
//   - words are separated by spaces, tabs and newlines;
//   - '...' keeps everything literally (no escapes inside);
//   - "..." keeps everything but \" \\ \$ \` (backslash removed) and
//     backslash-newline (removed);
//   - outside quotes a backslash keeps the next character literally;
//   - quotes join with their neighbours: a'b c'd is one word "ab cd";
//     '' is an empty word.
// Nothing else is special: no $VAR, ~, globs, pipes, redirections or ';' —
// they reach the program as text. For those, wrap in `sh -c '...'`.
// The program (first word) is looked up in PATH (posix_spawnp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/result.hpp"

namespace frontends::mcp_proxy {

// Errors: Err::invalid "empty command", "unterminated ' quote",
// "unterminated \" quote", "trailing backslash"; Err::limit beyond
// kMaxCommandLen bytes or kMaxCommandWords words.
net::Result<std::vector<std::string>> split_command(std::string_view cmd);

}  // namespace frontends::mcp_proxy
