// did:key of an Ed25519 peer id (upstream.md §9).
#include <doctest/doctest.h>

#include "a2a/did_key.hpp"

using namespace a2a;

TEST_CASE("did:key: RFC 8032 test key 1 (vector computed independently)") {
  // pub d75a9801...511a; peer id = identity multihash of its PublicKey proto.
  auto pid = p2p::PeerId::parse("12D3KooWQK1wnefoLrcVHbbnf5tLzbopUd3K3bFAoJpA7YJgL5pV");
  REQUIRE(pid);
  auto did = did_key_from_peer_id(*pid);
  REQUIRE(did);
  CHECK(*did == "did:key:z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw");
  auto back = peer_id_from_did_key(*did);
  REQUIRE(back);
  CHECK(*back == *pid);
}

TEST_CASE("did:key: errors") {
  auto sha = p2p::PeerId::parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
  REQUIRE(sha);
  auto d = did_key_from_peer_id(*sha);
  CHECK(d.err() == net::Err::unsupported);
  CHECK(d.what() == "did:key: peer QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N does not inline an Ed25519 key");
  CHECK(peer_id_from_did_key("did:web:example.com").what() == "did:key: want a did:key:z... (base58btc) identifier");
  CHECK(peer_id_from_did_key("did:key:z6Mk").what() ==
        "did:key: not an Ed25519 public key (want 0xed01 + 32 bytes)");
  CHECK(peer_id_from_did_key("did:key:z0OIl").err() == net::Err::proto);
}
