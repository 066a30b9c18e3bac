// fuzz/multibase.cpp — multibase decoders on arbitrary text, and every
// encoder on arbitrary bytes. A decoded string re-encodes to itself (up to
// case in the case-insensitive bases): the strict decoders accept only
// canonical encodings. Every encoding decodes back to its bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "p2p/multiformats/multibase.hpp"

using namespace p2p::multibase;

namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool folds_case(Base b) {
  switch (b) {
    case Base::base16: case Base::base16upper: case Base::base32: case Base::base32upper:
    case Base::base32pad: case Base::base32padupper: case Base::base36: case Base::base36upper: return true;
    default: return false;
  }
}

constexpr Base kAll[] = {Base::base16, Base::base16upper, Base::base32, Base::base32upper,
                         Base::base32pad, Base::base32padupper, Base::base36, Base::base36upper,
                         Base::base58btc, Base::base64, Base::base64pad, Base::base64url,
                         Base::base64urlpad};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto d = decode(text);
  if (d) {
    const std::string again = encode(d->base, d->bytes);
    if (folds_case(d->base) ? !same_ignoring_case(again, text) : again != text) abort();
    auto d2 = decode(again);
    if (!d2 || d2->bytes != d->bytes || d2->base != d->base) abort();
  } else if (d.what().rfind("multibase: ", 0) != 0) {
    abort();
  }

  auto b58 = base58btc_decode(text);
  if (b58 && base58btc_encode(*b58) != text) abort();

  // Lenient RFC 4648 decoding (as garlic32 uses) never reads out of bounds
  // and re-encodes to something the strict decoder accepts.
  auto lax = bits_decode(kBase32Alphabet, text.substr(0, p2p::kMaxMultibaseTextLen), {false, false, 0, nullptr});
  if (lax) {
    auto strict = bits_decode(kBase32Alphabet, bits_encode(kBase32Alphabet, *lax, false, false));
    if (!strict || *strict != *lax) abort();
  }

  // Encoders: every base round-trips the input bytes. Inputs are capped for
  // speed (base58/base36 are quadratic) and so the base36 text (1.55 chars
  // per byte) stays within kMaxBigBaseTextLen.
  constexpr size_t kMaxEncode = 256;
  const net::BytesView bytes(data, size < kMaxEncode ? size : kMaxEncode);
  for (Base b : kAll) {
    auto r = decode(encode(b, bytes));
    if (!r || r->base != b || r->bytes.size() != bytes.size() ||
        !std::equal(bytes.begin(), bytes.end(), r->bytes.begin()))
      abort();
  }
  return 0;
}
