// p2p/multiaddr/multiaddr_limits.hpp — limits of multiaddr parsing (STYLE.md
// §6). The multiaddr spec sets none; all are our policy.
#pragma once

#include <cstddef>

namespace p2p {

// ours: binary multiaddr size. The longest real ones (garlic64 ~390 bytes,
// webtransport with two certhashes and a /p2p ~130) fit with room.
inline constexpr size_t kMaxMultiaddrLen = 1024;

// ours: text multiaddr length. Text can be longer than binary (percent
// escapes triple a byte, base58/base64 grow by 4/3), so 4x the binary bound.
inline constexpr size_t kMaxMultiaddrTextLen = 4 * kMaxMultiaddrLen;

// ours: components per multiaddr. A relayed webtransport address has ~10.
inline constexpr size_t kMaxMultiaddrComponents = 32;

}  // namespace p2p
