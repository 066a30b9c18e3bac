// frontends/mcp_proxy/line_reader.hpp — newline framing of a byte stream
// (MCP stdio, specs.md §16.4), sans-I/O: feed() whatever read() returned;
// each complete line (without '\n' and a trailing '\r') goes to the sink.
// A line longer than max_len is not buffered: the sink gets it once with
// `oversize` set and its first max_len bytes, the rest up to the next '\n'
// is skipped. finish() delivers a last line that had no '\n'.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>


namespace frontends::mcp_proxy {

class LineReader {
 public:
  explicit LineReader(size_t max_len) : max_(max_len) {}

  // sink(std::string_view line, bool oversize)
  template <class F>
  void feed(std::string_view data, F&& sink);
  template <class F>
  void finish(F&& sink);
  size_t buffered() const { return line_.size(); }

 private:
  size_t max_;
  std::string line_;
  bool discarding_ = false;
};


namespace line_detail {
inline std::string_view chomp(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}
}  // namespace line_detail

template <class F>
void LineReader::feed(std::string_view data, F&& sink) {
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    const std::string_view part = data.substr(0, nl);
    if (!discarding_) {
      if (line_.size() + part.size() > max_) {
        const size_t take = max_ - line_.size();
        line_.append(part.substr(0, take));
        discarding_ = true;
        sink(line_, true);
        line_.clear();
        line_.shrink_to_fit();
      } else if (nl == std::string_view::npos) {
        line_.append(part);
      } else if (line_.empty()) {
        sink(line_detail::chomp(part), false);  // the common case: no copy
      } else {
        line_.append(part);
        std::string line;
        line.swap(line_);
        sink(line_detail::chomp(line), false);
      }
    }
    if (nl == std::string_view::npos) return;
    discarding_ = false;
    data.remove_prefix(nl + 1);
  }
}

template <class F>
void LineReader::finish(F&& sink) {
  if (!discarding_ && !line_.empty()) {
    std::string line;
    line.swap(line_);
    sink(line_detail::chomp(line), false);
  }
  line_.clear();
  discarding_ = false;
}

}  // namespace frontends::mcp_proxy
