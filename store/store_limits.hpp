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
// Task rows the TaskDao keeps in memory (about 300 bytes each); when full it
// starts again from empty. 64 tasks in flight touch a few hundred rows.
inline constexpr size_t kTaskRowCacheEntries = 1024;
// WAL pages written before sqlite checkpoints them into the database file.
// Each checkpoint blocks the loop on two fdatasync() calls (3-20 ms on this
// machine's disk): at sqlite's default of 1 000 pages a busy daemon
// checkpointed ~10 times a second. Measured side by side (task_bench, 20 000
// tasks): 1 000 pages -> 1 691-1 744 tasks/s, round trip p99 14-15 ms;
// 4 096 -> 1 880-1 962 tasks/s, p99 4.2-4.7 ms, p50 unchanged; 16 384 gave
// a little more throughput but a higher p50 (the WAL file still growing
// during the run) and single 230 ms stalls when it was checkpointed.
inline constexpr int kWalAutocheckpointPages = 4096;  // 16 MiB of 4 KiB pages
// Whenever the WAL has grown by this much since the last time, the store
// asks the kernel to start writing it back (sync_file_range, which does not
// wait). Left dirty, the whole 16 MiB was written by the checkpoint's
// fdatasync: 45-80 ms with the loop blocked, ten times per 20 000 tasks.
// Durability is unchanged: the checkpoint still syncs before it copies.
inline constexpr int64_t kWalWritebackKickBytes = 1ll << 20;
// The WAL file is truncated back to this after a checkpoint (sqlite reuses
// it from the start, so it never grows much past kWalAutocheckpointPages).
inline constexpr int64_t kWalSizeLimitBytes = 24ll << 20;

}  // namespace store
