// p2p/host/connection.hpp — the driver of one connection: binds a ConnCore
// to a TcpStream and one timer, turns yamux events into Stream callbacks.
// Internal to the host.
//
// process() is the single place where the core's events are dispatched and
// its output written; it is re-entrancy safe: a callback that writes, resets
// or closes from inside process() only marks work, which the running
// process() picks up before it returns.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "net/tcp_stream.hpp"
#include "p2p/host/conn_core.hpp"
#include "p2p/host/stream.hpp"
#include "p2p/multiaddr/multiaddr.hpp"

namespace p2p {

class Host;

class Connection {
 public:
  Connection(Host& host, ConnId id, std::unique_ptr<net::TcpStream> tcp, const ConnCoreConfig& cc,
             Multiaddr remote_addr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  ConnId id() const { return id_; }
  bool inbound() const { return core_.direction() == ConnDirection::inbound; }
  bool is_open() const { return core_.state() == ConnState::open || (core_.mux() && !closing_ && !dead_); }
  bool usable() const { return core_.mux() != nullptr && !closing_ && !dead_ && !go_away_; }
  bool dead() const { return dead_; }
  const PeerId& peer() const { return core_.remote_peer(); }
  const Multiaddr& remote_addr() const { return remote_addr_; }
  const Multiaddr& local_addr() const { return local_addr_; }
  net::Instant opened_at() const { return opened_at_; }
  size_t stream_count() const { return streams_.size(); }
  // Introspection (Host::usage()): bytes queued for the peer (core + TCP
  // queue), and received stream bytes the applications have not consumed.
  size_t out_buffered() const { return core_.output_buffered() + tcp_->buffered(); }
  size_t in_buffered() const;
  uint64_t rtt_ns() const { return core_.mux() ? core_.mux()->rtt_ns() : 0; }
  bool announced() const { return announced_; }
  net::BytesView remote_public_key() const { return core_.remote_public_key(); }
  uint64_t dial_id = 0;  // the host's dial this outbound attempt belongs to
  void set_announced() { announced_ = true; }

  // Opens an outbound stream negotiating `protocols`; see Host::new_stream.
  void open_stream(std::vector<std::string> protocols, net::SmallFn<void(net::Result<Stream*>)> cb);

  // GoAway, flush, then close the socket (bounded by kCloseFlushTimeoutNs).
  void close();
  // Reset everything now; on_close callbacks of streams fire with `why`.
  void abort(const net::Error& why);

  // Stream operations (called by Stream).
  size_t stream_write(Stream& s, net::BytesView data);
  size_t stream_writable(const Stream& s) const;
  void stream_close_write(Stream& s);
  void stream_reset(Stream& s);
  void stream_resume(Stream& s);

  void process();
  // process() once at the end of this loop turn (see connection.cpp).
  void schedule_process();
  void host_streams_erase(StreamGlobalId gid);

 private:
  void on_data(net::BytesView in);
  void on_timer();
  void dispatch(const yamux::Event& ev);
  void on_inbound_stream(yamux::StreamId sid);
  void deliver(Stream& s);
  void negotiate(Stream& s);
  void selected(Stream& s);
  bool write_ms_output(Stream& s);  // true when nothing is left to send
  void finish_stream(Stream& s, const net::Error& why);
  void check_stream_done(Stream& s);
  void write_out();
  void rearm();
  void fail(const net::Error& why);
  void terminate(const net::Error& why);

  Host& host_;
  ConnId id_;
  std::unique_ptr<net::TcpStream> tcp_;
  ConnCore core_;
  Multiaddr remote_addr_, local_addr_;
  net::TimerId timer_ = net::kNoTimer;
  net::Instant armed_ = net::kNever;
  net::Instant opened_at_ = 0;
  std::unordered_map<yamux::StreamId, std::unique_ptr<Stream>> streams_;
  std::vector<yamux::StreamId> finished_;  // streams to erase at the end of process()
  size_t negotiating_in_ = 0;
  bool processing_ = false;
  bool again_ = false;
  bool process_scheduled_ = false;
  bool closing_ = false;
  bool dead_ = false;
  bool announced_ = false;
  bool go_away_ = false;
  net::Instant close_deadline_ = net::kNever;
  bool* dead_flag_ = nullptr;
};

}  // namespace p2p
