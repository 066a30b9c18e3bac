// p2p/mdns/mdns_limits.hpp — every constant and limit of the DNS message
// codec and of libp2p mDNS discovery (STYLE.md §6). Sources: specs.md §12
// (libp2p/specs discovery/mdns.md), RFC 1035 (DNS), RFC 6762 (mDNS),
// RFC 6763 (DNS-SD); js @libp2p/mdns 12.0.32, go-libp2p p2p/discovery/mdns
// (zeroconf), rust-libp2p protocols/mdns. "spec" marks values an RFC or the
// libp2p spec fixes; "impl" what js/go/rust do; "ours" our policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/clock.hpp"

namespace p2p::mdns {

// ---- DNS message codec (p2p/mdns/dns_message.hpp) ----

inline constexpr size_t kHeaderLen = 12;        // spec: RFC 1035 §4.1.1
// spec: RFC 6762 §17: "a Multicast DNS packet [...] MUST NOT exceed 9000
// bytes" (including the IP and UDP headers; we apply it to the DNS payload,
// which is stricter for what we send and what a peer can make us parse).
inline constexpr size_t kMaxPacketLen = 9000;
inline constexpr size_t kMaxLabelLen = 63;      // spec: RFC 1035 §2.3.4
// spec: RFC 1035 §2.3.4: a name is at most 255 octets in wire form
// (length bytes and the final zero included).
inline constexpr size_t kMaxNameLen = 255;
// ours: compression pointers followed while reading one name. Each pointer
// must also point strictly before the label run that contains it (no forward
// pointers, no loops), so this only caps work on long backward chains; real
// encoders need one or two.
inline constexpr size_t kMaxPointerHops = 32;
// ours: entries per section (questions, answers, authorities, additionals).
// A 9000-byte packet could hold ~800 minimal records; an mDNS peer sends a
// handful (js: 1 PTR + 1 TXT per address).
inline constexpr size_t kMaxRecordsPerSection = 128;
// ours: character-strings in one TXT record (each is one address for us).
inline constexpr size_t kMaxTxtStrings = 64;
inline constexpr size_t kMaxTxtStringLen = 255;  // spec: RFC 1035 §3.3 (1-byte length)

// DNS constants (spec: RFC 1035 §3.2, RFC 3596, RFC 2782, RFC 6762 §10.2/§5.4)
inline constexpr uint16_t kTypeA = 1;
inline constexpr uint16_t kTypePtr = 12;
inline constexpr uint16_t kTypeTxt = 16;
inline constexpr uint16_t kTypeAaaa = 28;
inline constexpr uint16_t kTypeSrv = 33;
inline constexpr uint16_t kTypeAny = 255;
inline constexpr uint16_t kClassIn = 1;
inline constexpr uint16_t kClassTopBit = 0x8000;  // QU in a question, cache-flush in a record
inline constexpr uint16_t kFlagResponse = 0x8000;  // QR
inline constexpr uint16_t kFlagAuthoritative = 0x0400;  // AA
inline constexpr uint16_t kFlagTruncated = 0x0200;  // TC

// ---- libp2p mDNS (p2p/mdns/mdns.hpp) ----

inline constexpr uint16_t kMdnsPort = 5353;                      // spec
inline constexpr std::string_view kGroupV4 = "224.0.0.251";      // spec
inline constexpr std::string_view kGroupV6 = "ff02::fb";         // spec
inline constexpr std::string_view kServiceName = "_p2p._udp.local";                  // spec
inline constexpr std::string_view kMetaQueryName = "_services._dns-sd._udp.local";   // spec (DNS-SD)
inline constexpr std::string_view kDnsaddrPrefix = "dnsaddr=";                      // spec
inline constexpr std::string_view kLocalDomain = "local";

// spec: peer-name is random lowercase alphanumeric, at least 32 and fewer
// than 64 characters (one DNS label). go and rust draw 32..63; js 63.
inline constexpr size_t kPeerNameMinLen = 32;
inline constexpr size_t kPeerNameMaxLen = 63;

// spec (RFC 6762 §10: 120 s for records tied to a host name); js sends 120.
inline constexpr uint32_t kRecordTtlS = 120;
// spec (RFC 6762 §6.7): legacy unicast answers carry TTL <= 10 s.
inline constexpr uint32_t kLegacyTtlS = 10;

// ours: query schedule. A burst at start (0 s, 1 s, 2 s after start()) so a
// lost first packet is retried well within the 2 s discovery budget, then
// one query every kQueryInterval. js queries every 10 s (peer.mjs: 1 s),
// rust every 5 min; new peers do not depend on it (every peer answers its
// own start-up query, which announces it), it re-finds peers after loss.
inline constexpr uint64_t kStartupQuerySpacingNs = 1 * net::kSecond;
inline constexpr size_t kStartupQueries = 3;
inline constexpr uint64_t kQueryIntervalNs = 5 * net::kSecond;

// spec (RFC 6762 §6): a responder MUST NOT multicast a record on a link
// more than once per second; answers with shared records (our PTR) are
// delayed 20-120 ms at random so responders on a link do not collide.
inline constexpr uint64_t kMinMulticastIntervalNs = 1 * net::kSecond;
inline constexpr uint64_t kResponseDelayMinNs = 20 * net::kMillisecond;
inline constexpr uint64_t kResponseDelayMaxNs = 120 * net::kMillisecond;

// ours: a peer is reported (PeerFound) at most once per this interval
// unless its address set changed.
inline constexpr uint64_t kPeerFoundIntervalNs = 10 * net::kSecond;

// ours: bounds on what one packet can make us do or keep.
inline constexpr size_t kMaxPeersPerPacket = 16;
inline constexpr size_t kMaxAddrsPerPeer = 32;
// ours: peers remembered for rate limiting (expired ones go first, then the
// least recently seen).
inline constexpr size_t kMaxTrackedPeers = 512;
// ours: our own advertised addresses (one TXT string each, <= 255 bytes;
// 16 x 255 keeps the answer far below 9000 bytes) and A/AAAA records.
inline constexpr size_t kMaxAdvertisedAddrs = 16;
inline constexpr size_t kMaxHostAddrs = 8;
// ours: queued outgoing datagrams and events (older ones are kept, newer
// dropped: a flood of queries cannot grow memory).
inline constexpr size_t kMaxPendingTransmits = 16;
inline constexpr size_t kMaxPendingEvents = 64;

struct Limits {
  uint64_t startup_query_spacing_ns = kStartupQuerySpacingNs;
  size_t startup_queries = kStartupQueries;
  uint64_t query_interval_ns = kQueryIntervalNs;
  uint32_t record_ttl_s = kRecordTtlS;
  uint64_t peer_found_interval_ns = kPeerFoundIntervalNs;
  size_t max_peers_per_packet = kMaxPeersPerPacket;
  size_t max_addrs_per_peer = kMaxAddrsPerPeer;
  size_t max_tracked_peers = kMaxTrackedPeers;
  size_t max_advertised_addrs = kMaxAdvertisedAddrs;
};

}  // namespace p2p::mdns
