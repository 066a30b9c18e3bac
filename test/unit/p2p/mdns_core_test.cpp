#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mdns_vectors.hpp"
#include "net/bytes.hpp"
#include "p2p/mdns/dns_message.hpp"
#include "p2p/mdns/mdns.hpp"

using namespace p2p;
using namespace p2p::mdns;
using net::Bytes;
using net::Err;
using net::kMillisecond;
using net::kSecond;

namespace {

Rng seeded(uint64_t seed) {
  return [s = seed * 0x9E3779B97F4A7C15ull + 1]() mutable {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
}

PeerId make_id(std::string_view key) { return PeerId::from_public_key_proto(net::as_bytes(key)); }

Multiaddr addr(std::string_view s) {
  auto r = Multiaddr::parse(s);
  INFO(std::string(s), ": ", r.what());
  REQUIRE(r.ok());
  return r.take();
}

Bytes unhex(std::string_view h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

Message parse(const Bytes& b) {
  auto r = parse_message(b);
  INFO(r.what());
  REQUIRE(r.ok());
  return r.take();
}

std::unique_ptr<Mdns> make_core(const PeerId& id, uint64_t seed, bool loopback = false) {
  Config c;
  c.local_id = id;
  c.advertise_loopback = loopback;
  return std::make_unique<Mdns>(c, seeded(seed));
}

// A response packet from a peer: PTR + one TXT record with `strings`.
Bytes response(std::string_view label, std::vector<std::string> strings, uint32_t ttl = 120,
               bool txt_in_additionals = true, uint16_t flags = kFlagResponse | kFlagAuthoritative) {
  Message m;
  m.flags = flags;
  std::string inst = std::string(label) + "._p2p._udp.local";
  Record ptr;
  ptr.name = "_p2p._udp.local";
  ptr.type = kTypePtr;
  ptr.ttl = ttl;
  ptr.target = inst;
  m.answers.push_back(ptr);
  Record txt;
  txt.name = inst;
  txt.type = kTypeTxt;
  txt.ttl = ttl;
  txt.txt = std::move(strings);
  (txt_in_additionals ? m.additionals : m.answers).push_back(txt);
  auto b = build_message(m);
  REQUIRE(b.ok());
  return b.take();
}

Bytes query(std::string_view name, uint16_t type, uint16_t id = 0) {
  Message m;
  m.id = id;
  m.questions.push_back(Question{std::string(name), type, kClassIn, false});
  auto b = build_message(m);
  REQUIRE(b.ok());
  return b.take();
}

std::string dnsaddr(const std::string& addr, const PeerId& id) { return "dnsaddr=" + addr + "/p2p/" + id.to_base58(); }

std::vector<Transmit> drain(Mdns& c) {
  std::vector<Transmit> out;
  while (auto t = c.poll_transmit()) out.push_back(std::move(*t));
  return out;
}

std::vector<PeerFound> events(Mdns& c) {
  std::vector<PeerFound> out;
  while (auto e = c.poll_event()) out.push_back(std::move(*e));
  return out;
}

// What js @libp2p/mdns 12.0.32 gotResponse() does with a packet (query.js):
// the LAST PTR of the answer section must be named exactly
// "_p2p._udp.local", its data must not start with js's own peer name,
// every TXT string of the answers and additionals starting with "dnsaddr="
// must parse (one bad one drops the packet), and the peer ID comes from the
// first address. Returns the peer ID and addresses js would report.
struct JsView {
  std::string peer;
  std::vector<std::string> addrs;
};
std::optional<JsView> js_would_discover(const Bytes& pkt, std::string_view js_peer_name = "jsname") {
  auto r = parse_message(pkt);
  if (!r || !r->is_response()) return std::nullopt;
  const Record* ptr = nullptr;
  std::vector<std::string> strings;
  for (const Record& a : r->answers) {
    if (a.type == kTypePtr) ptr = &a;
    if (a.type == kTypeTxt) strings.insert(strings.end(), a.txt.begin(), a.txt.end());
  }
  for (const Record& a : r->additionals)
    if (a.type == kTypeTxt) strings.insert(strings.end(), a.txt.begin(), a.txt.end());
  if (!ptr || ptr->name != "_p2p._udp.local" || strings.empty() || ptr->target.rfind(js_peer_name, 0) == 0)
    return std::nullopt;
  JsView v;
  for (const std::string& s : strings) {
    if (s.rfind("dnsaddr=", 0) != 0) continue;
    auto m = Multiaddr::parse(std::string_view(s).substr(8));
    if (!m) return std::nullopt;
    if (v.peer.empty()) {
      auto id = m->peer_id();
      if (!id) return std::nullopt;
      v.peer = id->to_base58();
    }
    v.addrs.push_back(m->without_peer_id().to_string());
  }
  if (v.peer.empty()) return std::nullopt;
  return v;
}

// An in-memory LAN: every multicast datagram reaches every core, the sender
// included (IP_MULTICAST_LOOP), after `latency_ns`.
struct Lan {
  struct Node {
    Mdns* core;
    std::vector<PeerFound> found;
    std::vector<net::Instant> found_at;
  };
  struct InFlight {
    net::Instant at;
    size_t from;
    Bytes data;
  };
  std::vector<Node> nodes;
  std::vector<InFlight> wire;
  std::vector<std::pair<size_t, Bytes>> sent;  // every datagram, for inspection
  net::Instant now = 0;
  uint64_t latency_ns = 100'000;
  bool drop_all = false;

  size_t add(Mdns& c) {
    nodes.push_back(Node{&c, {}, {}});
    return nodes.size() - 1;
  }
  void collect() {
    for (size_t i = 0; i < nodes.size(); ++i) {
      while (auto t = nodes[i].core->poll_transmit()) {
        sent.emplace_back(i, t->data);
        if (!drop_all) wire.push_back(InFlight{now + latency_ns, i, t->data});
      }
      while (auto e = nodes[i].core->poll_event()) {
        nodes[i].found.push_back(std::move(*e));
        nodes[i].found_at.push_back(now);
      }
    }
  }
  void run_until(net::Instant end) {
    for (;;) {
      collect();
      net::Instant next = net::kNever;
      for (auto& n : nodes) next = std::min(next, n.core->next_deadline());
      for (auto& w : wire) next = std::min(next, w.at);
      if (next > end) {
        now = end;
        return;
      }
      now = std::max(now, next);
      std::vector<InFlight> due;
      for (auto it = wire.begin(); it != wire.end();) {
        if (it->at <= now) {
          due.push_back(std::move(*it));
          it = wire.erase(it);
        } else {
          ++it;
        }
      }
      for (auto& d : due)
        for (auto& n : nodes) REQUIRE(n.core->handle_packet(d.data, now, PacketInfo{false, true}).ok());
      for (auto& n : nodes)
        if (n.core->next_deadline() <= now) n.core->on_timeout(now);
    }
  }
};

}  // namespace

TEST_CASE("mdns: constants (specs.md §12, RFC 6762) and our schedule") {
  CHECK(kMdnsPort == 5353);
  CHECK(kGroupV4 == "224.0.0.251");
  CHECK(kGroupV6 == "ff02::fb");
  CHECK(kServiceName == "_p2p._udp.local");
  CHECK(kMetaQueryName == "_services._dns-sd._udp.local");
  CHECK(kDnsaddrPrefix == "dnsaddr=");
  CHECK(kRecordTtlS == 120);
  CHECK(kPeerNameMinLen == 32);
  CHECK(kPeerNameMaxLen == 63);
  CHECK(kStartupQueries == 3);
  CHECK(kStartupQuerySpacingNs == kSecond);
  CHECK(kQueryIntervalNs == 5 * kSecond);
  CHECK(kPeerFoundIntervalNs == 10 * kSecond);
  CHECK(kMinMulticastIntervalNs == kSecond);
  CHECK(kResponseDelayMinNs == 20 * kMillisecond);
  CHECK(kResponseDelayMaxNs == 120 * kMillisecond);
}

TEST_CASE("mdns: the peer name is 32-63 lowercase alphanumerics drawn from the injected RNG") {
  size_t shortest = 100, longest = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    Mdns c(Config{make_id("k"), false, {}}, seeded(seed));
    const std::string& n = c.peer_name();
    CHECK(n.size() >= 32);
    CHECK(n.size() <= 63);
    CHECK(std::all_of(n.begin(), n.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }));
    shortest = std::min(shortest, n.size());
    longest = std::max(longest, n.size());
    CHECK(c.instance_name() == n + "._p2p._udp.local");
    CHECK(c.host_name() == n + ".local");
  }
  CHECK(shortest == 32);
  CHECK(longest == 63);
  Mdns a(Config{make_id("k"), false, {}}, seeded(7)), b(Config{make_id("k"), false, {}}, seeded(7));
  CHECK(a.peer_name() == b.peer_name());
}

TEST_CASE("mdns: query schedule: 0 s, 1 s, 2 s, then every 5 s; each query answered by ourselves") {
  PeerId id = make_id("a");
  auto c = make_core(id, 1);
  c->set_addresses({addr("/ip4/192.168.1.10/tcp/4001")}, 0);
  CHECK(c->next_deadline() == net::kNever);
  CHECK(drain(*c).empty());  // nothing before start()
  const net::Instant t0 = 1000 * kSecond;
  c->start(t0);
  CHECK(c->next_deadline() == t0);
  std::vector<net::Instant> queries, answers;
  net::Instant now = t0;
  while (c->next_deadline() < t0 + 13 * kSecond) {
    now = c->next_deadline();
    c->on_timeout(now);
    for (auto& t : drain(*c)) {
      Message m = parse(t.data);
      CHECK_FALSE(t.to_source);
      (m.is_response() ? answers : queries).push_back(now);
      if (!m.is_response()) {
        CHECK(t.data == unhex(mdns_vectors::kJsQuery));  // the same bytes as js's query
      }
    }
  }
  CHECK(queries == std::vector<net::Instant>{t0, t0 + kSecond, t0 + 2 * kSecond, t0 + 7 * kSecond, t0 + 12 * kSecond});
  REQUIRE(answers.size() == queries.size());
  for (size_t i = 0; i < answers.size(); ++i) {
    CHECK(answers[i] >= queries[i] + kResponseDelayMinNs);
    CHECK(answers[i] <= queries[i] + kResponseDelayMaxNs);
  }
  CHECK(c->stats().queries_sent == 5);
}

TEST_CASE("mdns: our answer to a PTR query: PTR answer, one TXT + SRV + A/AAAA additionals, js parses it") {
  PeerId id = make_id("ours");
  auto c = make_core(id, 2);
  c->set_addresses({addr("/ip4/192.168.1.10/tcp/4001"), addr("/ip6/fd00::10/tcp/4001"),
                    addr("/ip4/192.168.1.10/udp/4001/quic-v1")},
                   0);
  REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsQuery), 0).ok());
  CHECK(c->stats().queries == 1);
  CHECK(drain(*c).empty());
  net::Instant at = c->next_deadline();
  CHECK(at >= kResponseDelayMinNs);
  CHECK(at <= kResponseDelayMaxNs);
  c->on_timeout(at);
  auto tx = drain(*c);
  REQUIRE(tx.size() == 1);
  Message m = parse(tx[0].data);
  CHECK(m.id == 0);
  CHECK(m.flags == (kFlagResponse | kFlagAuthoritative));
  CHECK(m.questions.empty());
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].type == kTypePtr);
  CHECK(m.answers[0].name == "_p2p._udp.local");
  CHECK(m.answers[0].target == c->instance_name());
  CHECK(m.answers[0].ttl == 120);
  CHECK_FALSE(m.answers[0].cache_flush);  // shared record
  REQUIRE(m.additionals.size() == 4);
  const Record& txt = m.additionals[0];
  CHECK(txt.type == kTypeTxt);
  CHECK(txt.name == c->instance_name());
  CHECK(txt.cache_flush);
  CHECK(txt.ttl == 120);
  std::string b58 = id.to_base58();
  CHECK(txt.txt == std::vector<std::string>{"dnsaddr=/ip4/192.168.1.10/tcp/4001/p2p/" + b58,
                                            "dnsaddr=/ip6/fd00::10/tcp/4001/p2p/" + b58,
                                            "dnsaddr=/ip4/192.168.1.10/udp/4001/quic-v1/p2p/" + b58});
  const Record& srv = m.additionals[1];
  CHECK(srv.type == kTypeSrv);
  CHECK(srv.name == c->instance_name());
  CHECK(srv.port == 4001);
  CHECK(srv.target == c->host_name());
  CHECK(m.additionals[2].type == kTypeA);
  CHECK(m.additionals[2].name == c->host_name());
  CHECK(m.additionals[2].addr[0] == 192);
  CHECK(m.additionals[2].addr[3] == 10);
  CHECK(m.additionals[3].type == kTypeAaaa);
  CHECK(m.additionals[3].addr[0] == 0xfd);
  auto js = js_would_discover(tx[0].data);
  REQUIRE(js.has_value());
  CHECK(js->peer == b58);
  CHECK(js->addrs == std::vector<std::string>{"/ip4/192.168.1.10/tcp/4001", "/ip6/fd00::10/tcp/4001",
                                              "/ip4/192.168.1.10/udp/4001/quic-v1"});
  CHECK(tx[0].data.size() < 600);
}

TEST_CASE("mdns: the real js answers are discovered; loopback addresses only from this host") {
  auto c = make_core(make_id("ours"), 3);
  c->start(0);
  drain(*c);
  SUBCASE("from this host") {
    REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsResponseIp4Ip6), 5, PacketInfo{false, true}).ok());
    auto ev = events(*c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].peer_id.to_base58() == mdns_vectors::kJsPeerIp4Ip6);
    REQUIRE(ev[0].addrs.size() == 2);
    CHECK(ev[0].addrs[0].to_string() == "/ip4/127.0.0.1/tcp/40001");
    CHECK(ev[0].addrs[1].to_string() == "/ip6/::1/tcp/40002");
    REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsResponseIp4), 6, PacketInfo{false, true}).ok());
    ev = events(*c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].peer_id.to_base58() == mdns_vectors::kJsPeerIp4);
    CHECK(c->stats().peers_found == 2);
  }
  SUBCASE("from another host: its 127.0.0.1 is not the sender's") {
    REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsResponseIp4Ip6), 5, PacketInfo{false, false}).ok());
    CHECK(events(*c).empty());
  }
  SUBCASE("an answer from a port other than 5353 is ignored (RFC 6762 §6)") {
    REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsResponseIp4), 5, PacketInfo{true, true}).ok());
    CHECK(events(*c).empty());
    CHECK(c->stats().ignored == 1);
  }
}

TEST_CASE("mdns: two cores on an in-memory LAN discover each other within 200 ms of the later start") {
  PeerId ida = make_id("alpha"), idb = make_id("bravo");
  auto a = make_core(ida, 10), b = make_core(idb, 11);
  a->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 0);
  b->set_addresses({addr("/ip4/10.0.0.2/tcp/4001"), addr("/ip6/fd00::2/tcp/4001")}, 0);
  Lan lan;
  size_t na = lan.add(*a);
  a->start(0);
  lan.run_until(3 * kSecond);  // A alone: queries and answers itself, finds nobody
  CHECK(lan.nodes[na].found.empty());
  CHECK(lan.sent.size() == 6);  // 3 queries, 3 answers
  net::Instant b_start = lan.now;
  size_t nb = lan.add(*b);  // B joins the LAN
  b->start(b_start);
  lan.run_until(b_start + 200 * kMillisecond);
  REQUIRE(lan.nodes[na].found.size() == 1);
  REQUIRE(lan.nodes[nb].found.size() == 1);
  CHECK(lan.nodes[na].found[0].peer_id == idb);
  CHECK(lan.nodes[na].found[0].addrs == std::vector<Multiaddr>{addr("/ip4/10.0.0.2/tcp/4001"), addr("/ip6/fd00::2/tcp/4001")});
  CHECK(lan.nodes[nb].found[0].peer_id == ida);
  CHECK(lan.nodes[nb].found[0].addrs == std::vector<Multiaddr>{addr("/ip4/10.0.0.1/tcp/4001")});
  CHECK(lan.nodes[na].found_at[0] - b_start <= kResponseDelayMaxNs + 2 * lan.latency_ns);
  CHECK(lan.nodes[nb].found_at[0] - b_start <= kResponseDelayMaxNs + 2 * lan.latency_ns);
  // A minute later: still one report each per 10 s at most, never our own ID.
  lan.run_until(b_start + 60 * kSecond);
  for (size_t n : {na, nb}) {
    CHECK(lan.nodes[n].found.size() <= 7);
    for (size_t i = 1; i < lan.nodes[n].found_at.size(); ++i)
      CHECK(lan.nodes[n].found_at[i] - lan.nodes[n].found_at[i - 1] >= kPeerFoundIntervalNs);
    for (auto& f : lan.nodes[n].found) CHECK(f.peer_id == (n == na ? idb : ida));
  }
  CHECK(a->stats().malformed == 0);
  CHECK(b->stats().malformed == 0);
}

TEST_CASE("mdns: answers are spaced at least 1 s apart; queries in between merge into one answer") {
  auto c = make_core(make_id("ours"), 4);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/1")}, 0);
  REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsQuery), 0).ok());
  net::Instant first = c->next_deadline();
  c->on_timeout(first);
  CHECK(drain(*c).size() == 1);
  // Three more queries 10 ms later: one answer, not before first + 1 s.
  for (int i = 0; i < 3; ++i) REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsQuery), first + 10 * kMillisecond).ok());
  CHECK(c->next_deadline() == first + kSecond);
  c->on_timeout(first + kSecond - 1);
  CHECK(drain(*c).empty());
  c->on_timeout(first + kSecond);
  CHECK(drain(*c).size() == 1);
  CHECK(c->stats().answers_sent == 2);
  CHECK(c->next_deadline() == net::kNever);
}

TEST_CASE("mdns: direct SRV/TXT/A/AAAA queries, the DNS-SD meta query in its own packet") {
  auto c = make_core(make_id("ours"), 5);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001"), addr("/ip6/fd00::1/tcp/4001")}, 0);
  auto answer_to = [&](const Bytes& q, net::Instant t) {
    REQUIRE(c->handle_packet(q, t).ok());
    c->on_timeout(c->next_deadline());
    return drain(*c);
  };
  net::Instant t = 0;
  auto tx = answer_to(query(c->instance_name(), kTypeTxt), t);
  REQUIRE(tx.size() == 1);
  Message m = parse(tx[0].data);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].type == kTypeTxt);
  CHECK(m.additionals.empty());
  CHECK_FALSE(js_would_discover(tx[0].data).has_value());  // no PTR: js ignores it

  t += 2 * kSecond;
  tx = answer_to(query(c->instance_name(), kTypeSrv), t);
  m = parse(tx.at(0).data);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].type == kTypeSrv);
  REQUIRE(m.additionals.size() == 2);  // A and AAAA of the SRV target
  CHECK(m.additionals[0].type == kTypeA);
  CHECK(m.additionals[1].type == kTypeAaaa);

  t += 2 * kSecond;
  tx = answer_to(query(c->host_name(), kTypeAaaa), t);
  m = parse(tx.at(0).data);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].type == kTypeAaaa);

  t += 2 * kSecond;
  tx = answer_to(query("_SERVICES._dns-sd._udp.local", kTypePtr), t);  // names are case-insensitive
  REQUIRE(tx.size() == 1);
  m = parse(tx[0].data);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].name == "_services._dns-sd._udp.local");
  CHECK(m.answers[0].target == "_p2p._udp.local");
  CHECK(m.additionals.empty());

  t += 2 * kSecond;
  Message both;
  both.questions = {Question{"_services._dns-sd._udp.local", kTypePtr}, Question{"_p2p._udp.local", kTypeAny}};
  tx = answer_to(build_message(both).take(), t);
  REQUIRE(tx.size() == 2);  // ours first, the meta answer apart: js takes the LAST PTR
  CHECK(js_would_discover(tx[0].data).has_value());
  CHECK(parse(tx[1].data).answers.at(0).name == "_services._dns-sd._udp.local");

  t += 2 * kSecond;
  REQUIRE(c->handle_packet(query("other._p2p._udp.local", kTypeTxt), t).ok());
  REQUIRE(c->handle_packet(query("_p2p._tcp.local", kTypePtr), t).ok());
  Message chaos;
  chaos.questions = {Question{"_p2p._udp.local", kTypePtr, 3 /* CH */}};
  REQUIRE(c->handle_packet(build_message(chaos).take(), t).ok());
  CHECK(c->next_deadline() == net::kNever);
}

TEST_CASE("mdns: a legacy query (source port != 5353) gets an immediate unicast answer (RFC 6762 §6.7)") {
  auto c = make_core(make_id("ours"), 6);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 0);
  REQUIRE(c->handle_packet(query("_p2p._udp.local", kTypePtr, 0xBEEF), 0, PacketInfo{true, false}).ok());
  auto tx = drain(*c);
  REQUIRE(tx.size() == 1);
  CHECK(tx[0].to_source);
  Message m = parse(tx[0].data);
  CHECK(m.id == 0xBEEF);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].name == "_p2p._udp.local");
  for (auto* sec : {&m.answers, &m.additionals})
    for (const Record& r : *sec) {
      CHECK(r.ttl == kLegacyTtlS);
      CHECK_FALSE(r.cache_flush);
    }
  CHECK(c->next_deadline() == net::kNever);  // nothing multicast
}

TEST_CASE("mdns: known-answer suppression: a query listing our PTR with >= 60 s left is not answered") {
  auto c = make_core(make_id("ours"), 7);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 0);
  for (uint32_t ttl : {60u, 59u}) {
    Message q;
    q.questions.push_back(Question{"_p2p._udp.local", kTypePtr});
    Record known;
    known.name = "_p2p._udp.local";
    known.type = kTypePtr;
    known.ttl = ttl;
    known.target = c->instance_name();
    q.answers.push_back(known);
    REQUIRE(c->handle_packet(build_message(q).take(), 0).ok());
    if (ttl == 60) {
      CHECK(c->next_deadline() == net::kNever);
    } else {
      CHECK(c->next_deadline() != net::kNever);
    }
  }
}

TEST_CASE("mdns: malformed TXT strings are skipped, the good ones of the same packet kept") {
  auto c = make_core(make_id("ours"), 8);
  PeerId peer = make_id("peer");
  std::string b58 = peer.to_base58();
  Bytes pkt = response("somepeer", {"dnsaddr=not-a-multiaddr", "dnsaddr=/ip4/10.0.0.9/tcp/4001",
                                    "dnsaddr=/p2p/" + b58, "foo=bar", "", "DNSADDR=/ip4/10.0.0.9/tcp/4002/p2p/" + b58,
                                    "dnsaddr=/ip4/10.0.0.9/tcp/4001/p2p/" + b58,
                                    "dnsaddr=/ip4/10.0.0.9/tcp/4001/p2p/" + b58,  // duplicate
                                    "dnsaddr=/ip4/999.0.0.1/tcp/1/p2p/" + b58});
  REQUIRE(c->handle_packet(pkt, 0).ok());
  auto ev = events(*c);
  REQUIRE(ev.size() == 1);
  CHECK(ev[0].peer_id == peer);
  CHECK(ev[0].addrs == std::vector<Multiaddr>{addr("/ip4/10.0.0.9/tcp/4002"), addr("/ip4/10.0.0.9/tcp/4001")});
  CHECK(c->stats().bad_addrs == 4);
  // A malformed packet is an error and changes nothing.
  Bytes bad = pkt;
  bad.resize(20);
  auto st = c->handle_packet(bad, 1);
  CHECK(st.err() == Err::proto);
  CHECK(c->stats().malformed == 1);
}

TEST_CASE("mdns: our own ID, our own answers, goodbyes, other opcodes and TTL 0 TXT are ignored") {
  PeerId id = make_id("ours");
  auto c = make_core(id, 9);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 0);
  c->start(0);
  c->on_timeout(0);
  c->on_timeout(c->next_deadline());
  auto tx = drain(*c);
  REQUIRE(tx.size() == 2);
  for (auto& t : tx) REQUIRE(c->handle_packet(t.data, kSecond).ok());  // looped back
  CHECK(events(*c).empty());
  // Another instance name carrying our peer ID (a second daemon with our key).
  REQUIRE(c->handle_packet(response("imposter", {dnsaddr("/ip4/10.9.9.9/tcp/1", id)}), kSecond).ok());
  CHECK(events(*c).empty());
  PeerId peer = make_id("peer");
  REQUIRE(c->handle_packet(response("p", {dnsaddr("/ip4/10.0.0.2/tcp/1", peer)}, 0), kSecond).ok());
  CHECK(events(*c).empty());  // TTL 0: a goodbye, not a discovery
  REQUIRE(c->handle_packet(response("p", {dnsaddr("/ip4/10.0.0.2/tcp/1", peer)}, 120, true,
                                    kFlagResponse | (5 << 11)),
                           kSecond)
              .ok());
  CHECK(events(*c).empty());  // opcode 5 (UPDATE)
  REQUIRE(c->handle_packet(response("p", {dnsaddr("/ip4/10.0.0.2/tcp/1", peer)}, 120, true, kFlagResponse | 3),
                           kSecond)
              .ok());
  CHECK(events(*c).empty());  // rcode NXDOMAIN
  CHECK(c->stats().ignored == 2);
}

TEST_CASE("mdns: PeerFound is rate limited per peer to one per 10 s unless the addresses change") {
  auto c = make_core(make_id("ours"), 12);
  PeerId peer = make_id("peer");
  Bytes one = response("p", {dnsaddr("/ip4/10.0.0.2/tcp/1", peer)});
  Bytes two = response("p", {dnsaddr("/ip4/10.0.0.2/tcp/1", peer), dnsaddr("/ip4/10.0.0.3/tcp/1", peer)});
  Bytes two_reordered = response("p", {dnsaddr("/ip4/10.0.0.3/tcp/1", peer), dnsaddr("/ip4/10.0.0.2/tcp/1", peer)});
  const net::Instant t = 50 * kSecond;
  REQUIRE(c->handle_packet(one, t).ok());
  CHECK(events(*c).size() == 1);
  REQUIRE(c->handle_packet(one, t + 1).ok());
  REQUIRE(c->handle_packet(one, t + kPeerFoundIntervalNs - 1).ok());
  CHECK(events(*c).empty());
  REQUIRE(c->handle_packet(one, t + kPeerFoundIntervalNs).ok());
  CHECK(events(*c).size() == 1);
  REQUIRE(c->handle_packet(two, t + kPeerFoundIntervalNs + 1).ok());  // changed: at once
  CHECK(events(*c).size() == 1);
  REQUIRE(c->handle_packet(two_reordered, t + kPeerFoundIntervalNs + 2).ok());  // same set
  CHECK(events(*c).empty());
  // A goodbye for the peer's instance forgets it: its return is reported at once.
  Message bye;
  bye.flags = kFlagResponse;
  Record ptr;
  ptr.name = "_p2p._udp.local";
  ptr.type = kTypePtr;
  ptr.ttl = 0;
  ptr.target = "P._p2p._udp.local";  // case-insensitive
  bye.answers.push_back(ptr);
  REQUIRE(c->handle_packet(build_message(bye).take(), t + kPeerFoundIntervalNs + 3).ok());
  CHECK(c->tracked_peers() == 0);
  REQUIRE(c->handle_packet(two, t + kPeerFoundIntervalNs + 4).ok());
  CHECK(events(*c).size() == 1);
}

TEST_CASE("mdns: per-packet caps: 16 peers, 32 addresses per peer; tracked peers evicted oldest first") {
  auto c = make_core(make_id("ours"), 13);
  SUBCASE("peers per packet") {
    std::vector<std::string> strings;
    for (int i = 0; i < 17; ++i) strings.push_back(dnsaddr("/ip4/10.0.0.1/tcp/" + std::to_string(i + 1), make_id("p" + std::to_string(i))));
    REQUIRE(c->handle_packet(response("x", strings), 0).ok());
    CHECK(events(*c).size() == kMaxPeersPerPacket);
    CHECK(c->stats().dropped == 1);
  }
  SUBCASE("addresses per peer") {
    PeerId peer = make_id("peer");
    std::vector<std::string> strings;
    for (int i = 0; i < 33; ++i) strings.push_back(dnsaddr("/ip4/10.0.0.1/tcp/" + std::to_string(i + 1), peer));
    REQUIRE(c->handle_packet(response("x", strings), 0).ok());
    auto ev = events(*c);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].addrs.size() == kMaxAddrsPerPeer);
    CHECK(c->stats().dropped == 1);
  }
  SUBCASE("tracked peers") {
    Config cfg;
    cfg.local_id = make_id("ours");
    cfg.limits.max_tracked_peers = 3;
    Mdns s(cfg, seeded(1));
    for (int i = 0; i < 4; ++i) {
      PeerId p = make_id("p" + std::to_string(i));
      REQUIRE(s.handle_packet(response("x", {dnsaddr("/ip4/10.0.0.1/tcp/1", p)}), static_cast<net::Instant>(i + 1)).ok());
    }
    CHECK(s.tracked_peers() == 3);
    CHECK(events(s).size() == 4);
    // p0 (seen first) was evicted: reported again at once; p3 is still rate limited.
    REQUIRE(s.handle_packet(response("x", {dnsaddr("/ip4/10.0.0.1/tcp/1", make_id("p0"))}), 10).ok());
    REQUIRE(s.handle_packet(response("x", {dnsaddr("/ip4/10.0.0.1/tcp/1", make_id("p3"))}), 11).ok());
    auto ev = events(s);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].peer_id == make_id("p0"));
  }
  SUBCASE("pending events") {
    for (size_t i = 0; i < kMaxPendingEvents + 1; ++i)
      REQUIRE(c->handle_packet(response("x", {dnsaddr("/ip4/10.0.0.1/tcp/1", make_id("q" + std::to_string(i)))}), i).ok());
    CHECK(events(*c).size() == kMaxPendingEvents);
    CHECK(c->stats().dropped == 1);
  }
}

TEST_CASE("mdns: our advertised addresses: filtered, deduplicated, capped, and announced on change") {
  PeerId id = make_id("ours");
  PeerId other = make_id("other");
  auto c = make_core(id, 14);
  std::string b58 = id.to_base58();
  // "dnsaddr=" + "/dns/<host>/tcp/1" + "/p2p/<id>" of exactly 255 bytes.
  std::string host(255 - 8 - 5 - 6 - 5 - b58.size(), 'a');
  for (size_t i = 49; i + 1 < host.size(); i += 50) host[i] = '.';
  std::string longest = "/dns/" + host + "/tcp/1";
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001/p2p/" + b58), addr("/ip4/10.0.0.1/tcp/4001"),
                    addr("/ip4/127.0.0.1/tcp/4001"), addr("/ip6/::1/tcp/4001"), addr("/ip4/0.0.0.0/tcp/4001"),
                    addr("/ip4/10.0.0.1/tcp/4002/p2p/" + other.to_base58()),
                    addr("/ip4/1.2.3.4/tcp/1/p2p/" + other.to_base58() + "/p2p-circuit"), addr(longest),
                    addr(longest + "1")},
                   0);
  CHECK(c->addresses() == std::vector<Multiaddr>{addr("/ip4/10.0.0.1/tcp/4001"), addr(longest)});
  REQUIRE(c->txt_strings().size() == 2);
  CHECK(c->txt_strings()[1].size() == 255);
  // advertise_loopback keeps them (tests in one namespace).
  auto l = make_core(id, 14, true);
  l->set_addresses({addr("/ip4/127.0.0.1/tcp/4001"), addr("/ip6/::1/tcp/4001")}, 0);
  CHECK(l->addresses().size() == 2);
  // At most 16.
  std::vector<Multiaddr> many;
  for (int i = 1; i <= 17; ++i) many.push_back(addr("/ip4/10.0.0.1/tcp/" + std::to_string(i)));
  c->set_addresses(many, 0);
  CHECK(c->addresses().size() == kMaxAdvertisedAddrs);
  // No address: no answer at all (as js).
  c->set_addresses({}, 0);
  REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsQuery), 0).ok());
  CHECK(c->next_deadline() == net::kNever);
  c->start(0);
  c->on_timeout(0);
  auto tx = drain(*c);
  REQUIRE(tx.size() == 1);  // the query only
  CHECK(c->next_deadline() == kSecond);
  // A change after start is announced (within 120 ms).
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 10 * kMillisecond);
  CHECK(c->next_deadline() <= 10 * kMillisecond + kResponseDelayMaxNs);
  c->on_timeout(c->next_deadline());
  tx = drain(*c);
  REQUIRE(tx.size() == 1);
  CHECK(js_would_discover(tx[0].data)->peer == b58);
  // The same set again: nothing new.
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 200 * kMillisecond);
  CHECK(c->next_deadline() == kSecond);
}

TEST_CASE("mdns: shutdown sends a goodbye (PTR, TTL 0, no TXT) that js does not take for a discovery") {
  auto c = make_core(make_id("ours"), 15);
  c->set_addresses({addr("/ip4/10.0.0.1/tcp/4001")}, 0);
  c->start(0);
  c->on_timeout(0);
  drain(*c);
  c->shutdown();
  auto tx = drain(*c);
  REQUIRE(tx.size() == 1);
  Message m = parse(tx[0].data);
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].type == kTypePtr);
  CHECK(m.answers[0].ttl == 0);
  CHECK(m.additionals.empty());
  CHECK_FALSE(js_would_discover(tx[0].data).has_value());
  CHECK(c->next_deadline() == net::kNever);
  REQUIRE(c->handle_packet(unhex(mdns_vectors::kJsQuery), kSecond).ok());
  c->on_timeout(2 * kSecond);
  CHECK(drain(*c).empty());
  c->shutdown();
  CHECK(drain(*c).empty());
}
