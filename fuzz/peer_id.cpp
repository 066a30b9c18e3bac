// fuzz/peer_id.cpp — peer IDs from arbitrary bytes, text and public key
// protos. Every accepted ID survives base58 and CID text round trips; an
// identity ID gives back the key proto it was made from.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "p2p/peer_id.hpp"

using namespace p2p;

namespace {

void check(const PeerId& id) {
  if (id.empty()) abort();
  auto a = PeerId::parse(id.to_base58());
  if (!a || *a != id) abort();
  auto b = PeerId::parse(id.to_cid_string());
  if (!b || *b != id) abort();
  auto c = PeerId::from_bytes(id.bytes());
  if (!c || *c != id) abort();
  if (id.is_identity() != !id.extract_public_key_proto().empty() && id.bytes().size() > 2) abort();
  (void)id.short_string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const net::BytesView in(data, size);
  if (auto id = PeerId::from_bytes(in)) {
    if (id->bytes().size() != size) abort();
    check(*id);
  }
  if (auto id = PeerId::parse(std::string_view(reinterpret_cast<const char*>(data), size))) check(*id);

  const PeerId k = PeerId::from_public_key_proto(in);
  if (size <= kMaxInlineKeyLen) {
    const auto proto = k.extract_public_key_proto();
    if (!k.is_identity() || proto.size() != size || !std::equal(proto.begin(), proto.end(), data)) abort();
  } else if (k.is_identity() || k.bytes().size() != 34) {
    abort();
  }
  check(k);
  return 0;
}
