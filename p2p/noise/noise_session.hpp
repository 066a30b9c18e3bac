// p2p/noise/noise_session.hpp — the libp2p Noise secure channel
// (libp2p/specs noise/README.md r5; specs.md §4.1) as a sans-I/O core:
// Noise_XX_25519_ChaChaPoly_SHA256, empty prologue, every message framed
// as u16 big-endian length || message (at most 65535 bytes).
//
//   msg1  -> e                          32 bytes, empty payload
//   msg2  <- e, ee, s, es, payload      responder's NoiseHandshakePayload
//   msg3  -> s, se, payload             initiator's NoiseHandshakePayload
//
// Each payload proves the sender's libp2p identity: identity_key (a
// PublicKey proto) and identity_sig = Sign("noise-libp2p-static-key:" || s).
// We verify the signature against the Noise static key we received, derive
// the remote PeerId, and compare it with the expected one when the dialer
// knows it (the /p2p/ of the address). Early muxer negotiation (libp2p/specs
// connections/inlined-muxer-negotiation.md): both payloads carry our
// stream_muxers; the result is the first entry of the initiator's list that
// both lists contain; no overlap between two non-empty lists fails the
// handshake (as js-libp2p does); an empty or missing list on either side
// means "negotiate the muxer with multistream-select after the handshake".
// (js-libp2p 17 takes the first entry of the REMOTE's list that it supports,
// whatever its role; with our single-entry list both rules agree.)
//
// Driver loop (STYLE.md §2):
//   Session s(cfg);                           // initiator: msg1 is pending already
//   write(s.pending_output()); s.consume_output(n);
//   auto n = s.feed(received, now);           // bytes taken; keep the rest
//   if (!n) -> close the connection (n.what() says why)
//   while (!(v = s.readable()).empty()) { app(v); s.consume_read(v.size()); }
//   s.write(app_bytes) -> bytes taken (bounded by the output buffer)
//   arm a timer at s.next_deadline(); on expiry s.on_timeout(now).
//
// Every error is fatal: the session moves to State::failed, its ciphers
// are wiped and never used again, and error() keeps the reason.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/noise_x25519.hpp"
#include "net/buffer.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/noise/noise_handshake.hpp"
#include "p2p/noise/noise_limits.hpp"
#include "p2p/noise/noise_payload.hpp"
#include "p2p/peer_id.hpp"

namespace p2p::noise {

// A static key shared by the connections of one host, with its signed
// handshake payload built once. js-libp2p (@chainsafe/libp2p-noise) keeps one
// static key per node too; it saves one X25519 keygen and one Ed25519
// signature per handshake, both on the handshake's critical path.
struct LocalStatic {
  crypto::X25519KeyPair key;
  std::vector<std::string> muxers;  // the early-negotiation list inside `payload`
  net::Bytes payload;               // identity key, signature over key.pub, muxers
};
std::shared_ptr<const LocalStatic> make_local_static(const crypto::Ed25519PrivateKey& identity,
                                                     std::vector<std::string> muxers);

struct SessionConfig {
  Role role = Role::initiator;  // the connection's dialer is the initiator
  // Our libp2p identity; signs the static key. Must outlive the constructor
  // call only (the signed payload is built there).
  const crypto::Ed25519PrivateKey* identity = nullptr;
  // Fresh X25519 key pairs for this connection (drivers: x25519_generate()).
  // A new static key per connection is what go-libp2p does (handshake.go
  // generates one per handshake); js (@chainsafe/libp2p-noise 17) draws one
  // per Noise instance, i.e. per node, unless configured. Per connection
  // costs one X25519 keygen and one Ed25519 signature per handshake, and a
  // leaked static key then endangers one connection, not every handshake
  // until restart.
  crypto::X25519KeyPair static_key;
  // When set, replaces static_key, muxers and the payload signature.
  std::shared_ptr<const LocalStatic> local_static;
  crypto::X25519KeyPair ephemeral_key;
  // The remote peer the dialer expects; empty PeerId: accept any.
  PeerId expected_peer;
  // Early muxer negotiation: ours, in preference order. Empty: offer none.
  std::vector<std::string> muxers{std::string(kYamuxId)};
  net::Instant now = 0;  // the handshake deadline runs from here
  uint64_t handshake_timeout_ns = kHandshakeTimeoutNs;
  size_t max_input_buffered = kMaxInputBuffered;    // >= one framed message
  size_t max_output_buffered = kMaxOutputBuffered;  // >= one framed message
  crypto::AeadBackend transport_backend = crypto::kDefaultAeadBackend;
  net::Log* log = nullptr;
};

enum class State : uint8_t {
  handshaking,  // feed and drain output until established (or failed)
  established,  // remote_peer() is authenticated; read() / write() carry app bytes
  failed,       // error() says why; close the connection
};

class Session {
 public:
  explicit Session(SessionConfig cfg);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  State state() const { return state_; }
  Role role() const { return role_; }
  const net::Error& error() const { return error_; }

  // ---- bytes in and out ----------------------------------------------------
  // Takes bytes received from the socket; returns how many it took: all of
  // `in` unless the input buffer is full (decrypted frames the application
  // has not read yet, at most max_input_buffered bytes); feed the rest again
  // after consume_read(). Errors (fatal, also kept in error()):
  //   Err::proto   "noise: handshake message 1 must be 32 bytes, got N",
  //                "noise: handshake message 2 too short (L bytes, need 96)" (and 3),
  //                "noise: transport frame of N bytes is shorter than the 16-byte tag",
  //                payload / identity errors (noise_payload.hpp)
  //   Err::crypto  "noise: decryption failed", "x25519: all-zero shared secret",
  //                "noise: remote peer ID 12D3…x does not match expected 12D3…y",
  //                "noise: bad identity signature"
  //   Err::unsupported  an identity key type we cannot verify
  //   Err::limit   "noise: nonce exhausted"
  //   Err::timeout "noise: handshake timed out after 10 s"
  //   Err::closed  after an earlier error
  net::Result<size_t> feed(net::BytesView in, net::Instant now);
  // Framed bytes to send, valid until the next non-const call.
  net::BytesView pending_output() const;
  void consume_output(size_t n);

  // ---- handshake -------------------------------------------------------------
  // Set once established.
  const PeerId& remote_peer() const { return remote_peer_; }
  net::BytesView remote_public_key() const { return remote_key_proto_; }
  // The early-negotiated muxer ("/yamux/1.0.0"), or "" when the muxer must
  // be negotiated with multistream-select after the handshake.
  const std::string& muxer() const { return muxer_; }
  // kNever once established or failed.
  net::Instant next_deadline() const;
  // Fails the handshake with Err::timeout once the deadline passed.
  void on_timeout(net::Instant now);

  // ---- transport ---------------------------------------------------------------
  // Decrypted application bytes, one frame's worth at a time; valid until the
  // next feed() or consume_read(). Empty when nothing is readable.
  net::BytesView readable() const;
  void consume_read(size_t n);
  // Encrypts the first bytes of `data` into frames of at most 65519
  // plaintext bytes, straight into the output buffer. Returns bytes taken
  // (0 when the output buffer is full; drain it). Errors: Err::invalid
  // "noise: write before the handshake completed", Err::limit "noise: nonce
  // exhausted" (fatal), Err::closed after an error.
  net::Result<size_t> write(net::BytesView data);
  // Plaintext bytes write() would take now.
  size_t writable() const;

  // Frees the input and output buffers when empty (idle connections).
  void trim_memory();

  // Test hooks: place the transport nonces (e.g. near 2^64-1).
  void set_send_nonce_for_test(uint64_t n) { send_.set_nonce(n); }
  void set_recv_nonce_for_test(uint64_t n) { recv_.set_nonce(n); }

 private:
  net::Status process();
  net::Status on_handshake_message(net::BytesView msg);
  net::Status send_handshake_message(net::BytesView payload);
  net::Status on_remote_payload(net::BytesView payload);
  net::Status finish_handshake();
  void next_frame();
  uint8_t* in_ptr() { return const_cast<uint8_t*>(in_.data().data()); }
  net::Status append_output(net::BytesView header, net::BytesView body);
  net::Error fail(net::Error e);

  Role role_;
  State state_ = State::handshaking;
  net::Error error_;
  net::Log* log_;
  net::Instant deadline_;
  uint64_t timeout_ns_;

  std::unique_ptr<HandshakeState> hs_;  // freed (and wiped) once established
  net::Bytes local_payload_;
  std::vector<std::string> local_muxers_;
  PeerId expected_peer_;
  PeerId remote_peer_;
  net::Bytes remote_key_proto_;
  std::string muxer_;
  CipherState send_, recv_;

  // in_: received bytes. Offsets count from its first readable byte:
  // [rd_, rd_end_) is the unread plaintext of the current frame (decrypted in
  // place), decrypted frames follow from next_ to dec_, and dec_ is where
  // the first frame not yet decoded starts.
  net::Buffer in_;
  net::Buffer out_;  // framed ciphertext for the socket
  size_t rd_ = 0, rd_end_ = 0, next_ = 0, dec_ = 0;
};

}  // namespace p2p::noise
