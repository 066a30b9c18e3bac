// p2p/yamux/yamux_frame.cpp — see yamux_frame.hpp.
#include "p2p/yamux/yamux_frame.hpp"

namespace p2p::yamux {

void encode_header(const Header& h, uint8_t* out) {
  out[0] = h.version;
  out[1] = static_cast<uint8_t>(h.type);
  out[2] = static_cast<uint8_t>(h.flags >> 8);
  out[3] = static_cast<uint8_t>(h.flags);
  out[4] = static_cast<uint8_t>(h.stream_id >> 24);
  out[5] = static_cast<uint8_t>(h.stream_id >> 16);
  out[6] = static_cast<uint8_t>(h.stream_id >> 8);
  out[7] = static_cast<uint8_t>(h.stream_id);
  out[8] = static_cast<uint8_t>(h.length >> 24);
  out[9] = static_cast<uint8_t>(h.length >> 16);
  out[10] = static_cast<uint8_t>(h.length >> 8);
  out[11] = static_cast<uint8_t>(h.length);
}

net::Result<Header> decode_header(net::BytesView in) {
  if (in.size() < kHeaderLen) return {net::Err::need_more, "yamux: incomplete header"};
  net::Reader r(in);
  Header h;
  uint8_t type = 0;
  (void)r.u8(h.version);
  (void)r.u8(type);
  (void)r.be16(h.flags);
  (void)r.be32(h.stream_id);
  (void)r.be32(h.length);
  if (h.version != kVersion) return {net::Err::proto, "yamux: bad version " + std::to_string(h.version)};
  if (type > static_cast<uint8_t>(FrameType::go_away))
    return {net::Err::proto, "yamux: bad frame type " + std::to_string(type)};
  h.type = static_cast<FrameType>(type);
  return h;
}

const char* frame_type_name(FrameType t) {
  switch (t) {
    case FrameType::data: return "data";
    case FrameType::window_update: return "window_update";
    case FrameType::ping: return "ping";
    case FrameType::go_away: return "go_away";
  }
  return "?";
}

std::string describe(const Header& h) {
  std::string f;
  const struct { uint16_t bit; const char* name; } names[] = {
      {kFlagSyn, "SYN"}, {kFlagAck, "ACK"}, {kFlagFin, "FIN"}, {kFlagRst, "RST"}};
  for (const auto& n : names) {
    if (h.flags & n.bit) {
      if (!f.empty()) f += '|';
      f += n.name;
    }
  }
  if (h.flags & ~kKnownFlags) {
    if (!f.empty()) f += '|';
    f += "0x" + net::to_hex(net::Bytes{static_cast<uint8_t>(h.flags >> 8), static_cast<uint8_t>(h.flags)});
  }
  if (f.empty()) f = "0";
  return std::string("type=") + frame_type_name(h.type) + " flags=" + f + " stream=" + std::to_string(h.stream_id) +
         " length=" + std::to_string(h.length);
}

}  // namespace p2p::yamux
