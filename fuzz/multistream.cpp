// fuzz/multistream.cpp — multistream-select: the codec (decode -> encode ->
// decode is stable, ls responses too) and both cores fed arbitrary bytes in
// arbitrary chunks. Input: byte 0 picks the core (bit 0: 0 responder,
// 1 initiator) and lazy mode (bit 1); byte 1 seeds the chunk sizes; the rest
// is what the peer sends.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "p2p/multistream/multistream.hpp"

using namespace p2p::multistream;

namespace {

void check_codec(net::BytesView in) {
  auto m = decode_message(in);
  if (!m) return;
  if (m->consumed > in.size() || m->line.size() + 2 > m->consumed) abort();
  net::Bytes enc;
  encode_message(m->line, enc);
  auto m2 = decode_message(enc);
  if (!m2 || m2->line != m->line || m2->consumed != enc.size()) abort();
  // The body of an ls response is the message plus its newline.
  net::BytesView body = in.subspan(m->consumed - m->line.size() - 1, m->line.size() + 1);
  auto ls = decode_ls_response(body);
  if (!ls) return;
  net::Bytes again;
  encode_ls_response(*ls, again, SIZE_MAX);
  auto outer = decode_message(again, SIZE_MAX);
  if (!outer) abort();
  auto ls2 = decode_ls_response(net::BytesView(again).subspan(again.size() - outer->line.size() - 1));
  if (!ls2 || *ls2 != *ls) abort();
}

template <class Core>
void drive(Core& c, net::BytesView in, uint8_t seed) {
  size_t off = 0;
  net::Instant now = 0;
  uint32_t r = seed | 1u;
  while (off < in.size()) {
    r = r * 1103515245u + 12345u;
    size_t n = std::min<size_t>(in.size() - off, 1 + (r >> 16) % 64);
    auto res = c.feed(in.subspan(off, n), now);
    if (!res) {
      if (c.state() != State::failed) abort();
      return;
    }
    if (*res > n) abort();
    if (c.state() == State::selected) {
      auto again = c.feed(in.subspan(off, n), now);  // everything after is app data
      if (!again || *again != 0) abort();
      if (c.protocol().empty()) abort();
      return;
    }
    if (*res != n) abort();  // while negotiating, everything is consumed
    // Output stays bounded: header + one answer per round (ls answers <= 1 KiB).
    if (c.pending_output().size() > (kMaxRounds + 2) * (kMaxMessageLen + 2)) abort();
    if ((r >> 8) & 1) c.consume_output(c.pending_output().size());
    now += (r >> 4) % 3 * net::kSecond;
    c.on_timeout(now);
    if (c.state() == State::failed) return;
    off += n;
  }
}

const std::vector<std::string> kSupported = {"/noise", "/tls/1.0.0", "/yamux/1.0.0", "/ipfs/id/1.0.0"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  net::BytesView in(data + 2, size - 2);
  check_codec(in);
  if (data[0] & 1) {
    Initiator::Options o;
    o.lazy = (data[0] & 2) != 0;
    std::vector<std::string> protos = {"/yamux/1.0.0"};
    if (data[0] & 4) protos = {"/mplex/6.7.0", "/yamux/1.0.0", "/noise"};
    Initiator ini(protos, 0, o);
    drive(ini, in, data[1]);
  } else {
    Responder rsp(kSupported, 0);
    drive(rsp, in, data[1]);
  }
  return 0;
}
