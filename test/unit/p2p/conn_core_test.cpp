// ConnCore (multistream /noise -> Noise XX -> yamux) against itself in memory.
#include <doctest/doctest.h>

#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/conn_core.hpp"
#include "pair.hpp"

using namespace p2p;

namespace {

struct Keys {
  crypto::Ed25519PrivateKey a, b;
  Keys() {
    REQUIRE(crypto::init());
    auto ka = crypto::Ed25519PrivateKey::generate();
    auto kb = crypto::Ed25519PrivateKey::generate();
    REQUIRE(ka);
    REQUIRE(kb);
    a = ka.take();
    b = kb.take();
  }
  PeerId id_a() const { return PeerId::from_public_key_proto(crypto::marshal_public_key(a.public_key())); }
  PeerId id_b() const { return PeerId::from_public_key_proto(crypto::marshal_public_key(b.public_key())); }
};

ConnCoreConfig config(ConnDirection d, const crypto::Ed25519PrivateKey& k, PeerId expected = {}) {
  ConnCoreConfig c;
  c.direction = d;
  c.identity = &k;
  c.expected_peer = std::move(expected);
  c.yamux_limits.keepalive = false;
  return c;
}

// Opens a stream from `from`, writes msg, drives until `to` has read it.
std::string send_over_stream(test::Pair& p, ConnCore& from, ConnCore& to, const std::string& msg) {
  auto sid = from.mux()->open_stream();
  REQUIRE(sid);
  auto n = from.mux()->write(*sid, net::as_bytes(msg));
  REQUIRE(n);
  REQUIRE(*n == msg.size());
  REQUIRE(from.flush(p.now));
  std::string got;
  p.drive([&] {
    while (auto ev = to.mux()->poll_event()) {
      if (ev->kind == yamux::EventKind::stream_opened) REQUIRE(to.mux()->accept_stream(ev->id));
      if (ev->kind == yamux::EventKind::stream_readable) {
        uint8_t buf[4096];
        auto r = to.mux()->read(ev->id, buf, p.now);
        REQUIRE(r);
        got.append(reinterpret_cast<char*>(buf), *r);
      }
    }
    while (from.mux()->poll_event()) {
    }
    REQUIRE(to.flush(p.now));
    REQUIRE(from.flush(p.now));
  });
  return got;
}

}  // namespace

TEST_CASE("conn_core: dialer and listener upgrade to an authenticated yamux session (every split)") {
  Keys k;
  for (auto split : {test::Split::whole, test::Split::bytes, test::Split::random}) {
    CAPTURE(static_cast<int>(split));
    ConnCore out(config(ConnDirection::outbound, k.a, k.id_b()));
    ConnCore in(config(ConnDirection::inbound, k.b));
    test::Pair p(test::endpoint_of(out), test::endpoint_of(in), 7);
    p.split = split;
    p.drive([] {});
    REQUIRE_MESSAGE(out.state() == ConnState::open, out.error().what);
    REQUIRE_MESSAGE(in.state() == ConnState::open, in.error().what);
    CHECK(out.remote_peer() == k.id_b());
    CHECK(in.remote_peer() == k.id_a());
    CHECK(out.take_opened());
    CHECK(in.take_opened());
    CHECK(send_over_stream(p, out, in, "hello over noise and yamux") == "hello over noise and yamux");
    CHECK(send_over_stream(p, in, out, "and back") == "and back");
  }
}

TEST_CASE("conn_core: a dial that expects another peer ID is refused by Noise") {
  Keys k;
  ConnCore out(config(ConnDirection::outbound, k.a, k.id_a()));  // expects itself, meets b
  ConnCore in(config(ConnDirection::inbound, k.b));
  test::Pair p(test::endpoint_of(out), test::endpoint_of(in));
  p.drive([] {});
  CHECK(out.state() == ConnState::failed);
  CHECK(out.error().code == net::Err::crypto);
  CHECK(out.error().what.find("does not match expected") != std::string::npos);
}

TEST_CASE("conn_core: a listener that answers na to /noise fails the dial") {
  Keys k;
  ConnCore out(config(ConnDirection::outbound, k.a));
  // A responder supporting only /tls/1.0.0 stands in for the listener.
  static const std::string kTls[] = {"/tls/1.0.0"};
  multistream::Responder rsp(kTls, 0);
  test::Pair p(test::endpoint_of(out), test::endpoint_of(rsp));
  p.drive([] {});
  CHECK(out.state() == ConnState::failed);
  CHECK(out.error().what.rfind("conn: security negotiation:", 0) == 0);
}

TEST_CASE("conn_core: a stalled handshake times out") {
  Keys k;
  ConnCore in(config(ConnDirection::inbound, k.b));
  CHECK(in.next_deadline() <= kUpgradeTimeoutNs);
  in.on_timeout(kUpgradeTimeoutNs);
  CHECK(in.state() == ConnState::failed);
  CHECK(in.error().code == net::Err::timeout);
}

TEST_CASE("conn_core: garbage instead of a multistream header fails the listener") {
  Keys k;
  ConnCore in(config(ConnDirection::inbound, k.b));
  net::Bytes junk(64, 0xff);
  auto r = in.feed(junk, 0);
  CHECK_FALSE(r);
  CHECK(in.state() == ConnState::failed);
}
