// Tests of the protobuf runtime (proto/runtime): spec vectors of specs.md §18,
// the wire primitives, and the decoder's error table.
#include <doctest/doctest.h>

#include "net/bytes.hpp"
#include "proto/google/protobuf/struct.pb.hpp"
#include "proto/libp2p/crypto.pb.hpp"
#include "proto/runtime/pb.hpp"

using net::Bytes;

static Bytes hex(const char* h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

TEST_CASE("pb: Ed25519 PublicKey encodes as 08 01 12 20 <key> (specs.md §2)") {
  pb::crypto::PublicKey k{.Type = pb::crypto::KeyType::Ed25519,
                          .Data = hex("1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")};
  CHECK(net::to_hex(k.encode()) ==
        "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
  pb::crypto::PublicKey d;
  REQUIRE(d.decode(k.encode()).ok());
  CHECK(d == k);
}
