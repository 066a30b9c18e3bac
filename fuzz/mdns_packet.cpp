// fuzz/mdns_packet.cpp — one datagram through the DNS parser and the mDNS
// core. Invariants: a parsed message rebuilds (compressed and not) unless
// the rebuild exceeds 9000 bytes (Err::limit), and the rebuild parses to the
// same message; the core never throws, never emits more than its caps, and
// every datagram it sends parses. Byte 0 of the input selects the packet
// origin (legacy port, same host); the rest is the datagram.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "p2p/mdns/dns_message.hpp"
#include "p2p/mdns/mdns.hpp"

using namespace p2p;
using namespace p2p::mdns;

namespace {

Mdns& core() {
  static Mdns* c = [] {
    Config cfg;
    cfg.local_id = PeerId::from_public_key_proto(net::as_bytes("fuzz-self"));
    uint64_t s = 42;
    auto* m = new Mdns(cfg, [s]() mutable {
      s = s * 6364136223846793005ull + 1442695040888963407ull;
      return s >> 11;
    });
    auto a = Multiaddr::parse("/ip4/192.168.1.2/tcp/4001");
    auto b = Multiaddr::parse("/ip6/fd00::2/udp/4001/quic-v1");
    m->set_addresses({*a, *b}, 0);
    m->start(0);
    return m;
  }();
  return *c;
}

void check_roundtrip(const Message& m) {
  for (bool compress : {true, false}) {
    auto b = build_message(m, BuildOptions{compress});
    if (!b) {
      if (b.err() != net::Err::limit) abort();
      continue;
    }
    if (b->size() > kMaxPacketLen) abort();
    auto again = parse_message(*b);
    if (!again) abort();
    if (!(*again == m)) abort();
    if (again->skipped != 0) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  PacketInfo info;
  info.legacy = (data[0] & 1) != 0;
  info.from_local = (data[0] & 2) != 0;
  net::BytesView pkt(data + 1, size - 1);

  auto m = parse_message(pkt);
  if (m) check_roundtrip(*m);

  static net::Instant now = 0;
  now += (data[0] >> 2) * 50 * net::kMillisecond;
  Mdns& c = core();
  auto st = c.handle_packet(pkt, now, info);
  if (st.ok() != m.ok()) abort();
  c.on_timeout(now);
  size_t events = 0;
  while (auto e = c.poll_event()) {
    if (e->addrs.empty() || e->addrs.size() > kMaxAddrsPerPeer) abort();
    if (e->peer_id == PeerId::from_public_key_proto(net::as_bytes("fuzz-self"))) abort();
    ++events;
  }
  if (events > kMaxPeersPerPacket) abort();
  while (auto t = c.poll_transmit()) {
    if (!parse_message(t->data)) abort();
  }
  if (c.tracked_peers() > kMaxTrackedPeers) abort();
  return 0;
}
