// fuzz/sockaddr.cpp — net::SockAddr from arbitrary text (config listen
// addresses) and from arbitrary sockaddr bytes (what the kernel hands back).
// Accepted text survives to_string -> parse unchanged; an accepted sockaddr
// survives storage() -> from_storage().
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "net/sockaddr.hpp"

using net::SockAddr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] & 1) {
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto a = SockAddr::parse(text);
    if (!a) {
      if (a.what().empty()) abort();  // every refusal says why
      return 0;
    }
    auto b = SockAddr::parse(a->to_string());
    if (!b || !(*b == *a) || b->to_string() != a->to_string()) abort();
  } else {
    sockaddr_storage ss{};
    size_t n = size - 1 < sizeof(ss) ? size - 1 : sizeof(ss);
    memcpy(&ss, data + 1, n);
    auto a = SockAddr::from_storage(ss, static_cast<socklen_t>(n));
    if (!a) return 0;
    auto b = SockAddr::from_storage(a->storage(), a->len());
    if (!b || !(*b == *a)) abort();
    if (a->is_ip() || !a->path().empty()) {
      auto c = SockAddr::parse(a->to_string());
      if (!c || !(*c == *a)) abort();
    }
  }
  return 0;
}
