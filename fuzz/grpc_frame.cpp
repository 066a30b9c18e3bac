// fuzz/grpc_frame.cpp — the gRPC wire codecs of frontends/grpc/grpc_frame
// and grpc_status: the 5-byte message deframer, grpc-timeout and the
// percent-encoded grpc-message. The first byte picks the codec.
//   0: Deframer. The rest is the DATA of one HTTP/2 stream; it is fed whole
//      and again in pieces whose sizes come from the input itself: both
//      give the same messages and the same error, nothing exceeds the
//      buffer limit, and acknowledged bytes never exceed what was pushed.
//   1: parse_timeout; a parsed value formats to a string that parses back
//      to at least the value (format rounds up).
//   2: percent_decode never fails; percent_encode of its result decodes back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/grpc/grpc_frame.hpp"
#include "frontends/grpc/grpc_status.hpp"

namespace {

constexpr uint32_t kMaxLen = 4096;
constexpr size_t kBufferLimit = 2 * kMaxLen + 5;

struct Outcome {
  std::vector<std::pair<bool, std::string>> messages;
  bool failed = false;
  uint64_t acked = 0;
};

Outcome run(net::BytesView in, net::BytesView sizes) {
  using frontends::grpc::Deframer;
  Deframer d(kMaxLen, kBufferLimit);
  Outcome o;
  size_t pos = 0, k = 0;
  while (pos < in.size() && !o.failed) {
    size_t n = in.size() - pos;
    if (!sizes.empty()) n = std::min<size_t>(n, 1 + sizes[k++ % sizes.size()] % 64);
    if (!d.push(in.subspan(pos, n))) {
      o.failed = true;
      break;
    }
    pos += n;
    if (d.buffered() > kBufferLimit) abort();
    for (;;) {
      frontends::grpc::Message m;
      auto r = d.next(&m);
      if (!r) {
        o.failed = true;
        break;
      }
      if (!*r) break;
      if (m.data.size() > kMaxLen) abort();
      o.messages.emplace_back(m.compressed, std::string(reinterpret_cast<const char*>(m.data.data()), m.data.size()));
    }
    o.acked += d.take_ack();
    if (o.acked > pos) abort();
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const net::BytesView in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      // Buffer-limit errors depend on how the bytes arrive (a whole chunk
      // may overflow where pieces interleaved with next() do not), so only
      // inputs the whole feed accepts are compared.
      const Outcome whole = run(in, {});
      const Outcome pieces = run(in, in);
      if (!whole.failed && (pieces.failed || pieces.messages != whole.messages)) abort();
      break;
    }
    case 1: {
      const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
      auto v = frontends::grpc::parse_timeout(s);
      if (v) {
        auto back = frontends::grpc::parse_timeout(frontends::grpc::format_timeout(*v));
        if (!back || *back < *v) abort();
      }
      break;
    }
    default: {
      const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
      // Encoding normalizes (invalid UTF-8 becomes U+FFFD, as grpc-message
      // must decode to UTF-8; over-long text is cut): after one round trip
      // the text is stable, and printable ASCII survives it unchanged.
      namespace g = frontends::grpc;
      const std::string dec = g::percent_decode(s);
      const std::string once = g::percent_decode(g::percent_encode(dec));
      if (g::percent_decode(g::percent_encode(once)) != once) abort();
      bool ascii = dec.size() < 256;
      for (char ch : dec) ascii = ascii && ch >= 0x20 && ch <= 0x7e;
      if (ascii && once != dec) abort();
    }
  }
  return 0;
}
