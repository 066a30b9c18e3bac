// p2p/host/conn_core.hpp — one libp2p connection over a byte stream (TCP),
// as a sans-I/O core: the upgrader (multistream-select picks /noise, the
// Noise XX handshake authenticates the peer, multistream or Noise's early
// negotiation picks /yamux/1.0.0) followed by the yamux session. Raw bytes in,
// raw bytes out, time injected; the driver (host.cpp) owns the socket.
//
//   raw in  --feed()-->  [multistream /noise] -> noise.feed -> plaintext
//                         -> [multistream /yamux over noise] -> yamux.feed
//   yamux output --flush()--> noise.write (encrypts into its output) --> raw out
//
// Raw output before the handshake completes (the multistream /noise
// exchange) is kept in out_ and always precedes Noise's own output, which
// pending_output() then hands out directly, without a copy.
//
// The dialer of the TCP connection is the Noise initiator and the yamux
// client (odd stream ids). The dialer proposes /noise lazily (header,
// proposal and Noise message 1 in one write, as go and js do), and likewise
// /yamux/1.0.0 when Noise's early muxer negotiation did not settle it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "crypto/ed25519.hpp"
#include "net/buffer.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/host/host_limits.hpp"
#include "p2p/multistream/multistream.hpp"
#include "p2p/noise/noise_session.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/yamux/yamux.hpp"

namespace p2p {

enum class ConnDirection : uint8_t { outbound, inbound };

enum class ConnState : uint8_t {
  security,   // multistream-select of the security protocol (/noise)
  handshake,  // Noise XX
  muxer,      // multistream-select of the muxer, inside Noise
  open,       // yamux session running: mux() is usable
  failed,     // error() says why; close the connection
};
const char* conn_state_name(ConnState s);

struct ConnCoreConfig {
  ConnDirection direction = ConnDirection::outbound;
  const crypto::Ed25519PrivateKey* identity = nullptr;  // must outlive the core
  PeerId expected_peer;  // outbound: the /p2p/ of the dialed address (empty: any)
  // The host's Noise static key and signed payload; null: a fresh static key
  // for this connection.
  std::shared_ptr<const noise::LocalStatic> noise_static;
  net::Instant now = 0;
  uint64_t upgrade_timeout_ns = kUpgradeTimeoutNs;
  yamux::Limits yamux_limits;
  net::Log* log = nullptr;
};

class ConnCore {
 public:
  explicit ConnCore(const ConnCoreConfig& cfg);
  ConnCore(const ConnCore&) = delete;
  ConnCore& operator=(const ConnCore&) = delete;

  // Takes every byte of `in`. Errors are fatal (state() == failed afterwards;
  // pending_output() may still hold a final GoAway worth flushing).
  net::Status feed(net::BytesView in, net::Instant now);
  // Moves what the yamux session wants to send into Noise frames. Call after
  // every batch of mux() calls and when the socket drained. Errors are fatal.
  net::Status flush(net::Instant now);

  net::BytesView pending_output() const;
  void consume_output(size_t n);
  bool has_output() const { return !pending_output().empty(); }
  // Every byte queued for the peer: raw multistream bytes, Noise frames and
  // yamux frames not yet encrypted (introspection: Host::usage()).
  size_t output_buffered() const;

  net::Instant next_deadline() const;
  void on_timeout(net::Instant now);

  ConnState state() const { return state_; }
  ConnDirection direction() const { return dir_; }
  const net::Error& error() const { return error_; }
  // Set once the handshake finished.
  const PeerId& remote_peer() const { return remote_peer_; }
  net::BytesView remote_public_key() const;
  // Non-null once state() == open. Events are polled by the driver.
  yamux::Session* mux() { return mux_.get(); }
  const yamux::Session* mux() const { return mux_.get(); }
  // True once, when the connection became open (the driver then announces it).
  bool take_opened() {
    bool o = opened_;
    opened_ = false;
    return o;
  }
  // Plaintext the yamux session could not take yet is impossible: yamux
  // consumes everything. Idle connections give their buffers back.
  void trim_memory();

 private:
  net::Status fail(net::Error e);
  net::Result<size_t> ms_feed(net::BytesView in, net::Instant now);
  net::Status feed_raw(net::BytesView in, net::Instant now);
  net::Status pump_plaintext(net::Instant now);
  net::Status start_noise(net::Instant now);
  net::Status after_handshake(net::Instant now);
  net::Status start_mux(net::Instant now);
  net::Status drain_muxer_ms_output();

  ConnDirection dir_;
  const crypto::Ed25519PrivateKey* identity_;
  PeerId expected_peer_;
  std::shared_ptr<const noise::LocalStatic> noise_static_;
  yamux::Limits ylim_;
  net::Log* log_;
  uint64_t upgrade_timeout_ns_;
  ConnState state_ = ConnState::security;
  net::Error error_;
  net::Instant deadline_;
  bool opened_ = false;

  std::unique_ptr<multistream::Core> ms_;  // security, then muxer negotiation
  std::unique_ptr<noise::Session> noise_;
  std::unique_ptr<yamux::Session> mux_;
  PeerId remote_peer_;
  net::Buffer out_{kMaxPreNoiseOutput};  // raw multistream bytes before Noise output
};

}  // namespace p2p
