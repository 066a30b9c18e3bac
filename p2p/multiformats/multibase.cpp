#include "p2p/multiformats/multibase.hpp"

#include <algorithm>
#include <vector>

namespace p2p::multibase {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;

namespace {

constexpr char kBase58Digits[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr char kBase36Digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

// Character -> digit tables for the big-number bases.
struct BigAlphabet {
  const char* name;
  uint32_t radix;
  const char* digits;
  std::array<int8_t, 256> value;
};

constexpr BigAlphabet make_big(const char* name, uint32_t radix, const char* digits, bool fold) {
  BigAlphabet a{name, radix, digits, {}};
  for (auto& v : a.value) v = -1;
  for (uint32_t i = 0; i < radix; ++i) {
    const char c = digits[i];
    a.value[static_cast<uint8_t>(c)] = static_cast<int8_t>(i);
    if (fold && c >= 'a' && c <= 'z') a.value[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<int8_t>(i);
  }
  return a;
}

constexpr BigAlphabet kBase58 = make_big("base58btc", 58, kBase58Digits, false);
constexpr BigAlphabet kBase36 = make_big("base36", 36, kBase36Digits, true);

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// Leading zero bytes map to the zero digit one-for-one; the rest is the
// big-endian number written in `radix`. Both directions are O(n^2) in the
// length; the number is kept in 32-bit limbs and handled `group` digits at a
// time (radix^group < 2^32), which makes the constant ~20x smaller than a
// digit-by-digit, byte-by-byte loop.
struct BigRadix {
  uint32_t group;  // digits per step
  uint32_t power;  // radix^group
};

constexpr BigRadix big_radix(uint32_t radix) {
  BigRadix g{0, 1};
  while (uint64_t{g.power} * radix <= UINT32_MAX) {
    g.power *= radix;
    ++g.group;
  }
  return g;
}

// The alphabet is a template argument so that the divisions by radix^group
// and by radix are by constants (multiplications), which makes encoding a
// peer ID ~5x faster: the engine prints peer IDs for every envelope.
template <const BigAlphabet& a>
std::string big_encode(BytesView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  const BytesView rest = data.subspan(zeros);
  // Big-endian 32-bit limbs of the number.
  std::vector<uint32_t> limbs((rest.size() + 3) / 4, 0);
  for (size_t i = 0; i < rest.size(); ++i) {
    const size_t from_end = rest.size() - 1 - i;  // byte index from the least significant end
    limbs[limbs.size() - 1 - from_end / 4] |= uint32_t{rest[i]} << (8 * (from_end % 4));
  }
  constexpr BigRadix g = big_radix(a.radix);
  std::string rev;  // digits, least significant first
  rev.reserve(rest.size() * 2 + g.group);  // log(256)/log(36) < 2 digits per byte
  size_t start = 0;
  while (start < limbs.size() && limbs[start] == 0) ++start;
  while (start < limbs.size()) {
    uint64_t rem = 0;
    uint32_t* limb = limbs.data();  // raw loop: this is the quadratic part
    for (size_t i = start, n = limbs.size(); i < n; ++i) {
      const uint64_t cur = rem << 32 | limb[i];
      limb[i] = static_cast<uint32_t>(cur / g.power);
      rem = cur % g.power;
    }
    while (start < limbs.size() && limbs[start] == 0) ++start;
    for (uint32_t j = 0; j < g.group; ++j) {
      rev.push_back(a.digits[rem % a.radix]);
      rem /= a.radix;
    }
  }
  while (!rev.empty() && rev.back() == a.digits[0]) rev.pop_back();  // the number's leading zeros
  std::string out(zeros, a.digits[0]);
  out.append(rev.rbegin(), rev.rend());
  return out;
}

Result<Bytes> big_decode(const BigAlphabet& a, std::string_view text, size_t offset) {
  if (text.size() > kMaxBigBaseTextLen)
    return {Err::limit, "multibase: " + std::to_string(text.size()) + " " + a.name +
                            " characters exceed the limit of " + std::to_string(kMaxBigBaseTextLen)};
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == a.digits[0]) ++zeros;
  const BigRadix g = big_radix(a.radix);
  std::vector<uint32_t> limbs;  // little-endian 32-bit limbs
  limbs.reserve(text.size() / 5 + 1);
  for (size_t i = zeros; i < text.size();) {
    const size_t n = std::min<size_t>(g.group, text.size() - i);
    uint64_t val = 0, mult = 1;
    for (size_t j = 0; j < n; ++j, ++i) {
      const int v = a.value[static_cast<uint8_t>(text[i])];
      if (v < 0)
        return {Err::proto, std::string("multibase: invalid ") + a.name + " character " +
                                quote_char(text[i]) + " at offset " + std::to_string(offset + i)};
      val = val * a.radix + static_cast<uint64_t>(v);
      mult *= a.radix;
    }
    uint64_t carry = val;
    uint32_t* limb = limbs.data();  // raw loop: this is the quadratic part
    for (size_t k = 0, m = limbs.size(); k < m; ++k) {
      const uint64_t cur = uint64_t{limb[k]} * mult + carry;
      limb[k] = static_cast<uint32_t>(cur);
      carry = cur >> 32;
    }
    if (carry) limbs.push_back(static_cast<uint32_t>(carry));
  }
  Bytes out(zeros, 0);
  bool started = false;
  for (auto it = limbs.rbegin(); it != limbs.rend(); ++it) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      const auto byte = static_cast<uint8_t>(*it >> shift);
      if (byte == 0 && !started) continue;
      started = true;
      out.push_back(byte);
    }
  }
  return out;
}

const BitAlphabet* bit_alphabet(Base b) {
  switch (b) {
    case Base::base16:
    case Base::base16upper: return &kBase16Alphabet;
    case Base::base32:
    case Base::base32upper:
    case Base::base32pad:
    case Base::base32padupper: return &kBase32Alphabet;
    case Base::base64:
    case Base::base64pad: return &kBase64Alphabet;
    case Base::base64url:
    case Base::base64urlpad: return &kBase64UrlAlphabet;
    default: return nullptr;
  }
}

bool is_upper(Base b) {
  return b == Base::base16upper || b == Base::base32upper || b == Base::base32padupper ||
         b == Base::base36upper;
}

bool is_padded(Base b) {
  return b == Base::base32pad || b == Base::base32padupper || b == Base::base64pad ||
         b == Base::base64urlpad;
}

}  // namespace

std::string quote_char(char c) {
  const auto u = static_cast<uint8_t>(c);
  if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\') return std::string("'") + c + "'";
  static const char kHex[] = "0123456789abcdef";
  return std::string("'\\x") + kHex[u >> 4] + kHex[u & 15] + "'";
}

const char* base_name(Base b) {
  switch (b) {
    case Base::base16: return "base16";
    case Base::base16upper: return "base16upper";
    case Base::base32: return "base32";
    case Base::base32upper: return "base32upper";
    case Base::base32pad: return "base32pad";
    case Base::base32padupper: return "base32padupper";
    case Base::base36: return "base36";
    case Base::base36upper: return "base36upper";
    case Base::base58btc: return "base58btc";
    case Base::base64: return "base64";
    case Base::base64pad: return "base64pad";
    case Base::base64url: return "base64url";
    case Base::base64urlpad: return "base64urlpad";
  }
  return "?";
}

bool base_from_prefix(char prefix, Base* out) {
  switch (prefix) {
    case 'f': case 'F': case 'b': case 'B': case 'c': case 'C': case 'k': case 'K':
    case 'z': case 'm': case 'M': case 'u': case 'U':
      *out = static_cast<Base>(prefix);
      return true;
    default: return false;
  }
}

// --- RFC 4648 ----------------------------------------------------------------

std::string bits_encode(const BitAlphabet& a, BytesView data, bool up, bool pad) {
  const uint32_t mask = (1u << a.bits) - 1;
  std::string out;
  out.reserve((data.size() * 8 + a.bits - 1) / a.bits + 8);
  uint32_t acc = 0;
  unsigned nbits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8) | b;
    nbits += 8;
    while (nbits >= a.bits) {
      nbits -= a.bits;
      out.push_back(a.digit[(acc >> nbits) & mask]);
    }
    acc &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(a.digit[(acc << (a.bits - nbits)) & mask]);
  if (pad && a.bits != 4) {
    const size_t group = a.bits == 5 ? 8 : 4;
    while (out.size() % group != 0) out.push_back('=');
  }
  return up ? upper(std::move(out)) : out;
}

Result<Bytes> bits_decode(const BitAlphabet& a, std::string_view text, const BitDecodeOptions& opt) {
  const char* name = opt.name ? opt.name : a.name;
  size_t n = text.size();
  if (opt.pad && a.bits != 4) {
    const size_t group = a.bits == 5 ? 8 : 4;
    size_t pads = 0;
    while (n > 0 && text[n - 1] == '=') --n, ++pads;
    // A padded encoding fills whole groups with exactly the padding the
    // data length implies (none if it already does).
    if ((n + pads) % group != 0 || pads != (group - n % group) % group || pads >= group)
      return {Err::proto, std::string("multibase: invalid ") + name + " padding at offset " +
                              std::to_string(opt.offset + n)};
  }
  // The last character must contribute at least one bit to a byte:
  // base32 lengths 1, 3, 6 (mod 8), base64 length 1 (mod 4), odd base16.
  if ((n * a.bits) % 8 >= a.bits)
    return {Err::proto, std::string("multibase: invalid ") + name + " length " + std::to_string(n)};
  Bytes out;
  out.reserve(n * a.bits / 8);
  uint32_t acc = 0;
  unsigned nbits = 0;
  for (size_t i = 0; i < n; ++i) {
    const int v = a.value[static_cast<uint8_t>(text[i])];
    if (v < 0)
      return {Err::proto, std::string("multibase: invalid ") + name + " character " +
                              quote_char(text[i]) + " at offset " + std::to_string(opt.offset + i)};
    acc = (acc << a.bits) | static_cast<uint32_t>(v);
    nbits += a.bits;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> nbits));
    }
    acc &= (1u << nbits) - 1;
  }
  if (opt.strict && acc != 0)
    return {Err::proto, std::string("multibase: non-zero trailing bits in ") + name +
                            " at offset " + std::to_string(opt.offset + n - 1)};
  return out;
}

// --- multibase -----------------------------------------------------------------

std::string encode_raw(Base base, BytesView data) {
  if (base == Base::base58btc) return big_encode<kBase58>(data);
  if (base == Base::base36) return big_encode<kBase36>(data);
  if (base == Base::base36upper) return upper(big_encode<kBase36>(data));
  return bits_encode(*bit_alphabet(base), data, is_upper(base), is_padded(base));
}

std::string encode(Base base, BytesView data) {
  std::string out(1, static_cast<char>(base));
  out += encode_raw(base, data);
  return out;
}

Result<Bytes> decode_raw(Base base, std::string_view text, size_t offset) {
  if (base == Base::base58btc) return big_decode(kBase58, text, offset);
  if (base == Base::base36 || base == Base::base36upper) return big_decode(kBase36, text, offset);
  return bits_decode(*bit_alphabet(base), text, {is_padded(base), true, offset, base_name(base)});
}

Result<Decoded> decode(std::string_view text, size_t max_len) {
  if (text.empty()) return {Err::proto, "multibase: empty input"};
  if (text.size() > max_len)
    return {Err::limit, "multibase: " + std::to_string(text.size()) +
                            " characters exceed the limit of " + std::to_string(max_len)};
  Decoded d;
  if (!base_from_prefix(text[0], &d.base))
    return {Err::proto, "multibase: unsupported prefix " + quote_char(text[0]) + " at offset 0"};
  auto r = decode_raw(d.base, text.substr(1), 1);
  if (!r) return r.take_error();
  d.bytes = r.take();
  return d;
}

std::string base58btc_encode(BytesView data) { return big_encode<kBase58>(data); }

Result<Bytes> base58btc_decode(std::string_view text, size_t max_len) {
  if (text.size() > max_len)
    return {Err::limit, "multibase: " + std::to_string(text.size()) +
                            " base58btc characters exceed the limit of " + std::to_string(max_len)};
  return big_decode(kBase58, text, 0);
}

}  // namespace p2p::multibase
