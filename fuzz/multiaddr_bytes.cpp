// fuzz/multiaddr_bytes.cpp — Multiaddr::from_bytes on arbitrary bytes. An
// accepted multiaddr keeps its bytes; bytes -> text -> bytes is the identity;
// components re-assemble to the bytes; the helpers keep the invariants.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "p2p/multiaddr/multiaddr.hpp"

using namespace p2p;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  auto m = Multiaddr::from_bytes(in);
  if (!m) {
    if (m.what().rfind("multiaddr: ", 0) != 0 || m.what().find('\n') != std::string::npos) abort();
    return 0;
  }
  if (m->bytes().size() != size || !std::equal(in.begin(), in.end(), m->bytes().begin())) abort();
  const std::string text = m->to_string();
  auto back = Multiaddr::parse(text);
  if (!back || *back != *m) abort();
  if (back->to_string() != text) abort();

  const auto cs = m->components();
  if (cs.empty() || cs.size() > kMaxMultiaddrComponents || cs.size() != m->component_count()) abort();
  size_t pos = 0;
  Multiaddr rebuilt;
  for (const auto& c : cs) {
    if (c.offset != pos || c.name.empty()) abort();
    pos += c.size;
    if (!rebuilt.push(c.code, c.value)) abort();
    (void)c.value_text();
  }
  if (pos != size || rebuilt != *m) abort();

  if (auto id = m->peer_id()) {
    const Multiaddr w = m->without_peer_id();
    if (w.component_count() + 1 != cs.size()) abort();
    // with_peer_id replaces a trailing /p2p, so it restores m unless w
    // itself still ends in one (/p2p/A/p2p/B).
    auto again = w.with_peer_id(*id);
    if (!again || again->peer_id() != id || again->without_peer_id() != w.without_peer_id()) abort();
    if (!w.peer_id() && *again != *m) abort();
  }
  for (const auto& c : cs) {
    // Cut at the last component with this code.
    size_t last = 0;
    for (const auto& e : cs)
      if (e.code == c.code) last = e.offset;
    const Multiaddr d = m->decapsulate_code(c.code);
    if (d.bytes().size() != last || !std::equal(d.bytes().begin(), d.bytes().end(), in.begin())) abort();
    if (!d.empty() && !Multiaddr::from_bytes(d.bytes())) abort();
  }
  (void)m->is_loopback();
  (void)m->is_private();
  (void)m->is_unspecified();
  if (auto hp = m->to_tcp_endpoint()) {
    auto mm = Multiaddr::from_host_port(hp->host, hp->port);
    if (hp->family == HostFamily::ip4 || hp->family == HostFamily::ip6) {
      if (!mm) abort();
      auto hp2 = mm->to_tcp_endpoint();
      if (!hp2 || hp2->host != hp->host || hp2->port != hp->port) abort();
    }
  }
  auto twice = m->encapsulate(*m);
  if (twice && twice->bytes().size() != 2 * size) abort();
  return 0;
}
