// crypto/tls.cpp — see tls.hpp.
#include "crypto/tls.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace crypto {
namespace {

using net::Err;

std::string ossl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown error";
  const char* r = ERR_reason_error_string(e);
  return r ? r : "error " + std::to_string(e);
}

SSL_CTX* new_ctx(bool server) {
  SSL_CTX* c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!c) return nullptr;
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  // No renegotiation, no compression, no session tickets kept across restarts.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return c;
}

}  // namespace

net::Result<std::unique_ptr<TlsContext>> TlsContext::server_from_files(const std::string& cert, const std::string& key) {
  ERR_clear_error();
  SSL_CTX* c = new_ctx(true);
  if (!c) return net::Error{Err::nomem, "tls: cannot create context: " + ossl_reason()};
  std::unique_ptr<TlsContext> t(new TlsContext(c, true));
  if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1)
    return net::Error{Err::invalid, "tls: cannot load certificate " + cert + ": " + ossl_reason()};
  if (SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return net::Error{Err::invalid, "tls: cannot load key " + key + ": " + ossl_reason()};
  if (SSL_CTX_check_private_key(c) != 1) {
    ERR_clear_error();
    return net::Error{Err::invalid, "tls: key " + key + " does not match the certificate " + cert};
  }
  // HTTP/1.1 only: ALPN "http/1.1" is accepted, nothing else is offered.
  SSL_CTX_set_alpn_select_cb(
      c,
      [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) -> int {
        static const unsigned char kH1[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
        unsigned char* sel = nullptr;
        if (SSL_select_next_proto(&sel, outlen, kH1, sizeof kH1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
          return SSL_TLSEXT_ERR_NOACK;
        *out = sel;
        return SSL_TLSEXT_ERR_OK;
      },
      nullptr);
  return t;
}

net::Result<std::unique_ptr<TlsContext>> TlsContext::client(const std::string& ca) {
  ERR_clear_error();
  SSL_CTX* c = new_ctx(false);
  if (!c) return net::Error{Err::nomem, "tls: cannot create context: " + ossl_reason()};
  std::unique_ptr<TlsContext> t(new TlsContext(c, false));
  int ok = ca.empty() ? SSL_CTX_set_default_verify_paths(c) : SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr);
  if (ok != 1) return net::Error{Err::invalid, "tls: cannot load CA " + (ca.empty() ? "store" : ca) + ": " + ossl_reason()};
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  return t;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsSession::TlsSession(TlsContext& ctx, const std::string& host) {
  ssl_ = SSL_new(ctx.native());
  rbio_ = BIO_new(BIO_s_mem());
  wbio_ = BIO_new(BIO_s_mem());
  if (!ssl_ || !rbio_ || !wbio_) {
    failed_ = true;
    if (rbio_) BIO_free(rbio_);
    if (wbio_) BIO_free(wbio_);
    rbio_ = wbio_ = nullptr;
    ERR_clear_error();
    return;
  }
  BIO_set_mem_eof_return(rbio_, -1);  // "no data yet", not EOF
  SSL_set_bio(ssl_, rbio_, wbio_);    // ssl_ owns both now
  if (ctx.is_server()) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    if (!host.empty()) {
      in6_addr a6{};
      in_addr a4{};
      if (inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
        // An address: checked against the certificate's IP SANs; no SNI
        // (RFC 6066 §3: literal addresses are not sent).
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
      } else {
        SSL_set_tlsext_host_name(ssl_, host.c_str());
        SSL_set1_host(ssl_, host.c_str());
      }
    }
    (void)drive();  // the ClientHello
  }
}

TlsSession::~TlsSession() {
  if (ssl_) SSL_free(ssl_);
}

net::Error TlsSession::fail(const char* what) {
  failed_ = true;
  std::string r = ossl_reason();
  collect();  // an alert may be waiting
  return {Err::crypto, std::string("tls: ") + what + ": " + r};
}

void TlsSession::collect() {
  if (!wbio_) return;
  char buf[16 * 1024];
  for (;;) {
    int n = BIO_read(wbio_, buf, sizeof buf);
    if (n <= 0) break;
    if (out_pos_ > 0 && out_pos_ == out_.size()) {
      out_.clear();
      out_pos_ = 0;
    }
    out_.append(buf, static_cast<size_t>(n));
  }
}

net::Status TlsSession::drive() {
  if (failed_) return {Err::crypto, "tls: session failed"};
  if (!done_) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      done_ = true;
    } else {
      int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        if (e == SSL_ERROR_SSL) return fail("handshake failed");
        failed_ = true;
        collect();
        return {Err::crypto, "tls: handshake failed"};
      }
    }
  }
  if (done_ && !held_.empty()) {
    std::string h;
    h.swap(held_);
    AAC_TRY(write({reinterpret_cast<const uint8_t*>(h.data()), h.size()}));
  }
  collect();
  return {};
}

net::Status TlsSession::feed(net::BytesView cipher) {
  if (failed_) return {Err::crypto, "tls: session failed"};
  if (BIO_ctrl_pending(rbio_) + cipher.size() > kTlsMaxInputLen) return {Err::limit, "tls: input buffer full"};
  if (!cipher.empty() && BIO_write(rbio_, cipher.data(), static_cast<int>(cipher.size())) != static_cast<int>(cipher.size()))
    return fail("buffer");
  return drive();
}

net::Status TlsSession::read(std::string& out, size_t max_len) {
  if (failed_) return {Err::crypto, "tls: session failed"};
  if (!done_) return {};
  char buf[16 * 1024];
  size_t got = 0;
  while (got < max_len) {
    size_t n = 0;
    ERR_clear_error();
    int r = SSL_read_ex(ssl_, buf, std::min(sizeof buf, max_len - got), &n);
    if (r == 1) {
      out.append(buf, n);
      got += n;
      continue;
    }
    int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    if (e == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return fail("read failed");
  }
  collect();  // TLS 1.3 post-handshake messages, alerts
  return {};
}

net::Status TlsSession::write(net::BytesView plain) {
  if (failed_) return {Err::crypto, "tls: session failed"};
  if (output_size() + held_.size() + plain.size() > kTlsMaxOutputLen) return {Err::limit, "tls: output buffer full"};
  if (!done_) {
    held_.append(reinterpret_cast<const char*>(plain.data()), plain.size());
    return {};
  }
  size_t off = 0;
  while (off < plain.size()) {
    size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl_, plain.data() + off, plain.size() - off, &n) != 1) return fail("write failed");
    off += n;
    collect();
  }
  return {};
}

void TlsSession::close() {
  if (!ssl_ || failed_) return;
  ERR_clear_error();
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
  collect();
}

net::BytesView TlsSession::pending_output() {
  return {reinterpret_cast<const uint8_t*>(out_.data()) + out_pos_, out_.size() - out_pos_};
}

void TlsSession::consume_output(size_t n) {
  out_pos_ += std::min(n, out_.size() - out_pos_);
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > 1024 * 1024) {
    out_.erase(0, out_pos_);  // compact now and then
    out_pos_ = 0;
  }
}

std::string TlsSession::version() const { return done_ ? SSL_get_version(ssl_) : ""; }

}  // namespace crypto
