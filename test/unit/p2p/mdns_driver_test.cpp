// The mDNS driver over real UDP on 127.0.0.1 without any multicast: the
// driver joins no interface (an interface filter that matches nothing) and
// binds an ephemeral port, so every querier is a legacy one and gets a
// unicast answer. Multicast itself is exercised in network namespaces only
// (test/netns/mdns_ours.test.sh, README "Connecting two daemons on a LAN").
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/loop.hpp"
#include "net/socket.hpp"
#include "p2p/mdns/dns_message.hpp"
#include "p2p/mdns/mdns_driver.hpp"

using namespace p2p;
using namespace p2p::mdns;
using net::Err;
using net::kSecond;

namespace {

std::unique_ptr<net::Loop> new_loop() {
  auto l = net::Loop::create();
  REQUIRE(l);
  return l.take();
}

DriverOptions quiet_options() {
  DriverOptions o;
  o.ipv6 = false;
  o.port = 0;
  o.interfaces = {"aac-no-such-interface"};
  return o;
}

}  // namespace

TEST_CASE("mdns driver: refuses to start with both families off") {
  auto loop = new_loop();
  DriverOptions o = quiet_options();
  o.ipv4 = false;
  auto d = Driver::start(*loop, PeerId::from_public_key_proto(net::as_bytes("k")), o, nullptr);
  CHECK(d.err() == Err::invalid);
  CHECK(d.what() == "mdns: both IPv4 and IPv6 are disabled");
}

TEST_CASE("mdns driver: answers a legacy unicast query on 127.0.0.1 with our expanded addresses") {
  auto loop = new_loop();
  PeerId id = PeerId::from_public_key_proto(net::as_bytes("driver-test"));
  std::vector<std::string> log_lines;
  net::Log log;
  log.capture(&log_lines);
  auto d = Driver::start(*loop, id, quiet_options(), nullptr, &log, [] { return uint64_t{7}; });
  REQUIRE(d.ok());
  CHECK((*d)->joined_v4().empty());
  CHECK((*d)->joined_v6().empty());
  uint16_t port = (*d)->local_port();
  REQUIRE(port != 0);
  // 0.0.0.0 is expanded to the interface addresses; loopback is not
  // advertised (DriverOptions::loopback is off), so add a specific one too.
  (*d)->set_addresses({*Multiaddr::parse("/ip4/0.0.0.0/tcp/4001"), *Multiaddr::parse("/ip4/192.0.2.7/tcp/4002")});
  const auto& adv = (*d)->core().addresses();
  REQUIRE_FALSE(adv.empty());
  CHECK(adv.back() == *Multiaddr::parse("/ip4/192.0.2.7/tcp/4002"));
  for (const Multiaddr& a : adv) {
    CHECK_FALSE(a.is_unspecified());
    CHECK_FALSE(a.is_loopback());
  }

  auto q = net::udp_bind(net::SockAddr::loopback4(0));
  REQUIRE(q);
  Message m;
  m.id = 0x4242;
  m.questions.push_back(Question{"_p2p._udp.local", kTypePtr});
  auto pkt = build_message(m);
  REQUIRE(pkt);
  REQUIRE(net::udp_send_to(q->get(), *pkt, net::SockAddr::loopback4(port)));

  bool got = false;
  net::Bytes answer(kMaxPacketLen);
  size_t n = 0;
  auto io = loop->add_fd(q->get(), net::kReadable, [&](uint32_t) {
    auto r = net::udp_recv_from(q->get(), answer, nullptr);
    if (r) {
      n = *r;
      got = true;
    }
  });
  REQUIRE(io);
  bool expired = false;
  auto guard = loop->add_timer(loop->now() + 5 * kSecond, [&] { expired = true; });
  while (!got && !expired) REQUIRE(loop->run_once(-1));
  loop->cancel_timer(guard);
  loop->remove_fd(*io);
  REQUIRE(got);
  answer.resize(n);
  auto a = parse_message(answer);
  REQUIRE(a.ok());
  CHECK(a->id == 0x4242);
  REQUIRE(a->questions.size() == 1);
  REQUIRE(a->answers.size() == 1);
  CHECK(a->answers[0].target == (*d)->core().instance_name());
  CHECK(a->answers[0].ttl == kLegacyTtlS);
  REQUIRE_FALSE(a->additionals.empty());
  const Record& txt = a->additionals[0];
  REQUIRE(txt.type == kTypeTxt);
  CHECK(txt.txt.back() == "dnsaddr=/ip4/192.0.2.7/tcp/4002/p2p/" + id.to_base58());
  CHECK((*d)->core().stats().queries == 1);
  bool started = false;
  for (const auto& l : log_lines) started = started || l.find("\"msg\":\"mdns started\"") != std::string::npos;
  CHECK(started);
}
