// p2p/multistream/multistream.hpp — multistream-select 1.0.0 (specs.md §3):
// the length-prefixed line codec and two sans-I/O cores, Initiator (the
// dialer/opener side that proposes protocols) and Responder (the listener
// side that accepts one of its supported protocols).
//
// The same cores serve the three places libp2p negotiates: the security
// protocol on a raw connection, the muxer after security, and the
// application protocol on every muxed stream. They never see what carries
// their bytes; the driver moves bytes:
//
//   Initiator ini({"/noise"}, now);              // or Responder rsp(protos, now)
//   write(ini.pending_output()); ini.consume_output(n);
//   auto n = ini.feed(received, now);            // bytes of `received` consumed
//   if (!n) -> close with n.what();
//   if (ini.state() == State::selected)          // ini.protocol() is agreed on;
//     app_data = received.subspan(*n);           // the rest belongs to the app
//   arm a timer at ini.next_deadline(); on expiry ini.on_timeout(now).
//
// feed() never consumes bytes beyond the message that completes the
// negotiation, so the peer's first application bytes arriving in the same
// read (lazy select, below) are handed back, uncopied, as the unconsumed tail.
//
// Lazy (optimistic) select, as go `SelectProtoOrFail`-lazy, rust `V1Lazy` and
// js do: an Initiator with exactly one protocol and Options::lazy emits the
// header and its proposal at once and reports may_send_early() == true from
// the start: the application may write its first bytes right behind
// pending_output() (drain pending_output() first; the core emits nothing
// after it), without waiting for the echo. It is safe when:
//   * exactly one protocol is proposed (so there is no fallback to try), and
//   * the protocol is one the responder is expected to support (it was listed
//     by identify, or is fixed by the stack: /noise, /yamux/1.0.0). If the
//     responder answers `na`, the negotiation fails and the connection or
//     stream must be closed: the responder would otherwise read our early
//     application bytes as further multistream messages.
// Incoming bytes are still held back until the responder's header and echo
// arrived; feed() reports `selected` only then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/multistream/multistream_limits.hpp"

namespace p2p::multistream {

// ---- codec ----------------------------------------------------------------

// Appends `uvarint(len(line)+1) ‖ line ‖ '\n'` to out. The caller checks the
// line (no '\n', at most kMaxProtocolIdLen bytes); see check_protocol_id().
void encode_message(std::string_view line, net::Bytes& out);

// One decoded message: `line` is the message without its trailing '\n' and
// points into the input; `consumed` counts the prefix, line and '\n'.
struct Message {
  std::string_view line;
  size_t consumed = 0;
};

// Decodes one message from the front of `in`. Errors:
//   Err::need_more  "multistream: incomplete message" (nothing consumed)
//   Err::proto      "multistream: bad length prefix: <varint reason>"
//                   "multistream: message does not end in newline"
//   Err::limit      "multistream: message of N bytes exceeds 1024"
//                   (reported as soon as the prefix is complete)
net::Result<Message> decode_message(net::BytesView in, size_t max_len = kMaxMessageLen);

// Checks a protocol id that we send or serve: non-empty, at most
// kMaxProtocolIdLen bytes, no '\n', not "na"/"ls". Err::invalid otherwise.
net::Status check_protocol_id(std::string_view id);

// The `ls` response body (rust-libp2p's format, which is also a valid
// multistream message since it ends in '\n'):
//   uvarint(total) ‖ { uvarint(len(p)+1) ‖ p ‖ '\n' }* ‖ '\n'
// where total counts everything after the outer prefix. Protocols are listed
// in order while the message stays within max_len bytes; the rest are left
// out (a reader of ours or go's refuses longer messages).
void encode_ls_response(std::span<const std::string> protocols, net::Bytes& out,
                        size_t max_len = kMaxMessageLen);
// Decodes the body of an `ls` response (a Message's line plus its '\n', i.e.
// the bytes between the outer prefix and the end). Err::proto on a malformed
// entry, Err::limit past max_entries entries.
net::Result<std::vector<std::string>> decode_ls_response(net::BytesView body,
                                                         size_t max_entries = 256);

// ---- cores ----------------------------------------------------------------

enum class State : uint8_t {
  negotiating,  // feed more bytes
  selected,     // protocol() is agreed on; the stream/connection is the app's
  failed,       // error() says why; close the stream/connection
};

// Common plumbing of both cores: output buffer, input reassembly, deadline.
class Core {
 public:
  virtual ~Core() = default;
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Bytes to send, valid until the next non-const call.
  net::BytesView pending_output() const { return {out_.data() + out_pos_, out_.size() - out_pos_}; }
  // Marks the first n bytes of pending_output() as sent (n <= its size).
  void consume_output(size_t n);

  State state() const { return state_; }
  // The agreed protocol once state() == selected, else empty.
  const std::string& protocol() const { return protocol_; }
  // Why state() == failed (same code and message feed() returned).
  const net::Error& error() const { return error_; }

  // kNever once selected or failed.
  net::Instant next_deadline() const;
  // Fails the negotiation with Err::timeout
  // "multistream: negotiation timed out" once the deadline passed.
  void on_timeout(net::Instant now);

 protected:
  Core(net::Instant now, uint64_t timeout_ns, net::Log* log);
  // Splits input into messages; calls on_message() for each until the core
  // leaves `negotiating`. Returns bytes consumed (see the file comment).
  net::Result<size_t> feed_messages(net::BytesView in, net::Instant now);
  virtual net::Status on_message(std::string_view line) = 0;
  net::Status fail(net::Error e);
  // The header and one proposal (or answer) fit in the first allocation:
  // a stream's negotiation then allocates its output once, not per insert.
  void send(std::string_view line) {
    if (out_.capacity() == 0) out_.reserve(kFirstOutputReserve);
    encode_message(line, out_);
  }
  static constexpr size_t kFirstOutputReserve = 96;
  void select(std::string_view proto);

  net::Bytes out_;
  size_t out_pos_ = 0;
  net::Log* log_;

 private:
  net::Bytes in_;  // a partial message, at most kMaxBufferedLen bytes
  net::Instant deadline_;
  State state_ = State::negotiating;
  std::string protocol_;
  net::Error error_;
};

// Proposes protocols in order until the responder echoes one.
class Initiator final : public Core {
 public:
  struct Options {
    bool lazy = true;  // with exactly one protocol: optimistic select
    uint64_t timeout_ns = kNegotiationTimeoutNs;
  };
  // Emits the header and the first proposal at once (pipelined, as go/rust/
  // js dialers do). Protocols must pass check_protocol_id() and number
  // 1..kMaxRounds, else the core starts in `failed` with Err::invalid.
  Initiator(std::vector<std::string> protocols, net::Instant now, Options opt, net::Log* log = nullptr);
  Initiator(std::vector<std::string> protocols, net::Instant now)
      : Initiator(std::move(protocols), now, Options{}) {}

  // Consumes responder bytes; returns how many were consumed (stops right
  // after the echo). Errors (the core is then `failed`):
  //   Err::proto "multistream: bad header '<line>'",
  //              "multistream: unexpected response '<x>' to proposal '<p>'", codec errors
  //   Err::unsupported "multistream: peer refused protocol '<p>'" (one proposed),
  //                    "multistream: peer refused all N proposed protocols"
  //   Err::limit  codec oversize. After a failure every feed() returns the same error.
  net::Result<size_t> feed(net::BytesView in, net::Instant now) { return feed_messages(in, now); }

  // True when the application may already write its own bytes after
  // pending_output(): lazy mode, or once selected.
  bool may_send_early() const { return lazy_ || state() == State::selected; }
  bool lazy() const { return lazy_; }

 private:
  net::Status on_message(std::string_view line) override;

  std::vector<std::string> protocols_;
  size_t next_ = 0;  // index of the proposal awaiting an answer
  bool got_header_ = false;
  bool lazy_ = false;
};

// Answers proposals from a set of supported protocols.
class Responder final : public Core {
 public:
  struct Options {
    size_t max_rounds = kMaxRounds;
    uint64_t timeout_ns = kNegotiationTimeoutNs;
  };
  // `supported` is borrowed (usually the host's handler registry) and must
  // outlive the Responder. Its header is emitted at once (pipelined).
  Responder(std::span<const std::string> supported, net::Instant now, Options opt, net::Log* log = nullptr);
  Responder(std::span<const std::string> supported, net::Instant now)
      : Responder(supported, now, Options{}) {}

  // Consumes initiator bytes; returns how many were consumed (stops right
  // after the accepted proposal: the rest is the initiator's early data).
  // A proposal we support is echoed; anything else (including "na") gets
  // `na`; `ls` gets the list (encode_ls_response). Errors:
  //   Err::proto "multistream: bad header '<line>'", codec errors
  //   Err::limit "multistream: more than 16 proposals", codec oversize
  net::Result<size_t> feed(net::BytesView in, net::Instant now) { return feed_messages(in, now); }

  size_t rounds() const { return rounds_; }

 private:
  net::Status on_message(std::string_view line) override;

  std::span<const std::string> supported_;
  size_t max_rounds_;
  size_t rounds_ = 0;
  bool got_header_ = false;
};

}  // namespace p2p::multistream
