// fuzz/protobuf_decode.cpp — the protobuf decoder on every libp2p message and
// the agentanycast envelope and card (fuzz/protobuf_types.hpp). The first
// byte selects the type, the rest is decoded. An accepted message must
// re-encode to bytes that decode to an equal message and re-encode to the
// same bytes (the encoding is deterministic), and encoded_size() must be
// exact. A refused one must carry a "pb: " message and code proto or limit.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protobuf_types.hpp"

namespace {

template <class M>
void roundtrip(net::BytesView in) {
  M m;
  net::Status s = m.decode(in);
  if (!s) {
    if (s.what().rfind("pb: ", 0) != 0) abort();
    if (s.err() != net::Err::proto && s.err() != net::Err::limit) abort();
    return;
  }
  net::Bytes b1 = m.encode();
  if (b1.size() != m.encoded_size()) abort();
  // Re-encoding may add what the input left implicit (both halves of a map
  // entry, an empty message for a set oneof member): one level and a few
  // elements more than the input, so the second decode gets room for them.
  pb::Limits relaxed{.max_message_len = 4 * pb::kMaxMessageLen,
                     .max_depth = pb::kMaxDepth + 1,
                     .max_repeated = pb::kMaxRepeated,
                     .max_elements = 4 * pb::kMaxElements};
  M m2;
  if (!m2.decode(b1, relaxed).ok()) abort();
  if (!(m2 == m)) abort();
  if (m2.encode() != b1) abort();
}

using Fn = void (*)(net::BytesView);

template <class... M>
constexpr std::array<Fn, sizeof...(M)> table(pb::TypeList<M...>) {
  return {&roundtrip<M>...};
}

constexpr auto kTable = table(fuzzpb::Types{});

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  kTable[data[0] % kTable.size()](net::BytesView(data + 1, size - 1));
  return 0;
}
