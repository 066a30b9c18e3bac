// Subscriptions: bounded queues, back-pressure, never a hole.
#include <doctest/doctest.h>

#include "a2a/fanout.hpp"

using namespace a2a;

namespace {
struct Ev {
  int n;
};
struct Rec {
  std::vector<int> got;
  std::vector<ApiError> ended;
  Flow answer = Flow::ready;
  Sink<Ev> sink() {
    return {[this](const Ev& e) {
              if (answer == Flow::full || answer == Flow::closed) return answer;
              got.push_back(e.n);
              return answer;
            },
            [this](const ApiError& e) { ended.push_back(e); }};
  }
};
std::shared_ptr<const Ev> ev(int n) { return std::make_shared<const Ev>(Ev{n}); }
}  // namespace

TEST_CASE("fanout: drop-nothing: a slow subscriber is ended at the bound, never skipped") {
  Fanout<Ev> f({.max_events = 4, .max_bytes = 1000, .pause_producer = false});
  Rec fast, slow;
  f.add(1, "t", fast.sink());
  f.add(2, "t", slow.sink());
  slow.answer = Flow::blocked;  // takes one, then holds the rest
  for (int i = 0; i < 5; ++i) f.publish("t", ev(i), 10, 0);
  CHECK(fast.got == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(slow.got == std::vector<int>{0});
  CHECK(slow.ended.empty());  // 4 queued: at the bound, not past it
  f.publish("t", ev(5), 10, 0);  // one past
  REQUIRE(slow.ended.size() == 1);
  CHECK(slow.ended[0].code == ApiCode::resource_exhausted);
  CHECK(slow.ended[0].message == "subscriber too slow: 4 events queued");
  CHECK_FALSE(f.has(2));
  CHECK(fast.got.size() == 6);
}

TEST_CASE("fanout: byte bound; resume delivers in order; full means not taken") {
  Fanout<Ev> f({.max_events = 100, .max_bytes = 25, .pause_producer = false});
  Rec r;
  r.answer = Flow::full;
  f.add(1, "t", r.sink());
  f.publish("t", ev(1), 10, 0);
  f.publish("t", ev(2), 10, 0);
  CHECK(r.got.empty());
  r.answer = Flow::ready;
  f.resume(1, 0);
  CHECK(r.got == std::vector<int>{1, 2});
  r.answer = Flow::full;
  f.publish("t", ev(3), 20, 0);  // 20 of 25
  f.publish("t", ev(4), 10, 0);  // 30 > 25
  REQUIRE(r.ended.size() == 1);
  CHECK(r.ended[0].message == "subscriber too slow: 25 bytes queued");
}

TEST_CASE("fanout: closed drops the subscriber; unsubscribe from inside deliver is safe") {
  Fanout<Ev> f({.max_events = 10, .pause_producer = false});
  std::vector<SubId> dropped;
  f.on_drop = [&](SubId id) { dropped.push_back(id); };
  Rec r;
  r.answer = Flow::closed;
  f.add(1, "t", r.sink());
  int calls = 0;
  f.add(2, "t", {[&](const Ev&) {
                   ++calls;
                   f.remove(2);  // the client went away while we were writing
                   return Flow::ready;
                 },
                 nullptr});
  f.publish("t", ev(1), 1, 0);
  f.publish("t", ev(2), 1, 0);
  CHECK(calls == 1);
  CHECK(f.size() == 0);
  CHECK(dropped.size() == 2);
  CHECK(r.ended.empty());  // closed: no end() call
}

TEST_CASE("fanout: pause-producer: has_room, on_room after draining, stall timeout") {
  Fanout<Ev> f({.max_events = 2, .pause_producer = true});
  std::vector<std::string> rooms;
  f.on_room = [&](const std::string& k) { rooms.push_back(k); };
  Rec a, b;
  b.answer = Flow::full;
  f.add(1, "s", a.sink());
  f.add(2, "s", b.sink());
  f.publish("s", ev(1), 1, 100);
  CHECK(f.has_room("s"));
  f.publish("s", ev(2), 1, 100);
  CHECK_FALSE(f.has_room("s"));  // b holds 2
  CHECK(f.next_stall_deadline(50) == 150);
  b.answer = Flow::ready;
  f.resume(2, 120);
  CHECK(b.got == std::vector<int>{1, 2});
  CHECK(rooms == std::vector<std::string>{"s"});
  CHECK(f.next_stall_deadline(50) == net::kNever);
  b.answer = Flow::full;
  f.publish("s", ev(3), 1, 200);
  f.publish("s", ev(4), 1, 200);
  f.check_stalls(249, 50);
  CHECK(b.ended.empty());
  f.check_stalls(250, 50);
  REQUIRE(b.ended.size() == 1);
  CHECK(b.ended[0].message == "stream subscriber stalled for 0 s");
  CHECK(f.has_room("s"));
  CHECK(rooms.size() == 2);  // the stalled one left: room again
  CHECK(a.got == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("fanout: pause-producer: the byte bound pauses too (big chunks), overshooting by one event at most") {
  Fanout<Ev> f({.max_events = 16, .max_bytes = 100, .pause_producer = true});
  std::vector<std::string> rooms;
  f.on_room = [&](const std::string& k) { rooms.push_back(k); };
  Rec slow;
  slow.answer = Flow::full;
  f.add(1, "s", slow.sink());
  f.publish("s", ev(1), 60, 10);
  CHECK(f.has_room("s"));
  f.publish("s", ev(2), 60, 10);  // 120 >= 100: full after 2 of 16 events
  CHECK_FALSE(f.has_room("s"));
  CHECK(f.queued_bytes() == 120);
  CHECK(f.next_stall_deadline(50) == 60);
  slow.answer = Flow::blocked;  // takes one, then pauses
  f.resume(1, 20);
  CHECK(slow.got == std::vector<int>{1});
  CHECK(f.queued_bytes() == 60);
  CHECK(f.has_room("s"));
  CHECK(rooms == std::vector<std::string>{"s"});
  CHECK(f.next_stall_deadline(50) == net::kNever);
}
