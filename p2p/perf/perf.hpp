// p2p/perf/perf.hpp — perf (`/perf/1.0.0`, specs.md §14, libp2p/specs
// perf/perf.md): the client writes a u64 big-endian N (bytes it wants back),
// uploads any amount, closes its write side and reads until EOF, expecting
// exactly N bytes; the server reads N, reads until EOF (discarding), and
// only then writes N bytes and closes. Two sans-I/O cores; the driver
// (p2p/host) binds them to a stream:
//
//   Client c(opts, now);                       // on a new outbound stream
//   loop: write(c.pending_output()); c.consume_output(n);   // header, then upload
//   if (c.wants_close_write()) { close our write side; c.on_write_closed(now); }
//   on data: c.feed(bytes, now); on EOF: c.on_eof(now)
//   timer at c.next_deadline(); on expiry c.on_timeout(now)
//   once c.done(): c.result() (reset the stream if it is still open:
//   a timed download ends that way)
//
//   Server s(now, lim);                        // on each inbound stream
//   on data: s.feed(bytes, now); on EOF: s.on_eof(now)
//   loop: write(s.pending_output()); s.consume_output(n);
//   if (s.wants_close_write()) close our write side
//   timer at s.next_deadline(); on expiry s.on_timeout(now)
//
// Zero copies: received bytes are only counted, and pending_output() is a
// view into one static zero buffer (kChunkLen bytes) for every upload and
// download chunk; the driver writes from it until the transport pushes
// back. The server cannot send while the client uploads: its output stays
// empty until on_eof() (spec: "MUST NOT be run concurrently").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "net/bytes.hpp"
#include "net/clock.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "p2p/perf/perf_limits.hpp"

namespace p2p::perf {

// The static zero buffer (kChunkLen bytes) both cores write from.
net::BytesView zero_chunk();

struct ClientOptions {
  uint64_t upload_bytes = 0;
  uint64_t download_bytes = 0;
  // > 0: timed upload: upload for this long instead of upload_bytes.
  uint64_t upload_ns = 0;
  // > 0: timed download: ask for kUnlimited and stop reading this long after
  // our write side closed (spec "timer based variant").
  uint64_t download_ns = 0;
  uint64_t timeout_ns = kClientTimeoutNs;
};

struct PerfResult {
  uint64_t upload_bytes = 0;
  uint64_t download_bytes = 0;
  double seconds = 0;           // stream open -> end of download
  double upload_seconds = 0;    // stream open -> our write side closed
  double download_seconds = 0;  // our write side closed -> end of download
  double upload_mib_s = 0;      // 0 when nothing was uploaded
  double download_mib_s = 0;    // 0 when nothing was downloaded
};

class Client {
 public:
  Client(ClientOptions opt, net::Instant now, net::Log* log = nullptr);

  // The 8-byte header, then upload chunks (views of zero_chunk()); empty
  // once the upload is written.
  net::BytesView pending_output() const;
  void consume_output(size_t n);
  // The upload is all handed out: close the write side, then on_write_closed().
  bool wants_close_write() const { return state_ == State::closing; }
  void on_write_closed(net::Instant now);

  // Counts downloaded bytes (all of `in` on success). Errors (the client is
  // then failed):
  //   Err::proto "perf: server sent 5 bytes before our upload ended"
  //   Err::proto "perf: server sent more than the 100 bytes asked for"
  net::Result<size_t> feed(net::BytesView in, net::Instant now);
  // The server closed. Errors:
  //   Err::proto "perf: stream ended during our upload"
  //   Err::proto "perf: stream ended after 5 of 100 bytes"
  net::Status on_eof(net::Instant now);

  // The timed phases' ends and the overall timeout.
  net::Instant next_deadline() const;
  // Ends a timed upload or download; fails with Err::timeout "perf: run not
  // finished within 600 s" past ClientOptions::timeout_ns.
  void on_timeout(net::Instant now);

  bool done() const { return state_ == State::done; }
  bool failed() const { return state_ == State::failed; }
  const net::Error& error() const { return error_; }
  const PerfResult& result() const { return result_; }  // valid once done()
  uint64_t uploaded() const { return uploaded_; }
  uint64_t downloaded() const { return downloaded_; }

 private:
  enum class State : uint8_t { header, uploading, closing, downloading, done, failed };
  net::Status fail(net::Error e);
  void upload_written();
  void finish(net::Instant now);

  ClientOptions opt_;
  net::Log* log_;
  State state_ = State::header;
  std::array<uint8_t, kHeaderLen> header_{};
  size_t header_pos_ = 0;
  uint64_t requested_ = 0;  // N as sent
  uint64_t uploaded_ = 0;
  uint64_t downloaded_ = 0;
  net::Instant start_ = 0, write_closed_ = 0;
  PerfResult result_;
  net::Error error_;
};

class Server {
 public:
  explicit Server(net::Instant now, Limits lim = {}, net::Log* log = nullptr);

  // Reads the header, then discards the upload (all of `in` on success).
  // Errors (the server is then failed):
  //   Err::limit  "perf: asked for 70000000000 bytes, more than the limit of 68719476736"
  //   Err::closed "perf: data after EOF"
  net::Result<size_t> feed(net::BytesView in, net::Instant now);
  // The client's upload ended: sending starts. Err::proto "perf: stream
  // ended inside the 8-byte header (3 bytes)".
  net::Status on_eof(net::Instant now);

  // Empty until on_eof(); then views of zero_chunk() until N bytes went out.
  net::BytesView pending_output() const;
  void consume_output(size_t n);
  // Everything was sent (or a timed download reached Limits::max_send_ns):
  // close the write side.
  bool wants_close_write() const { return state_ == State::done; }

  // Idle timeout while reading; the send time limit while sending.
  net::Instant next_deadline() const;
  // Err::timeout "perf: client sent nothing for 30 s" while reading;
  // Err::timeout "perf: sending 100 bytes took more than 120 s" for a finite
  // download; a timed download (kUnlimited) just ends (done).
  void on_timeout(net::Instant now);

  bool failed() const { return state_ == State::failed; }
  const net::Error& error() const { return error_; }
  bool sending() const { return state_ == State::sending; }
  uint64_t requested() const { return requested_; }
  uint64_t received() const { return received_; }
  uint64_t sent() const { return sent_; }

 private:
  enum class State : uint8_t { header, draining, sending, done, failed };
  net::Status fail(net::Error e);

  Limits lim_;
  net::Log* log_;
  State state_ = State::header;
  std::array<uint8_t, kHeaderLen> header_{};
  size_t header_len_ = 0;
  uint64_t requested_ = 0;
  uint64_t received_ = 0;  // upload bytes after the header
  uint64_t sent_ = 0;
  net::Instant last_ = 0, send_start_ = 0;
  net::Error error_;
};

}  // namespace p2p::perf
