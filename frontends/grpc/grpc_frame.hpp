// frontends/grpc/grpc_frame.hpp — pure codecs of gRPC over HTTP/2
// (specs.md §18): the 5-byte Length-Prefixed-Message framing and the
// grpc-timeout header. No state beyond the Deframer's buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/buffer.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace frontends::grpc {

// compressed-flag (u8) ‖ length (u32 big-endian) ‖ message.
void write_prefix(uint8_t out[5], bool compressed, uint32_t len);
// Appends prefix + message to out.
void append_message(net::Bytes& out, net::BytesView msg, bool compressed = false);

struct Message {
  bool compressed = false;
  net::BytesView data;  // points into the Deframer; valid until its next push()/next()
};

// Splits a byte stream (the DATA of one HTTP/2 stream) into messages, which
// may span chunks; one chunk may hold many. Feeding the same bytes whole,
// byte by byte or in random pieces gives the same messages.
//
// Flow control: take_ack() says how many bytes the caller may acknowledge
// to the peer (WINDOW_UPDATE) now: those of messages next() returned, and
// every buffered byte while the first message is incomplete (it must be
// able to grow to max_message_len whatever the window). Bytes of complete
// messages not yet taken stay unacknowledged, so a reader that stops
// calling next() holds at most one window beyond the message in progress.
class Deframer {
 public:
  // buffer_limit: hard cap on buffered bytes (>= max_message_len + 5).
  Deframer(uint32_t max_message_len, size_t buffer_limit);

  // Errors: Err::limit "grpc: receive buffer limit of N bytes exceeded".
  net::Status push(net::BytesView chunk);
  // true and *out: the next message. false: need more bytes. Errors, sticky
  // (the stream is unusable after one):
  //   Err::limit "grpc: received message larger than max (N vs. M)"
  //   Err::proto "grpc: invalid compressed flag N"
  net::Result<bool> next(Message* out);
  size_t take_ack();
  // Drops everything buffered; returns the bytes never acknowledged (so
  // the caller can acknowledge them now). Later push()es are still counted.
  size_t discard();

  size_t buffered() const { return buf_.size(); }  // includes a message returned by next()
  uint64_t messages() const { return messages_; }
  // Frees the storage when nothing is buffered (idle streams hold no memory).
  void trim();

 private:
  net::Buffer buf_;
  uint32_t max_len_;
  size_t pending_consume_ = 0;  // bytes of the message last returned, dropped on the next call
  uint64_t total_in_ = 0;       // bytes pushed
  uint64_t ackable_ = 0;        // position up to which bytes may be acknowledged
  uint64_t acked_ = 0;
  uint64_t consumed_ = 0;       // bytes of messages returned
  uint64_t messages_ = 0;
  net::Error err_;
};

// grpc-timeout: 1..8 ASCII digits and a unit H M S m u n. Returns
// nanoseconds, saturated at UINT64_MAX (99999999H does not fit).
// Errors: Err::proto "grpc-timeout \"…\": too short" / "too long (more
// than 8 digits)" / "unknown unit 'x'" / "not a number".
net::Result<uint64_t> parse_timeout(std::string_view s);
// The shortest encoding that is >= ns (rounding up, as grpc-go does).
std::string format_timeout(uint64_t ns);

}  // namespace frontends::grpc
