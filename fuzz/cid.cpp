// fuzz/cid.cpp — CIDs from arbitrary bytes and arbitrary text. An accepted
// binary CID re-encodes to its input; any accepted CID survives
// to_string -> parse in its default base and in base58btc/base36/base64url.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/multiformats/cid.hpp"

using namespace p2p;

namespace {

void check_text_round_trip(const Cid& c) {
  auto p = Cid::parse(c.to_string());
  if (!p || !(*p == c)) abort();
  if (c.version == 1) {
    for (auto b : {multibase::Base::base58btc, multibase::Base::base36, multibase::Base::base64url}) {
      auto q = Cid::parse(c.to_string(b));
      if (!q || !(*q == c)) abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  auto c = Cid::from_bytes(in);
  if (c) {
    const net::Bytes b = c->bytes();
    if (b.size() != size || !std::equal(b.begin(), b.end(), data)) abort();
    if (c->version != 0 && c->version != 1) abort();
    check_text_round_trip(*c);
  } else if (c.what().rfind("cid: ", 0) != 0) {
    abort();
  }
  auto t = Cid::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (t) {
    auto again = Cid::from_bytes(t->bytes());
    if (!again || !(*again == *t)) abort();
    check_text_round_trip(*t);
  }
  return 0;
}
