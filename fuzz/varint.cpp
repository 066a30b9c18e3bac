// fuzz/varint.cpp — net/varint: the multiformats uvarint (<= 9 bytes,
// minimal) and the protobuf varint. A decoded uvarint re-encodes to exactly
// the bytes read; a protobuf varint re-encodes to the same value; the Reader
// walks any input without reading past it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "net/bytes.hpp"
#include "net/varint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  uint64_t v = 0;
  size_t n = 0;
  uint8_t enc[net::kMaxPbVarintLen];

  if (net::uvarint_decode(in, &v, &n) == net::VarintStatus::ok) {
    if (n == 0 || n > net::kMaxUvarintLen || n > size) abort();
    if (v >> 63) abort();  // 9 bytes carry 63 bits
    if (net::varint_len(v) != n || net::varint_encode(v, enc) != n || std::memcmp(enc, data, n) != 0) abort();
  }
  if (net::pb_varint_decode(in, &v, &n) == net::VarintStatus::ok) {
    if (n == 0 || n > net::kMaxPbVarintLen || n > size) abort();
    const size_t m = net::varint_encode(v, enc);
    uint64_t v2 = 0;
    size_t n2 = 0;
    if (net::pb_varint_decode(net::BytesView(enc, m), &v2, &n2) != net::VarintStatus::ok || v2 != v || n2 != m)
      abort();
    if (m > n) abort();  // the minimal form is never longer
  }
  // Walk the input as a stream of uvarints.
  net::Reader r(in);
  while (!r.empty()) {
    const size_t before = r.pos();
    net::VarintStatus why;
    if (!r.uvarint(v, &why)) {
      if (r.pos() != before || why == net::VarintStatus::ok) abort();
      break;
    }
    if (r.pos() <= before || r.pos() > size) abort();
  }
  return 0;
}
