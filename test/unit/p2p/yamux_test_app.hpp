// test/unit/p2p/yamux_test_app.hpp — a small application over a yamux
// Session for tests and the core benchmark: polls events, accepts inbound
// streams, reads everything, optionally echoes, and pushes per-stream
// outboxes as far as write() accepts them.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "net/bytes.hpp"
#include "p2p/yamux/yamux.hpp"

namespace test {

struct YamuxApp {
  explicit YamuxApp(p2p::yamux::Session& s) : s(s) {}

  p2p::yamux::Session& s;
  bool auto_accept = true;
  bool auto_read = true;
  bool echo = false;           // write back what is read; FIN after the peer's FIN
  size_t read_chunk = 1 << 20;  // bytes read per stream per poll

  std::vector<p2p::yamux::Event> events;
  std::map<p2p::yamux::StreamId, net::Bytes> received;
  struct Out {
    net::Bytes data;
    size_t off = 0;  // bytes already accepted by write()
    bool empty() const { return off == data.size(); }
  };
  std::map<p2p::yamux::StreamId, Out> outbox;
  std::set<p2p::yamux::StreamId> known, fin_after_outbox, opened, finished, resets, eof;
  std::vector<net::Error> write_errors;

  void send(p2p::yamux::StreamId id, net::BytesView b, bool fin = false) {
    known.insert(id);
    auto& o = outbox[id];
    if (o.off > 0 && o.off == o.data.size()) {
      o.data.clear();
      o.off = 0;
    }
    o.data.insert(o.data.end(), b.begin(), b.end());
    if (fin) fin_after_outbox.insert(id);
  }

  // Returns true if it read any byte (progress without output).
  bool poll(net::Instant now) {
    size_t before = bytes_read;
    using p2p::yamux::EventKind;
    while (auto e = s.poll_event()) {
      events.push_back(*e);
      switch (e->kind) {
        case EventKind::stream_readable: known.insert(e->id); break;
        case EventKind::stream_opened:
          opened.insert(e->id);
          known.insert(e->id);
          if (auto_accept) (void)s.accept_stream(e->id);
          break;
        case EventKind::stream_finished: finished.insert(e->id); break;
        case EventKind::stream_reset:
          resets.insert(e->id);
          outbox.erase(e->id);
          fin_after_outbox.erase(e->id);
          break;
        default: break;
      }
    }
    if (auto_read) {
      for (auto it = known.begin(); it != known.end();) {
        read_all(*it, now);
        it = s.has_stream(*it) ? std::next(it) : known.erase(it);
      }
    }
    pump();
    return bytes_read != before;
  }

  uint64_t bytes_read = 0;

  void read_all(p2p::yamux::StreamId id, net::Instant now) {
    if (!s.has_stream(id)) return;
    size_t budget = read_chunk;
    while (budget > 0) {
      net::BytesView v = s.read_view(id);
      if (v.empty()) break;
      size_t n = std::min(v.size(), budget);
      auto& r = received[id];
      r.insert(r.end(), v.begin(), v.begin() + static_cast<ptrdiff_t>(n));
      if (echo) send(id, v.first(n));
      (void)s.consume(id, n, now);
      bytes_read += n;
      budget -= n;
      if (!s.has_stream(id)) {
        eof.insert(id);
        break;
      }
    }
    if (s.has_stream(id) && s.eof(id)) {
      eof.insert(id);
      if (echo) fin_after_outbox.insert(id);
    }
  }

  void pump() {
    for (auto it = outbox.begin(); it != outbox.end();) {
      auto id = it->first;
      auto& o = it->second;
      if (!o.empty()) {
        auto w = s.write(id, net::BytesView(o.data).subspan(o.off));
        if (!w) {
          write_errors.push_back(w.error());
          it = outbox.erase(it);
          continue;
        }
        o.off += *w;
      }
      if (o.empty() && fin_after_outbox.count(id)) {
        (void)s.close_write(id);
        fin_after_outbox.erase(id);
      }
      if (o.empty()) {
        it = outbox.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = fin_after_outbox.begin(); it != fin_after_outbox.end();) {
      if (!outbox.count(*it)) {
        (void)s.close_write(*it);
        it = fin_after_outbox.erase(it);
      } else {
        ++it;
      }
    }
  }

  size_t count(p2p::yamux::EventKind k) const {
    size_t n = 0;
    for (auto& e : events) n += e.kind == k;
    return n;
  }
};

}  // namespace test
