// Unit tests: frontends/grpc/grpc_engine — the sans-I/O gRPC server core
// against nghttp2's client session, in memory, with a test clock.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontends/grpc/grpc_engine.hpp"
#include "grpc_test_client.hpp"
#include "proto/agentanycast/v1/node_service.pb.hpp"

using namespace frontends::grpc;
using grpctest::Client;
using NS = pb::agentanycast::v1::NodeService;

namespace {

constexpr net::Instant kT0 = 1000 * net::kSecond;

struct Fixture {
  Engine eng;
  ConnId c = 0;
  std::unique_ptr<Client> cl;
  net::Instant now = kT0;

  explicit Fixture(Limits lim = {}, Client::Options co = {}) : eng(lim) {
    auto r = eng.open(now, "test-peer");
    REQUIRE(r);
    c = *r;
    cl = std::make_unique<Client>(co);
  }
  void pump(size_t max_to_client = SIZE_MAX) { grpctest::pump(eng, c, *cl, now, max_to_client); }
  void advance(uint64_t ns) {
    now += ns;
    eng.on_timeout(c, now);
    pump();
  }
  grpctest::Response& run(int32_t sid) {
    pump();
    return cl->resp(sid);
  }
};

net::Bytes encode(const auto& m) { return m.encode(); }

// GetNodeInfo echo: replies with peer_id = the request path's method and
// a version, synchronously.
void register_node_info(Engine& eng) {
  eng.register_unary<NS::GetNodeInfo>([](NS::GetNodeInfo::Request&&, Responder<NS::GetNodeInfo> r) {
    NS::GetNodeInfo::Response resp;
    resp.node_info.emplace().peer_id = "12D3KooWTest";
    resp.node_info->version = "0.1.0";
    r.reply(resp);
  });
}

// A raw unary method answering with the request's length (4 bytes BE).
void register_len(Engine& eng, const std::string& path = "/test.Svc/Len") {
  REQUIRE(eng.add_method(path, MethodKind::unary, [](Call c, net::BytesView req) {
    uint32_t n = static_cast<uint32_t>(req.size());
    uint8_t b[4] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
    c.write({b, 4});
    c.finish();
  }));
}

uint32_t be32(const net::Bytes& b) { return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]; }

}  // namespace

TEST_CASE("grpc engine: unary call round trip, headers, trailers and our SETTINGS") {
  Fixture f;
  register_node_info(f.eng);
  int32_t sid = f.cl->unary(std::string(NS::GetNodeInfo::kPath), encode(NS::GetNodeInfo::Request{}));
  auto& r = f.run(sid);
  REQUIRE(r.closed);
  CHECK(r.close_code == 0);
  CHECK(r.header(":status") == "200");
  CHECK(r.header("content-type") == "application/grpc");
  CHECK(r.header_blocks == 2);  // headers, then trailers
  CHECK(r.get("grpc-status") == "0");
  CHECK(r.get("grpc-message").empty());
  auto msgs = r.messages();
  REQUIRE(msgs.size() == 1);
  NS::GetNodeInfo::Response got;
  REQUIRE(got.decode(msgs[0]));
  REQUIRE(got.node_info);
  CHECK(got.node_info->peer_id == "12D3KooWTest");
  CHECK(f.cl->settings[NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS] == kMaxConcurrentStreams);
  CHECK(f.cl->settings[NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE] == kStreamWindow);
  CHECK(f.cl->settings[NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE] == kMaxHeaderListLen);
  CHECK(f.eng.stats().calls_finished == 1);
  CHECK(f.eng.stats().calls_active == 0);
}

TEST_CASE("grpc engine: an async unary answer arrives later; a dropped responder ends the call with INTERNAL") {
  Fixture f;
  std::vector<Responder<NS::ConnectPeer>> pending;
  f.eng.register_unary<NS::ConnectPeer>([&](NS::ConnectPeer::Request&& req, Responder<NS::ConnectPeer> r) {
    CHECK(r.call().metadata("user-agent") == "grpc-test/1");
    CHECK(r.call().peer() == "test-peer");
    if (req.peer_id == "drop") return;  // the handler forgets the call
    pending.push_back(std::move(r));
  });
  NS::ConnectPeer::Request q;
  q.peer_id = "12D3KooWPeer";
  int32_t a = f.cl->unary(std::string(NS::ConnectPeer::kPath), encode(q));
  q.peer_id = "drop";
  int32_t b = f.cl->unary(std::string(NS::ConnectPeer::kPath), encode(q));
  f.pump();
  CHECK_FALSE(f.cl->done(a));
  REQUIRE(f.cl->done(b));
  CHECK(f.cl->resp(b).status() == int(Code::internal));
  CHECK(f.cl->resp(b).message() == "grpc: the handler dropped the call without finishing it");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].active());
  NS::ConnectPeer::Response resp;
  resp.peer_info.emplace().peer_id = "12D3KooWPeer";
  pending[0].reply(resp);
  CHECK_FALSE(pending[0].active());
  auto& r = f.run(a);
  REQUIRE(r.closed);
  CHECK(r.status() == 0);
  REQUIRE(r.messages().size() == 1);
  pending.clear();  // releasing a finished handle is harmless
  f.pump();
}

TEST_CASE("grpc engine: unknown method and service -> UNIMPLEMENTED, trailers-only, HTTP 200") {
  Fixture f;
  register_node_info(f.eng);
  struct V {
    std::string path, msg;
  };
  const V table[] = {{"/agentanycast.v1.NodeService/Nope", "unknown method Nope for service agentanycast.v1.NodeService"},
                     {"/x.Y/Z", "unknown service x.Y"},
                     {"/nopath", "malformed method name: \"/nopath\""}};
  for (const V& v : table) {
    CAPTURE(v.path);
    int32_t sid = f.cl->unary(v.path, {});
    auto& r = f.run(sid);
    REQUIRE(r.closed);
    CHECK(r.trailers_only());
    CHECK(r.header(":status") == "200");
    CHECK(r.header("content-type") == "application/grpc");
    CHECK(r.status() == int(Code::unimplemented));
    CHECK(r.message() == v.msg);
    CHECK(r.data.empty());
  }
  // A :path that is not HTTP is refused by nghttp2 itself (RFC 9113 §8.3.1).
  int32_t sid = f.cl->unary("nopath", {});
  auto& r = f.run(sid);
  CHECK(r.rst_received);
  CHECK(r.rst_code == NGHTTP2_PROTOCOL_ERROR);
}

TEST_CASE("grpc engine: request header checks (content-type, te, :method, grpc-timeout) as grpc-go answers") {
  Fixture f;
  register_len(f.eng);
  struct V {
    grpctest::Headers replace;
    std::string http;
    Code code;
    std::string msg;
  };
  const V table[] = {
      {{{"content-type", "text/plain"}}, "415", Code::invalid_argument, "invalid gRPC request content-type \"text/plain\""},
      {{{"content-type", "<omit>"}}, "415", Code::invalid_argument, "invalid gRPC request content-type \"\""},
      {{{"content-type", "application/grpcx"}}, "415", Code::invalid_argument,
       "invalid gRPC request content-type \"application/grpcx\""},
      {{{"content-type", "application/grpc+json"}}, "415", Code::invalid_argument,
       "unsupported gRPC content-subtype \"json\" (only proto)"},
      {{{"grpc-timeout", "1x"}}, "400", Code::internal, "malformed grpc-timeout: grpc-timeout \"1x\": unknown unit"},
      {{{"grpc-timeout", "123456789S"}}, "400", Code::internal,
       "malformed grpc-timeout: grpc-timeout \"123456789S\": too long (more than 8 digits)"},
      {{{":method", "PUT"}}, "405", Code::internal, "Received a HEADERS frame with :method \"PUT\" which should be POST"},
      {{{"te", "<omit>"}}, "400", Code::internal, "missing \"te: trailers\" header"},
      {{{"grpc-timeout", "0m"}}, "200", Code::deadline_exceeded, "Deadline Exceeded"},
  };
  for (const V& v : table) {
    CAPTURE(v.msg);
    int32_t sid = f.cl->start("/test.Svc/Len", {}, v.replace);
    f.cl->send_message(sid, net::Bytes(3, 1), true);
    auto& r = f.run(sid);
    REQUIRE(r.closed);
    CHECK(r.trailers_only());
    CHECK(r.header(":status") == v.http);
    CHECK(r.status() == int(v.code));
    CHECK(r.message() == v.msg);
  }
  // The accepted forms.
  for (std::string ct : {"application/grpc", "application/grpc+proto", "application/grpc;charset=utf-8"}) {
    CAPTURE(ct);
    int32_t sid = f.cl->start("/test.Svc/Len", {}, {{"content-type", ct}});
    f.cl->send_message(sid, net::Bytes(3, 1), true);
    auto& r = f.run(sid);
    CHECK(r.status() == 0);
  }
  CHECK(f.eng.stats().calls_active == 0);
}

TEST_CASE("grpc engine: max receive message size crossed by one -> RESOURCE_EXHAUSTED; the limit itself passes") {
  Limits lim;
  lim.max_recv_message_len = 64 * 1024;
  Fixture f(lim);
  register_len(f.eng);
  int32_t ok = f.cl->unary("/test.Svc/Len", net::Bytes(64 * 1024, 7));
  int32_t big = f.cl->unary("/test.Svc/Len", net::Bytes(64 * 1024 + 1, 7));
  f.pump();
  REQUIRE(f.cl->done(ok));
  CHECK(f.cl->resp(ok).status() == 0);
  REQUIRE(f.cl->resp(ok).messages().size() == 1);
  CHECK(be32(f.cl->resp(ok).messages()[0]) == 64 * 1024);
  REQUIRE(f.cl->done(big));
  CHECK(f.cl->resp(big).status() == int(Code::resource_exhausted));
  CHECK(f.cl->resp(big).message() == "grpc: received message larger than max (65537 vs. 65536)");
  CHECK(f.eng.stats().recv_buffered == 0);
}

TEST_CASE("grpc engine: the default 4 MiB receive limit, with a message spanning many DATA frames") {
  Fixture f;
  register_len(f.eng);
  int32_t ok = f.cl->unary("/test.Svc/Len", net::Bytes(kMaxRecvMessageLen, 1));
  int32_t big = f.cl->unary("/test.Svc/Len", net::Bytes(kMaxRecvMessageLen + 1, 1));
  f.pump();
  CHECK(f.cl->resp(ok).status() == 0);
  CHECK(be32(f.cl->resp(ok).messages().at(0)) == kMaxRecvMessageLen);
  CHECK(f.cl->resp(big).status() == int(Code::resource_exhausted));
  CHECK(f.cl->resp(big).message() == "grpc: received message larger than max (4194305 vs. 4194304)");
}

TEST_CASE("grpc engine: compressed messages: no grpc-encoding -> INTERNAL; gzip -> UNIMPLEMENTED + grpc-accept-encoding") {
  Fixture f;
  register_len(f.eng);
  int32_t a = f.cl->start("/test.Svc/Len");
  f.cl->send_message(a, net::Bytes(3, 1), true, true);
  int32_t b = f.cl->start("/test.Svc/Len", {{"grpc-encoding", "gzip"}});
  f.cl->send_message(b, net::Bytes(3, 1), true, true);
  int32_t c = f.cl->start("/test.Svc/Len", {{"grpc-encoding", "gzip"}});  // declared but not used: fine
  f.cl->send_message(c, net::Bytes(3, 1), true, false);
  int32_t d = f.cl->start("/test.Svc/Len");
  net::Bytes bad = {2, 0, 0, 0, 0};
  f.cl->send_raw(d, bad, true);
  f.pump();
  CHECK(f.cl->resp(a).status() == int(Code::internal));
  CHECK(f.cl->resp(a).message() == "grpc: compressed flag set with identity or empty encoding");
  CHECK(f.cl->resp(b).status() == int(Code::unimplemented));
  CHECK(f.cl->resp(b).message() == "grpc: Decompressor is not installed for grpc-encoding \"gzip\"");
  CHECK(f.cl->resp(b).get("grpc-accept-encoding") == "identity");
  CHECK(f.cl->resp(c).status() == 0);
  CHECK(f.cl->resp(d).status() == int(Code::internal));
  CHECK(f.cl->resp(d).message() == "grpc: invalid compressed flag 2");
}

TEST_CASE("grpc engine: unary with no message, two messages, a truncated message, an undecodable message") {
  Fixture f;
  register_len(f.eng);
  register_node_info(f.eng);
  int32_t none = f.cl->start("/test.Svc/Len");
  f.cl->half_close(none);
  int32_t two = f.cl->start("/test.Svc/Len");
  f.cl->send_message(two, net::Bytes(1, 1));
  f.cl->send_message(two, net::Bytes(1, 1), true);
  int32_t cut = f.cl->start("/test.Svc/Len");
  f.cl->send_raw(cut, net::Bytes{0, 0, 0, 0, 9, 1, 2}, true);
  int32_t junk = f.cl->unary(std::string(NS::GetNodeInfo::kPath), net::Bytes{0xff, 0xff});
  f.pump();
  CHECK(f.cl->resp(none).message() == "grpc: half-closed without a request message");
  CHECK(f.cl->resp(two).message() == "grpc: more than one request message for a unary or server-streaming call");
  CHECK(f.cl->resp(cut).message() == "grpc: request ended inside a message");
  CHECK(f.cl->resp(junk).status() == int(Code::internal));
  CHECK(f.cl->resp(junk).message().rfind("grpc: error unmarshalling request: pb: ", 0) == 0);
  for (int32_t s : {none, two, cut}) CHECK(f.cl->resp(s).status() == int(Code::internal));
}

TEST_CASE("grpc engine: grpc-message is percent-encoded on the wire; an immediate error is trailers-only") {
  Fixture f;
  f.eng.register_unary<NS::GetTask>([](NS::GetTask::Request&& q, Responder<NS::GetTask> r) {
    r.fail(Code::not_found, "task " + q.task_id + " not found\n100%");
  });
  NS::GetTask::Request q;
  q.task_id = "t\xc3\xa9";
  int32_t sid = f.cl->unary(std::string(NS::GetTask::kPath), encode(q));
  auto& r = f.run(sid);
  CHECK(r.trailers_only());
  CHECK(r.get("grpc-message") == "task t%C3%A9 not found%0A100%25");
  CHECK(r.message() == "task t\xc3\xa9 not found\n100%");
  CHECK(r.status() == int(Code::not_found));
}

TEST_CASE("grpc engine: grpc-timeout expiry -> DEADLINE_EXCEEDED; a streaming call with headers sent is reset (CANCEL)") {
  Fixture f;
  std::vector<Responder<NS::ConnectPeer>> held;
  std::vector<Status> cancels;
  f.eng.register_unary<NS::ConnectPeer>([&](NS::ConnectPeer::Request&&, Responder<NS::ConnectPeer> r) {
    r.on_cancel([&](const Status& s) { cancels.push_back(s); });
    held.push_back(std::move(r));
  });
  std::vector<ServerWriter<NS::SubscribeTaskUpdates>> subs;
  f.eng.register_server_streaming<NS::SubscribeTaskUpdates>(
      [&](NS::SubscribeTaskUpdates::Request&&, ServerWriter<NS::SubscribeTaskUpdates> w) {
        w.on_cancel([&](const Status& s) { cancels.push_back(s); });
        CHECK(w.write({.task_id = "t1"}) == Flow::ready);
        subs.push_back(std::move(w));
      });
  int32_t u = f.cl->start(std::string(NS::ConnectPeer::kPath), {{"grpc-timeout", "100m"}});
  f.cl->send_message(u, encode(NS::ConnectPeer::Request{}), true);
  int32_t s = f.cl->start(std::string(NS::SubscribeTaskUpdates::kPath), {{"grpc-timeout", "150m"}});
  f.cl->send_message(s, encode(NS::SubscribeTaskUpdates::Request{}), true);
  f.pump();
  REQUIRE(held.size() == 1);
  REQUIRE(subs.size() == 1);
  CHECK(f.eng.next_deadline(f.c) == kT0 + 100 * net::kMillisecond);
  f.advance(99 * net::kMillisecond);
  CHECK_FALSE(f.cl->done(u));
  f.advance(1 * net::kMillisecond);
  REQUIRE(f.cl->done(u));
  CHECK(f.cl->resp(u).trailers_only());
  CHECK(f.cl->resp(u).status() == int(Code::deadline_exceeded));
  CHECK(f.cl->resp(u).message() == "Deadline Exceeded");
  REQUIRE(cancels.size() == 1);
  CHECK(cancels[0] == Status{Code::deadline_exceeded, "Deadline Exceeded"});
  CHECK_FALSE(held[0].active());
  f.advance(50 * net::kMillisecond);
  REQUIRE(f.cl->done(s));
  CHECK(f.cl->resp(s).rst_received);
  CHECK(f.cl->resp(s).rst_code == NGHTTP2_CANCEL);
  CHECK(f.cl->resp(s).messages().size() == 1);
  REQUIRE(cancels.size() == 2);
  CHECK(cancels[1].code == Code::deadline_exceeded);
  CHECK(subs[0].write({}) == Flow::closed);
  held.clear();
  subs.clear();
  f.pump();
  CHECK(f.eng.stats().calls_cancelled == 2);
}

TEST_CASE("grpc engine: client RST_STREAM cancels the call: on_cancel fires once, handles go inert") {
  Fixture f;
  std::optional<ServerWriter<NS::SubscribeIncomingTasks>> w;
  int cancelled = 0;
  Status why;
  f.eng.register_server_streaming<NS::SubscribeIncomingTasks>(
      [&](NS::SubscribeIncomingTasks::Request&&, ServerWriter<NS::SubscribeIncomingTasks> wr) {
        wr.on_cancel([&](const Status& s) {
          ++cancelled;
          why = s;
          w.reset();  // dropping the last handle from inside the hook is fine
        });
        w = std::move(wr);
      });
  int32_t sid = f.cl->start(std::string(NS::SubscribeIncomingTasks::kPath));
  f.cl->send_message(sid, {}, true);
  f.pump();
  REQUIRE(w);
  CHECK(w->active());
  CHECK(f.cl->resp(sid).header(":status") == "200");  // streaming calls send headers at once
  Call keep = w->call();
  f.cl->rst(sid, NGHTTP2_CANCEL);
  f.pump();
  CHECK(cancelled == 1);
  CHECK(why == Status{Code::cancelled, "call cancelled by the client"});
  CHECK_FALSE(w);
  CHECK_FALSE(keep.active());
  CHECK(keep.write(net::Bytes{1}) == Flow::closed);
  keep.finish();  // no-op
  f.pump();
  CHECK(cancelled == 1);
  CHECK(f.eng.stats().calls_active == 0);
}

TEST_CASE("grpc engine: client streaming: many messages in one DATA frame and one message over many frames") {
  Fixture f;
  std::vector<size_t> sizes;
  bool ended = false;
  f.eng.register_client_streaming<NS::SendStreamingArtifact>([&](ClientReader<NS::SendStreamingArtifact> r) {
    r.on_message([&](NS::SendStreamingArtifact::Request&& m) {
      sizes.push_back(m.event_case == NS::SendStreamingArtifact::Request::EventCase::stream_chunk
                          ? m.stream_chunk.data.size()
                          : 0);
    });
    r.on_end([&ended, r]() mutable {
      ended = true;
      r.reply({});
    });
  });
  using Req = NS::SendStreamingArtifact::Request;
  int32_t sid = f.cl->start(std::string(NS::SendStreamingArtifact::kPath));
  net::Bytes many;
  for (int i = 0; i < 100; ++i) {
    Req m;
    m.mutable_stream_chunk().data = net::Bytes(i, 1);
    append_message(many, encode(m));
  }
  f.cl->send_raw(sid, many);  // one DATA frame (< 16 KiB)
  f.pump();
  CHECK(sizes.size() == 100);
  Req big;
  big.mutable_stream_chunk().data = net::Bytes(100000, 2);
  net::Bytes one;
  append_message(one, encode(big));
  for (size_t pos = 0; pos < one.size(); pos += 1000) {  // 1000-byte DATA frames
    f.cl->send_raw(sid, net::BytesView(one).subspan(pos, std::min<size_t>(1000, one.size() - pos)));
    f.pump();
  }
  f.cl->half_close(sid);
  auto& r = f.run(sid);
  REQUIRE(sizes.size() == 101);
  CHECK(sizes[99] == 99);
  CHECK(sizes[100] == 100000);
  CHECK(ended);
  CHECK(r.status() == 0);
  CHECK(r.messages().size() == 1);
}

TEST_CASE("grpc engine: a message split byte by byte over raw DATA frames") {
  Fixture f;
  register_len(f.eng);
  net::Bytes wire = grpctest::preface_and_settings();
  auto h = grpctest::headers_frame(1, grpctest::request_headers("/test.Svc/Len"), false);
  wire.insert(wire.end(), h.begin(), h.end());
  net::Bytes msg;
  append_message(msg, net::Bytes(20, 9));
  for (size_t i = 0; i < msg.size(); ++i) {
    auto d = grpctest::data_frame(1, net::BytesView(msg).subspan(i, 1), i + 1 == msg.size());
    wire.insert(wire.end(), d.begin(), d.end());
  }
  for (uint8_t b : wire) REQUIRE(f.eng.feed(f.c, {&b, 1}, f.now));  // and the frames byte by byte too
  Client sink({.send_preface = false});
  // Read what the server sent with a raw client session that already "sent" its preface.
  net::Bytes out;
  for (;;) {
    auto o = f.eng.pending_output(f.c);
    if (o.empty()) break;
    out.insert(out.end(), o.begin(), o.end());
    f.eng.consume_output(f.c, o.size());
  }
  // The response carries the length 20 in a 4-byte message: find the DATA frame.
  bool found = false;
  for (size_t p = 0; p + 9 <= out.size();) {
    uint32_t len = uint32_t(out[p]) << 16 | uint32_t(out[p + 1]) << 8 | out[p + 2];
    if (out[p + 3] == NGHTTP2_DATA && len == 9) {
      CHECK(net::to_hex(net::BytesView(out).subspan(p + 9, 9)) == "000000000400000014");
      found = true;
    }
    p += 9 + len;
  }
  CHECK(found);
}

TEST_CASE("grpc engine: 1000 calls against max concurrent streams 128: all served, never more than 128 at once") {
  Fixture f;
  std::vector<Responder<NS::GetTask>> held;
  f.eng.register_unary<NS::GetTask>([&](NS::GetTask::Request&&, Responder<NS::GetTask> r) { held.push_back(std::move(r)); });
  std::vector<int32_t> sids;
  for (int i = 0; i < 1000; ++i) sids.push_back(f.cl->unary(std::string(NS::GetTask::kPath), {}));
  size_t served = 0;
  while (served < 1000) {
    f.pump();
    REQUIRE_FALSE(held.empty());
    CHECK(held.size() <= kMaxConcurrentStreams);
    for (auto& r : held) r.reply({});
    served += held.size();
    held.clear();
  }
  f.pump();
  for (int32_t s : sids) CHECK(f.cl->resp(s).status() == 0);
  CHECK(f.eng.stats().calls_peak == kMaxConcurrentStreams);
  CHECK(f.eng.stats().calls_finished == 1000);
}

TEST_CASE("grpc engine: streams beyond the limit: REFUSED_STREAM before our SETTINGS are acked, connection error after") {
  Fixture f;
  std::vector<Responder<NS::GetTask>> held;
  f.eng.register_unary<NS::GetTask>([&](NS::GetTask::Request&&, Responder<NS::GetTask> r) { held.push_back(std::move(r)); });
  net::Bytes msg;
  append_message(msg, {});
  auto send_calls = [&](int32_t first, int n) {
    for (int i = 0; i < n; ++i) {
      int32_t sid = first + 2 * i;
      auto h = grpctest::headers_frame(sid, grpctest::request_headers(std::string(NS::GetTask::kPath)), false);
      auto d = grpctest::data_frame(sid, msg, true);
      REQUIRE(f.eng.feed(f.c, h, f.now));
      REQUIRE(f.eng.feed(f.c, d, f.now));
    }
  };
  REQUIRE(f.eng.feed(f.c, grpctest::preface_and_settings(), f.now));
  send_calls(1, 129);
  CHECK(held.size() == 128);
  std::string out;
  for (;;) {
    auto o = f.eng.pending_output(f.c);
    if (o.empty()) break;
    out.append(reinterpret_cast<const char*>(o.data()), o.size());
    f.eng.consume_output(f.c, o.size());
  }
  // RST_STREAM(stream 257, REFUSED_STREAM = 7)
  std::string rst = "\x00\x00\x04\x03\x00\x00\x00\x01\x01\x00\x00\x00\x07";
  CHECK(out.find(rst) != std::string::npos);
  CHECK_FALSE(f.eng.done(f.c));
  // Once the client acknowledged the limit, crossing it is a connection error.
  REQUIRE(f.eng.feed(f.c, grpctest::settings_ack(), f.now));
  auto h = grpctest::headers_frame(259, grpctest::request_headers(std::string(NS::GetTask::kPath)), false);
  REQUIRE(f.eng.feed(f.c, h, f.now));
  out.clear();
  for (;;) {
    auto o = f.eng.pending_output(f.c);
    if (o.empty()) break;
    out.append(reinterpret_cast<const char*>(o.data()), o.size());
    f.eng.consume_output(f.c, o.size());
  }
  CHECK(out.find(std::string("\x07\x00\x00\x00\x00\x00", 6)) != std::string::npos);  // a GOAWAY frame
  CHECK(f.eng.done(f.c));
  held.clear();
}

TEST_CASE("grpc engine: a client that never reads: the writer is blocked at the high-water mark, memory stays bounded") {
  Fixture f({}, {.manual_window = true});
  std::optional<ServerWriter<NS::SubscribeTaskStream>> w;
  int writable = 0;
  f.eng.register_server_streaming<NS::SubscribeTaskStream>(
      [&](NS::SubscribeTaskStream::Request&&, ServerWriter<NS::SubscribeTaskStream> wr) {
        wr.on_writable([&] { ++writable; });
        w = std::move(wr);
      });
  register_node_info(f.eng);
  int32_t sid = f.cl->start(std::string(NS::SubscribeTaskStream::kPath));
  f.cl->send_message(sid, {}, true);
  f.pump();
  REQUIRE(w);
  NS::SubscribeTaskStream::Response chunk;
  chunk.mutable_stream_chunk().data = net::Bytes(1000, 5);
  size_t accepted = 0;
  Flow fl;
  while ((fl = w->write(chunk)) == Flow::ready) {
    ++accepted;
    f.pump();
  }
  CHECK(fl == Flow::blocked);
  ++accepted;
  CHECK(w->write(chunk) == Flow::full);
  f.pump();
  CHECK(w->write(chunk) == Flow::full);
  // What the client holds unread is its 64 KiB window; we hold at most the mark + one message.
  CHECK(f.cl->resp(sid).data.size() <= 65535);
  CHECK(w->call().buffered() <= kStreamOutHighWater + 1100);
  CHECK(accepted * 1008 <= 65535 + kStreamOutHighWater + 1100);
  CHECK(writable == 0);
  // Another call on the same connection is still served (its own window).
  int32_t other = f.cl->unary(std::string(NS::GetNodeInfo::kPath), {});
  f.pump();
  CHECK(f.cl->resp(other).status() == 0);
  // The client reads: the writer is told, once.
  f.cl->consume(sid, f.cl->resp(sid).data.size());
  f.pump();
  CHECK(writable == 1);
  CHECK(w->writable());
  w->finish();
  w.reset();
  f.pump();
}

TEST_CASE("grpc engine: client streaming back-pressure: a paused reader stops acknowledging, resume delivers the rest") {
  Limits lim;
  lim.stream_window = 64 * 1024;
  Fixture f(lim);
  std::optional<ClientReader<NS::SendStreamingArtifact>> reader;
  size_t got = 0;
  f.eng.register_client_streaming<NS::SendStreamingArtifact>([&](ClientReader<NS::SendStreamingArtifact> r) {
    r.on_message([&](NS::SendStreamingArtifact::Request&&) {
      ++got;
      reader->pause();  // one message per resume()
    });
    r.on_end([&] { reader->reply({}); });
    reader = std::move(r);
  });
  int32_t sid = f.cl->start(std::string(NS::SendStreamingArtifact::kPath));
  NS::SendStreamingArtifact::Request m;
  m.mutable_stream_chunk().data = net::Bytes(10000, 1);
  for (int i = 0; i < 40; ++i) f.cl->send_message(sid, encode(m));  // ~400 KB, far over the window
  f.cl->half_close(sid);
  f.pump();
  CHECK(got == 1);
  // The client is stuck on flow control: we hold at most one window (+ the message in progress).
  CHECK(f.eng.stats().recv_buffered <= lim.stream_window + 10010);
  size_t rounds = 0;
  while (!f.cl->done(sid) && rounds++ < 100) {
    reader->resume();
    f.pump();
    CHECK(f.eng.stats().recv_buffered <= lim.stream_window + 10010);
  }
  CHECK(got == 40);
  CHECK(f.cl->resp(sid).status() == 0);
  CHECK(f.eng.stats().recv_buffered == 0);
}

TEST_CASE("grpc engine: connection receive buffer limit crossed -> RESOURCE_EXHAUSTED for that call only") {
  Limits lim;
  lim.conn_recv_buffer_limit = 100 * 1024;
  lim.stream_window = 1024 * 1024;
  Fixture f(lim, {.initial_window = 1024 * 1024});
  register_len(f.eng);
  // Two large messages, each sent without its last byte: both are held.
  net::Bytes a, b;
  append_message(a, net::Bytes(60 * 1024, 1));
  append_message(b, net::Bytes(60 * 1024, 2));
  int32_t s1 = f.cl->start("/test.Svc/Len");
  f.cl->send_raw(s1, net::BytesView(a).subspan(0, a.size() - 1));
  f.pump();
  int32_t s2 = f.cl->start("/test.Svc/Len");
  f.cl->send_raw(s2, net::BytesView(b).subspan(0, b.size() - 1));
  f.pump();
  REQUIRE(f.cl->done(s2));
  CHECK(f.cl->resp(s2).status() == int(Code::resource_exhausted));
  CHECK(f.cl->resp(s2).message() == "grpc: connection receive buffer limit of 102400 bytes exceeded");
  CHECK_FALSE(f.cl->done(s1));
  f.cl->send_raw(s1, net::BytesView(a).subspan(a.size() - 1), true);
  f.pump();
  CHECK(f.cl->resp(s1).status() == 0);
  CHECK(f.eng.stats().recv_buffered == 0);
}

TEST_CASE("grpc engine: header list larger than 8 KiB -> RESOURCE_EXHAUSTED; just under passes") {
  Fixture f;
  register_len(f.eng);
  // Base request headers cost ~ 350 bytes with the 32-byte overhead each.
  int32_t big = f.cl->start("/test.Svc/Len", {{"x-big", std::string(8000, 'a')}});
  f.cl->send_message(big, {}, true);
  int32_t fine = f.cl->start("/test.Svc/Len", {{"x-ok", std::string(7000, 'a')}});
  f.cl->send_message(fine, {}, true);
  f.pump();
  CHECK(f.cl->resp(big).status() == int(Code::resource_exhausted));
  CHECK(f.cl->resp(big).message() == "grpc: header list size exceeds the limit of 8192 bytes");
  CHECK(f.cl->resp(fine).status() == 0);
}

TEST_CASE("grpc engine: max send message size crossed by one -> RESOURCE_EXHAUSTED, write() says closed") {
  Limits lim;
  lim.max_send_message_len = 1000;
  Fixture f(lim);
  Flow seen = Flow::ready;
  REQUIRE(f.eng.add_method("/test.Svc/Big", MethodKind::unary, [&](Call c, net::BytesView req) {
    seen = c.write(net::Bytes(req.size(), 0));
    c.finish();
  }));
  int32_t ok = f.cl->unary("/test.Svc/Big", net::Bytes(1000, 1));
  f.pump();
  CHECK(seen == Flow::ready);
  CHECK(f.cl->resp(ok).status() == 0);
  int32_t big = f.cl->unary("/test.Svc/Big", net::Bytes(1001, 1));
  f.pump();
  CHECK(seen == Flow::closed);
  CHECK(f.cl->resp(big).status() == int(Code::resource_exhausted));
  CHECK(f.cl->resp(big).message() == "grpc: trying to send message larger than max (1001 vs. 1000)");
}

TEST_CASE("grpc engine: client pings: allowed after data, GOAWAY ENHANCE_YOUR_CALM too_many_pings on the third strike") {
  Fixture f;
  register_node_info(f.eng);
  std::optional<ServerWriter<NS::SubscribeIncomingTasks>> w;
  f.eng.register_server_streaming<NS::SubscribeIncomingTasks>(
      [&](NS::SubscribeIncomingTasks::Request&&, ServerWriter<NS::SubscribeIncomingTasks> wr) { w = std::move(wr); });
  int32_t sid = f.cl->start(std::string(NS::SubscribeIncomingTasks::kPath));
  f.cl->send_message(sid, {}, true);
  f.pump();
  // Pings each preceded by server data are free.
  for (int i = 0; i < 10; ++i) {
    w->write({});
    f.pump();
    f.cl->ping();
    f.pump();
  }
  CHECK_FALSE(f.cl->goaway);
  // Pings 5 minutes apart are fine too.
  for (int i = 0; i < 5; ++i) {
    f.now += kMinRecvPingIntervalNs;
    f.cl->ping();
    f.pump();
  }
  CHECK_FALSE(f.cl->goaway);
  // Three quick pings without data in between: strikes 1, 2, 3 > 2.
  f.cl->ping();
  f.pump();
  f.cl->ping();
  f.pump();
  CHECK_FALSE(f.cl->goaway);
  f.cl->ping();
  f.pump();
  CHECK(f.cl->goaway);
  CHECK(f.cl->goaway_code == NGHTTP2_ENHANCE_YOUR_CALM);
  CHECK(f.cl->goaway_debug == "too_many_pings");
  CHECK(f.eng.done(f.c));
  f.eng.close(f.c);
  CHECK_FALSE(w->active());
}

TEST_CASE("grpc engine: keepalive: PING after 2 h idle; no answer within 20 s closes the connection") {
  Fixture f;
  CHECK(f.eng.next_deadline(f.c) == kT0 + kPrefaceTimeoutNs);
  f.pump();  // preface exchanged
  CHECK(f.eng.next_deadline(f.c) == kT0 + kKeepaliveTimeNs);
  f.advance(kKeepaliveTimeNs);
  CHECK(f.cl->pings_received == 1);  // the client acked it during pump
  CHECK_FALSE(f.eng.done(f.c));
  f.now += kKeepaliveTimeNs;
  f.eng.on_timeout(f.c, f.now);  // ping sent, but the client never reads it
  CHECK(f.eng.next_deadline(f.c) == f.now + kKeepaliveTimeoutNs);
  f.now += kKeepaliveTimeoutNs - 1;
  f.eng.on_timeout(f.c, f.now);
  CHECK_FALSE(f.eng.done(f.c));
  f.now += 1;
  f.eng.on_timeout(f.c, f.now);
  CHECK(f.eng.done(f.c));
}

TEST_CASE("grpc engine: preface timeout, garbage preface, and another connection is unaffected") {
  Engine eng;
  register_node_info(eng);
  auto silent = eng.open(kT0);
  auto garbage = eng.open(kT0);
  auto good = eng.open(kT0);
  REQUIRE(silent);
  REQUIRE(garbage);
  REQUIRE(good);
  auto st = eng.feed(*garbage, net::as_bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), kT0);
  REQUIRE_FALSE(st);
  CHECK(st.err() == net::Err::proto);
  CHECK(st.what() == "http2: bad client magic (not an HTTP/2 client preface)");
  CHECK(eng.done(*garbage));
  eng.close(*garbage);
  eng.on_timeout(*silent, kT0 + kPrefaceTimeoutNs - 1);
  CHECK_FALSE(eng.done(*silent));
  eng.on_timeout(*silent, kT0 + kPrefaceTimeoutNs);
  CHECK(eng.done(*silent));
  Client cl;
  int32_t sid = cl.unary(std::string(NS::GetNodeInfo::kPath), {});
  grpctest::pump(eng, *good, cl, kT0);
  CHECK(cl.resp(sid).status() == 0);
  CHECK(eng.connection_count() == 2);
}

TEST_CASE("grpc engine: graceful shutdown: two GOAWAYs, in-flight calls finish, late ones are cancelled after grace") {
  Fixture f;
  std::vector<Responder<NS::GetTask>> held;
  std::vector<Status> cancels;
  f.eng.register_unary<NS::GetTask>([&](NS::GetTask::Request&&, Responder<NS::GetTask> r) {
    r.on_cancel([&](const Status& s) { cancels.push_back(s); });
    held.push_back(std::move(r));
  });
  int32_t a = f.cl->unary(std::string(NS::GetTask::kPath), {});
  int32_t b = f.cl->unary(std::string(NS::GetTask::kPath), {});
  f.pump();
  REQUIRE(held.size() == 2);
  f.eng.shutdown(f.now, 2 * net::kSecond);
  f.pump();
  // First GOAWAY (2^31-1), PING, ack, final GOAWAY with the last stream id.
  CHECK(f.cl->goaways == 2);
  CHECK(f.cl->goaway_last_stream == b);
  CHECK(f.cl->goaway_code == NGHTTP2_NO_ERROR);
  held[0].reply({});
  f.pump();
  CHECK(f.cl->resp(a).status() == 0);
  CHECK_FALSE(f.eng.done(f.c));
  f.advance(2 * net::kSecond);
  REQUIRE(cancels.size() == 1);
  CHECK(cancels[0] == Status{Code::unavailable, "server is shutting down"});
  CHECK(f.cl->done(b));
  CHECK(f.cl->resp(b).status() == int(Code::unavailable));
  CHECK(f.eng.done(f.c));
  held.clear();
}

TEST_CASE("grpc engine: closing a connection cancels its calls; the engine's destructor cancels the rest") {
  std::vector<Status> cancels;
  {
    Engine eng;
    std::vector<Responder<NS::GetTask>> held;
    eng.register_unary<NS::GetTask>([&](NS::GetTask::Request&&, Responder<NS::GetTask> r) {
      r.on_cancel([&](const Status& s) { cancels.push_back(s); });
      held.push_back(std::move(r));
    });
    auto c1 = eng.open(kT0), c2 = eng.open(kT0);
    Client k1, k2;
    k1.unary(std::string(NS::GetTask::kPath), {});
    k2.unary(std::string(NS::GetTask::kPath), {});
    grpctest::pump(eng, *c1, k1, kT0);
    grpctest::pump(eng, *c2, k2, kT0);
    REQUIRE(held.size() == 2);
    eng.close(*c1);
    REQUIRE(cancels.size() == 1);
    CHECK(cancels[0] == Status{Code::cancelled, "connection closed"});
    CHECK_FALSE(held[0].active());
    CHECK(held[1].active());
    // `held` outlives the engine: its handles must still be safe to drop.
    static std::vector<Responder<NS::GetTask>> survivors;
    survivors = std::move(held);
  }
  REQUIRE(cancels.size() == 2);
  CHECK(cancels[1] == Status{Code::unavailable, "server stopped"});
}

TEST_CASE("grpc engine: bidi streaming echo, full duplex, and registration errors") {
  Fixture f;
  REQUIRE(f.eng.add_method("/test.Svc/Echo", MethodKind::bidi_streaming, [](Call c, net::BytesView) {
    Call self = c.weak();
    c.on_message([self](net::BytesView m) mutable { self.write(m); });
    c.on_half_close([c]() mutable { c.finish(); });
  }));
  int32_t sid = f.cl->start("/test.Svc/Echo");
  for (int i = 0; i < 5; ++i) {
    f.cl->send_message(sid, net::Bytes(i + 1, uint8_t(i)));
    f.pump();
    CHECK(f.cl->resp(sid).messages().size() == size_t(i + 1));  // answered before the client half-closes
  }
  f.cl->half_close(sid);
  auto& r = f.run(sid);
  CHECK(r.status() == 0);
  CHECK(r.messages().back() == net::Bytes(5, 4));
  auto dup = f.eng.add_method("/test.Svc/Echo", MethodKind::unary, [](Call, net::BytesView) {});
  REQUIRE_FALSE(dup);
  CHECK(dup.what() == "grpc: method /test.Svc/Echo registered twice");
  auto bad = f.eng.add_method("test.Svc/X", MethodKind::unary, [](Call, net::BytesView) {});
  CHECK(bad.what() == "grpc: malformed method path \"test.Svc/X\"");
  CHECK(f.eng.service_names() == std::vector<std::string>{"test.Svc"});
}

TEST_CASE("grpc engine: memory of an idle connection (nghttp2 session, counted by our allocator)") {
  Fixture f;
  register_node_info(f.eng);
  int32_t sid = f.cl->unary(std::string(NS::GetNodeInfo::kPath), {});
  f.pump();
  CHECK(f.cl->resp(sid).status() == 0);
  size_t mem = f.eng.session_memory(f.c);
  MESSAGE("idle connection after one call: nghttp2 holds " << mem << " bytes");
  CHECK(mem > 0);
  CHECK(mem < 64 * 1024);
}

TEST_CASE("grpc engine: session memory limit crossed -> the connection is dropped, not the process") {
  // What a fresh connection needs (nghttp2's version and allocator decide),
  // plus 16 KiB of headroom.
  size_t base = 0;
  {
    Fixture probe;
    probe.pump();
    base = probe.eng.session_memory(probe.c);
  }
  Limits lim;
  lim.session_mem_limit = base + 16 * 1024;
  Fixture f(lim);
  register_node_info(f.eng);
  f.pump();
  CHECK_FALSE(f.eng.done(f.c));
  // Headers that fill the HPACK table and many open streams push nghttp2
  // past the headroom.
  for (int i = 0; i < 100; ++i)
    f.cl->start(std::string(NS::GetNodeInfo::kPath), {{"x-pad-" + std::to_string(i), std::string(60, 'p')}});
  f.pump();
  CHECK(f.eng.done(f.c));
  CHECK(f.eng.session_memory(f.c) <= lim.session_mem_limit);
}
