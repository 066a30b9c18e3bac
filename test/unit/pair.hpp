// test/unit/pair.hpp — two sans-I/O cores wired together in memory, in the
// spirit of quinn-proto's src/tests/util.rs Pair (STYLE.md §11).
//
// Any core with the STYLE.md §2 shape plugs in through endpoint_of(core):
//   pending_output() -> span, consume_output(n),
//   feed(bytes, now) -> Result<size_t> (bytes consumed) or Status,
//   next_deadline() -> Instant, on_timeout(now).
// Cores with another shape can fill an Endpoint by hand (it is only
// std::functions). The Pair owns the simulated clock `now`, a one-way
// `latency_ns`, and how bytes are cut on delivery (`split`): whole chunks,
// byte by byte, or random pieces from a seeded RNG — parser bugs live at
// chunk boundaries. Bytes a core leaves unconsumed (multistream hands back
// the application bytes that follow the negotiation) and everything
// delivered after that are collected in Side::unconsumed, untouched.
//
//   test::Pair p(test::endpoint_of(x), test::endpoint_of(y));
//   p.split = test::Split::random;
//   p.drive([&] { /* app logic: poll events, read, write */ });
//   p.run_for(31 * net::kSecond, app);   // advances the clock through timers
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <type_traits>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/result.hpp"

namespace test {

// A type-erased sans-I/O core.
struct Endpoint {
  std::function<net::BytesView()> pending_output;
  std::function<void(size_t)> consume_output;
  std::function<net::Result<size_t>(net::BytesView, net::Instant)> feed;
  std::function<net::Instant()> next_deadline;
  std::function<void(net::Instant)> on_timeout;
};

template <class Core>
Endpoint endpoint_of(Core& c) {
  Endpoint e;
  e.pending_output = [&c] { return net::BytesView(c.pending_output()); };
  e.consume_output = [&c](size_t n) { c.consume_output(n); };
  e.feed = [&c](net::BytesView in, net::Instant now) -> net::Result<size_t> {
    using R = decltype(c.feed(in, now));
    if constexpr (std::is_same_v<R, net::Status>) {
      auto s = c.feed(in, now);
      if (!s) return s.take_error();
      return in.size();
    } else {
      return c.feed(in, now);
    }
  };
  e.next_deadline = [&c] { return net::Instant(c.next_deadline()); };
  e.on_timeout = [&c](net::Instant now) { c.on_timeout(now); };
  return e;
}

enum class Split : uint8_t { whole, bytes, random };

class Pair {
 public:
  struct InFlight {
    net::Instant at;
    net::Bytes bytes;
  };
  struct Side {
    Endpoint ep;
    std::deque<InFlight> inbox;        // bytes travelling towards this side
    net::Bytes unconsumed;             // bytes this side's core left to the application
    std::optional<net::Error> error;   // first feed() error; delivery stops then
    uint64_t bytes_fed = 0;            // bytes handed to feed()
    uint64_t bytes_sent = 0;           // bytes taken from pending_output()
  };

  Pair(Endpoint a, Endpoint b, uint64_t seed = 1) : rng_(seed) {
    a_.ep = std::move(a);
    b_.ep = std::move(b);
  }

  net::Instant now = 0;
  uint64_t latency_ns = 0;
  Split split = Split::whole;
  size_t max_piece = 64;        // Split::random: pieces of 1..max_piece bytes
  size_t max_transmit = SIZE_MAX;  // bytes taken from one side's output per step

  Side& a() { return a_; }
  Side& b() { return b_; }

  // One round at the current time: outputs go in flight, due bytes are
  // delivered, due timers fire. True if any byte moved or a timer fired.
  bool step() {
    bool moved = transmit(a_, b_);
    moved |= transmit(b_, a_);
    moved |= deliver(b_);
    moved |= deliver(a_);
    moved |= fire(a_);
    moved |= fire(b_);
    return moved;
  }

  // Steps until nothing moves at the current time; `app` runs after every
  // step (the application reading, writing, polling events). `app` may
  // return bool: true means it made progress (e.g. read buffered bytes
  // without producing output), which keeps the loop going. Returns steps.
  template <class App>
  size_t drive(App&& app, size_t max_steps = 1'000'000) {
    size_t n = 0;
    while (n < max_steps) {
      bool busy = call(app);
      ++n;
      if (!step() && !busy) {
        busy = call(app);
        if (!step() && !busy) break;  // the app may have produced output
      }
    }
    return n;
  }
  size_t drive() {
    return drive([] {});
  }

  // The earliest future instant at which something is scheduled.
  net::Instant next_event() const {
    net::Instant t = net::kNever;
    for (const Side* s : {&a_, &b_}) {
      if (!s->inbox.empty()) t = std::min(t, s->inbox.front().at);
      if (!s->error) t = std::min(t, s->ep.next_deadline());
    }
    return t;
  }

  // Drives, then jumps the clock from event to event until `now` reaches
  // start + ns (time never runs backwards).
  template <class App>
  void run_for(uint64_t ns, App&& app) {
    net::Instant end = now + ns;
    drive(app);
    while (true) {
      net::Instant t = next_event();
      if (t > end) break;
      now = std::max(now, t);
      drive(app);
    }
    now = end;
    drive(app);
  }
  void run_for(uint64_t ns) {
    run_for(ns, [] {});
  }

  // Bytes in flight in one direction (not yet fed).
  size_t in_flight_to(const Side& s) const {
    size_t n = 0;
    for (const auto& f : s.inbox) n += f.bytes.size();
    return n;
  }

 private:
  template <class App>
  static bool call(App& app) {
    if constexpr (std::is_same_v<decltype(app()), bool>) {
      return app();
    } else {
      app();
      return false;
    }
  }

  bool transmit(Side& from, Side& to) {
    net::BytesView out = from.ep.pending_output();
    if (out.empty()) return false;
    size_t n = std::min(out.size(), max_transmit);
    to.inbox.push_back({now + latency_ns, net::Bytes(out.begin(), out.begin() + static_cast<ptrdiff_t>(n))});
    from.ep.consume_output(n);
    from.bytes_sent += n;
    return true;
  }

  bool deliver(Side& to) {
    bool moved = false;
    while (!to.inbox.empty() && to.inbox.front().at <= now) {
      net::Bytes chunk = std::move(to.inbox.front().bytes);
      to.inbox.pop_front();
      moved = true;
      size_t off = 0;
      while (off < chunk.size()) {
        size_t piece = chunk.size() - off;
        if (split == Split::bytes) piece = 1;
        if (split == Split::random) piece = std::min(piece, 1 + static_cast<size_t>(rng_() % max_piece));
        feed_piece(to, net::BytesView(chunk).subspan(off, piece));
        off += piece;
      }
    }
    return moved;
  }

  void feed_piece(Side& to, net::BytesView piece) {
    if (to.error) return;
    if (!to.unconsumed.empty()) {  // the core handed the stream to the app
      to.unconsumed.insert(to.unconsumed.end(), piece.begin(), piece.end());
      return;
    }
    auto r = to.ep.feed(piece, now);
    if (!r) {
      to.error = r.take_error();
      return;
    }
    to.bytes_fed += *r;
    if (*r < piece.size()) to.unconsumed.insert(to.unconsumed.end(), piece.begin() + static_cast<ptrdiff_t>(*r), piece.end());
  }

  bool fire(Side& s) {
    if (s.error) return false;
    net::Instant d = s.ep.next_deadline();
    if (d > now) return false;
    s.ep.on_timeout(now);
    return s.ep.next_deadline() != d || !s.ep.pending_output().empty();
  }

  Side a_, b_;
  std::mt19937_64 rng_;
};

}  // namespace test
