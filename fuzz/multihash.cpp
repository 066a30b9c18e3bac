// fuzz/multihash.cpp — Multihash::from_bytes on arbitrary bytes: an accepted
// multihash re-encodes to exactly its input (minimal varints, exact length),
// and read() walks a concatenation without consuming on error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "p2p/multiformats/multihash.hpp"

using namespace p2p;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  auto m = Multihash::from_bytes(in);
  if (m) {
    const net::Bytes b = m->bytes();
    if (b.size() != size || !std::equal(b.begin(), b.end(), data)) abort();
    if (m->encoded_len() != size || m->digest.size() > kMaxMultihashDigestLen) abort();
    if (m->code == mh::kSha2_256 && m->digest.size() != 32) abort();
    auto m2 = Multihash::from_bytes(b);
    if (!m2 || !(*m2 == *m)) abort();
  } else if (m.what().rfind("multihash: ", 0) != 0) {
    abort();
  }
  net::Reader r(in);
  while (!r.empty()) {
    const size_t before = r.pos();
    auto x = Multihash::read(r);
    if (!x) {
      if (r.pos() != before) abort();
      break;
    }
    if (r.pos() - before != x->encoded_len()) abort();
  }
  return 0;
}
