// p2p/yamux/yamux_frame.hpp — the yamux frame header codec (specs.md §5):
// 12 bytes, big-endian: version:u8 | type:u8 | flags:u16 | stream_id:u32 |
// length:u32. Pure functions, no state; the session decides what a frame
// means (flags allowed per type, stream ids, windows).
#pragma once

#include <cstdint>
#include <string>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/yamux/yamux_limits.hpp"

namespace p2p::yamux {

enum class FrameType : uint8_t { data = 0, window_update = 1, ping = 2, go_away = 3 };

// Flags (spec). SYN/ACK/FIN/RST ride on Data and Window Update frames; on a
// Ping, SYN marks the request and ACK the response.
inline constexpr uint16_t kFlagSyn = 0x1;
inline constexpr uint16_t kFlagAck = 0x2;
inline constexpr uint16_t kFlagFin = 0x4;
inline constexpr uint16_t kFlagRst = 0x8;
inline constexpr uint16_t kKnownFlags = kFlagSyn | kFlagAck | kFlagFin | kFlagRst;

struct Header {
  uint8_t version = kVersion;
  FrameType type = FrameType::data;
  uint16_t flags = 0;
  uint32_t stream_id = 0;
  uint32_t length = 0;  // Data: payload bytes; WindowUpdate: delta; Ping: opaque; GoAway: code

  friend bool operator==(const Header&, const Header&) = default;
};

// Writes the kHeaderLen bytes of h to out.
void encode_header(const Header& h, uint8_t* out);
inline void encode_header(const Header& h, net::Bytes& out) {
  uint8_t b[kHeaderLen];
  encode_header(h, b);
  out.insert(out.end(), b, b + kHeaderLen);
}

// Decodes the header at the front of `in`. Errors:
//   Err::need_more "yamux: incomplete header" (fewer than 12 bytes)
//   Err::proto     "yamux: bad version 1", "yamux: bad frame type 4"
net::Result<Header> decode_header(net::BytesView in);

const char* frame_type_name(FrameType t);
// "type=data flags=SYN|FIN stream=1 length=5" (logs, test messages).
std::string describe(const Header& h);

}  // namespace p2p::yamux
