#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "net/acceptor.hpp"
#include "net/loop.hpp"
#include "net/tcp_stream.hpp"

using namespace net;

namespace {

std::unique_ptr<Loop> make_loop() {
  auto l = Loop::create();
  REQUIRE(l);
  return l.take();
}

template <class Pred>
bool run_until(Loop& loop, Pred done, uint64_t limit_ns = 10 * kSecond) {
  bool expired = false;
  TimerId guard = loop.add_timer(loop.now() + limit_ns, [&] { expired = true; });
  while (!done() && !expired) REQUIRE(loop.run_once(-1));
  loop.cancel_timer(guard);
  return done();
}

uint8_t pat(uint64_t i) { return static_cast<uint8_t>((i * 131) ^ (i >> 8)); }

// Small socket buffers, so that 1 MiB does not fit in the kernel and the
// streams' own queues and back-pressure are exercised.
void shrink_kernel_buffers(int fd) {
  int v = 16 * 1024;
  REQUIRE(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v) == 0);
  REQUIRE(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v) == 0);
}

bool have_ipv6_loopback() { return tcp_listen(SockAddr::loopback6(0)).ok(); }

// A listener whose accepted connections become TcpStreams in `conns`.
struct Server {
  Loop& loop;
  std::unique_ptr<Acceptor> acc;
  std::vector<std::unique_ptr<TcpStream>> conns;
  SockAddr addr;
  TcpStreamOptions opt;
  SmallFn<void(TcpStream&)> setup;

  Server(Loop& l, const SockAddr& where, TcpStreamOptions o = {}) : loop(l), opt(o) {
    auto fd = tcp_listen(where);
    REQUIRE(fd);
    addr = *local_addr(fd->get());
    auto a = Acceptor::start(loop, fd.take(), [this](Fd fd, const SockAddr&) {
      auto s = TcpStream::adopt(loop, std::move(fd), opt);
      REQUIRE(s);
      conns.push_back(s.take());
      if (setup) setup(*conns.back());
    });
    REQUIRE(a);
    acc = a.take();
  }
};

std::unique_ptr<TcpStream> dial(Loop& loop, const SockAddr& a, uint64_t timeout = kTcpConnectTimeoutNs,
                                TcpStreamOptions o = {}) {
  auto s = TcpStream::dial(loop, a, timeout, o);
  REQUIRE(s);
  return s.take();
}

}  // namespace

TEST_CASE("tcp_stream: 1 MiB echo each way over loopback v4 and v6, clean close both sides") {
  for (bool v6 : {false, true}) {
    CAPTURE(v6);
    if (v6 && !have_ipv6_loopback()) {
      MESSAGE("no IPv6 on this host: skipped");
      continue;
    }
    auto loop = make_loop();
    const uint64_t kTotal = 1 << 20;
    TcpStreamOptions small;  // small water marks so back-pressure really cycles
    small.high_water = 32 * 1024;
    small.low_water = 8 * 1024;
    Server srv(*loop, v6 ? SockAddr::loopback6(0) : SockAddr::loopback4(0), small);
    int srv_closes = 0;
    Error srv_reason{Err::fatal_, "unset"};
    srv.setup = [&](TcpStream& s) {
      TcpStream* sp = &s;
      shrink_kernel_buffers(s.fd());
      s.on_data([sp](BytesView d) {
        REQUIRE(sp->write(d));
        if (!sp->writable()) sp->pause_reading();
      });
      s.on_drain([sp] { sp->resume_reading(); });
      s.on_close([&](const Error& e) {
        srv_closes++;
        srv_reason = e;
      });
    };

    auto c = dial(*loop, srv.addr, kTcpConnectTimeoutNs, small);
    shrink_kernel_buffers(c->fd());
    uint64_t sent = 0, got = 0, drains = 0;
    size_t max_chunk = 0;
    bool mismatch = false, connected = false;
    int cli_closes = 0;
    Error cli_reason{Err::fatal_, "unset"};
    TcpStream* cp = c.get();
    auto pump = [&] {
      uint8_t chunk[16384];
      while (sent < kTotal && cp->writable()) {
        size_t n = std::min<uint64_t>(sizeof chunk, kTotal - sent);
        for (size_t i = 0; i < n; i++) chunk[i] = pat(sent + i);
        REQUIRE(cp->write(BytesView(chunk, n)));
        sent += n;
      }
    };
    c->on_connect([&] {
      connected = true;
      pump();
    });
    c->on_drain([&] {
      drains++;
      pump();
    });
    c->on_data([&](BytesView d) {
      max_chunk = std::max(max_chunk, d.size());
      for (size_t i = 0; i < d.size(); i++)
        if (d[i] != pat(got + i)) mismatch = true;
      got += d.size();
      if (got == kTotal) cp->close();
    });
    c->on_close([&](const Error& e) {
      cli_closes++;
      cli_reason = e;
    });
    REQUIRE(run_until(*loop, [&] { return cli_closes == 1 && srv_closes == 1; }));
    CHECK(connected);
    CHECK(sent == kTotal);
    CHECK(got == kTotal);
    CHECK_FALSE(mismatch);
    CHECK(max_chunk <= kReadCapPerTurn);
    CHECK(cli_reason.code == Err::ok);
    CHECK(srv_reason.code == Err::ok);
    CHECK(c->state() == TcpStream::State::closed);
    CHECK(c->bytes_written() == kTotal);
    CHECK(c->bytes_read() == kTotal);
    REQUIRE(srv.conns.size() == 1);
    CHECK(srv.conns[0]->bytes_read() == kTotal);
    CHECK(drains > 0);  // back-pressure cycled
    MESSAGE("echo " << (v6 ? "v6" : "v4") << ": client drains " << drains << ", loop turns "
                    << loop->stats().turns);
    // Exactly once: more turns deliver nothing more.
    REQUIRE(loop->run_once(0));
    CHECK(cli_closes == 1);
    CHECK(srv_closes == 1);
  }
}

TEST_CASE("tcp_stream: connect refused is reported through on_close from the loop") {
  auto loop = make_loop();
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(s >= 0);
  Fd reserve(s);  // bound, never listening: the port refuses
  SockAddr a = SockAddr::loopback4(0);
  REQUIRE(::bind(s, a.sa(), a.len()) == 0);
  SockAddr target = *local_addr(s);
  auto c = dial(*loop, target);
  int connects = 0, closes = 0;
  Error why;
  c->on_connect([&] { connects++; });
  c->on_close([&](const Error& e) {
    closes++;
    why = e;
  });
  CHECK(closes == 0);  // never synchronous
  REQUIRE(run_until(*loop, [&] { return closes == 1; }));
  CHECK(connects == 0);
  CHECK(why.code == Err::io);
  CHECK(why.what == "tcp connect " + target.to_string() + ": Connection refused");
  CHECK_FALSE(c->write(as_bytes("x")));
}

TEST_CASE("tcp_stream: connect timeout against a full listen backlog") {
  auto loop = make_loop();
  // backlog 0: the kernel queues one connection; with the accept queue full it
  // drops further SYNs, so the next connect hangs in SYN-SENT. Nothing leaves lo.
  TcpListenOptions lo;
  lo.backlog = 0;
  auto l = tcp_listen(SockAddr::loopback4(0), lo);
  REQUIRE(l);
  SockAddr where = *local_addr(l->get());
  // Each dial either connects (it took a backlog slot: keep it open) or times
  // out; the first one that times out ends the test (usually the 2nd dial).
  std::vector<std::unique_ptr<TcpStream>> fillers;
  Error why;
  Instant dialed = 0, closed_at = 0;
  for (int i = 0; i < 8 && why.code == Err::ok; i++) {
    auto c = dial(*loop, where, 300 * kMillisecond);
    bool up = false;
    dialed = loop->now();
    c->on_connect([&] { up = true; });
    c->on_close([&](const Error& e) {
      why = e;
      closed_at = loop->now();
    });
    REQUIRE(run_until(*loop, [&] { return up || why.code != Err::ok; }, 5 * kSecond));
    if (up) fillers.push_back(std::move(c));
  }
  MESSAGE(fillers.size() << " connection(s) filled the backlog");
  CHECK(why.code == Err::timeout);
  CHECK(why.what == "tcp connect " + where.to_string() + ": timed out after 300 ms");
  CHECK(closed_at - dialed >= 300 * kMillisecond);
}

TEST_CASE("tcp_stream: writes queued while connecting; the out_limit crossed by one is refused") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  std::string got;
  srv.setup = [&](TcpStream& s) { s.on_data([&](BytesView d) { got += as_chars(d); }); };
  TcpStreamOptions o;
  o.out_limit = 1000;
  auto c = dial(*loop, srv.addr, kTcpConnectTimeoutNs, o);
  std::string msg(1000, 'q');
  CHECK(c->write(as_bytes(msg)));
  CHECK(c->buffered() == 1000);
  CHECK_FALSE(c->write(as_bytes("!")));  // 1001 > 1000
  CHECK(c->buffered() == 1000);
  REQUIRE(run_until(*loop, [&] { return got.size() == 1000; }));
  CHECK(got == msg);
  CHECK(c->buffered() == 0);
  CHECK(c->write(as_bytes("!")));
}

TEST_CASE("tcp_stream: back-pressure: writable() turns false, on_drain fires after the peer reads") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  uint64_t srv_got = 0;
  srv.setup = [&](TcpStream& s) {
    s.pause_reading();  // a peer that does not read
    s.on_data([&](BytesView d) { srv_got += d.size(); });
  };
  TcpStreamOptions o;
  o.out_limit = 256 * 1024;
  o.high_water = 128 * 1024;
  o.low_water = 16 * 1024;
  auto c = dial(*loop, srv.addr, kTcpConnectTimeoutNs, o);
  bool up = false;
  int drains = 0;
  c->on_connect([&] { up = true; });
  c->on_drain([&] { drains++; });
  REQUIRE(run_until(*loop, [&] { return up && srv.conns.size() == 1; }));
  // Write until the kernel buffers are full and our queue passes high_water.
  std::vector<uint8_t> chunk(64 * 1024, 0x5a);
  uint64_t sent = 0;
  for (int i = 0; i < 10000 && c->writable(); i++) {
    REQUIRE(c->write(chunk));
    sent += chunk.size();
  }
  REQUIRE_FALSE(c->writable());
  CHECK(c->buffered() > o.high_water);
  // Fill the queue to its limit exactly, then one byte more is refused.
  size_t room = o.out_limit - c->buffered();
  std::vector<uint8_t> rest(room, 0x5a);
  CHECK(c->write(rest));
  sent += room;
  CHECK(c->buffered() == o.out_limit);
  CHECK_FALSE(c->write(as_bytes("x")));
  CHECK(c->is_open());
  CHECK(drains == 0);
  srv.conns[0]->resume_reading();
  REQUIRE(run_until(*loop, [&] { return drains == 1; }));
  CHECK(c->buffered() <= o.low_water);
  REQUIRE(run_until(*loop, [&] { return srv_got == sent; }));
}

TEST_CASE("tcp_stream: reads are capped at 64 KiB per fd per turn") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  auto c = dial(*loop, srv.addr);
  uint64_t got = 0;
  uint64_t turn = ~0ull, in_turn = 0, max_in_turn = 0, turns_with_data = 0;
  c->on_data([&](BytesView d) {
    if (loop->stats().turns != turn) {
      turn = loop->stats().turns;
      in_turn = 0;
      turns_with_data++;
    }
    in_turn += d.size();
    max_in_turn = std::max(max_in_turn, in_turn);
    got += d.size();
  });
  REQUIRE(run_until(*loop, [&] { return srv.conns.size() == 1; }));
  std::vector<uint8_t> big(1 << 20, 1);
  REQUIRE(srv.conns[0]->write(big));
  REQUIRE(run_until(*loop, [&] { return got == big.size(); }));
  CHECK(max_in_turn <= kReadCapPerTurn);
  CHECK(turns_with_data >= 16);  // 1 MiB / 64 KiB
}

TEST_CASE("tcp_stream: graceful close flushes queued data before FIN") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  const size_t kN = 3 << 20;  // more than the kernel buffers take at once
  int srv_closes = 0;
  Error srv_reason{Err::fatal_, "unset"};
  srv.setup = [&](TcpStream& s) {
    std::vector<uint8_t> data(kN);
    for (size_t i = 0; i < kN; i++) data[i] = pat(i);
    REQUIRE(s.write(data));
    s.close();
    CHECK(s.state() != TcpStream::State::closed);  // still flushing
    s.on_close([&](const Error& e) {
      srv_closes++;
      srv_reason = e;
    });
  };
  auto c = dial(*loop, srv.addr);
  uint64_t got = 0;
  bool bad = false;
  int closes = 0;
  Error why{Err::fatal_, "unset"};
  c->on_data([&](BytesView d) {
    for (size_t i = 0; i < d.size(); i++)
      if (d[i] != pat(got + i)) bad = true;
    got += d.size();
  });
  c->on_close([&](const Error& e) {
    closes++;
    why = e;
  });
  REQUIRE(run_until(*loop, [&] { return closes == 1 && srv_closes == 1; }));
  CHECK(got == kN);
  CHECK_FALSE(bad);
  CHECK(why.code == Err::ok);  // peer EOF without on_eof: closed itself cleanly
  CHECK(srv_reason.code == Err::ok);
}

TEST_CASE("tcp_stream: on_eof allows a half-closed reply") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  std::string req;
  srv.setup = [&](TcpStream& s) {
    TcpStream* sp = &s;
    s.on_data([&](BytesView d) { req += as_chars(d); });
    s.on_eof([&, sp] {
      REQUIRE(sp->write(as_bytes("reply to " + req)));
      sp->close();
    });
  };
  bool ip = false;
  auto raw = tcp_connect(srv.addr, &ip);
  REQUIRE(raw);
  int rfd = raw->get();
  bool connected = false;
  std::string reply;
  bool eof = false;
  auto id = loop->add_fd(rfd, kWritable, [&](uint32_t) {
    if (!connected) {
      connected = true;
      REQUIRE(::write(rfd, "ping", 4) == 4);
      REQUIRE(::shutdown(rfd, SHUT_WR) == 0);
    }
  });
  REQUIRE(id);
  REQUIRE(run_until(*loop, [&] { return connected; }));
  loop->remove_fd(*id);
  id = loop->add_fd(rfd, kReadable, [&](uint32_t) {
    char b[256];
    ssize_t n = ::read(rfd, b, sizeof b);
    if (n > 0) reply.append(b, static_cast<size_t>(n));
    if (n == 0) eof = true;
  });
  REQUIRE(run_until(*loop, [&] { return eof; }));
  loop->remove_fd(*id);
  CHECK(reply == "reply to ping");
}

TEST_CASE("tcp_stream: abort resets the peer; close timeout resets a peer that never finishes") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  int srv_closes = 0;
  Error srv_reason;
  srv.setup = [&](TcpStream& s) {
    s.on_close([&](const Error& e) {
      srv_closes++;
      srv_reason = e;
    });
  };
  auto c = dial(*loop, srv.addr);
  bool up = false;
  int closes = 0;
  Error why;
  c->on_connect([&] { up = true; });
  c->on_close([&](const Error& e) {
    closes++;
    why = e;
  });
  REQUIRE(run_until(*loop, [&] { return up && srv.conns.size() == 1; }));
  SockAddr local = *c->local();
  c->abort();
  CHECK(closes == 0);  // delivered from the loop
  REQUIRE(run_until(*loop, [&] { return closes == 1 && srv_closes == 1; }));
  CHECK(why.code == Err::closed);
  CHECK(why.what == "tcp " + srv.addr.to_string() + ": aborted");
  CHECK(srv_reason.code == Err::io);
  CHECK(srv_reason.what == "tcp " + local.to_string() + ": Connection reset by peer");

  // A raw peer that never sends EOF: our close() gives up after close_timeout.
  TcpStreamOptions o;
  o.close_timeout_ns = 100 * kMillisecond;
  srv.opt = o;
  srv_closes = 0;
  bool ip = false;
  auto raw = tcp_connect(srv.addr, &ip);
  REQUIRE(raw);
  REQUIRE(run_until(*loop, [&] { return srv.conns.size() == 2; }));
  REQUIRE(srv.conns[1]->write(as_bytes("bye")));
  srv.conns[1]->close();
  REQUIRE(run_until(*loop, [&] { return srv_closes == 1; }));
  CHECK(srv_reason.code == Err::timeout);
  CHECK(srv_reason.what == "tcp close " + local_addr(raw->get())->to_string() + ": not finished after 100 ms");
}

TEST_CASE("tcp_stream: the owner may destroy the stream from inside any callback") {
  auto loop = make_loop();
  Server srv(*loop, SockAddr::loopback4(0));
  // (fails harmlessly when the client already reset the connection)
  srv.setup = [&](TcpStream& s) { (void)s.write(std::vector<uint8_t>(200000, 7)); };

  SUBCASE("on_data") {
    auto c = dial(*loop, srv.addr);
    int calls = 0;
    c->on_data([&](BytesView) {
      calls++;
      c.reset();
    });
    REQUIRE(run_until(*loop, [&] { return !c; }));
    REQUIRE(loop->run_once(0));
    CHECK(calls == 1);
  }
  SUBCASE("on_connect") {
    auto c = dial(*loop, srv.addr);
    c->on_connect([&] { c.reset(); });
    REQUIRE(run_until(*loop, [&] { return !c; }));
  }
  SUBCASE("on_close") {
    auto c = dial(*loop, srv.addr);
    int closes = 0;
    c->on_data([&](BytesView) { c->abort(); });
    c->on_close([&](const Error&) {
      closes++;
      c.reset();
    });
    REQUIRE(run_until(*loop, [&] { return !c; }));
    REQUIRE(loop->run_once(0));
    CHECK(closes == 1);
  }
  SUBCASE("destroyed before on_close is delivered: never delivered") {
    auto c = dial(*loop, srv.addr);
    int closes = 0;
    c->on_close([&](const Error&) { closes++; });
    c->abort();
    c.reset();
    REQUIRE(loop->run_once(0));
    CHECK(closes == 0);
  }
}

TEST_CASE("tcp_stream: works on unix stream sockets (adopt)") {
  auto loop = make_loop();
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
  auto a = TcpStream::adopt(*loop, Fd(sv[0]));
  auto b = TcpStream::adopt(*loop, Fd(sv[1]));
  REQUIRE(a);
  REQUIRE(b);
  std::string got;
  int b_closes = 0;
  Error why{Err::fatal_, "unset"};
  (*b)->on_data([&](BytesView d) { got += as_chars(d); });
  (*b)->on_close([&](const Error& e) {
    b_closes++;
    why = e;
  });
  REQUIRE((*a)->write(as_bytes("hello over unix")));
  (*a)->close();
  REQUIRE(run_until(*loop, [&] { return b_closes == 1; }));
  CHECK(got == "hello over unix");
  CHECK(why.code == Err::ok);
}
