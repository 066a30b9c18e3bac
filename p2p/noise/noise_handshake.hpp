// p2p/noise/noise_handshake.hpp — Noise HandshakeState for the XX pattern
// (noiseprotocol.org rev 34 §5.3, §7.5; specs.md §4.2):
//   -> e
//   <- e, ee, s, es
//   -> s, se
// Sans-I/O and deterministic: the local static and ephemeral key pairs and
// the prologue are inputs (the driver draws the keys from the OS CSPRNG, the
// tests inject the published vectors' keys). After any error the state is
// dead and every call returns Err::closed.
#pragma once

#include <cstdint>

#include "crypto/noise_x25519.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/noise/noise_cipher.hpp"

namespace p2p::noise {

enum class Role : uint8_t { initiator, responder };

struct TransportCiphers {
  CipherState send;  // initiator: c1, responder: c2
  CipherState recv;  // initiator: c2, responder: c1
};

class HandshakeState {
 public:
  struct Config {
    Role role = Role::initiator;
    net::BytesView prologue;        // libp2p: empty
    crypto::X25519KeyPair s;        // local static
    crypto::X25519KeyPair e;        // local ephemeral (used by the e token)
    crypto::AeadBackend handshake_backend = crypto::AeadBackend::sodium;
    crypto::AeadBackend transport_backend = crypto::kDefaultAeadBackend;
  };
  explicit HandshakeState(Config cfg);

  Role role() const { return role_; }
  // Index (0, 1, 2) of the next message to write or read; 3 when complete.
  int message_index() const { return msg_; }
  // True if the next message is ours to write.
  bool is_my_turn() const;
  bool complete() const { return msg_ == 3 && !failed_; }
  bool failed() const { return failed_; }

  // WriteMessage: appends the next handshake message (tokens + encrypted
  // payload) to out. Errors: Err::invalid "noise: write_message out of turn",
  // Err::limit "noise: handshake message too long (N > 65535)", DH/AEAD
  // errors, Err::closed after an earlier error.
  [[nodiscard]] net::Status write_message(net::BytesView payload, net::Bytes& out);
  // ReadMessage: consumes one whole handshake message and replaces *payload
  // with its decrypted payload. Errors: Err::invalid "noise: read_message out
  // of turn", Err::limit (too long), Err::proto "noise: handshake message N
  // too short (L bytes, need M)", Err::crypto "noise: decryption failed" /
  // "x25519: all-zero shared secret", Err::closed.
  [[nodiscard]] net::Status read_message(net::BytesView msg, net::Bytes* payload);

  // After the handshake: the transport ciphers (send/recv by role).
  // Err::invalid "noise: split before the handshake completed".
  [[nodiscard]] net::Result<TransportCiphers> split();

  // Remote static key, valid once the message carrying s was read.
  const crypto::X25519Public& remote_static() const { return rs_; }
  const crypto::X25519Public& remote_ephemeral() const { return re_; }
  const crypto::X25519Public& local_static_public() const { return s_.pub; }
  const crypto::Sha256Digest& handshake_hash() const { return ss_.handshake_hash(); }

 private:
  net::Status do_write(net::BytesView payload, net::Bytes& out);
  net::Status do_read(net::BytesView msg, net::Bytes* payload);
  void write_e(net::Bytes& out);
  net::Status write_s(net::Bytes& out);
  net::Status mix_dh(const crypto::X25519KeyPair& local, const crypto::X25519Public& remote);
  net::Status encrypt_payload(net::BytesView payload, net::Bytes& out);

  Role role_;
  SymmetricState ss_;
  crypto::X25519KeyPair s_;
  crypto::X25519KeyPair e_;
  crypto::X25519Public rs_{};
  crypto::X25519Public re_{};
  crypto::AeadBackend transport_backend_;
  int msg_ = 0;
  bool failed_ = false;
};

}  // namespace p2p::noise
