// fuzz/identify.cpp — IdentifyReader fed arbitrary stream bytes (length
// prefixes, up to 10 merged messages, signed records) in arbitrary chunks,
// then EOF; the result is checked against every cap and merged as a push.
// Input: byte 0 seeds the chunk sizes; the rest is the stream from the
// remote, whose peer ID is the spec Ed25519 vector's (the key of the
// js-libp2p capture in the corpus). Feeding it whole must give the same
// outcome (split invariance).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "p2p/identify/identify.hpp"

using namespace p2p::identify;

namespace {

const p2p::PeerId& spec_peer() {
  static p2p::PeerId id = *p2p::PeerId::parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  return id;
}

net::Result<IdentifyInfo> run(net::BytesView in, uint8_t seed, bool whole) {
  IdentifyReader rd(spec_peer(), 0);
  uint32_t r = seed | 1u;
  size_t off = 0;
  while (off < in.size()) {
    r = r * 1103515245u + 12345u;
    size_t n = whole ? in.size() : std::min<size_t>(in.size() - off, 1 + (r >> 16) % 300);
    auto s = rd.feed(in.subspan(off, n), 0);
    if (!s) {
      if (!rd.failed()) abort();
      return s.take_error();
    }
    off += n;
  }
  return rd.on_eof();
}

void check(const IdentifyInfo& info) {
  if (info.messages == 0 || info.messages > kMaxMessages) abort();
  if (info.listen_addrs.size() > kMaxListenAddrs || info.protocols.size() > kMaxProtocols) abort();
  for (size_t i = 0; i < info.protocols.size(); ++i) {
    const std::string& p = info.protocols[i];
    if (p.empty() || p.size() > kMaxProtocolIdLen || p.find('\n') != std::string::npos) abort();
    for (size_t j = 0; j < i; ++j)
      if (info.protocols[j] == p) abort();
  }
  for (size_t i = 0; i < info.listen_addrs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (info.listen_addrs[j] == info.listen_addrs[i]) abort();
  if (info.signed_record_seq && info.record_error) abort();
  if (info.signed_record_seq && info.signed_record.empty()) abort();
  if (info.public_key &&
      p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(*info.public_key)) != spec_peer())
    abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  net::BytesView in(data + 1, size - 1);
  auto a = run(in, data[0], false);
  auto b = run(in, data[0], true);
  if (a.ok() != b.ok()) abort();
  if (!a) {
    if (a.err() != b.err() || a.what() != b.what()) abort();
    return 0;
  }
  check(*a);
  if (a->protocols != b->protocols || a->listen_addrs != b->listen_addrs || a->messages != b->messages ||
      a->signed_record_seq != b->signed_record_seq || a->agent_version != b->agent_version)
    abort();
  IdentifyInfo stored = b.take();
  IdentifyInfo push = a.take();
  merge_push(stored, std::move(push));
  check(stored);
  return 0;
}
