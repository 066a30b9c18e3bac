// p2p/ping/ping.hpp — ping (`/ipfs/ping/1.0.0`, specs.md §7): the dialer
// writes 32 random bytes, the listener echoes them, the dialer measures the
// round trip; repeated on the same stream until the dialer closes its write
// side. No framing, no protobuf. Two sans-I/O cores; the driver (p2p/host)
// binds them to a stream:
//
//   Dialer d;                                   // on a new outbound stream
//   crypto::random_bytes(payload); d.ping(payload, now);
//   write(d.pending_output()); d.consume_output(n);
//   on data: d.feed(bytes, now) -> error: reset the stream
//   while (auto rtt = d.poll_rtt()) report *rtt ns; ping again or close write
//   timer at d.next_deadline(); on expiry d.on_timeout(now) (then failed)
//
//   Responder r(now);                           // on each inbound stream
//   on data: auto n = r.feed(bytes, now);       // may consume fewer bytes:
//            keep the rest until the echo output drained (back-pressure)
//   write(r.pending_output()); r.consume_output(n);
//   on EOF: r.on_eof(); close our write side once r.wants_close()
//
// There is deliberately no pings-per-second limit: an echo costs one 32-byte
// copy, the responder stops reading while kMaxEchoBuffered bytes of echo wait
// to be written, and the muxer's flow control bounds the rest. A rate limit
// would only cap the RTT benchmark (issue 4: ping p50 on a warm stream).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/ping/ping_limits.hpp"

namespace p2p::ping {

class Dialer {
 public:
  explicit Dialer(Limits lim = {}, net::Log* log = nullptr);

  // Starts one ping: `payload` goes to pending_output() and the RTT counts
  // from `now` (call it right before writing). Errors:
  //   Err::invalid "ping: a ping is already in flight"
  //   Err::closed  "ping: write side closed" (after close())
  //   the stored error once failed.
  net::Status ping(std::span<const uint8_t, kPayloadLen> payload, net::Instant now);

  net::BytesView pending_output() const { return {out_.data() + out_pos_, out_len_ - out_pos_}; }
  void consume_output(size_t n);

  // Consumes echo bytes (always all of `in` on success). Errors (the dialer
  // is then failed, and later calls return the same error):
  //   Err::proto "ping: 3 bytes arrived with no ping in flight"
  //   Err::proto "ping: echo differs from the payload at byte 5"
  net::Result<size_t> feed(net::BytesView in, net::Instant now);
  // The RTT of each answered ping, in ns, oldest first.
  std::optional<uint64_t> poll_rtt();

  // The application is done: no more pings (the driver closes the write
  // side once pending_output() is empty).
  void close() { closed_ = true; }
  // The responder closed its side. Err::closed "ping: stream closed with a
  // ping in flight" if an echo was still owed; ok otherwise.
  net::Status on_eof();

  // The current ping's deadline; kNever when none is in flight.
  net::Instant next_deadline() const;
  // Err::timeout "ping: no echo within 20 s" once the deadline passed.
  void on_timeout(net::Instant now);

  bool in_flight() const { return in_flight_; }
  bool failed() const { return error_.code != net::Err::ok; }
  const net::Error& error() const { return error_; }
  uint64_t answered() const { return answered_; }

 private:
  net::Status fail(net::Error e);

  Limits lim_;
  net::Log* log_;
  std::array<uint8_t, kPayloadLen> out_{};  // the payload being written
  size_t out_len_ = 0, out_pos_ = 0;
  std::array<uint8_t, kPayloadLen> sent_{};  // the payload awaiting its echo
  size_t matched_ = 0;                      // echo bytes checked so far
  bool in_flight_ = false;
  bool closed_ = false;
  net::Instant sent_at_ = 0;
  std::deque<uint64_t> rtts_;
  uint64_t answered_ = 0;
  net::Error error_;
};

class Responder {
 public:
  explicit Responder(net::Instant now, Limits lim = {}, net::Log* log = nullptr);

  // Echoes every complete 32-byte payload. Consumes input only while the
  // echo output waiting to be written is below Limits::max_echo_buffered,
  // so it may return fewer bytes than given (feed the rest after
  // consume_output). Err::closed "ping: data after EOF".
  net::Result<size_t> feed(net::BytesView in, net::Instant now);

  net::BytesView pending_output() const { return {out_.data() + out_pos_, out_.size() - out_pos_}; }
  void consume_output(size_t n);

  // The dialer closed its write side: a partial payload is dropped (as go's
  // io.ReadFull does). Close our write side once wants_close().
  void on_eof() { eof_ = true; }
  bool wants_close() const { return eof_ && pending_output().empty(); }

  // last ping (or the stream's start) + idle timeout; kNever after EOF.
  net::Instant next_deadline() const;
  // Err::timeout "ping: no ping for 60 s" once the deadline passed.
  void on_timeout(net::Instant now);

  bool failed() const { return error_.code != net::Err::ok; }
  const net::Error& error() const { return error_; }
  uint64_t echoed() const { return echoed_; }

 private:
  Limits lim_;
  net::Log* log_;
  net::Bytes out_;
  size_t out_pos_ = 0;
  std::array<uint8_t, kPayloadLen> partial_{};
  size_t partial_len_ = 0;
  bool eof_ = false;
  net::Instant last_ = 0;
  uint64_t echoed_ = 0;
  net::Error error_;
};

}  // namespace p2p::ping
