// frontends/mcp_proxy/command_line.cpp — see command_line.hpp.
#include "frontends/mcp_proxy/command_line.hpp"

#include "frontends/mcp_proxy/mcp_proxy_limits.hpp"

namespace frontends::mcp_proxy {

net::Result<std::vector<std::string>> split_command(std::string_view cmd) {
  if (cmd.size() > kMaxCommandLen)
    return net::Error{net::Err::limit, "command of " + std::to_string(cmd.size()) + " bytes exceeds " +
                                           std::to_string(kMaxCommandLen)};
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;  // '' makes a word even though it adds no character
  auto end_word = [&]() -> net::Status {
    if (!in_word) return {};
    if (words.size() == kMaxCommandWords)
      return {net::Err::limit, "command has more than " + std::to_string(kMaxCommandWords) + " words"};
    words.push_back(std::move(cur));
    cur.clear();
    in_word = false;
    return {};
  };
  for (size_t i = 0; i < cmd.size(); ++i) {
    const char c = cmd[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      AAC_TRY(end_word());
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t close = cmd.find('\'', i + 1);
      if (close == std::string_view::npos) return net::Error{net::Err::invalid, "unterminated ' quote"};
      cur.append(cmd.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= cmd.size()) return net::Error{net::Err::invalid, "unterminated \" quote"};
        const char d = cmd[j];
        if (d == '"') break;
        if (d == '\\' && j + 1 < cmd.size()) {
          const char e = cmd[j + 1];
          if (e == '"' || e == '\\' || e == '$' || e == '`') {
            cur.push_back(e);
            ++j;
            continue;
          }
          if (e == '\n') {
            ++j;
            continue;
          }
        }
        cur.push_back(d);
      }
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= cmd.size()) return net::Error{net::Err::invalid, "trailing backslash"};
      ++i;
      if (cmd[i] != '\n') cur.push_back(cmd[i]);
    } else {
      cur.push_back(c);
    }
  }
  AAC_TRY(end_word());
  if (words.empty()) return net::Error{net::Err::invalid, "empty command"};
  return words;
}

}  // namespace frontends::mcp_proxy
