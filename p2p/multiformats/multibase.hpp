// p2p/multiformats/multibase.hpp — multibase text encodings (specs.md §1.2).
//
// encode()/decode() handle the self-describing form: one prefix character
// naming the base, then the payload. The *_raw functions and the base58btc
// shortcuts work on a bare payload (legacy peer IDs `12D3KooW…`/`Qm…` and
// CIDv0 are bare base58btc).
//
// Decoders are strict: a character outside the alphabet is refused with its
// offset; an impossible length, bad padding or non-zero trailing bits in the
// RFC 4648 bases (16/32/64) are refused, as js-multiformats does. Base16,
// base32 and base36 decode either case (multibase case_insensitivity.csv).
// Every decode has a length limit (multiformats_limits.hpp); base58/base36 are
// quadratic and have a tighter one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/multiformats/multiformats_limits.hpp"

namespace p2p::multibase {

// The prefix character is the enum value (multibase.csv).
enum class Base : char {
  base16 = 'f',
  base16upper = 'F',
  base32 = 'b',
  base32upper = 'B',
  base32pad = 'c',
  base32padupper = 'C',
  base36 = 'k',
  base36upper = 'K',
  base58btc = 'z',
  base64 = 'm',
  base64pad = 'M',
  base64url = 'u',
  base64urlpad = 'U',
};

// "base32", "base58btc", ... (multibase.csv names).
const char* base_name(Base b);
// The Base for a prefix character, or false if we do not support it.
bool base_from_prefix(char prefix, Base* out);

struct Decoded {
  Base base = Base::base58btc;
  net::Bytes bytes;
};

// Prefix + payload.
std::string encode(Base base, net::BytesView data);
// Errors (Err::proto unless noted): "multibase: empty input",
// "multibase: unsupported prefix 'x' at offset 0",
// "multibase: invalid base32 character '!' at offset 3",
// "multibase: invalid base32 length 9", "multibase: non-zero trailing bits in
// base64url at offset 42", "multibase: invalid base64pad padding at offset 10",
// and Err::limit "multibase: 5000 characters exceed the limit of 4096".
net::Result<Decoded> decode(std::string_view text, size_t max_len = kMaxMultibaseTextLen);

// Payload only, no prefix. Error offsets are `offset` + the index in `text`,
// so a caller can report them in its own string.
std::string encode_raw(Base base, net::BytesView data);
net::Result<net::Bytes> decode_raw(Base base, std::string_view text, size_t offset = 0);

// Bare base58btc (no prefix), limited to max_len characters.
std::string base58btc_encode(net::BytesView data);
net::Result<net::Bytes> base58btc_decode(std::string_view text,
                                         size_t max_len = kMaxBigBaseTextLen);

// --- RFC 4648 bit-group codec over any 16/32/64-character alphabet ---------
// Used by the multibase bases above and by multiaddr (onion's base32 and
// garlic64's I2P alphabet).
struct BitAlphabet {
  const char* name;                 // for error messages: "base32"
  uint8_t bits;                     // 4, 5 or 6
  bool fold_case;                   // decode upper and lower case alike
  std::array<char, 64> digit;       // value -> character (canonical case)
  std::array<int8_t, 256> value;    // character -> value, -1 if not a digit
};

constexpr BitAlphabet make_bit_alphabet(const char* name, const char* chars, bool fold_case) {
  BitAlphabet a{name, 0, fold_case, {}, {}};
  size_t n = 0;
  while (chars[n] != '\0') ++n;
  a.bits = n == 16 ? 4 : n == 32 ? 5 : 6;
  for (auto& v : a.value) v = -1;
  for (size_t i = 0; i < n; ++i) {
    const char c = chars[i];
    a.digit[i] = c;
    a.value[static_cast<uint8_t>(c)] = static_cast<int8_t>(i);
    if (fold_case && c >= 'a' && c <= 'z') a.value[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<int8_t>(i);
  }
  return a;
}

inline constexpr BitAlphabet kBase16Alphabet = make_bit_alphabet("base16", "0123456789abcdef", true);
inline constexpr BitAlphabet kBase32Alphabet =
    make_bit_alphabet("base32", "abcdefghijklmnopqrstuvwxyz234567", true);
inline constexpr BitAlphabet kBase64Alphabet = make_bit_alphabet(
    "base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", false);
inline constexpr BitAlphabet kBase64UrlAlphabet = make_bit_alphabet(
    "base64url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false);

struct BitDecodeOptions {
  bool pad = false;      // '=' padding required to a full group
  bool strict = true;    // refuse non-zero trailing bits
  size_t offset = 0;     // added to error offsets
  const char* name = nullptr;  // base name for errors (default: the alphabet's)
};

std::string bits_encode(const BitAlphabet& a, net::BytesView data, bool upper, bool pad);
net::Result<net::Bytes> bits_decode(const BitAlphabet& a, std::string_view text,
                                    const BitDecodeOptions& opt = {});

// "'x'" for a printable character, "'\xNN'" otherwise (error messages).
std::string quote_char(char c);

}  // namespace p2p::multibase
