// a2a/transport.hpp — what the engine needs from the network, and the clock
// it reads. P2pBinding implements Transport over p2p::Host; the unit tests
// and the fuzzer use in-memory fakes.
//
// Rule: a Transport method never calls back into the Engine from inside the
// call; outcomes arrive later through the Engine's on_* methods.
#pragma once

#include <cstdint>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "p2p/peer_id.hpp"

namespace a2a {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual net::Instant now() const = 0;  // monotonic: retries, timeouts
  virtual int64_t unix_ns() const = 0;   // wall clock: task timestamps, queue TTL
};

// The process clocks.
class SystemClock final : public Clock {
 public:
  net::Instant now() const override { return net::monotonic_now(); }
  int64_t unix_ns() const override { return static_cast<int64_t>(net::unix_now_ns()); }
};

class Transport {
 public:
  virtual ~Transport() = default;

  // One envelope (A2AEnvelope bytes, unframed) on a new
  // /agentanycast/a2a/1.0 stream to `peer`, dialing first when needed.
  // token != 0: Engine::on_send_result(token, status) reports whether the
  // frame was written (not whether the peer processed it; that is the ACK).
  virtual void send_envelope(const p2p::PeerId& peer, net::Bytes envelope, uint64_t token) = 0;
  virtual bool connected(const p2p::PeerId& peer) const = 0;
  // Our card changed: push it to every connected peer (card protocol).
  virtual void card_changed() = 0;

  // Outgoing artifact stream: one a2a stream that carries STREAM_START,
  // STREAM_CHUNK..., STREAM_END frames in order. Returns its id; failures
  // arrive as Engine::on_out_stream_closed(id, error).
  virtual uint64_t open_out_stream(const p2p::PeerId& peer) = 0;
  // Queues one frame, framed already (encode_framed: length + A2AEnvelope
  // bytes), always taken. Returns false when the stream's buffer is now at
  // its bound: write no more until Engine::on_out_stream_writable(id).
  virtual bool out_stream_write(uint64_t id, net::Bytes frame) = 0;
  // Half-closes after the queued frames (abort: reset now).
  virtual void out_stream_close(uint64_t id, bool abort) = 0;

  // An inbound a2a stream the engine paused (Engine::on_frame returned
  // false) may deliver again.
  virtual void resume_inbound(uint64_t inbound_id) = 0;
};

}  // namespace a2a
