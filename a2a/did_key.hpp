// a2a/did_key.hpp — did:key of an Ed25519 peer (upstream.md §9): "did:key:z"
// + base58btc(0xed 0x01 || 32-byte public key), the multicodec ed25519-pub
// prefix. SetAgentCard puts it in P2PExtension.did_key.
#pragma once

#include <string>
#include <string_view>

#include "net/result.hpp"
#include "p2p/peer_id.hpp"

namespace a2a {

// Err::unsupported "did:key: peer <id> does not inline an Ed25519 key" for
// sha2-256 (RSA/ECDSA) peer ids and non-Ed25519 keys.
net::Result<std::string> did_key_from_peer_id(const p2p::PeerId& peer);
// The reverse; Err::proto "did:key: ..." for anything but an Ed25519 did:key.
net::Result<p2p::PeerId> peer_id_from_did_key(std::string_view did);

}  // namespace a2a
