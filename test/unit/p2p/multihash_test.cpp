#include <doctest/doctest.h>

#include "net/bytes.hpp"
#include "p2p/multiformats/multihash.hpp"

using namespace p2p;
using net::Bytes;
using net::Err;

namespace {

Bytes hex(std::string_view h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

void check_error(std::string_view h, Err code, const std::string& what) {
  auto r = Multihash::from_bytes(hex(h));
  INFO("input: ", std::string(h));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

const char* kEdPubProto = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";

}  // namespace

TEST_CASE("multihash: sha2-256 vectors (prefix 1220)") {
  CHECK(net::to_hex(multihash_sha256({}).bytes()) ==
        "1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const Multihash m = multihash_sha256(net::as_bytes("hello world"));
  CHECK(m.code == mh::kSha2_256);
  CHECK(net::to_hex(m.bytes()) == "1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  CHECK(m.encoded_len() == 34);
  auto back = Multihash::from_bytes(m.bytes());
  REQUIRE(back.ok());
  CHECK(*back == m);
}

TEST_CASE("multihash: identity of the Ed25519 spec public key (specs.md §2)") {
  const Multihash m = multihash_identity(hex(kEdPubProto));
  CHECK(net::to_hex(m.bytes()) == std::string("0024") + kEdPubProto);
  auto back = Multihash::from_bytes(m.bytes());
  REQUIRE(back.ok());
  CHECK(back->code == mh::kIdentity);
  CHECK(back->digest == hex(kEdPubProto));
  // Empty identity digest is a valid multihash.
  auto empty = Multihash::from_bytes(hex("0000"));
  REQUIRE(empty.ok());
  CHECK(empty->digest.empty());
}

TEST_CASE("multihash: multi-byte code varint (blake2b-256 0xb220)") {
  const Bytes b = hex("a0e40220" + std::string(64, 'a'));
  auto m = Multihash::from_bytes(b);
  REQUIRE(m.ok());
  CHECK(m->code == mh::kBlake2b256);
  CHECK(m->bytes() == b);
  CHECK(multihash_name(m->code) == "blake2b-256");
  CHECK(multihash_name(0x1234) == "0x1234");
}

TEST_CASE("multihash: truncated input") {
  check_error("", Err::proto, "multihash: truncated varint for code at byte 0");
  check_error("12", Err::proto, "multihash: truncated varint for length at byte 1");
  check_error("1280", Err::proto, "multihash: truncated varint for length at byte 1");
  check_error("1220" + std::string(62, '0'), Err::proto, "multihash: digest length 32 but 31 bytes follow at byte 2");
  check_error("0005aabb", Err::proto, "multihash: digest length 5 but 2 bytes follow at byte 2");
}

TEST_CASE("multihash: non-minimal and overlong varints") {
  check_error("8000", Err::proto, "multihash: non-minimal varint for code at byte 0");
  check_error("928000" + std::string(64, '0'), Err::proto, "multihash: non-minimal varint for code at byte 0");
  check_error("008000", Err::proto, "multihash: non-minimal varint for length at byte 1");
  check_error("ffffffffffffffffff01", Err::proto, "multihash: varint too long for code at byte 0");
}

TEST_CASE("multihash: fixed digest lengths are enforced") {
  check_error("121f" + std::string(62, '0'), Err::proto, "multihash: sha2-256 digest length 31, expected 32 at byte 1");
  check_error("1221" + std::string(66, '0'), Err::proto, "multihash: sha2-256 digest length 33, expected 32 at byte 1");
  check_error("1320" + std::string(64, '0'), Err::proto, "multihash: sha2-512 digest length 32, expected 64 at byte 1");
}

TEST_CASE("multihash: trailing bytes are refused by from_bytes, left by read") {
  check_error("0001aabb", Err::proto, "multihash: trailing bytes after the digest at byte 3");
  const Bytes b = hex("0001aabb");
  net::Reader r(b);
  auto m = Multihash::read(r);
  REQUIRE(m.ok());
  CHECK(r.pos() == 3);
  CHECK(r.left() == 1);
  // On error nothing is consumed.
  const Bytes bad = hex("0005aabb");
  net::Reader r2(bad);
  CHECK_FALSE(Multihash::read(r2).ok());
  CHECK(r2.pos() == 0);
}

TEST_CASE("multihash: digest length limit is crossed by one") {
  const std::string at_limit = "008001" + std::string(2 * kMaxMultihashDigestLen, 'a');
  CHECK(Multihash::from_bytes(hex(at_limit)).ok());
  check_error("008101" + std::string(2 * (kMaxMultihashDigestLen + 1), 'a'), Err::limit,
              "multihash: digest length 129 exceeds the limit of 128 at byte 1");
  // The limit is checked before the length is trusted.
  check_error("00ffffffff0f", Err::limit, "multihash: digest length 4294967295 exceeds the limit of 128 at byte 1");
}
