#include <doctest/doctest.h>

#include <random>

#include <unordered_set>

#include "net/bytes.hpp"
#include "p2p/peer_id.hpp"

using namespace p2p;
using net::Bytes;
using net::Err;

namespace {

Bytes hex(std::string_view h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

void check_parse_error(std::string_view text, Err code, const std::string& what) {
  auto r = PeerId::parse(text);
  INFO("input: ", std::string(text));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

void check_bytes_error(std::string_view h, Err code, const std::string& what) {
  auto r = PeerId::from_bytes(hex(h));
  INFO("input: ", std::string(h));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

// libp2p/specs peer-ids.md "Test vectors" (PublicKey protos) and specs.md §2.
const char* kEd25519Pub = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
const char* kSecp256k1Pub = "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
const char* kEcdsaPub =
    "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf316"
    "1f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62";

}  // namespace

TEST_CASE("peerid: Ed25519 spec key -> identity peer ID 12D3KooW... and bafz... (specs.md §2)") {
  const PeerId id = PeerId::from_public_key_proto(hex(kEd25519Pub));
  CHECK(id.is_identity());
  CHECK(net::to_hex(id.bytes()) == std::string("0024") + kEd25519Pub);
  CHECK(id.to_base58() == "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
  CHECK(id.to_string() == id.to_base58());
  CHECK(id.to_cid_string() == "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
  CHECK(net::to_hex(id.extract_public_key_proto()) == kEd25519Pub);
  for (const char* text : {"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
                           "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6"}) {
    auto p = PeerId::parse(text);
    REQUIRE(p.ok());
    CHECK(*p == id);
  }
}

TEST_CASE("peerid: secp256k1 spec key -> identity peer ID 16Uiu2...") {
  const PeerId id = PeerId::from_public_key_proto(hex(kSecp256k1Pub));
  CHECK(id.is_identity());
  CHECK(id.to_base58() == "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY");
  CHECK(id.to_cid_string() == "bafzaajiiaijcca3xo7uzjzcsyilaj6i54cj44qk7kqzpoao5rti2pjx6udtdbp6kte");
  CHECK(net::to_hex(id.extract_public_key_proto()) == kSecp256k1Pub);
  auto p = PeerId::parse("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY");
  REQUIRE(p.ok());
  CHECK(*p == id);
}

TEST_CASE("peerid: ECDSA spec key (95 bytes) -> sha2-256 peer ID Qm...") {
  const PeerId id = PeerId::from_public_key_proto(hex(kEcdsaPub));
  CHECK_FALSE(id.is_identity());
  CHECK(net::to_hex(id.bytes()) == "122068362c312e155f4f7290b67f5cd094a22a0a4fbf20efd8c287934419350d36f7");
  CHECK(id.to_base58() == "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk");
  CHECK(id.to_cid_string() == "bafzbeidigywdclqvl5hxfefwp5onbffcfife7pza57mmfb4tiqmtkdjw64");
  CHECK(id.extract_public_key_proto().empty());
}

TEST_CASE("peerid: the 42-byte inline boundary is crossed by one") {
  Bytes proto(kMaxInlineKeyLen, 0x5a);
  const PeerId inl = PeerId::from_public_key_proto(proto);
  CHECK(inl.is_identity());
  CHECK(inl.extract_public_key_proto().size() == kMaxInlineKeyLen);
  proto.push_back(0x5a);
  const PeerId hashed = PeerId::from_public_key_proto(proto);
  CHECK_FALSE(hashed.is_identity());
  CHECK(hashed.bytes().size() == 34);
  // And from_bytes takes identity digests up to 42 bytes, not 43.
  CHECK(PeerId::from_bytes(inl.bytes()).ok());
  check_bytes_error("002b" + std::string(86, 'a'), Err::proto, "peerid: identity digest of 43 bytes exceeds 42");
}

TEST_CASE("peerid: spec examples QmYyQ... <-> bafzbeie... and 12D3KooWD3eck...") {
  auto a = PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  REQUIRE(a.ok());
  CHECK(a->to_cid_string() == "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  auto b = PeerId::parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(b->to_base58() == "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  auto c = PeerId::parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
  REQUIRE(c.ok());
  CHECK(c->is_identity());
  CHECK(c->to_base58() == "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
  CHECK(c->extract_public_key_proto().size() == 36);
}

TEST_CASE("peerid: base36 CID forms from go-multiaddr's vectors") {
  auto a = PeerId::parse("k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7");
  REQUIRE(a.ok());
  CHECK(a->to_base58() == "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
  auto b = PeerId::parse("k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs");
  REQUIRE(b.ok());
  CHECK(b->to_base58() == "12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV");
  // Our own base36 of the Ed25519 spec key's CID.
  auto c = PeerId::parse("k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe");
  REQUIRE(c.ok());
  CHECK(c->to_base58() == "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
}

TEST_CASE("peerid: a CID with another codec is refused with its name") {
  check_parse_error("bafkreifoybygix7fh3r3g5rqle3wcnhqldgdg4shzf4k3ulyw3gn7mabt4", Err::proto,
                    "peerid: CID codec raw (0x55) is not libp2p-key (0x72)");
  check_parse_error("bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", Err::proto,
                    "peerid: CID codec dag-pb (0x70) is not libp2p-key (0x72)");
}

TEST_CASE("peerid: bad text") {
  check_parse_error("", Err::proto, "peerid: empty input");
  check_parse_error("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0", Err::proto,
                    "peerid: multibase: invalid base58btc character '0' at offset 51");
  // A peer ID one byte short: the multihash digest is truncated.
  Bytes cut = hex(std::string("0024") + kEd25519Pub);
  cut.pop_back();
  check_parse_error(multibase::base58btc_encode(cut), Err::proto,
                    "peerid: multihash: digest length 36 but 35 bytes follow at byte 2");
  // go-multiaddr TestConstructFails: a sha256 multihash with a 33-byte digest.
  check_parse_error("QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY", Err::proto,
                    "peerid: multihash: sha2-256 digest length 33, expected 32 at byte 1");
  check_parse_error("xyz", Err::proto, "peerid: cid: multibase: unsupported prefix 'x' at offset 0");
  check_parse_error("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt!", Err::proto,
                    "peerid: cid: multibase: invalid base32 character '!' at offset 64");
}

TEST_CASE("peerid: bad binary") {
  check_bytes_error("", Err::proto, "peerid: empty input");
  check_bytes_error("1340" + std::string(128, '0'), Err::proto,
                    "peerid: unsupported multihash sha2-512, expected identity or sha2-256");
  check_bytes_error("1220" + std::string(62, '0'), Err::proto,
                    "peerid: multihash: digest length 32 but 31 bytes follow at byte 2");
  check_bytes_error("0024" + std::string(kEd25519Pub) + "00", Err::proto,
                    "peerid: multihash: trailing bytes after the digest at byte 38");
}

TEST_CASE("peerid: text length limit is crossed by one") {
  check_parse_error(std::string(kMaxPeerIdTextLen + 1, '1'), Err::limit,
                    "peerid: 257 characters exceed the limit of 256");
  auto r = PeerId::parse(std::string(kMaxPeerIdTextLen, '1'));  // decodes to zeros, then refused
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == Err::proto);
}

TEST_CASE("peerid: ordering, hashing, short form") {
  const PeerId ed = PeerId::from_public_key_proto(hex(kEd25519Pub));
  const PeerId ec = PeerId::from_public_key_proto(hex(kEcdsaPub));
  CHECK(ed != ec);
  CHECK(ed < ec);  // 00… sorts before 12…
  CHECK_FALSE(ec < ed);
  std::unordered_set<PeerId> set{ed, ec, ed};
  CHECK(set.size() == 2);
  CHECK(ed.short_string() == "\xe2\x80\xa6o7R3pq");
  CHECK(PeerId().empty());
  CHECK(PeerId().to_base58().empty());
  CHECK(PeerId().extract_public_key_proto().empty());
}

TEST_CASE("peerid: text parsed from base58 prints back as the same text (kept, not re-encoded)") {
  // Random identity and sha2-256 ids (leading zero bytes: identity ids
  // start with 0x00, printed as '1'): parse(text) equals the id and its
  // to_base58() is the text, which parse keeps as its printed form.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    net::Bytes mh;
    if (i % 2 == 0) {
      mh = {0x00, 36, 0x08, 0x01, 0x12, 0x20};
      for (int k = 0; k < 32; ++k) mh.push_back(static_cast<uint8_t>(rng()));
    } else {
      mh = {0x12, 0x20};
      for (int k = 0; k < 32; ++k) mh.push_back(static_cast<uint8_t>(rng()));
    }
    auto id = PeerId::from_bytes(mh);
    REQUIRE(id);
    const std::string text = id->to_base58();
    auto back = PeerId::parse(text);
    REQUIRE(back);
    CHECK(*back == *id);
    CHECK(back->to_base58() == text);
    CHECK(back->to_base58() == multibase::base58btc_encode(back->bytes()));
  }
}
