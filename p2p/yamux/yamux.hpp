// p2p/yamux/yamux.hpp — the yamux session (specs.md §5), a sans-I/O core
// (STYLE.md §2): fed the bytes read from the secured connection and the
// current time, it returns bytes to write, events and its next deadline. It
// owns no socket, clock or thread and calls nothing back.
//
// Driver loop (one per connection):
//   on readable:  n = s.feed(bytes, now)       // always consumes everything
//                 if (!n) -> flush pending_output() (it ends with a GoAway)
//                            and close the connection; log n.what()
//   after any call: while (auto ev = s.poll_event()) dispatch(*ev);
//                 write(s.pending_output()) and s.consume_output(written);
//                 re-arm the one timer at s.next_deadline() -> s.on_timeout(now)
//
// Streams (ids: the connection dialer, Role::client, opens odd ids; the
// listener even ones):
//   open_stream() sends a SYN at once; at most Limits::max_ack_backlog (256)
//     of our streams may await the peer's ACK, then open_stream() fails with
//     Err::limit until ACKs arrive (the libp2p ACK backlog).
//   An inbound SYN yields StreamOpened(id); the application accepts it
//     (accept_stream, or implicitly by writing) or refuses it (reset).
//   write(id, bytes) accepts what the peer's window and the session's output
//     budget allow and returns that count; when it returned less than asked,
//     a StreamWritable(id) event follows once more can go. Nothing is queued
//     beyond what write() accepted.
//   Reading: StreamReadable(id) says bytes are buffered; take them with
//     read(id, out, now) (copies) or read_view(id) + consume(id, n, now)
//     (no copy). Consumption is what returns window credit to the peer: a
//     WindowUpdate goes out once half the window was consumed (back-pressure
//     comes from the application, not from the socket).
//   close_write(id) half-closes (FIN); StreamFinished(id) reports the peer's
//     FIN (after its data; eof(id) turns true once that data is read).
//     A stream whose both halves are closed and whose data was read is freed.
//   reset(id) aborts (RST); StreamReset(id) reports the peer's.
//
// Flow control: 256 KiB initial window per stream each way (spec). A receive
// window doubles at a window update when the previous update went out less
// than 4 RTTs ago (go's rule; RTT from yamux pings), up to
// Limits::max_stream_window (16 MiB) and only while the sum of all stream
// windows stays within Limits::max_session_window. A peer sending beyond a
// window ends the session (GoAway protocol error).
//
// Keepalive: a ping at start (RTT) and every 30 s; no answer within 10 s ends
// the session with Err::timeout. GoAway: go_away(code) stops new streams both
// ways; a received GoAway 0 yields GoAwayReceived and existing streams go on;
// a received GoAway 1/2 ends the session.
//
// Errors: methods return Err::closed for unknown/closed streams or a dead
// session, Err::limit for our limits, Err::invalid for misuse. feed() returns
// the peer's violations (Err::proto, Err::limit for floods) and then the
// session is dead: every later call returns the same error, SessionError was
// queued, pending_output() holds the GoAway to flush.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/yamux/yamux_buffer.hpp"
#include "p2p/yamux/yamux_frame.hpp"
#include "p2p/yamux/yamux_limits.hpp"

namespace p2p::yamux {

using StreamId = uint32_t;

enum class Role : uint8_t {
  client,  // the connection dialer: odd stream ids
  server,  // the listener: even stream ids
};

enum class EventKind : uint8_t {
  stream_opened,     // id: the peer opened a stream (accept_stream or reset it)
  stream_readable,   // id: bytes are buffered (once until the next read/consume)
  stream_writable,   // id: write() can accept bytes again after a short write
  stream_finished,   // id: the peer half-closed (FIN) after its last byte
  stream_reset,      // id, code: the peer reset the stream; it is gone
  go_away_received,  // code: the peer will open no more streams (code 0)
  ping_rtt,          // rtt_ns: a ping of ours was answered
  session_error,     // error: the session is dead (also returned by feed)
};
const char* event_kind_name(EventKind k);

struct Event {
  EventKind kind = EventKind::stream_opened;
  StreamId id = 0;
  uint32_t code = 0;     // stream_reset: the RST's error code; go_away_received: the code
  uint64_t rtt_ns = 0;   // ping_rtt
  net::Error error;      // session_error
};

class Session {
 public:
  // `now` starts the keepalive clock; with Limits::keepalive the first ping
  // (RTT measurement) is queued at once, as go and js do.
  Session(Role role, net::Instant now, const Limits& lim = {}, net::Log* log = nullptr);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // ---- connection side ----
  // Consumes all of `in` (partial frames are kept: 12 header bytes at most;
  // DATA payload goes straight into the stream's buffer). Returns in.size()
  // or the peer's violation (see the file comment).
  net::Result<size_t> feed(net::BytesView in, net::Instant now);
  // Frames to write, valid until the next non-const call.
  net::BytesView pending_output() const { return out_.pending(); }
  void consume_output(size_t n);
  std::optional<Event> poll_event();
  bool has_events() const { return !events_.empty(); }
  net::Instant next_deadline() const;
  void on_timeout(net::Instant now);

  // ---- streams ----
  // Err::closed after a GoAway either way ("yamux: GoAway sent, no new
  // streams"), Err::limit at the ACK backlog ("yamux: 256 streams await
  // ACK"), at max_outbound_streams, or when the 32-bit ids ran out.
  net::Result<StreamId> open_stream();
  // Sends the ACK of an inbound stream (idempotent).
  net::Status accept_stream(StreamId id);
  // Returns bytes accepted, 0..data.size(); see the file comment.
  net::Result<size_t> write(StreamId id, net::BytesView data);
  // How many bytes write() would accept right now.
  size_t writable(StreamId id) const;
  net::Status close_write(StreamId id);
  // Sends RST (WindowUpdate|RST, length = code, as go-yamux) and forgets the
  // stream. Unknown ids are ignored.
  net::Status reset(StreamId id, uint32_t code = 0);
  // Copies up to out.size() buffered bytes; 0 when none (see eof()).
  net::Result<size_t> read(StreamId id, std::span<uint8_t> out, net::Instant now);
  // The first contiguous run of buffered bytes (may be shorter than
  // readable(id)); valid until the next non-const call.
  net::BytesView read_view(StreamId id) const;
  net::Status consume(StreamId id, size_t n, net::Instant now);
  size_t readable(StreamId id) const;
  // True when the peer's FIN arrived and every byte before it was read.
  bool eof(StreamId id) const;
  bool has_stream(StreamId id) const { return streams_.count(id) != 0; }

  // ---- session ----
  // Sends GoAway(code) once; no new streams either way afterwards.
  void go_away(uint32_t code = kGoAwayNormal);
  // Sends a ping now unless one is outstanding (the answer: PingRtt).
  void ping(net::Instant now);
  // Smoothed RTT from pings (as go: average of the previous and the new
  // sample); 0 before the first answer. A sample runs from the call that
  // queued the ping to the feed() that brought the answer, so it includes
  // the time the ping waited in pending_output().
  uint64_t rtt_ns() const { return rtt_ns_; }
  bool failed() const { return failed_; }
  const net::Error& error() const { return error_; }
  size_t num_streams() const { return streams_.size(); }
  size_t num_inbound() const { return n_inbound_; }
  size_t num_outbound() const { return n_outbound_; }
  size_t ack_backlog() const { return n_backlog_; }
  uint64_t sum_windows() const { return sum_windows_; }
  // The receive window currently granted on a stream (0 if unknown).
  uint32_t recv_window(StreamId id) const;
  // The peer's window for our sends on a stream (0 if unknown).
  uint32_t send_window(StreamId id) const;
  // Returns idle buffers to the allocator (empty output queue, empty stream
  // buffers, event queue). Runs at every keepalive ping; drivers may call it
  // when a connection goes idle. A trimmed session with no stream holds
  // sizeof(Session) (440 bytes) and no heap; an idle stream ~200 bytes.
  void trim_memory();

 private:
  struct Stream {
    StreamId id = 0;
    bool outbound = false;
    bool acked = false;          // outbound: the peer ACKed; inbound: we sent ACK
    bool in_backlog = false;     // outbound and awaiting ACK
    bool fin_sent = false;
    bool fin_recv = false;
    bool readable_queued = false;
    bool write_blocked = false;  // a write() came back short
    bool on_output_list = false;
    uint32_t send_window = kInitialWindow;  // the peer's credit for us
    uint32_t recv_window = kInitialWindow;  // what we grant in total
    uint32_t recv_credit = kInitialWindow;  // what the peer may still send
    uint32_t unacked = 0;                   // consumed, not yet granted back
    net::Instant last_update = 0;           // our last window update (growth epoch)
    RxRing rx;
  };

  Stream* find(StreamId id);
  const Stream* find(StreamId id) const;
  Stream& create(StreamId id, bool outbound, net::Instant now);
  void erase(Stream& s);
  void maybe_free(Stream& s);

  net::Status on_frame(const Header& h, net::Instant now);
  net::Status on_stream_frame(const Header& h, net::Instant now);
  net::Status on_ping(const Header& h, net::Instant now);
  net::Status on_go_away(const Header& h, net::Instant now);
  void finish_payload();
  void on_remote_fin(Stream& s);
  net::Status consumed(Stream& s, size_t n, net::Instant now);

  net::Status put_control(FrameType t, uint16_t flags, StreamId id, uint32_t length);
  uint16_t pending_ack(Stream& s);
  net::Status charge(const char* what, net::Instant now);
  void refill(net::Instant now);
  void queue(Event e);
  void queue_writable(Stream& s);
  net::Status fail(net::Err code, std::string what, bool send_go_away, uint32_t go_away_code);
  net::Status check_overflow();
  void send_ping(net::Instant now);
  void tick(net::Instant now);

  Role role_;
  Limits lim_;
  net::Log* log_;
  std::unordered_map<StreamId, Stream> streams_;
  uint64_t next_id_;
  size_t n_inbound_ = 0, n_outbound_ = 0, n_backlog_ = 0;
  uint64_t sum_windows_ = 0;
  OutQueue out_;
  Fifo<Event> events_;
  std::vector<StreamId> blocked_on_output_;

  // frame parser
  uint8_t hdr_[kHeaderLen] = {};
  size_t hdr_len_ = 0;
  uint32_t payload_left_ = 0;
  StreamId payload_stream_ = 0;
  bool payload_live_ = false;  // false: discarding (unknown/closed stream)
  bool payload_fin_ = false;

  bool local_go_away_ = false;
  bool remote_go_away_ = false;
  bool failed_ = false;
  net::Error error_;

  bool ping_outstanding_ = false;
  uint32_t ping_id_ = 0;
  net::Instant ping_sent_ = 0;
  net::Instant next_ping_ = net::kNever;
  uint64_t rtt_ns_ = 0;

  bool overflow_ = false;  // the event queue hit max_pending_events()

  double tokens_;
  net::Instant last_refill_;
  net::Instant now_;  // the latest time any call brought (stream creation epoch)
};

}  // namespace p2p::yamux
