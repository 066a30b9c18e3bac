// fuzz/noise_payload.cpp — the libp2p NoiseHandshakePayload: protobuf
// decode, the identity key decoder, signature verification over the
// responder's static key and PeerId derivation (p2p/noise/noise_payload.hpp),
// plus the early muxer choice on whatever lists decode. Byte 0 picks whether
// a PeerId is expected (bit 0) and which one (bit 1: the right one). Where
// the payload decodes, decode -> encode -> decode must be stable.
//
// AAC_NOISE_WRITE_CORPUS=<dir> ./fuzz_noise_payload writes the seed corpus
// (payloads signed for the fixture's responder static key) and exits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "crypto/keys.hpp"
#include "fuzz/noise_fixture.hpp"
#include "p2p/noise/noise_limits.hpp"
#include "p2p/noise/noise_payload.hpp"
#include "proto/libp2p/noise.pb.hpp"

using namespace p2p::noise;
using net::Bytes;
using net::BytesView;

namespace {

const crypto::X25519Public& remote_static() {
  static const crypto::X25519Public pub = noise_fuzz::x25519(3).pub;
  return pub;
}

void write_corpus(const char* dir) {
  using noise_fuzz::write_seed;
  const auto& id = noise_fuzz::identity(false);
  auto seed = [&](const char* name, uint8_t flags, BytesView payload) {
    Bytes s{flags};
    s.insert(s.end(), payload.begin(), payload.end());
    write_seed(dir, name, s);
  };
  seed("signed_yamux", 3, make_payload(id, remote_static(), {"/yamux/1.0.0"}));
  seed("signed_no_muxers", 0, make_payload(id, remote_static(), {}));
  seed("signed_wrong_peer", 1, make_payload(id, remote_static(), {"/yamux/1.0.0"}));
  seed("signed_two_muxers", 0, make_payload(id, remote_static(), {"/mplex/6.7.0", "/yamux/1.0.0"}));
  // Other key types (specs.md §2 vectors) with a junk signature; a type 7.
  auto other = [&](const char* name, const char* key_hex) {
    pb::noise::NoiseHandshakePayload p;
    Bytes k;
    if (!net::from_hex(key_hex, &k)) abort();
    p.identity_key = k;
    p.identity_sig = Bytes(71, 0x30);
    seed(name, 0, p.encode());
  };
  other("secp256k1_key", "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99");
  other("ecdsa_key",
        "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83ab"
        "ab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f7"
        "7c409e62");
  other("unsupported_type", "08071220aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  seed("empty", 0, {});
  std::exit(0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("AAC_NOISE_WRITE_CORPUS")) write_corpus(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const p2p::PeerId right = p2p::PeerId::from_public_key_proto(
      crypto::marshal_public_key(noise_fuzz::identity(false).public_key()));
  static const p2p::PeerId wrong = p2p::PeerId::from_public_key_proto(
      crypto::marshal_public_key(noise_fuzz::identity(true).public_key()));
  const p2p::PeerId none;
  const p2p::PeerId& expected = (data[0] & 1) ? ((data[0] & 2) ? right : wrong) : none;
  BytesView payload(data + 1, size - 1);

  auto id = verify_payload(payload, remote_static(), expected);
  if (id) {
    // Only the fixture's responder can have signed it.
    if (id->peer != right) abort();
    if (id->muxers.size() > kMaxStreamMuxers) abort();
    auto m = select_muxer({"/yamux/1.0.0"}, id->muxers);
    if (m && !m->empty() && *m != "/yamux/1.0.0") abort();
  } else if (id.what().empty()) {
    abort();  // every refusal says why
  }

  pb::noise::NoiseHandshakePayload a;
  if (a.decode(payload)) {
    Bytes e1 = a.encode();
    pb::noise::NoiseHandshakePayload b;
    if (!b.decode(e1)) abort();
    if (!(a == b)) abort();
    if (b.encode() != e1) abort();
  }
  return 0;
}
