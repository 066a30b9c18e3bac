// fuzz/yamux_frame.cpp — the yamux header codec: every 12-byte window of the
// input is decoded; a decoded header re-encodes to the same bytes and decodes
// to the same header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "p2p/yamux/yamux_frame.hpp"

using namespace p2p::yamux;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  net::BytesView in(data, size);
  for (size_t off = 0; off < size; off += (off + kHeaderLen <= size ? 1 : kHeaderLen)) {
    auto h = decode_header(in.subspan(off));
    if (!h) {
      if (size - off >= kHeaderLen && h.err() != net::Err::proto) abort();
      if (size - off < kHeaderLen && h.err() != net::Err::need_more) abort();
      continue;
    }
    uint8_t enc[kHeaderLen];
    encode_header(*h, enc);
    if (std::memcmp(enc, data + off, kHeaderLen) != 0) abort();
    auto h2 = decode_header({enc, kHeaderLen});
    if (!h2 || !(*h2 == *h)) abort();
    if (describe(*h).empty()) abort();
  }
  return 0;
}
