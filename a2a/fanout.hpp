// a2a/fanout.hpp — subscriptions: bounded per-subscriber queues in front of
// sinks that can push back (the gRPC server-streaming writers).
//
// A Sink is two callbacks. deliver(event) returns a Flow, the same four
// values as the gRPC layer's Call::write:
//   ready    taken; more welcome
//   blocked  taken; hold further events until Engine::resume(sub)
//   full     NOT taken; hold it and the rest until Engine::resume(sub)
//   closed   NOT taken; the subscriber is gone (it is dropped, end() not called)
// end(error) is called once when the engine ends the subscription itself
// (RESOURCE_EXHAUSTED for a subscriber too far behind, UNAVAILABLE at
// shutdown); never after Engine::unsubscribe().
//
// Two policies:
//  * drop-nothing (task updates, incoming tasks): events are queued; a
//    subscriber whose queue would pass max_events / max_bytes is ended with
//    RESOURCE_EXHAUSTED — it never sees a hole in the sequence.
//  * pause-producer (artifact streams): the producer asks has_room(key)
//    before producing and waits for on_room(key); a subscriber is full at
//    max_events or max_bytes queued (the event that crosses the byte bound
//    is still queued: one may overshoot it); one that stays full for the
//    stall timeout is ended so the others continue.
//
// Re-entrancy: a sink may call unsubscribe()/resume() on any subscription,
// including its own, from inside deliver() or end().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "a2a/api_status.hpp"
#include "net/clock.hpp"
#include "net/small_function.hpp"

namespace a2a {

enum class Flow : uint8_t { ready, blocked, full, closed };

template <class E>
struct Sink {
  net::SmallFn<Flow(const E&)> deliver;
  net::SmallFn<void(const ApiError&)> end;
};

using SubId = uint64_t;

template <class E>
class Fanout {
 public:
  struct Options {
    size_t max_events = 256;
    size_t max_bytes = SIZE_MAX;
    bool pause_producer = false;
  };
  using EventPtr = std::shared_ptr<const E>;

  explicit Fanout(Options o) : opt_(o) {}
  ~Fanout() = default;
  Fanout(const Fanout&) = delete;
  Fanout& operator=(const Fanout&) = delete;

  // Called for every event a sink took (ready/blocked).
  std::function<void(const E&)> on_accept;
  // Pause-producer: the subscribers of `key` have room again.
  std::function<void(const std::string& key)> on_room;
  // A subscription left the set (any reason); and one the fanout ended.
  std::function<void(SubId)> on_drop;
  std::function<void(SubId)> on_end;

  void add(SubId id, std::string key, Sink<E> sink) {
    auto s = std::make_unique<Sub>();
    s->key = std::move(key);
    s->sink = std::move(sink);
    by_key_[s->key].push_back(id);
    subs_.emplace(id, std::move(s));
  }

  bool has(SubId id) const {
    auto it = subs_.find(id);
    return it != subs_.end() && !it->second->dead;
  }
  size_t size() const { return subs_.size(); }
  size_t count(const std::string& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? 0 : it->second.size();
  }
  size_t queued_bytes() const {
    size_t n = 0;
    for (auto& [id, s] : subs_) n += s->bytes;
    return n;
  }

  // Drops a subscription without calling it back.
  void remove(SubId id) {
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    Sub& s = *it->second;
    if (s.dead) return;
    s.dead = true;
    const bool was_full = full(s);
    unlink(id, s.key);
    std::string key = s.key;
    if (s.busy) graveyard_.push_back(std::move(it->second));
    subs_.erase(it);
    if (on_drop) on_drop(id);
    if (opt_.pause_producer && was_full && on_room && has_room(key)) on_room(key);
  }

  // Ends a subscription with `err` (calls end()), then drops it.
  void end(SubId id, const ApiError& err) {
    auto it = subs_.find(id);
    if (it == subs_.end() || it->second->dead) return;
    Sub& s = *it->second;
    if (on_end) on_end(id);
    s.busy = true;
    if (s.sink.end) s.sink.end(err);
    s.busy = false;
    remove(id);
    reap();
  }

  void end_all(const ApiError& err) {
    std::vector<SubId> ids;
    for (auto& [id, s] : subs_) ids.push_back(id);
    for (SubId id : ids) end(id, err);
  }

  // Subscribers of `key` all below max_events and max_bytes (pause-producer policy).
  bool has_room(const std::string& key) const {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return true;
    for (SubId id : it->second) {
      auto s = subs_.find(id);
      if (s != subs_.end() && full(*s->second)) return false;
    }
    return true;
  }

  // Queues `ev` for every subscriber of `key` and delivers what the sinks
  // take. Drop-nothing policy: a subscriber over its bound is ended.
  void publish(const std::string& key, EventPtr ev, size_t bytes, net::Instant now) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    std::vector<SubId> ids = it->second;  // sinks may change the list
    std::vector<SubId> over;
    for (SubId id : ids) {
      auto s = subs_.find(id);
      if (s == subs_.end() || s->second->dead) continue;
      Sub& sub = *s->second;
      if (!opt_.pause_producer && !sub.q.empty() &&
          (sub.q.size() + 1 > opt_.max_events || sub.bytes + bytes > opt_.max_bytes)) {
        over.push_back(id);
        continue;
      }
      sub.q.push_back({ev, bytes});
      sub.bytes += bytes;
      if (full(sub) && sub.full_since == net::kNever) sub.full_since = now;
    }
    for (SubId id : over) {
      auto s = subs_.find(id);
      if (s == subs_.end()) continue;
      const bool by_count = s->second->q.size() + 1 > opt_.max_events;
      end(id, {ApiCode::resource_exhausted,
               by_count ? "subscriber too slow: " + std::to_string(opt_.max_events) + " events queued"
                        : "subscriber too slow: " + std::to_string(opt_.max_bytes) + " bytes queued"});
    }
    for (SubId id : ids) drain(id, now);
  }

  // Queues `ev` for one subscriber only (a snapshot, a replay); delivered by
  // the next drain(). Drop-nothing bounds apply.
  void enqueue(SubId id, EventPtr ev, size_t bytes) {
    auto it = subs_.find(id);
    if (it == subs_.end() || it->second->dead) return;
    Sub& sub = *it->second;
    if (!opt_.pause_producer && !sub.q.empty() &&
        (sub.q.size() + 1 > opt_.max_events || sub.bytes + bytes > opt_.max_bytes)) {
      end(id, {ApiCode::resource_exhausted,
               "subscriber too slow: " + std::to_string(opt_.max_events) + " events queued"});
      return;
    }
    sub.q.push_back({std::move(ev), bytes});
    sub.bytes += bytes;
  }

  // The sink can take more.
  void resume(SubId id, net::Instant now) {
    auto it = subs_.find(id);
    if (it == subs_.end() || it->second->dead) return;
    it->second->paused = false;
    drain(id, now);
  }

  // Delivers what the sink takes (unless paused).
  void deliver(SubId id, net::Instant now) { drain(id, now); }

  void drain_all(net::Instant now) {
    std::vector<SubId> ids;
    for (auto& [id, s] : subs_) ids.push_back(id);
    for (SubId id : ids) drain(id, now);
  }

  // Pause-producer: ends subscribers full for `timeout_ns` or longer.
  void check_stalls(net::Instant now, uint64_t timeout_ns) {
    std::vector<SubId> stalled;
    for (auto& [id, s] : subs_)
      if (!s->dead && s->full_since != net::kNever && now - s->full_since >= timeout_ns) stalled.push_back(id);
    for (SubId id : stalled)
      end(id, {ApiCode::resource_exhausted,
               "stream subscriber stalled for " + std::to_string(timeout_ns / net::kSecond) + " s"});
  }
  net::Instant next_stall_deadline(uint64_t timeout_ns) const {
    net::Instant d = net::kNever;
    for (auto& [id, s] : subs_)
      if (!s->dead && s->full_since != net::kNever && s->full_since + timeout_ns < d) d = s->full_since + timeout_ns;
    return d;
  }

 private:
  struct Queued {
    EventPtr ev;
    size_t bytes;
  };
  struct Sub {
    std::string key;
    Sink<E> sink;
    std::deque<Queued> q;
    size_t bytes = 0;
    bool paused = false;
    bool dead = false;
    bool busy = false;  // inside one of its callbacks
    net::Instant full_since = net::kNever;
  };

  bool full(const Sub& s) const {
    return opt_.pause_producer && (s.q.size() >= opt_.max_events || s.bytes >= opt_.max_bytes);
  }

  void unlink(SubId id, const std::string& key) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    auto& v = it->second;
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] == id) {
        v.erase(v.begin() + static_cast<ptrdiff_t>(i));
        break;
      }
    if (v.empty()) by_key_.erase(it);
  }

  void reap() {
    if (depth_ == 0) graveyard_.clear();
  }

  void drain(SubId id, net::Instant now) {
    (void)now;
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    Sub* s = it->second.get();
    if (s->dead || s->paused || s->busy) return;
    const bool was_full = full(*s);
    ++depth_;
    s->busy = true;
    bool gone = false;
    while (!s->q.empty() && !s->paused && !s->dead) {
      const Queued& head = s->q.front();
      Flow f = s->sink.deliver ? s->sink.deliver(*head.ev) : Flow::ready;
      if (s->dead) {
        gone = true;
        break;
      }
      if (f == Flow::closed) {
        gone = true;
        break;
      }
      if (f == Flow::full) {
        s->paused = true;
        break;
      }
      EventPtr ev = head.ev;
      s->bytes -= head.bytes;
      s->q.pop_front();
      if (!full(*s)) s->full_since = net::kNever;
      if (on_accept) on_accept(*ev);
      if (s->dead) {
        gone = true;
        break;
      }
      if (f == Flow::blocked) s->paused = true;
    }
    s->busy = false;
    --depth_;
    if (gone) {
      remove(id);  // no-op if the sink already unsubscribed
      reap();
      return;
    }
    reap();
    if (opt_.pause_producer && was_full && !full(*s) && on_room && has_room(s->key)) {
      std::string key = s->key;
      on_room(key);
    }
  }

  Options opt_;
  std::unordered_map<SubId, std::unique_ptr<Sub>> subs_;
  std::unordered_map<std::string, std::vector<SubId>> by_key_;
  std::vector<std::unique_ptr<Sub>> graveyard_;
  int depth_ = 0;
};

}  // namespace a2a
