// Dedup window, AckTracker schedule, outbox index bounds.
#include <doctest/doctest.h>

#include <algorithm>

#include "a2a/ack_tracker.hpp"
#include "a2a/dedup.hpp"
#include "a2a/outbox.hpp"

using namespace a2a;
constexpr uint64_t kS = net::kSecond;

TEST_CASE("dedup: the last N ids per (peer, id); FIFO eviction; one past the capacity") {
  DedupWindow w(kDedupWindow);
  for (size_t i = 0; i < kDedupWindow; ++i) CHECK(w.insert("p", std::to_string(i)));
  CHECK(w.contains("p", "0"));
  CHECK_FALSE(w.contains("q", "0"));  // keyed by sender
  CHECK_FALSE(w.insert("p", "5"));
  CHECK(w.size() == kDedupWindow);
  CHECK(w.insert("p", "new"));  // one past: "0" goes
  CHECK_FALSE(w.contains("p", "0"));
  CHECK(w.contains("p", "1"));
  CHECK(w.size() == kDedupWindow);
}

TEST_CASE("ack tracker: retries at 2, 6, 14 s after the send, give-up at 30 s") {
  AckTracker t;
  t.track("e1", "peer", 100 * kS);
  CHECK(t.next_deadline() == 102 * kS);
  CHECK(t.poll(102 * kS - 1).empty());
  std::vector<std::pair<net::Instant, uint32_t>> seen;
  for (net::Instant now = 100 * kS; now <= 140 * kS; now += kS / 2)
    for (auto& d : t.poll(now)) seen.emplace_back(now, d.retry);
  REQUIRE(seen.size() == 4);
  CHECK(seen[0] == std::make_pair(102 * kS, 1u));
  CHECK(seen[1] == std::make_pair(106 * kS, 2u));
  CHECK(seen[2] == std::make_pair(114 * kS, 3u));
  CHECK(seen[3] == std::make_pair(130 * kS, 0u));  // give-up
  CHECK(t.size() == 0);
  CHECK(t.next_deadline() == net::kNever);
}

TEST_CASE("ack tracker: an ACK stops the schedule; re-tracking restarts it; late polls catch up in order") {
  AckTracker t;
  t.track("a", "p", 0);
  t.track("b", "p", kS);
  CHECK(t.ack("a"));
  CHECK_FALSE(t.ack("a"));
  CHECK(*t.peer_of("b") == "p");
  auto d = t.poll(100 * kS);  // a long stall fires one retry, not all of them
  REQUIRE(d.size() == 1);
  CHECK(d[0].retry == 1);
  CHECK(t.poll(100 * kS).empty());
  CHECK(t.next_deadline() == 104 * kS);
  t.track("b", "p", 200 * kS);
  CHECK(t.next_deadline() == 202 * kS);
}

TEST_CASE("outbox: bounds per peer and in total, crossed by one") {
  EngineLimits lim;
  lim.max_queued_per_peer = 3;
  lim.max_queued_total = 4;
  lim.max_queued_bytes_per_peer = 100;
  lim.max_queued_bytes_total = 150;
  Outbox o(lim);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(o.admit("A", "peerA", 10));
    o.add({"a" + std::to_string(i), "A", i, 0, 10, false});
  }
  auto full = o.admit("A", "peerA", 10);
  CHECK(full.code() == ApiCode::resource_exhausted);
  CHECK(full.message() == "offline queue for peer peerA is full (3 envelopes)");
  auto bytes = o.admit("B", "peerB", 101);
  CHECK(bytes.message() == "offline queue for peer peerB is full (100 bytes)");
  REQUIRE(o.admit("B", "peerB", 100));
  o.add({"b0", "B", 10, 0, 100, false});
  CHECK(o.admit("C", "peerC", 1).message() == "offline queue is full (4 envelopes)");
  o.remove("a0");
  // 120 bytes queued: 30 more fit the total of 150, 31 do not.
  CHECK(o.admit("C", "peerC", 31).message() == "offline queue is full (150 bytes)");
  CHECK(o.admit("C", "peerC", 30));
}

TEST_CASE("outbox: FIFO sendable within in-flight slots; waiting/in-flight accounting") {
  EngineLimits lim;
  Outbox o(lim);
  o.add({"e3", "A", 3, 0, 1, false});
  o.add({"e1", "A", 1, 0, 1, false});
  o.add({"e2", "A", 2, 0, 1, false});
  CHECK(o.sendable("A", 2) == std::vector<std::string>{"e1", "e2"});
  o.set_in_flight("e1", true);
  CHECK(o.in_flight("A") == 1);
  CHECK(o.sendable("A", 2) == std::vector<std::string>{"e2"});
  o.set_in_flight("e1", false);  // back in line, at its place
  CHECK(o.sendable("A", 1) == std::vector<std::string>{"e1"});
  CHECK(o.waiting("A") == 3);
  CHECK(o.peers_waiting() == std::vector<std::string>{"A"});
  auto e = o.remove("e2");
  REQUIRE(e);
  CHECK(e->seq == 2);
  CHECK(o.peer_count("A") == 2);
  o.add({"old", "B", 9, 5, 1, false});
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(o.older_than(0).empty());
  CHECK(sorted(o.older_than(1)) == std::vector<std::string>{"e1", "e3"});
  CHECK(sorted(o.older_than(5)) == std::vector<std::string>{"e1", "e3"});
  CHECK(sorted(o.older_than(6)) == std::vector<std::string>{"e1", "e3", "old"});
  CHECK(o.oldest_enqueued() == 0);
  CHECK(o.bytes() == 3);
}
