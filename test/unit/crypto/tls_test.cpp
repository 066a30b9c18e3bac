// Unit tests: crypto/tls — the sans-I/O TLS session: a client and a server
// in memory (whole and byte-by-byte), data both ways, plaintext held until
// the handshake completes, host-name verification, plain HTTP sent to a
// TLS port, bad files, the input limit crossed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "crypto/tls.hpp"
#include "crypto/tls_test_cert.hpp"

using namespace crypto;
using net::Err;

namespace {

struct TempFiles {
  std::string dir, cert, key;
  TempFiles() {
    char tmpl[] = "/tmp/aac-tls-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    std::ofstream(cert) << test_tls::kCertPem;
    std::ofstream(key) << test_tls::kKeyPem;
  }
  ~TempFiles() {
    std::remove(cert.c_str());
    std::remove(key.c_str());
    rmdir(dir.c_str());
  }
};

net::BytesView bv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Moves bytes between the two sessions until neither has output; step > 0
// feeds that many bytes at a time.
net::Status pump(TlsSession& a, TlsSession& b, size_t step = 0) {
  for (int round = 0; round < 10000; ++round) {
    bool moved = false;
    for (auto [from, to] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
      net::BytesView out = from->pending_output();
      if (out.empty()) continue;
      size_t n = step ? std::min(step, out.size()) : out.size();
      std::string chunk(reinterpret_cast<const char*>(out.data()), n);
      from->consume_output(n);
      AAC_TRY(to->feed(bv(chunk)));
      moved = true;
    }
    if (!moved) return {};
  }
  return {Err::fatal_, "no progress"};
}

}  // namespace

TEST_CASE("tls: handshake, data both ways, whole and byte by byte") {
  TempFiles f;
  auto sc = TlsContext::server_from_files(f.cert, f.key);
  REQUIRE(sc);
  auto cc = TlsContext::client(f.cert);
  REQUIRE(cc);
  for (size_t step : {size_t(0), size_t(1)}) {
    CAPTURE(step);
    TlsSession server(**sc), client(**cc, "localhost");
    REQUIRE(client.write(bv("GET / HTTP/1.1\r\n\r\n")));  // held until the handshake is done
    REQUIRE(pump(client, server, step));
    CHECK(server.handshake_done());
    CHECK(client.handshake_done());
    CHECK(server.version() == "TLSv1.3");
    std::string got;
    REQUIRE(server.read(got));
    CHECK(got == "GET / HTTP/1.1\r\n\r\n");
    std::string big(200 * 1024, 'z');
    REQUIRE(server.write(bv(big)));
    REQUIRE(pump(client, server, step ? 4096 : 0));
    std::string back;
    while (back.size() < big.size()) {
      size_t before = back.size();
      REQUIRE(client.read(back));
      if (back.size() == before) break;
    }
    CHECK(back == big);
    server.close();
    REQUIRE(pump(client, server));
    std::string none;
    REQUIRE(client.read(none));
    CHECK(client.peer_closed());
  }
}

TEST_CASE("tls: the client checks the host name") {
  TempFiles f;
  auto sc = TlsContext::server_from_files(f.cert, f.key);
  auto cc = TlsContext::client(f.cert);
  REQUIRE(sc);
  REQUIRE(cc);
  TlsSession server(**sc), client(**cc, "example.com");
  auto st = pump(client, server);
  CHECK(st.err() == Err::crypto);
  CHECK(st.what() == "tls: handshake failed: certificate verify failed");
  CHECK(client.failed());
  // A client that trusts only the system store refuses our self-signed certificate.
  auto sys = TlsContext::client();
  REQUIRE(sys);
  TlsSession server2(**sc), client2(**sys, "localhost");
  CHECK(pump(client2, server2).what() == "tls: handshake failed: certificate verify failed");
}

TEST_CASE("tls: plain HTTP to a TLS server fails the handshake") {
  TempFiles f;
  auto sc = TlsContext::server_from_files(f.cert, f.key);
  REQUIRE(sc);
  TlsSession server(**sc);
  auto st = server.feed(bv("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(st.err() == Err::crypto);
  CHECK(st.what() == "tls: handshake failed: http request");
  CHECK(server.failed());
  CHECK(server.feed(bv("x")).what() == "tls: session failed");
}

TEST_CASE("tls: bad certificate and key files") {
  TempFiles f;
  auto r = TlsContext::server_from_files(f.dir + "/nope.pem", f.key);
  CHECK(r.err() == Err::invalid);
  CHECK(r.what().rfind("tls: cannot load certificate " + f.dir + "/nope.pem: ", 0) == 0);
  r = TlsContext::server_from_files(f.cert, f.cert);
  CHECK(r.err() == Err::invalid);
  CHECK(r.what().rfind("tls: cannot load key " + f.cert + ": ", 0) == 0);
  CHECK(TlsContext::client(f.dir + "/nope.pem").err() == Err::invalid);
}

TEST_CASE("tls: input limit crossed by one") {
  TempFiles f;
  auto sc = TlsContext::server_from_files(f.cert, f.key);
  auto cc = TlsContext::client(f.cert);
  REQUIRE(sc);
  REQUIRE(cc);
  TlsSession server(**sc), client(**cc, "localhost");
  REQUIRE(pump(client, server));
  REQUIRE(server.handshake_done());
  // After the handshake records wait in the session until read() is
  // called: an application that stops reading stops the buffering.
  std::string fill(kTlsMaxInputLen, '\x17');
  REQUIRE(server.feed(bv(fill)));
  auto st = server.feed(bv("x"));
  CHECK(st.err() == Err::limit);
  CHECK(st.what() == "tls: input buffer full");
}
