// test/unit/crypto/tls_test_cert.hpp — a self-signed test certificate
// (CN=localhost, SAN DNS:localhost IP:127.0.0.1, EC P-256, valid until
// 2126) and its key, for TLS tests only. Made with (one line):
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
//     -keyout k.pem -out c.pem -days 36500 -subj "/CN=localhost"
//     -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
#pragma once

namespace test_tls {

inline constexpr const char* kCertPem = R"(-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUJjjyO8RzZmqBuUgJ3Un/SsCCCv0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTEzMzc0MloYDzIxMjYxMTAx
MTMzNzQyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARtfje6h7/o1PAn6g4VFvkcyZEgdCidLwlVgJxS4gjUCM8yvDAA93gQ
phMFJmb9zDbDEVjEkyxgKQ4OaaQrlfg5o28wbTAdBgNVHQ4EFgQULCSQreZ5DyNw
wRsNC8mi68OGruwwHwYDVR0jBBgwFoAULCSQreZ5DyNwwRsNC8mi68OGruwwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgTvu0z2nS/S+FuCj6cxroAVz4EjI4QsYQVhCshK4QxP4CIFo3
M4AZtKaehMvVrwzVfew0Z/Mw227sI26t2slivXv4
-----END CERTIFICATE-----
)";

inline constexpr const char* kKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHB9xfgOji4qxPLAy
gmUrxMqQ0zY7Y7QCjkHorg2yl8qhRANCAARtfje6h7/o1PAn6g4VFvkcyZEgdCid
LwlVgJxS4gjUCM8yvDAA93gQphMFJmb9zDbDEVjEkyxgKQ4OaaQrlfg5
-----END PRIVATE KEY-----
)";

}  // namespace test_tls
