// fuzz/multiaddr_string.cpp — Multiaddr::parse on arbitrary text. An
// accepted multiaddr's bytes are valid for from_bytes, and after one
// normalisation text is stable: parse(to_string()) gives the same bytes and
// the same text.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/multiaddr/multiaddr.hpp"

using namespace p2p;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = Multiaddr::parse(text);
  if (!m) {
    if (m.what().rfind("multiaddr: ", 0) != 0 || m.what().find('\n') != std::string::npos) abort();
    return 0;
  }
  if (m->bytes().size() > kMaxMultiaddrLen) abort();
  auto b = Multiaddr::from_bytes(m->bytes());
  if (!b || *b != *m) abort();
  const std::string s1 = m->to_string();
  auto m2 = Multiaddr::parse(s1);
  if (!m2 || *m2 != *m) abort();
  if (m2->to_string() != s1) abort();
  return 0;
}
