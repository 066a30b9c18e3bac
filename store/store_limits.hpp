// store/store_limits.hpp — bounds on what the store keeps (DESIGN.md
// §Limits). All "ours": the original daemon (bbolt) bounded nothing.
// The A2A engine enforces the queue limits before it writes; the DAOs trim
// the tables that only grow (cards, peer book, dedup window).
#pragma once

#include <cstddef>
#include <cstdint>

namespace store {

// Peers' agent cards kept; past it the least recently updated is forgotten.
inline constexpr size_t kMaxPeerCards = 10000;
// Peer book entries kept (most recently seen first), and addresses per entry.
inline constexpr size_t kMaxPeerBookEntries = 4096;
inline constexpr size_t kMaxPeerBookAddrs = 16;
// Bytes of one multiaddr in the peer book (longer ones are skipped).
inline constexpr size_t kMaxPeerBookAddrLen = 1024;
// Received envelope ids remembered for de-duplication across restarts
// (upstream.md §3.4: the last 1024).
inline constexpr size_t kDedupWindow = 1024;
// The dedup table is trimmed back to kDedupWindow rows once it holds this
// many more (amortizes the DELETE).
inline constexpr size_t kDedupTrimSlack = 256;

}  // namespace store
