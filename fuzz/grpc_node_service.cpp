// fuzz/grpc_node_service.cpp — one NodeService call per input through the
// whole gRPC server path: HTTP/2 (nghttp2 server session), the 5-byte
// message framing, the protobuf decode of the request type and the handler
// over a real a2a::Engine (sqlite store in a temporary directory, a
// transport that drops what it is given).
//   byte 0      the method (index into NodeService's 16, modulo)
//   byte 1      how the request bytes are cut into gRPC messages: 0 = one
//               message, else up to 8 messages of (byte 1 % 64 + 1) bytes
//   the rest    the request bytes
// The connection is driven until it is quiet, then closed; nothing may
// crash, leak or hang, and the engine's subscriptions and uploads must be
// gone once the connection is.
#include <nghttp2/nghttp2.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "a2a/engine.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/init.hpp"
#include "crypto/keys.hpp"
#include "frontends/grpc/grpc_engine.hpp"
#include "frontends/grpc/grpc_frame.hpp"
#include "frontends/grpc/node_service.hpp"
#include "store/a2a_store.hpp"
#include "store/database.hpp"

namespace {

namespace g = frontends::grpc;
namespace v1 = pb::agentanycast::v1;

struct Clock final : a2a::Clock {
  net::Instant t = 1000 * net::kSecond;
  net::Instant now() const override { return t; }
  int64_t unix_ns() const override { return 1'700'000'000LL * 1'000'000'000LL + static_cast<int64_t>(t); }
};

struct NullTransport final : a2a::Transport {
  void send_envelope(const p2p::PeerId&, net::Bytes, uint64_t) override {}
  bool connected(const p2p::PeerId&) const override { return false; }
  void card_changed() override {}
  uint64_t open_out_stream(const p2p::PeerId&) override { return ++next; }
  bool out_stream_write(uint64_t, net::Bytes) override { return true; }
  void out_stream_close(uint64_t, bool) override {}
  void resume_inbound(uint64_t) override {}
  uint64_t next = 0;
};

struct Host final : g::NodeHost {
  v1::NodeInfo node_info() const override { return {}; }
  std::vector<v1::PeerInfo> peers() const override { return {}; }
  void connect(const p2p::PeerId&, std::vector<p2p::Multiaddr>, net::SmallFn<void(net::Status)> done) override {
    done(net::Error{net::Err::io, "fuzz: no network"});
  }
};

struct World {
  Clock clock;
  NullTransport transport;
  Host host;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<store::A2aStore> st;
  std::unique_ptr<a2a::Engine> engine;
  std::unique_ptr<g::NodeService> svc;
  std::unique_ptr<g::Engine> grpc;

  World() {
    if (!crypto::init()) abort();
    char tmpl[] = "/tmp/aac-fuzz-grpc-XXXXXX";
    if (!mkdtemp(tmpl)) abort();
    auto d = store::Database::open(tmpl);
    if (!d) abort();
    db = d.take();
    auto s = store::A2aStore::open(*db);
    if (!s) abort();
    st = s.take();
    auto k = crypto::Ed25519PrivateKey::generate();
    if (!k) abort();
    a2a::EngineConfig cfg;
    cfg.self = p2p::PeerId::from_public_key_proto(crypto::marshal_public_key(k->public_key()));
    cfg.clock = &clock;
    uint64_t seed = 1;
    cfg.random = [seed](std::span<uint8_t> out) mutable {
      for (auto& b : out) b = static_cast<uint8_t>((seed = seed * 6364136223846793005ULL + 1442695040888963407ULL) >> 56);
    };
    auto e = a2a::Engine::create(*st, transport, std::move(cfg));
    if (!e) abort();
    engine = e.take();
    svc = std::make_unique<g::NodeService>(*engine, host);
    grpc = std::make_unique<g::Engine>();
    svc->register_into(*grpc);
  }
};

World& world() {
  static World* w = new World();  // lives for the process (the store stays on disk)
  return *w;
}

void frame_header(net::Bytes& b, uint32_t len, uint8_t type, uint8_t flags, int32_t sid) {
  const uint8_t h[9] = {uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), type, flags,
                        uint8_t(uint32_t(sid) >> 24), uint8_t(sid >> 16), uint8_t(sid >> 8), uint8_t(sid)};
  b.insert(b.end(), h, h + 9);
}

net::Bytes request(std::string_view path, net::BytesView body, uint8_t cut) {
  std::string magic = NGHTTP2_CLIENT_MAGIC;
  net::Bytes b(magic.begin(), magic.end());
  frame_header(b, 0, NGHTTP2_SETTINGS, 0, 0);
  std::string p(path);
  const std::pair<std::string, std::string> hs[] = {{":method", "POST"}, {":scheme", "http"}, {":path", p},
                                                    {":authority", "fuzz"}, {"te", "trailers"},
                                                    {"content-type", "application/grpc"}};
  std::vector<nghttp2_nv> nva;
  for (auto& [k, v] : hs)
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(k.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), k.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
  nghttp2_hd_deflater* d = nullptr;
  if (nghttp2_hd_deflate_new(&d, 0) != 0) abort();
  net::Bytes block(nghttp2_hd_deflate_bound(d, nva.data(), nva.size()));
  ssize_t n = nghttp2_hd_deflate_hd(d, block.data(), block.size(), nva.data(), nva.size());
  nghttp2_hd_deflate_del(d);
  if (n < 0) abort();
  frame_header(b, static_cast<uint32_t>(n), NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1);
  b.insert(b.end(), block.begin(), block.begin() + n);
  net::Bytes msgs;
  if (cut == 0) {
    g::append_message(msgs, body, false);
  } else {
    const size_t piece = cut % 64 + 1;
    for (size_t off = 0, i = 0; i < 8 && (off < body.size() || i == 0); off += piece, ++i)
      g::append_message(msgs, body.subspan(std::min(off, body.size()), std::min(piece, body.size() - std::min(off, body.size()))),
                        false);
  }
  frame_header(b, static_cast<uint32_t>(msgs.size()), NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 1);
  b.insert(b.end(), msgs.begin(), msgs.end());
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2 || size > 64 * 1024) return 0;
  World& w = world();
  const auto& methods = v1::NodeService::kInfo.methods;
  const auto& m = methods[data[0] % methods.size()];
  auto c = w.grpc->open(w.clock.t, "fuzz");
  if (!c) abort();
  net::Bytes in = request(m.path, net::BytesView(data + 2, size - 2), data[1]);
  (void)w.grpc->feed(*c, in, w.clock.t);
  for (int round = 0; round < 8; ++round) {
    w.engine->flush();
    for (;;) {
      net::BytesView out = w.grpc->pending_output(*c);
      if (out.empty()) break;
      w.grpc->consume_output(*c, out.size());
    }
    w.clock.t += net::kSecond;
    w.engine->on_timeout();
  }
  w.grpc->close(*c);
  w.engine->flush();
  if (w.svc->open_uploads() != 0) abort();
  if (w.engine->subscriber_count() != 0) abort();
  return 0;
}
