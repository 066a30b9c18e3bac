// p2p/host/stream.hpp — a negotiated application stream (one yamux stream
// whose protocol multistream-select agreed on), as protocol handlers see it.
//
// Owned by its connection. Handlers register callbacks; the host calls them
// from the loop. on_close is always the last call: the Stream object is
// destroyed right after it returns, so keep an id (Host::find_stream) rather
// than a pointer across loop turns.
//
// Reading: on_data(view) receives buffered bytes and returns how many it
// consumed. Returning less than offered pauses delivery (the bytes stay
// buffered and the peer's window fills: back-pressure) until resume_read().
// on_eof fires once after the last byte when the peer half-closed.
//
// Writing: write() returns how many bytes the stream accepted (the peer's
// window and the connection's output budget decide); after a short write,
// on_writable fires once more can go. Nothing is buffered beyond that.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "net/small_function.hpp"
#include "p2p/multistream/multistream.hpp"
#include "p2p/peer_id.hpp"
#include "p2p/yamux/yamux.hpp"

namespace p2p {

class Connection;
class Host;
using ConnId = uint64_t;
using StreamGlobalId = uint64_t;

class Stream {
 public:
  using OnData = net::SmallFn<size_t(net::BytesView)>;
  using OnEvent = net::SmallFn<void()>;
  using OnClose = net::SmallFn<void(const net::Error&)>;

  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ~Stream();

  StreamGlobalId id() const { return gid_; }
  const std::string& protocol() const { return protocol_; }
  const PeerId& remote_peer() const;
  ConnId conn_id() const;
  bool inbound() const { return inbound_; }
  std::string remote_addr() const;  // the connection's remote multiaddr, as text

  void set_on_data(OnData f) { on_data_ = std::move(f); }
  void set_on_writable(OnEvent f) { on_writable_ = std::move(f); }
  void set_on_eof(OnEvent f) { on_eof_ = std::move(f); }
  void set_on_close(OnClose f) { on_close_ = std::move(f); }

  // Bytes accepted, 0..data.size(). 0 also after close_write/reset.
  size_t write(net::BytesView data);
  // How many bytes write() would accept now.
  size_t writable() const;
  // Half-close: FIN after everything written so far.
  void close_write();
  // Abort both directions (RST); on_close follows with Err::closed.
  void reset();
  // Delivers buffered bytes again after on_data consumed less than offered.
  void resume_read();
  bool eof() const { return eof_notified_; }
  bool write_closed() const { return fin_sent_ || fin_pending_; }

 private:
  friend class Connection;
  friend class Host;
  Stream(Connection* c, yamux::StreamId sid, StreamGlobalId gid, bool inbound)
      : conn_(c), sid_(sid), gid_(gid), inbound_(inbound) {}

  enum class Phase : uint8_t { negotiating, open, closed };
  Connection* conn_;
  yamux::StreamId sid_;
  StreamGlobalId gid_;
  bool inbound_;
  Phase phase_ = Phase::negotiating;
  std::string protocol_;
  std::unique_ptr<multistream::Core> ms_;
  bool early_ = false;          // outbound lazy select: the app may write already
  bool paused_ = false;         // on_data consumed less than offered
  bool in_on_data_ = false;     // on_data is running (a write in it may run our events)
  bool resume_asked_ = false;   // resume_read() came while on_data ran, before its pause
  bool eof_notified_ = false;
  bool fin_sent_ = false;
  bool fin_pending_ = false;   // close_write() waits for negotiation bytes
  bool remote_fin_ = false;
  bool in_callback_ = false;
  OnData on_data_;
  OnEvent on_writable_;
  OnEvent on_eof_;
  OnClose on_close_;
  net::SmallFn<void(net::Result<Stream*>)> on_ready_;  // outbound: new_stream's callback
};

}  // namespace p2p
