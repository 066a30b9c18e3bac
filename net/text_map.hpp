// net/text_map.hpp — an unordered_map keyed by std::string that can be
// looked up with a std::string_view (C++20 heterogeneous lookup), so a
// lookup by a view does not allocate a key string first.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace net {

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

}  // namespace net
