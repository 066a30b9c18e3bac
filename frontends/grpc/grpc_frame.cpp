// frontends/grpc/grpc_frame.cpp — see grpc_frame.hpp.
#include "frontends/grpc/grpc_frame.hpp"

#include <array>

#include "frontends/grpc/grpc_limits.hpp"

namespace frontends::grpc {

void write_prefix(uint8_t out[5], bool compressed, uint32_t len) {
  out[0] = compressed ? 1 : 0;
  out[1] = static_cast<uint8_t>(len >> 24);
  out[2] = static_cast<uint8_t>(len >> 16);
  out[3] = static_cast<uint8_t>(len >> 8);
  out[4] = static_cast<uint8_t>(len);
}

void append_message(net::Bytes& out, net::BytesView msg, bool compressed) {
  uint8_t p[kMessagePrefixLen];
  write_prefix(p, compressed, static_cast<uint32_t>(msg.size()));
  out.insert(out.end(), p, p + kMessagePrefixLen);
  out.insert(out.end(), msg.begin(), msg.end());
}

Deframer::Deframer(uint32_t max_message_len, size_t buffer_limit)
    : buf_(buffer_limit), max_len_(max_message_len) {}

net::Status Deframer::push(net::BytesView chunk) {
  if (!err_.what.empty()) return err_;
  if (pending_consume_) {  // the message handed out last is no longer referenced
    buf_.consume(pending_consume_);
    pending_consume_ = 0;
  }
  if (!buf_.append(chunk))
    return net::Error{net::Err::limit, "grpc: receive buffer limit of " + std::to_string(buf_.limit()) +
                                           " bytes exceeded"};
  total_in_ += chunk.size();
  return {};
}

net::Result<bool> Deframer::next(Message* out) {
  if (!err_.what.empty()) return err_;
  if (pending_consume_) {
    buf_.consume(pending_consume_);
    pending_consume_ = 0;
  }
  net::BytesView d = buf_.data();
  if (d.size() < kMessagePrefixLen) {
    ackable_ = total_in_;
    return false;
  }
  uint8_t flag = d[0];
  uint32_t len = static_cast<uint32_t>(d[1]) << 24 | static_cast<uint32_t>(d[2]) << 16 |
                 static_cast<uint32_t>(d[3]) << 8 | d[4];
  if (flag > 1) {
    err_ = {net::Err::proto, "grpc: invalid compressed flag " + std::to_string(flag)};
    return err_;
  }
  if (len > max_len_) {
    err_ = {net::Err::limit, "grpc: received message larger than max (" + std::to_string(len) + " vs. " +
                                 std::to_string(max_len_) + ")"};
    return err_;
  }
  if (d.size() - kMessagePrefixLen < len) {
    ackable_ = total_in_;
    return false;
  }
  out->compressed = flag == 1;
  out->data = d.subspan(kMessagePrefixLen, len);
  pending_consume_ = kMessagePrefixLen + len;
  consumed_ += pending_consume_;
  if (ackable_ < consumed_) ackable_ = consumed_;
  ++messages_;
  return true;
}

size_t Deframer::take_ack() {
  size_t n = static_cast<size_t>(ackable_ - acked_);
  acked_ = ackable_;
  return n;
}

size_t Deframer::discard() {
  pending_consume_ = 0;
  buf_.clear();
  buf_.release();
  size_t n = static_cast<size_t>(total_in_ - acked_);
  acked_ = ackable_ = consumed_ = total_in_;
  return n;
}

void Deframer::trim() {
  if (pending_consume_) {
    buf_.consume(pending_consume_);
    pending_consume_ = 0;
  }
  if (buf_.empty()) buf_.release();
}

namespace {

struct Unit {
  char c;
  uint64_t ns;
};
constexpr std::array<Unit, 6> kUnits = {{{'n', 1},
                                         {'u', 1000},
                                         {'m', 1000 * 1000},
                                         {'S', net::kSecond},
                                         {'M', 60 * net::kSecond},
                                         {'H', 3600 * net::kSecond}}};

net::Error bad_timeout(std::string_view s, const char* why) {
  return {net::Err::proto, "grpc-timeout \"" + std::string(s.substr(0, 16)) + "\": " + why};
}

}  // namespace

net::Result<uint64_t> parse_timeout(std::string_view s) {
  if (s.size() < 2) return bad_timeout(s, "too short");
  if (s.size() > kMaxTimeoutDigits + 1) return bad_timeout(s, "too long (more than 8 digits)");
  char uc = s.back();
  uint64_t unit = 0;
  for (const Unit& u : kUnits)
    if (u.c == uc) unit = u.ns;
  if (!unit) return bad_timeout(s, "unknown unit");
  uint64_t v = 0;
  for (char c : s.substr(0, s.size() - 1)) {
    if (c < '0' || c > '9') return bad_timeout(s, "not a number");
    v = v * 10 + static_cast<uint64_t>(c - '0');  // <= 99999999: no overflow
  }
  if (v > UINT64_MAX / unit) return UINT64_MAX;
  return v * unit;
}

std::string format_timeout(uint64_t ns) {
  constexpr uint64_t kMax = 99999999;
  for (const Unit& u : kUnits) {
    uint64_t v = ns / u.ns + (ns % u.ns ? 1 : 0);
    if (v <= kMax) return std::to_string(v) + u.c;
  }
  return std::to_string(kMax) + 'H';
}

}  // namespace frontends::grpc
