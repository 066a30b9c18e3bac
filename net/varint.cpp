#include "net/varint.hpp"

namespace net {

const char* varint_status_name(VarintStatus s) {
  switch (s) {
    case VarintStatus::ok: return "ok";
    case VarintStatus::need_more: return "truncated varint";
    case VarintStatus::too_long: return "varint too long";
    case VarintStatus::non_minimal: return "non-minimal varint";
  }
  return "?";
}

VarintStatus uvarint_decode(std::span<const uint8_t> in, uint64_t* value, size_t* consumed) {
  uint64_t v = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i >= kMaxUvarintLen) return VarintStatus::too_long;
    const uint8_t b = in[i];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      // A last group of 0 after the first byte means the encoding was padded.
      if (b == 0 && i > 0) return VarintStatus::non_minimal;
      *value = v;
      *consumed = i + 1;
      return VarintStatus::ok;
    }
  }
  // 9 continuation bytes already is too long even before more input arrives.
  return in.size() >= kMaxUvarintLen ? VarintStatus::too_long : VarintStatus::need_more;
}

VarintStatus pb_varint_decode(std::span<const uint8_t> in, uint64_t* value, size_t* consumed) {
  uint64_t v = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i >= kMaxPbVarintLen) return VarintStatus::too_long;
    const uint8_t b = in[i];
    // The 10th byte may only carry the 64th bit.
    if (i == kMaxPbVarintLen - 1 && (b & 0x7e) != 0) return VarintStatus::too_long;
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *value = v;
      *consumed = i + 1;
      return VarintStatus::ok;
    }
  }
  return in.size() >= kMaxPbVarintLen ? VarintStatus::too_long : VarintStatus::need_more;
}

}  // namespace net
