// test/unit/frontends/grpc_test_client.hpp — a gRPC test client on
// nghttp2's client session (mem_recv / mem_send, no I/O), and a pump that
// wires it to a frontends::grpc::Engine connection in memory with a test
// clock. Also raw frame builders for requests a real client would never
// send. Header-only; used by the grpc_*_test.cpp files.
#pragma once

#include <doctest/doctest.h>
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "frontends/grpc/grpc_engine.hpp"
#include "frontends/grpc/grpc_frame.hpp"
#include "frontends/grpc/grpc_status.hpp"
#include "net/bytes.hpp"
#include "net/clock.hpp"

namespace grpctest {

namespace g = frontends::grpc;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  Headers headers;   // the first HEADERS block (":status", "content-type", ...)
  Headers trailers;  // the second (empty for trailers-only)
  net::Bytes data;   // DATA payload, concatenated
  bool closed = false;
  uint32_t close_code = 0;  // error code of on_stream_close (RST_STREAM or 0)
  bool rst_received = false;
  uint32_t rst_code = 0;
  int header_blocks = 0;

  // Looks in trailers, then headers (trailers-only responses).
  std::string get(const std::string& name) const {
    for (const auto& [k, v] : trailers)
      if (k == name) return v;
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
  bool has_status() const { return !get("grpc-status").empty(); }
  int status() const { return has_status() ? std::stoi(get("grpc-status")) : -1; }
  std::string message() const { return g::percent_decode(get("grpc-message")); }
  bool trailers_only() const { return header_blocks == 1 && !header("grpc-status").empty(); }
  std::vector<net::Bytes> messages() const {
    std::vector<net::Bytes> out;
    g::Deframer d(64 * 1024 * 1024, 128 * 1024 * 1024);
    REQUIRE(d.push(data));
    g::Message m;
    for (;;) {
      auto r = d.next(&m);
      REQUIRE(r);
      if (!*r) break;
      out.emplace_back(m.data.begin(), m.data.end());
    }
    return out;
  }
};

struct ClientOptions {
  bool manual_window = false;       // the client acknowledges DATA only through consume()
  uint32_t initial_window = 65535;  // SETTINGS_INITIAL_WINDOW_SIZE we advertise
  bool send_preface = true;
};

class Client {
 public:
  using Options = ClientOptions;

  explicit Client(Options o = {}) : opt_(o) {
    nghttp2_session_callbacks* cbs;
    REQUIRE(nghttp2_session_callbacks_new(&cbs) == 0);
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame);
    nghttp2_option* op;
    REQUIRE(nghttp2_option_new(&op) == 0);
    if (o.manual_window) nghttp2_option_set_no_auto_window_update(op, 1);
    REQUIRE(nghttp2_session_client_new2(&s_, cbs, this, op) == 0);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_option_del(op);
    if (o.send_preface) {
      nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, o.initial_window},
                                     {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
      REQUIRE(nghttp2_submit_settings(s_, NGHTTP2_FLAG_NONE, iv, 2) == 0);
    }
  }
  ~Client() { nghttp2_session_del(s_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts a call. Body bytes are sent through send(); `end` half-closes
  // at once (no body).
  int32_t start(const std::string& path, Headers extra = {}, Headers replace = {}, bool end = false) {
    Headers h = {{":method", "POST"},          {":scheme", "http"},  {":path", path},
                 {":authority", "localhost"}, {"te", "trailers"},   {"content-type", "application/grpc"},
                 {"user-agent", "grpc-test/1"}};
    for (auto& [k, v] : replace) {
      bool found = false;
      for (auto& [hk, hv] : h) {
        if (hk != k) continue;
        hv = v;
        found = true;
      }
      if (!found) h.emplace_back(k, v);
    }
    h.erase(std::remove_if(h.begin(), h.end(), [](auto& p) { return p.second == "<omit>"; }), h.end());
    for (auto& e : extra) h.push_back(e);
    std::vector<nghttp2_nv> nva;
    for (auto& [k, v] : h)
      nva.push_back({reinterpret_cast<uint8_t*>(k.data()), reinterpret_cast<uint8_t*>(v.data()), k.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    nghttp2_data_provider prd;
    prd.source.ptr = nullptr;
    prd.read_callback = read_cb;
    int32_t sid = nghttp2_submit_request(s_, nullptr, nva.data(), nva.size(), end ? nullptr : &prd, this);
    REQUIRE(sid > 0);
    streams_[sid];
    return sid;
  }
  // Queues raw DATA bytes (framed by the caller) on a started call.
  void send_raw(int32_t sid, net::BytesView b, bool end = false) {
    auto& st = streams_[sid];
    st.out.insert(st.out.end(), b.begin(), b.end());
    st.end = st.end || end;
    nghttp2_session_resume_data(s_, sid);
  }
  void send_message(int32_t sid, net::BytesView msg, bool end = false, bool compressed = false) {
    net::Bytes b;
    g::append_message(b, msg, compressed);
    send_raw(sid, b, end);
  }
  void half_close(int32_t sid) { send_raw(sid, {}, true); }
  int32_t unary(const std::string& path, net::BytesView msg, Headers extra = {}) {
    int32_t sid = start(path, std::move(extra));
    send_message(sid, msg, true);
    return sid;
  }
  void rst(int32_t sid, uint32_t code = NGHTTP2_CANCEL) {
    REQUIRE(nghttp2_submit_rst_stream(s_, NGHTTP2_FLAG_NONE, sid, code) == 0);
  }
  void ping(uint8_t tag = 0) {
    uint8_t op[8] = {tag};
    REQUIRE(nghttp2_submit_ping(s_, NGHTTP2_FLAG_NONE, op) == 0);
  }
  void consume(int32_t sid, size_t n) { nghttp2_session_consume_stream(s_, sid, n); }

  // ---- transport ----
  net::BytesView output() {
    const uint8_t* p;
    ssize_t n = nghttp2_session_mem_send(s_, &p);
    REQUIRE(n >= 0);
    return {p, static_cast<size_t>(n)};
  }
  // Returns false if the client session rejected the input.
  bool feed(net::BytesView in) {
    ssize_t n = nghttp2_session_mem_recv(s_, in.data(), in.size());
    if (n < 0) feed_error = static_cast<int>(n);
    return n >= 0;
  }

  Response& resp(int32_t sid) { return streams_[sid].r; }
  bool done(int32_t sid) { return streams_[sid].r.closed; }
  nghttp2_session* session() { return s_; }

  // connection-level observations
  bool goaway = false;
  uint32_t goaway_code = 0;
  int32_t goaway_last_stream = -1;
  std::string goaway_debug;
  int goaways = 0;
  int pings_acked = 0;
  int pings_received = 0;
  int feed_error = 0;
  std::map<int32_t, uint32_t> settings;  // the server's SETTINGS

 private:
  struct Stream {
    Response r;
    net::Bytes out;
    size_t out_pos = 0;
    bool end = false;
  };
  static Client* me(void* u) { return static_cast<Client*>(u); }
  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* f, void* u) {
    if (f->hd.type == NGHTTP2_HEADERS) me(u)->streams_[f->hd.stream_id].r.header_blocks++;
    return 0;
  }
  static int on_header(nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v,
                       size_t vl, uint8_t, void* u) {
    auto& r = me(u)->streams_[f->hd.stream_id].r;
    auto& dst = r.header_blocks <= 1 ? r.headers : r.trailers;
    dst.emplace_back(std::string(reinterpret_cast<const char*>(n), nl), std::string(reinterpret_cast<const char*>(v), vl));
    return 0;
  }
  static int on_data(nghttp2_session* s, uint8_t, int32_t sid, const uint8_t* d, size_t n, void* u) {
    // Like a real client's transport: the connection window reopens as bytes
    // arrive; with manual_window a stream's only through consume().
    if (me(u)->opt_.manual_window) nghttp2_session_consume_connection(s, n);
    auto& r = me(u)->streams_[sid].r;
    r.data.insert(r.data.end(), d, d + n);
    return 0;
  }
  static int on_close(nghttp2_session*, int32_t sid, uint32_t code, void* u) {
    auto& r = me(u)->streams_[sid].r;
    r.closed = true;
    r.close_code = code;
    return 0;
  }
  static int on_frame(nghttp2_session*, const nghttp2_frame* f, void* u) {
    Client* c = me(u);
    switch (f->hd.type) {
      case NGHTTP2_GOAWAY:
        c->goaway = true;
        c->goaways++;
        c->goaway_code = f->goaway.error_code;
        c->goaway_last_stream = f->goaway.last_stream_id;
        c->goaway_debug.assign(reinterpret_cast<const char*>(f->goaway.opaque_data), f->goaway.opaque_data_len);
        break;
      case NGHTTP2_PING:
        if (f->hd.flags & NGHTTP2_FLAG_ACK)
          c->pings_acked++;
        else
          c->pings_received++;
        break;
      case NGHTTP2_RST_STREAM:
        c->streams_[f->hd.stream_id].r.rst_received = true;
        c->streams_[f->hd.stream_id].r.rst_code = f->rst_stream.error_code;
        break;
      case NGHTTP2_SETTINGS:
        if (!(f->hd.flags & NGHTTP2_FLAG_ACK))
          for (size_t i = 0; i < f->settings.niv; ++i) c->settings[f->settings.iv[i].settings_id] = f->settings.iv[i].value;
        break;
      default:
        break;
    }
    return 0;
  }
  static ssize_t read_cb(nghttp2_session*, int32_t sid, uint8_t* buf, size_t len, uint32_t* flags, nghttp2_data_source*,
                         void* u) {
    auto& st = me(u)->streams_[sid];
    size_t n = std::min(len, st.out.size() - st.out_pos);
    if (n) std::memcpy(buf, st.out.data() + st.out_pos, n);
    st.out_pos += n;
    if (st.out_pos == st.out.size()) {
      st.out.clear();
      st.out_pos = 0;
      if (st.end) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
      }
      if (n == 0) return NGHTTP2_ERR_DEFERRED;
    }
    return static_cast<ssize_t>(n);
  }

  Options opt_;
  nghttp2_session* s_ = nullptr;
  std::map<int32_t, Stream> streams_;
};

// Moves bytes both ways between an engine connection and a client until
// neither has anything to say. `max_bytes_to_client` caps what the client
// reads (a client that stops reading); the rest stays in the engine.
inline void pump(g::Engine& eng, g::ConnId c, Client& cl, net::Instant now, size_t max_bytes_to_client = SIZE_MAX) {
  size_t to_client = 0;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    bool moved = false;
    for (;;) {
      net::BytesView out = cl.output();
      if (out.empty()) break;
      moved = true;
      if (eng.done(c)) continue;  // the server closed: drop
      (void)eng.feed(c, out, now);
    }
    for (;;) {
      if (to_client >= max_bytes_to_client) break;
      net::BytesView out = eng.pending_output(c);
      if (out.empty()) break;
      size_t n = std::min(out.size(), max_bytes_to_client - to_client);
      moved = true;
      to_client += n;
      cl.feed(out.subspan(0, n));
      eng.consume_output(c, n);
    }
    if (!moved) return;
  }
  FAIL("pump did not settle");
}

// ---- raw frames ----

inline void frame_header(net::Bytes& b, uint32_t len, uint8_t type, uint8_t flags, int32_t sid) {
  b.push_back(static_cast<uint8_t>(len >> 16));
  b.push_back(static_cast<uint8_t>(len >> 8));
  b.push_back(static_cast<uint8_t>(len));
  b.push_back(type);
  b.push_back(flags);
  b.push_back(static_cast<uint8_t>(static_cast<uint32_t>(sid) >> 24));
  b.push_back(static_cast<uint8_t>(sid >> 16));
  b.push_back(static_cast<uint8_t>(sid >> 8));
  b.push_back(static_cast<uint8_t>(sid));
}

inline net::Bytes preface_and_settings() {
  std::string magic = NGHTTP2_CLIENT_MAGIC;
  net::Bytes b(magic.begin(), magic.end());
  frame_header(b, 0, NGHTTP2_SETTINGS, 0, 0);
  return b;
}

inline net::Bytes settings_ack() {
  net::Bytes b;
  frame_header(b, 0, NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0);
  return b;
}

// A HEADERS frame (END_HEADERS) with an HPACK block from a fresh deflater
// (literal fields only: each block decodes on its own).
inline net::Bytes headers_frame(int32_t sid, const Headers& h, bool end_stream) {
  nghttp2_hd_deflater* d;
  REQUIRE(nghttp2_hd_deflate_new(&d, 0) == 0);
  std::vector<nghttp2_nv> nva;
  for (auto& [k, v] : h)
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(k.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), k.size(), v.size(),
                   NGHTTP2_NV_FLAG_NO_INDEX});
  net::Bytes block(nghttp2_hd_deflate_bound(d, nva.data(), nva.size()));
  ssize_t n = nghttp2_hd_deflate_hd(d, block.data(), block.size(), nva.data(), nva.size());
  REQUIRE(n >= 0);
  nghttp2_hd_deflate_del(d);
  net::Bytes b;
  frame_header(b, static_cast<uint32_t>(n), NGHTTP2_HEADERS,
               NGHTTP2_FLAG_END_HEADERS | (end_stream ? NGHTTP2_FLAG_END_STREAM : 0), sid);
  b.insert(b.end(), block.begin(), block.begin() + n);
  return b;
}

inline Headers request_headers(const std::string& path) {
  return {{":method", "POST"},          {":scheme", "http"}, {":path", path},
          {":authority", "localhost"}, {"te", "trailers"}, {"content-type", "application/grpc"}};
}

inline net::Bytes data_frame(int32_t sid, net::BytesView payload, bool end_stream) {
  net::Bytes b;
  frame_header(b, static_cast<uint32_t>(payload.size()), NGHTTP2_DATA, end_stream ? NGHTTP2_FLAG_END_STREAM : 0, sid);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline net::Bytes ping_frame(uint8_t tag = 0) {
  net::Bytes b;
  frame_header(b, 8, NGHTTP2_PING, 0, 0);
  for (int i = 0; i < 8; ++i) b.push_back(i == 0 ? tag : 0);
  return b;
}

inline net::Bytes rst_frame(int32_t sid, uint32_t code) {
  net::Bytes b;
  frame_header(b, 4, NGHTTP2_RST_STREAM, 0, sid);
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(code >> (8 * i)));
  return b;
}

}  // namespace grpctest
