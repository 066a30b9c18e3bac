// The ping and perf services between two real hosts on loopback TCP in one
// loop. Under ASan these catch a service object touched after the stream's
// on_close deleted it (a close_write that ends the stream synchronously).
#include <doctest/doctest.h>

#include <memory>

#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"
#include "p2p/services/perf_service.hpp"
#include "p2p/services/ping_service.hpp"

using namespace p2p;

namespace {

struct ServiceNode {
  crypto::Ed25519PrivateKey key;
  std::unique_ptr<Host> host;
  std::unique_ptr<services::PingService> ping;
  std::unique_ptr<services::PerfService> perf;
  explicit ServiceNode(net::Loop& loop) {
    REQUIRE(crypto::init());
    auto k = crypto::Ed25519PrivateKey::generate();
    REQUIRE(k);
    key = k.take();
    HostConfig c;
    c.identity = &key;
    host = std::make_unique<Host>(loop, c);
    REQUIRE(host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
    ping = std::make_unique<services::PingService>(*host);
    perf = std::make_unique<services::PerfService>(*host, true);
  }
  ~ServiceNode() {
    perf.reset();
    ping.reset();
    host->shutdown();
  }
  Multiaddr addr() const { return *host->listen_addrs().front().with_peer_id(host->peer_id()); }
};

bool spin(net::Loop& loop, const std::function<bool()>& done) {
  loop.update_now();
  const net::Instant end = loop.now() + 20 * net::kSecond;
  while (!done()) {
    REQUIRE(loop.run_once(10 * net::kMillisecond));
    if (loop.now() > end) return false;
  }
  return true;
}

// Connects a to b; returns once the connection is up.
void connect(net::Loop& loop, ServiceNode& a, ServiceNode& b) {
  bool ok = false, done = false;
  a.host->dial(b.addr(), [&](net::Result<ConnId> r) {
    ok = bool(r);
    done = true;
  });
  REQUIRE(spin(loop, [&] { return done; }));
  REQUIRE(ok);
}

net::Result<perf::PerfResult> run_perf(net::Loop& loop, ServiceNode& a, ServiceNode& b, uint64_t up, uint64_t down) {
  std::optional<net::Result<perf::PerfResult>> out;
  perf::ClientOptions o;
  o.upload_bytes = up;
  o.download_bytes = down;
  a.perf->run(b.host->peer_id(), o, [&](net::Result<perf::PerfResult> r) { out = std::move(r); });
  REQUIRE(spin(loop, [&] { return out.has_value(); }));
  // Let both sides finish closing (the server's stream ends after ours).
  for (int i = 0; i < 20; ++i) REQUIRE(loop.run_once(1 * net::kMillisecond));
  return std::move(*out);
}

}  // namespace

TEST_CASE("services: perf upload only, download only, both, and nothing") {
  auto lp = net::Loop::create();
  REQUIRE(lp);
  net::Loop& loop = **lp;
  ServiceNode a(loop), b(loop);
  connect(loop, a, b);
  struct Case {
    uint64_t up, down;
  };
  for (Case c : {Case{4 << 20, 0}, Case{0, 4 << 20}, Case{1 << 20, 1 << 20}, Case{0, 0}}) {
    CAPTURE(c.up);
    CAPTURE(c.down);
    auto r = run_perf(loop, a, b, c.up, c.down);
    REQUIRE_MESSAGE(r, r.what());
    CHECK(r->upload_bytes == c.up);
    CHECK(r->download_bytes == c.down);
  }
}

TEST_CASE("services: ping x20 both ways, then the streams are gone") {
  auto lp = net::Loop::create();
  REQUIRE(lp);
  net::Loop& loop = **lp;
  ServiceNode a(loop), b(loop);
  connect(loop, a, b);
  for (ServiceNode* from : {&a, &b}) {
    ServiceNode* to = from == &a ? &b : &a;
    uint64_t rtts = 0;
    std::optional<net::Status> done;
    from->ping->ping(
        to->host->peer_id(), 20, [&](uint64_t, uint64_t) { ++rtts; }, [&](net::Status s) { done = s; });
    REQUIRE(spin(loop, [&] { return done.has_value(); }));
    REQUIRE_MESSAGE(*done, done->what());
    CHECK(rtts == 20);
  }
  for (int i = 0; i < 20; ++i) REQUIRE(loop.run_once(1 * net::kMillisecond));
  CHECK(a.ping->inbound_streams(b.host->peer_id()) == 0);
  CHECK(b.ping->inbound_streams(a.host->peer_id()) == 0);
}
