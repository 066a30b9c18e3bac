// p2p/multiaddr/multiaddr_protocols.hpp — the multiaddr protocol table
// (specs.md §1.5, multiformats/multiaddr protocols.csv) and the value codec of
// each protocol: text <-> bytes, and validation of bytes read off the wire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/bytes.hpp"
#include "net/result.hpp"

namespace p2p {

// Protocol codes (multicodec table.csv, tag "multiaddr").
namespace ma {
inline constexpr uint64_t kIp4 = 0x04;
inline constexpr uint64_t kTcp = 0x06;
inline constexpr uint64_t kDccp = 0x21;
inline constexpr uint64_t kIp6 = 0x29;
inline constexpr uint64_t kIp6zone = 0x2a;
inline constexpr uint64_t kIpcidr = 0x2b;
inline constexpr uint64_t kDns = 0x35;
inline constexpr uint64_t kDns4 = 0x36;
inline constexpr uint64_t kDns6 = 0x37;
inline constexpr uint64_t kDnsaddr = 0x38;
inline constexpr uint64_t kSctp = 0x84;
inline constexpr uint64_t kUdp = 0x0111;
inline constexpr uint64_t kP2pWebrtcStar = 0x0113;
inline constexpr uint64_t kP2pWebrtcDirect = 0x0114;
inline constexpr uint64_t kP2pStardust = 0x0115;
inline constexpr uint64_t kWebrtcDirect = 0x0118;
inline constexpr uint64_t kWebrtc = 0x0119;
inline constexpr uint64_t kP2pCircuit = 0x0122;
inline constexpr uint64_t kUdt = 0x012d;
inline constexpr uint64_t kUtp = 0x012e;
inline constexpr uint64_t kUnix = 0x0190;
inline constexpr uint64_t kP2p = 0x01a5;
inline constexpr uint64_t kHttps = 0x01bb;
inline constexpr uint64_t kOnion = 0x01bc;
inline constexpr uint64_t kOnion3 = 0x01bd;
inline constexpr uint64_t kGarlic64 = 0x01be;
inline constexpr uint64_t kGarlic32 = 0x01bf;
inline constexpr uint64_t kTls = 0x01c0;
inline constexpr uint64_t kSni = 0x01c1;
inline constexpr uint64_t kNoise = 0x01c6;
inline constexpr uint64_t kQuic = 0x01cc;
inline constexpr uint64_t kQuicV1 = 0x01cd;
inline constexpr uint64_t kWebtransport = 0x01d1;
inline constexpr uint64_t kCerthash = 0x01d2;
inline constexpr uint64_t kWs = 0x01dd;
inline constexpr uint64_t kWss = 0x01de;
inline constexpr uint64_t kP2pWebsocketStar = 0x01df;
inline constexpr uint64_t kHttp = 0x01e0;
inline constexpr uint64_t kHttpPath = 0x01e1;
inline constexpr uint64_t kMemory = 0x0309;
inline constexpr uint64_t kPlaintextV2 = 0x706c61;
}  // namespace ma

// How a protocol's value is written in text and checked in binary.
enum class ValueKind : uint8_t {
  none,       // no value
  ip4,        // 4 bytes, dotted quad
  ip6,        // 16 bytes, RFC 5952
  port,       // 2 bytes big-endian, decimal 0..65535
  ipcidr,     // 1 byte, decimal 0..255
  zone,       // ip6zone: non-empty, no '/'
  dns,        // dns*, sni: non-empty name, no '/'
  unix_path,  // path protocol: the rest of the text
  p2p,        // peer ID bytes; text base58btc or CID
  onion,      // 10-byte v2 onion + port
  onion3,     // 35-byte v3 onion + port
  garlic64,   // I2P destination, I2P base64 alphabet
  garlic32,   // I2P b32 address
  certhash,   // multihash; text multibase, printed base64url
  http_path,  // percent-encoded path segment
  memory,     // 8 bytes big-endian u64, decimal
};

struct ProtocolInfo {
  uint64_t code;
  const char* name;
  int size;        // value bytes: > 0 fixed, 0 none, -1 uvarint length-prefixed
  ValueKind kind;
  bool path;       // takes the rest of the text; must be the last component
};

// nullptr if unknown. Lookup by name also accepts the alias "ipfs" for p2p.
const ProtocolInfo* protocol_by_code(uint64_t code);
const ProtocolInfo* protocol_by_name(std::string_view name);

// Value codecs. Errors are the bare reason ("out of range 0..65535",
// "peerid: ..."); the multiaddr parser adds the protocol and offset.
net::Result<net::Bytes> value_from_text(const ProtocolInfo& p, std::string_view text);
net::Status validate_value(const ProtocolInfo& p, net::BytesView value);
// `value` must have passed validate_value.
std::string value_to_text(const ProtocolInfo& p, net::BytesView value);

// The noun used in error messages: "ip4 address", "tcp port", "peer id".
std::string value_noun(const ProtocolInfo& p);

}  // namespace p2p
