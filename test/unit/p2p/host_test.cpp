// Two hosts on one loop over real loopback TCP: dial, streams, echo, limits.
#include <doctest/doctest.h>

#include <memory>

#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "p2p/host/host.hpp"

using namespace p2p;

namespace {

const std::string kEcho = "/echo/1.0.0";

struct Node {
  crypto::Ed25519PrivateKey key;
  std::unique_ptr<Host> host;
  Node(net::Loop& loop) {
    REQUIRE(crypto::init());
    auto k = crypto::Ed25519PrivateKey::generate();
    REQUIRE(k);
    key = k.take();
    HostConfig c;
    c.identity = &key;
    host = std::make_unique<Host>(loop, c);
  }
  Multiaddr addr() const {
    auto m = host->listen_addrs().front().with_peer_id(host->peer_id());
    REQUIRE(m);
    return *m;
  }
};

// Serves /echo/1.0.0: echoes every byte, half-closes after the peer did.
void serve_echo(Host& h) {
  h.set_stream_handler(kEcho, [](Stream& s) {
    Stream* sp = &s;
    s.set_on_data([sp](net::BytesView v) { return sp->write(v); });
    s.set_on_writable([sp] { sp->resume_read(); });
    s.set_on_eof([sp] { sp->close_write(); });
  });
}

bool run_until(net::Loop& loop, const std::function<bool()>& done, uint64_t timeout_ns = 10 * net::kSecond) {
  loop.update_now();
  const net::Instant end = loop.now() + timeout_ns;
  while (!done()) {
    REQUIRE(loop.run_once(10 * net::kMillisecond));
    if (loop.now() > end) return false;
  }
  return true;
}

// Writes `total` bytes (byte i = i & 0xff) on an echo stream and checks them.
struct EchoClient {
  Stream* s = nullptr;
  size_t total, sent = 0, got = 0, pumps = 0, wz = 0;
  bool bad = false, done = false;
  net::Error err;
  explicit EchoClient(size_t n) : total(n) {}
  // The stream may outlive us (done at EOF, closed later by the host's
  // teardown): it must not call back into a dead client.
  ~EchoClient() {
    if (!s) return;
    s->set_on_data([](net::BytesView v) { return v.size(); });
    s->set_on_writable([] {});
    s->set_on_eof([] {});
    s->set_on_close([](const net::Error&) {});
  }
  EchoClient(const EchoClient&) = delete;
  EchoClient& operator=(const EchoClient&) = delete;
  void start(Stream* st) {
    s = st;
    s->set_on_data([this](net::BytesView v) {
      for (size_t i = 0; i < v.size(); ++i)
        if (v[i] != static_cast<uint8_t>((got + i) & 0xff)) bad = true;
      got += v.size();
      return v.size();
    });
    s->set_on_writable([this] { pump(); });
    s->set_on_eof([this] { done = true; });
    s->set_on_close([this](const net::Error& e) {
      err = e;
      s = nullptr;
    });
    pump();
  }
  void pump() {
    ++pumps;
    uint8_t buf[16384];
    while (s && sent < total) {
      size_t n = std::min(sizeof buf, total - sent);
      for (size_t i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>((sent + i) & 0xff);
      size_t w = s->write({buf, n});
      sent += w;
      if (w == 0) wz = s->writable();
      if (w < n) return;
    }
    if (s && sent == total) s->close_write();
  }
};

}  // namespace

TEST_CASE("host: dial by /p2p/ address, echo 1 MiB over one stream, identities checked") {
  auto loop = net::Loop::create();
  REQUIRE(loop);
  Node a(**loop), b(**loop);
  REQUIRE(b.host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  serve_echo(*b.host);
  int connected_b = 0;
  b.host->on_connected([&](const PeerId& p, ConnId) {
    CHECK(p == a.host->peer_id());
    ++connected_b;
  });

  std::optional<net::Result<ConnId>> conn;
  a.host->dial(b.addr(), [&](net::Result<ConnId> r) { conn = std::move(r); });
  REQUIRE(run_until(**loop, [&] { return conn.has_value(); }));
  REQUIRE_MESSAGE(*conn, conn->what());
  CHECK(a.host->is_connected(b.host->peer_id()));
  REQUIRE(run_until(**loop, [&] { return connected_b == 1; }));

  EchoClient ec(1 << 20);
  bool opened = false;
  a.host->new_stream(b.host->peer_id(), {kEcho}, [&](net::Result<Stream*> r) {
    REQUIRE_MESSAGE(r, r.what());
    opened = true;
    ec.start(*r);
  });
  REQUIRE(run_until(**loop, [&] { return ec.done; }));
  CHECK(opened);
  CHECK_FALSE(ec.bad);
  CHECK(ec.got == ec.total);
}

TEST_CASE("host: 100 concurrent echo streams on one connection") {
  auto loop = net::Loop::create();
  REQUIRE(loop);
  Node a(**loop), b(**loop);
  REQUIRE(b.host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  serve_echo(*b.host);
  b.host->peer_store();
  a.host->peer_store().add_addrs(b.host->peer_id(), {b.addr()}, 0);
  std::vector<std::unique_ptr<EchoClient>> cs;
  for (int i = 0; i < 100; ++i) {
    cs.push_back(std::make_unique<EchoClient>(64 * 1024));
    EchoClient* c = cs.back().get();
    a.host->new_stream(b.host->peer_id(), {kEcho}, [c](net::Result<Stream*> r) {
      REQUIRE_MESSAGE(r, r.what());
      c->start(*r);
    });
  }
  bool ok = run_until(**loop, [&] {
    for (auto& c : cs)
      if (!c->done) return false;
    return true;
  });
  if (!ok) {
    int nd = 0;
    for (auto& c : cs)
      if (!c->done) {
        if (nd++ < 5) MESSAGE("stream sent=" << c->sent << " got=" << c->got << " s=" << (c->s != nullptr) << " err=" << c->err.what << " pumps=" << c->pumps << " writable=" << c->wz);
      }
    MESSAGE(nd << " not done");
  }
  REQUIRE(ok);
  for (auto& c : cs) {
    CHECK_FALSE(c->bad);
    CHECK(c->got == c->total);
  }
  CHECK(a.host->connections().size() == 1);
}

TEST_CASE("host: dialing the right address with the wrong /p2p/ ID is refused") {
  auto loop = net::Loop::create();
  REQUIRE(loop);
  Node a(**loop), b(**loop), c(**loop);
  REQUIRE(b.host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  auto wrong = b.host->listen_addrs().front().with_peer_id(c.host->peer_id());
  REQUIRE(wrong);
  std::optional<net::Result<ConnId>> conn;
  a.host->dial(*wrong, [&](net::Result<ConnId> r) { conn = std::move(r); });
  REQUIRE(run_until(**loop, [&] { return conn.has_value(); }));
  REQUIRE_FALSE(*conn);
  CHECK(conn->err() == net::Err::crypto);
  CHECK(conn->what().find("does not match expected") != std::string::npos);
  CHECK_FALSE(a.host->is_connected(b.host->peer_id()));
}

TEST_CASE("host: a protocol the remote does not serve fails the stream") {
  auto loop = net::Loop::create();
  REQUIRE(loop);
  Node a(**loop), b(**loop);
  REQUIRE(b.host->listen(*Multiaddr::parse("/ip4/127.0.0.1/tcp/0")));
  a.host->peer_store().add_addrs(b.host->peer_id(), {b.addr()}, 0);
  std::optional<net::Error> result;
  // Two proposals: no lazy select, so the failure reaches the callback.
  a.host->new_stream(b.host->peer_id(), {"/nope/1", "/nope/2"}, [&](net::Result<Stream*> r) {
    result = r ? net::Error{} : r.error();
  });
  REQUIRE(run_until(**loop, [&] { return result.has_value(); }));
  CHECK(result->code == net::Err::unsupported);
  // With one proposal (lazy) the refusal arrives as on_close.
  std::optional<net::Error> closed;
  a.host->new_stream(b.host->peer_id(), {"/nope/3"}, [&](net::Result<Stream*> r) {
    REQUIRE(r);
    (*r)->set_on_close([&](const net::Error& e) { closed = e; });
  });
  REQUIRE(run_until(**loop, [&] { return closed.has_value(); }));
  CHECK(closed->code != net::Err::ok);
}

TEST_CASE("host: connecting to a closed port fails the dial with the address named") {
  auto loop = net::Loop::create();
  REQUIRE(loop);
  Node a(**loop), b(**loop);
  // A port nobody listens on: bind, read the port, close.
  auto fd = net::tcp_listen(*net::SockAddr::parse("127.0.0.1:0"));
  REQUIRE(fd);
  auto port = net::local_addr(fd->get())->port();
  fd->reset();
  auto addr = Multiaddr::parse("/ip4/127.0.0.1/tcp/" + std::to_string(port) + "/p2p/" + b.host->peer_id().to_base58());
  REQUIRE(addr);
  std::optional<net::Result<ConnId>> conn;
  a.host->dial(*addr, [&](net::Result<ConnId> r) { conn = std::move(r); });
  REQUIRE(run_until(**loop, [&] { return conn.has_value(); }));
  REQUIRE_FALSE(*conn);
  CHECK(conn->what().find("127.0.0.1") != std::string::npos);
}
