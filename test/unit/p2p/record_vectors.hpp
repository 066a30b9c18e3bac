// test/unit/p2p/record_vectors.hpp — vectors shared by the envelope, peer
// record and identify tests (hex).
//
//  * kSpecEd25519Priv / kSpecPeerId: libp2p/specs peer-ids/peer-ids.md test
//    vector (= specs.md §2); the peer ID is the one specs.md computes.
//  * kJsPeerRecord: a signed peer record sealed by js-libp2p
//    (@libp2p/peer-record RecordEnvelope.seal, libp2p 3.3.11, Node 20.20.2)
//    with the spec key, seq 1700000000000000000 and the addresses
//    /ip4/127.0.0.1/tcp/4001 and /ip6/::1/udp/4001/quic-v1. Ed25519 is
//    deterministic, so our make_peer_record_envelope must produce the same
//    bytes.
//  * kJsIdentify: the raw bytes a js-libp2p 3.3.11 node (identify 4.1.14,
//    key = the spec key) wrote on an `/ipfs/id/1.0.0` stream opened by another
//    js node over TCP/Noise/yamux on 127.0.0.1, captured off the stream
//    (one length-prefixed message; its signedPeerRecord has seq
//    1795603008884, js's ms timestamp).
#pragma once

namespace recvec {

inline constexpr const char* kSpecEd25519Priv =
    "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8"
    "be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
inline constexpr const char* kSpecEd25519Pub =
    "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
inline constexpr const char* kSpecPeerId = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

inline constexpr unsigned long long kJsPeerRecordSeq = 1700000000000000000ull;
inline constexpr const char* kJsPeerRecord =
    "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e120203011a590a"
    "260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e108080a8b1e3"
    "9fe7cb171a0a0a08047f000001060fa11a190a17290000000000000000000000000000000191020fa1cd032a40"
    "b68ad9d9bacebd0894d3ce0c90ef07a357db2902417f8bb2377aef6dbd0f31145dcca091793389b14d7c26beb0"
    "f15a03b3044e47745ef358c66be101fbef9203";

inline constexpr const char* kJsIdentify =
    "f1022a0a697066732f302e312e30321d6a732d6c69627032702f332e332e3131206e6f64652f32302e32302e32"
    "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e1208047f000001"
    "06936f2231047f00000106ea1ea50326002408011220c1f56c45d2456b104735b527b30102b10dae581e2b24be"
    "9a83a92dfb323883e81a0e2f697066732f69642f312e302e301a132f697066732f69642f707573682f312e302e"
    "301a102f697066732f70696e672f312e302e3042a9010a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b3"
    "4b871c3cacf6010f0e42d474fce27e120203011a3b0a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3"
    "b34b871c3cacf6010f0e42d474fce27e10f49a9e92a1341a0a0a08047f00000106936f2a4055c3ee394726a326"
    "59490cfcb6f0232d4fe2135635c551c74c82fae8ca015581dad671305aba762f7f08dc750c1c30a6f972e3a8fb"
    "5868c5dd307d81b2001e09";
inline constexpr unsigned long long kJsIdentifySeq = 1795603008884ull;
// The js node's listen address and the observed address it reported (the
// dialer's, whose peer ID is kJsIdentifyObservedPeer).
inline constexpr const char* kJsIdentifyListen = "/ip4/127.0.0.1/tcp/37743";
inline constexpr const char* kJsIdentifyObserved =
    "/ip4/127.0.0.1/tcp/59934/p2p/12D3KooWNsVubzekFHHwB3wPgxKE9svBHy5nYydfSEFZ7oQuc2KR";

}  // namespace recvec
