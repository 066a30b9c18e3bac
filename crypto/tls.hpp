// crypto/tls.hpp — TLS (1.2 and 1.3, OpenSSL) as a sans-I/O session for
// the HTTP frontends: fed the peer's bytes, it gives decrypted bytes and
// the bytes to send (STYLE.md §2; OpenSSL memory BIOs, no socket).
//
//   auto ctx = crypto::TlsContext::server_from_files(cfg.tls_cert, cfg.tls_key);
//   crypto::TlsSession s(**ctx);              // server role
//   s.feed(from_socket);                      // handshake + records
//   s.read(plain);                            // decrypted application bytes
//   s.write(answer);                          // queued until the handshake is done
//   socket.write(s.pending_output()); s.consume_output(n);
//
// Client role (routing by URL to https:// agents): TlsContext::client()
// verifies the server against the system store (or a CA file) and the
// session checks the host name (sent as SNI), or an IP address against the
// certificate's IP SANs (no SNI).
//
// Errors are Err::crypto with OpenSSL's first reason ("tls: handshake
// failed: wrong version number"); the session is dead after one.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "crypto/tls_limits.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

struct ssl_ctx_st;
struct ssl_st;
struct bio_st;

namespace crypto {

class TlsContext {
 public:
  // A server context from PEM files: the certificate chain (leaf first)
  // and its private key. Errors: Err::invalid "tls: cannot load
  // certificate <path>: <reason>" / "... key ..." / "tls: key does not
  // match the certificate".
  static net::Result<std::unique_ptr<TlsContext>> server_from_files(const std::string& cert_pem_path,
                                                                    const std::string& key_pem_path);
  // A client context verifying servers against ca_pem_path, or the
  // system's store when empty.
  static net::Result<std::unique_ptr<TlsContext>> client(const std::string& ca_pem_path = {});
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  bool is_server() const { return server_; }
  ssl_ctx_st* native() { return ctx_; }

 private:
  TlsContext(ssl_ctx_st* c, bool server) : ctx_(c), server_(server) {}
  ssl_ctx_st* ctx_;
  bool server_;
};

class TlsSession {
 public:
  // Server or client role from the context. host: the name a client
  // verifies and sends as SNI (ignored by servers).
  explicit TlsSession(TlsContext& ctx, const std::string& host = {});
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Ciphertext from the peer (any split). Errors: Err::crypto; Err::limit
  // "tls: input buffer full" past kTlsMaxInputLen unread.
  net::Status feed(net::BytesView cipher);
  // Appends the decrypted bytes available now to `out` (at most max_len).
  // Errors: Err::crypto.
  net::Status read(std::string& out, size_t max_len = kTlsReadSliceLen);
  // Plaintext to send; held until the handshake completes. Errors:
  // Err::crypto, Err::limit "tls: output buffer full" past kTlsMaxOutputLen.
  net::Status write(net::BytesView plain);
  // Sends close_notify.
  void close();

  // Ciphertext to send; valid until the next non-const call.
  net::BytesView pending_output();
  void consume_output(size_t n);
  size_t output_size() const { return out_.size() - out_pos_; }

  bool handshake_done() const { return done_; }
  bool failed() const { return failed_; }
  // The peer sent close_notify.
  bool peer_closed() const { return peer_closed_; }
  // "TLSv1.3" once the handshake is done.
  std::string version() const;

 private:
  net::Status drive();  // handshake step / flush held plaintext
  void collect();       // wbio -> out_
  net::Error fail(const char* what);

  ssl_st* ssl_ = nullptr;
  bio_st* rbio_ = nullptr;  // network -> TLS
  bio_st* wbio_ = nullptr;  // TLS -> network
  std::string out_;
  size_t out_pos_ = 0;
  std::string held_;  // plaintext written before the handshake completed
  bool done_ = false;
  bool failed_ = false;
  bool peer_closed_ = false;
};

}  // namespace crypto
