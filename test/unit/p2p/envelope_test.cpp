#include <doctest/doctest.h>

#include <string>

#include "crypto/ed25519.hpp"
#include "net/bytes.hpp"
#include "p2p/record/envelope.hpp"
#include "p2p/record/peer_record.hpp"
#include "proto/libp2p/envelope.pb.hpp"
#include "record_vectors.hpp"

using namespace p2p::record;
using net::Bytes;
using net::Err;

namespace {

Bytes hex(const char* h) {
  Bytes b;
  REQUIRE(net::from_hex(h, &b));
  return b;
}

crypto::Ed25519PrivateKey spec_key() {
  auto k = crypto::Ed25519PrivateKey::unmarshal(hex(recvec::kSpecEd25519Priv));
  REQUIRE(k);
  return k.take();
}

crypto::Ed25519PrivateKey other_key() {
  std::array<uint8_t, 32> seed{};
  seed[0] = 7;
  auto k = crypto::Ed25519PrivateKey::from_seed(seed);
  REQUIRE(k);
  return k.take();
}

const Bytes kType = {0x03, 0x01};
const std::string kDomain(kPeerRecordDomain);

}  // namespace

TEST_CASE("envelope: unsigned bytes are RFC 0002 framing") {
  Bytes u = make_unsigned("libp2p-peer-record", kType, net::as_bytes("hi"));
  CHECK(net::to_hex(u) == "126c69627032702d706565722d7265636f7264" "020301" "026869");
  CHECK(net::to_hex(make_unsigned("d", {}, {})) == "01640000");
}

TEST_CASE("envelope: seal and open round trip") {
  auto key = spec_key();
  auto env = seal_envelope(key, kDomain, kType, net::as_bytes("payload"));
  REQUIRE(env);
  auto o = open_envelope(*env, kDomain, kType);
  REQUIRE(o);
  CHECK(net::to_string(o->payload) == "payload");
  CHECK(o->payload_type == kType);
  CHECK(o->signer.to_string() == recvec::kSpecPeerId);
  CHECK(crypto::marshal_public_key(o->public_key) == hex(recvec::kSpecEd25519Pub));
  // Ed25519 is deterministic: sealing twice gives the same bytes.
  auto again = seal_envelope(key, kDomain, kType, net::as_bytes("payload"));
  REQUIRE(again);
  CHECK(*again == *env);
  // An empty payload is valid.
  auto empty = seal_envelope(key, kDomain, kType, {});
  REQUIRE(empty);
  auto oe = open_envelope(*empty, kDomain, kType);
  REQUIRE(oe);
  CHECK(oe->payload.empty());
}

TEST_CASE("envelope: seal refuses an empty domain or payload type") {
  auto key = spec_key();
  auto a = seal_envelope(key, "", kType, {});
  CHECK(a.err() == Err::invalid);
  CHECK(a.what() == "envelope: empty domain");
  auto b = seal_envelope(key, kDomain, {}, {});
  CHECK(b.err() == Err::invalid);
  CHECK(b.what() == "envelope: empty payload type");
}

TEST_CASE("envelope: tampering with any signed field or the signature is Err::crypto") {
  auto key = spec_key();
  pb::record::Envelope e;
  REQUIRE(e.decode(*seal_envelope(key, kDomain, kType, net::as_bytes("some payload"))));

  SUBCASE("public key data") {
    e.public_key->Data[5] ^= 0x01;
  }
  SUBCASE("public key swapped for another valid key") {
    auto other = other_key();
    e.public_key->Data.assign(other.public_raw().begin(), other.public_raw().end());
  }
  SUBCASE("payload type") {
    e.payload_type[1] = 0x02;
  }
  SUBCASE("payload type extended") {
    e.payload_type.push_back(0);
  }
  SUBCASE("payload byte") {
    e.payload[0] ^= 0x80;
  }
  SUBCASE("payload truncated") {
    e.payload.pop_back();
  }
  SUBCASE("signature byte") {
    e.signature[63] ^= 0x01;
  }
  auto r = open_envelope(e.encode(), kDomain, kType);
  CHECK(r.err() == Err::crypto);
  CHECK(r.what() == "envelope: bad Ed25519 signature");
}

TEST_CASE("envelope: every single-byte flip of a sealed envelope is refused") {
  auto key = spec_key();
  Bytes env = *seal_envelope(key, kDomain, kType, net::as_bytes("x"));
  for (size_t i = 0; i < env.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      Bytes t = env;
      t[i] ^= bit;
      auto r = open_envelope(t, kDomain, kType);
      CAPTURE(i);
      CHECK_FALSE(r);
    }
  }
}

TEST_CASE("envelope: wrong domain, wrong payload type, bad signature length") {
  auto key = spec_key();
  Bytes env = *seal_envelope(key, kDomain, kType, net::as_bytes("x"));
  SUBCASE("domain: the signature does not hold") {
    auto r = open_envelope(env, "libp2p-relay-rsvp", kType);
    CHECK(r.err() == Err::crypto);
    CHECK(r.what() == "envelope: bad Ed25519 signature");
  }
  SUBCASE("payload type: a genuine envelope of another type") {
    Bytes voucher = *seal_envelope(key, "libp2p-relay-rsvp", Bytes{0x03, 0x02}, net::as_bytes("x"));
    auto r = open_envelope(voucher, "libp2p-relay-rsvp", kType);
    CHECK(r.err() == Err::unsupported);
    CHECK(r.what() == "envelope: payload type 0302, want 0301");
  }
  SUBCASE("signature of 63 bytes") {
    pb::record::Envelope e;
    REQUIRE(e.decode(env));
    e.signature.pop_back();
    auto r = open_envelope(e.encode(), kDomain, kType);
    CHECK(r.err() == Err::crypto);
    CHECK(r.what() == "envelope: Ed25519 signature is 63 bytes, want 64");
  }
  SUBCASE("no signature") {
    pb::record::Envelope e;
    REQUIRE(e.decode(env));
    e.signature.clear();
    auto r = open_envelope(e.encode(), kDomain, kType);
    CHECK(r.err() == Err::crypto);
    CHECK(r.what() == "envelope: Ed25519 signature is 0 bytes, want 64");
  }
}

TEST_CASE("envelope: malformed input") {
  SUBCASE("missing public key") {
    pb::record::Envelope e;
    e.payload_type = kType;
    e.signature.assign(64, 0);
    auto r = open_envelope(e.encode(), kDomain, kType);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "envelope: missing public_key");
  }
  SUBCASE("empty input has no public key") {
    auto r = open_envelope({}, kDomain, kType);
    CHECK(r.what() == "envelope: missing public_key");
  }
  SUBCASE("truncated protobuf") {
    Bytes env = *seal_envelope(spec_key(), kDomain, kType, net::as_bytes("x"));
    env.pop_back();
    auto r = open_envelope(env, kDomain, kType);
    CHECK(r.err() == Err::proto);
    CHECK(r.what().rfind("envelope: pb: ", 0) == 0);
  }
  SUBCASE("public key of the wrong length") {
    pb::record::Envelope e;
    e.public_key = pb::crypto::PublicKey{.Type = pb::crypto::KeyType::Ed25519, .Data = Bytes(31, 1)};
    auto r = open_envelope(e.encode(), kDomain, kType);
    CHECK(r.err() == Err::proto);
    CHECK(r.what() == "envelope: public_key: Ed25519 public key is 31 bytes, want 32");
  }
}

TEST_CASE("envelope: the size limit crossed by one") {
  auto key = spec_key();
  // Envelope overhead with a 2-byte type and Ed25519: 38 (key) + 4 + 66 (sig)
  // + payload field header (1 + 2-byte length) = 111 bytes.
  const size_t overhead = seal_envelope(key, kDomain, kType, Bytes(1000, 0))->size() - 1000;
  Bytes at = *seal_envelope(key, kDomain, kType, Bytes(kMaxEnvelopeLen - overhead, 0));
  REQUIRE(at.size() == kMaxEnvelopeLen);
  CHECK(open_envelope(at, kDomain, kType));
  Bytes over = *seal_envelope(key, kDomain, kType, Bytes(kMaxEnvelopeLen - overhead + 1, 0));
  REQUIRE(over.size() == kMaxEnvelopeLen + 1);
  auto r = open_envelope(over, kDomain, kType);
  CHECK(r.err() == Err::limit);
  CHECK(r.what() == "envelope: 8193 bytes exceed the limit of 8192");
  // A caller may pass its own limit.
  CHECK(open_envelope(over, kDomain, kType, kMaxEnvelopeLen + 1));
}

TEST_CASE("envelope: the js-libp2p peer record opens") {
  auto o = open_envelope(hex(recvec::kJsPeerRecord), kPeerRecordDomain, kPeerRecordPayloadType);
  REQUIRE(o);
  CHECK(o->signer.to_string() == recvec::kSpecPeerId);
  CHECK(o->payload_type == kType);
  // specs.md §2.1's "libp2p-routing-state" is rust's legacy domain: js's
  // record does not verify with it.
  auto legacy = open_envelope(hex(recvec::kJsPeerRecord), "libp2p-routing-state", kPeerRecordPayloadType);
  CHECK(legacy.err() == Err::crypto);
}
