// Unit tests: frontends/grpc/node_service — the 16 NodeService RPCs over
// the in-memory gRPC client (grpc_test_client.hpp) against two a2a engines
// on the in-memory network (a2a/engine_harness.hpp), with a fake NodeHost.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "../a2a/engine_harness.hpp"
#include "frontends/grpc/grpc_engine.hpp"
#include "frontends/grpc/node_service.hpp"
#include "grpc_test_client.hpp"

using namespace frontends::grpc;
using grpctest::Client;
using NS = pb::agentanycast::v1::NodeService;
using S = pb::agentanycast::v1::TaskStatus;
namespace v1 = pb::agentanycast::v1;

namespace {

struct FakeHost final : NodeHost {
  v1::NodeInfo info;
  std::vector<v1::PeerInfo> list;
  struct Dial {
    p2p::PeerId peer;
    std::vector<p2p::Multiaddr> addrs;
    net::SmallFn<void(net::Status)> done;
  };
  std::vector<Dial> dials;
  v1::NodeInfo node_info() const override { return info; }
  std::vector<v1::PeerInfo> peers() const override { return list; }
  void connect(const p2p::PeerId& peer, std::vector<p2p::Multiaddr> addrs,
               net::SmallFn<void(net::Status)> done) override {
    dials.push_back({peer, std::move(addrs), std::move(done)});
  }
};

// One daemon's gRPC side: service, engine (destroyed first), one client.
struct Side {
  a2atest::Node& node;
  FakeHost host;
  std::unique_ptr<NodeService> svc;
  std::unique_ptr<Engine> eng;
  ConnId c = 0;
  std::unique_ptr<Client> cl;

  Side(a2atest::Node& n, Limits lim = {}, Client::Options co = {}) : node(n) {
    svc = std::make_unique<NodeService>(*node.engine, host);
    eng = std::make_unique<Engine>(lim);
    svc->register_into(*eng);
    auto r = eng->open(1000 * net::kSecond, "test");
    REQUIRE(r);
    c = *r;
    cl = std::make_unique<Client>(co);
  }
  ~Side() {
    eng.reset();
    svc.reset();
  }
  void pump(size_t max_to_client = SIZE_MAX) { grpctest::pump(*eng, c, *cl, node_clock(), max_to_client); }
  net::Instant node_clock() const { return 1000 * net::kSecond; }

  template <class M>
  int32_t unary(const typename M::Request& req) {
    return cl->unary(std::string(M::kPath), req.encode());
  }
  // A server-streaming call: the one request, then half-close.
  template <class M>
  int32_t stream(const typename M::Request& req) {
    return cl->unary(std::string(M::kPath), req.encode());
  }
};

struct World {
  a2atest::Net net;
  a2atest::Node& a;
  a2atest::Node& b;
  std::unique_ptr<Side> sa, sb;
  World(Limits lim = {}, Client::Options co = {}) : a(net.add()), b(net.add()) {
    sa = std::make_unique<Side>(a, lim, co);
    sb = std::make_unique<Side>(b, lim, co);
  }
  ~World() {
    sa.reset();
    sb.reset();
  }
  // Moves gRPC bytes and envelopes until everything settles.
  void drive() {
    for (int i = 0; i < 8; ++i) {
      sa->pump();
      sb->pump();
      net.settle();
    }
  }
  grpctest::Response& done(Side& s, int32_t sid) {
    drive();
    REQUIRE_MESSAGE(s.cl->done(sid), "call " << sid << " did not finish");
    return s.cl->resp(sid);
  }
};

template <class Resp>
Resp only(const grpctest::Response& r) {
  REQUIRE_MESSAGE(r.status() == 0, "status " << r.status() << " " << r.message());
  auto msgs = r.messages();
  REQUIRE(msgs.size() == 1);
  Resp out;
  REQUIRE(out.decode(msgs[0]));
  return out;
}

template <class Resp>
std::vector<Resp> all(const grpctest::Response& r) {
  std::vector<Resp> out;
  for (auto& m : r.messages()) REQUIRE(out.emplace_back().decode(m));
  return out;
}

// Acknowledges the DATA bytes the client received on `sid` since the last
// call (a client with a manual window; nghttp2 refuses over-acknowledging).
void ack_all(Client& cl, int32_t sid, size_t& acked) {
  const size_t have = cl.resp(sid).data.size();
  if (have > acked) cl.consume(sid, have - acked);
  acked = have;
}

void check_status(const grpctest::Response& r, Code code, const std::string& msg) {
  CHECK(r.status() == int(code));
  CHECK(r.message() == msg);
}

v1::Message text_message(const std::string& s, v1::MessageRole role = v1::MessageRole::MESSAGE_ROLE_USER) {
  return a2atest::text_message(s, role);
}

NS::SendTask::Request send_req(const std::string& peer, const std::string& text) {
  NS::SendTask::Request q;
  q.mutable_peer_id() = peer;
  q.message = text_message(text);
  q.metadata["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  return q;
}

}  // namespace

TEST_CASE("node service: GetNodeInfo, ListPeers and Discover answer from the host; reflection lists the service") {
  World w;
  w.sa->host.info.peer_id = w.a.text();
  w.sa->host.info.listen_addresses = {"/ip4/127.0.0.1/tcp/4001"};
  w.sa->host.info.connected_peers = 1;
  w.sa->host.info.version = "0.1.0";
  auto& p = w.sa->host.list.emplace_back();
  p.peer_id = w.b.text();
  p.addresses = {"/ip4/127.0.0.1/tcp/4002"};
  auto info = only<NS::GetNodeInfo::Response>(w.done(*w.sa, w.sa->unary<NS::GetNodeInfo>({})));
  REQUIRE(info.node_info);
  CHECK(*info.node_info == w.sa->host.info);
  auto peers = only<NS::ListPeers::Response>(w.done(*w.sa, w.sa->unary<NS::ListPeers>({})));
  CHECK(peers.peers == w.sa->host.list);

  check_status(w.done(*w.sa, w.sa->unary<NS::Discover>({})), Code::invalid_argument, "skill_id is required");
  NS::Discover::Request d;
  d.skill_id = "translate";
  check_status(w.done(*w.sa, w.sa->unary<NS::Discover>(d)), Code::unavailable, "anycast routing is not configured");
  CHECK(w.sa->eng->service_names() == std::vector<std::string>{"agentanycast.v1.NodeService"});
}

TEST_CASE("node service: SendTask argument checks and the routes that do not exist yet, with the original's messages") {
  World w;
  NS::SendTask::Request q;
  check_status(w.done(*w.sa, w.sa->unary<NS::SendTask>(q)), Code::invalid_argument, "message is required");
  q.message = text_message("hi");
  check_status(w.done(*w.sa, w.sa->unary<NS::SendTask>(q)), Code::invalid_argument,
               "target (peer_id, skill_id, or url) is required");
  q.mutable_skill_id() = "translate";
  check_status(w.done(*w.sa, w.sa->unary<NS::SendTask>(q)), Code::unavailable, "anycast routing is not configured");
  q.mutable_url() = "https://agent.example/a2a";
  check_status(w.done(*w.sa, w.sa->unary<NS::SendTask>(q)), Code::unavailable, "HTTP bridge is not configured");
  q.mutable_peer_id() = "";
  check_status(w.done(*w.sa, w.sa->unary<NS::SendTask>(q)), Code::invalid_argument, "peer_id is required");
  q.mutable_peer_id() = "not-a-peer";
  auto& r = w.done(*w.sa, w.sa->unary<NS::SendTask>(q));
  CHECK(r.status() == int(Code::invalid_argument));
  CHECK(r.message().rfind("invalid peer_id: ", 0) == 0);
  CHECK(w.a.engine->queued_total() == 0);
}

TEST_CASE("node service: a task end to end between two daemons: WORKING, then COMPLETED with two artifacts; GetTask has it all") {
  World w;
  int32_t in_sid = w.sb->stream<NS::SubscribeIncomingTasks>({});
  w.drive();
  CHECK_FALSE(w.sb->cl->done(in_sid));

  auto sent = only<NS::SendTask::Response>(w.done(*w.sa, w.sa->unary<NS::SendTask>(send_req(w.b.text(), "summarize"))));
  REQUIRE(sent.task);
  const std::string id = sent.task->task_id;
  CHECK(sent.task->status == S::TASK_STATUS_SUBMITTED);
  CHECK(sent.task->originator_peer_id == "local");
  REQUIRE(sent.task->messages.size() == 1);
  CHECK(sent.task->messages[0] == text_message("summarize"));

  NS::SubscribeTaskUpdates::Request sq;
  sq.task_id = id;
  int32_t up_sid = w.sa->stream<NS::SubscribeTaskUpdates>(sq);
  w.drive();

  // B's agent got the task, with A's peer id as originator.
  auto incoming = all<NS::SubscribeIncomingTasks::Response>(w.sb->cl->resp(in_sid));
  REQUIRE(incoming.size() == 1);
  REQUIRE(incoming[0].task);
  CHECK(incoming[0].task->task_id == id);
  CHECK(incoming[0].task->originator_peer_id == w.a.text());
  CHECK(incoming[0].task->status == S::TASK_STATUS_SUBMITTED);
  CHECK(incoming[0].task->messages == sent.task->messages);

  // CompleteTask before WORKING: the state machine refuses.
  NS::CompleteTask::Request cq;
  cq.task_id = id;
  check_status(w.done(*w.sb, w.sb->unary<NS::CompleteTask>(cq)), Code::failed_precondition,
               "invalid transition: SUBMITTED -> COMPLETED for task " + id);

  NS::UpdateTaskStatus::Request uq;
  uq.task_id = id;
  uq.status = S::TASK_STATUS_WORKING;
  CHECK(w.done(*w.sb, w.sb->unary<NS::UpdateTaskStatus>(uq)).status() == 0);
  cq.artifacts = {a2atest::text_artifact("one", "first"), a2atest::text_artifact("two", "second")};
  CHECK(w.done(*w.sb, w.sb->unary<NS::CompleteTask>(cq)).status() == 0);
  w.drive();

  auto ups = all<NS::SubscribeTaskUpdates::Response>(w.sa->cl->resp(up_sid));
  REQUIRE(ups.size() == 2);
  CHECK(ups[0].task_id == id);
  CHECK(ups[0].status == S::TASK_STATUS_WORKING);
  CHECK(ups[1].status == S::TASK_STATUS_COMPLETED);
  CHECK(ups[1].artifacts == cq.artifacts);
  CHECK_FALSE(w.sa->cl->done(up_sid));  // never ends on its own (as the original)

  NS::GetTask::Request gq;
  gq.task_id = id;
  auto got = only<NS::GetTask::Response>(w.done(*w.sa, w.sa->unary<NS::GetTask>(gq)));
  REQUIRE(got.task);
  CHECK(got.task->status == S::TASK_STATUS_COMPLETED);
  CHECK(got.task->messages == sent.task->messages);
  CHECK(got.task->artifacts == cq.artifacts);

  // The client goes away: its subscriptions are dropped.
  size_t subs = w.a.engine->subscriber_count();
  w.sa->cl->rst(up_sid);
  w.drive();
  CHECK(w.a.engine->subscriber_count() == subs - 1);
  w.sb->cl->rst(in_sid);
  w.drive();
  CHECK(w.b.engine->subscriber_count() == 0);
}

TEST_CASE("node service: FailTask and CancelTask reach the other daemon; task id checks") {
  World w;
  int32_t in_sid = w.sb->stream<NS::SubscribeIncomingTasks>({});
  auto t1 = only<NS::SendTask::Response>(w.done(*w.sa, w.sa->unary<NS::SendTask>(send_req(w.b.text(), "one"))));
  auto t2 = only<NS::SendTask::Response>(w.done(*w.sa, w.sa->unary<NS::SendTask>(send_req(w.b.text(), "two"))));
  w.drive();
  CHECK(all<NS::SubscribeIncomingTasks::Response>(w.sb->cl->resp(in_sid)).size() == 2);

  NS::UpdateTaskStatus::Request uq;
  uq.task_id = t1.task->task_id;
  uq.status = S::TASK_STATUS_WORKING;
  CHECK(w.done(*w.sb, w.sb->unary<NS::UpdateTaskStatus>(uq)).status() == 0);
  NS::FailTask::Request fq;
  fq.task_id = t1.task->task_id;
  fq.error_message = "model overloaded";
  CHECK(w.done(*w.sb, w.sb->unary<NS::FailTask>(fq)).status() == 0);
  check_status(w.done(*w.sb, w.sb->unary<NS::FailTask>(fq)), Code::failed_precondition,
               "task " + fq.task_id + " is in terminal state FAILED");
  NS::GetTask::Request gq;
  gq.task_id = t1.task->task_id;
  CHECK(only<NS::GetTask::Response>(w.done(*w.sa, w.sa->unary<NS::GetTask>(gq))).task->status ==
        S::TASK_STATUS_FAILED);

  // The client cancels task two: CANCELED here and on B.
  NS::CancelTask::Request cq;
  cq.task_id = t2.task->task_id;
  auto c = only<NS::CancelTask::Response>(w.done(*w.sa, w.sa->unary<NS::CancelTask>(cq)));
  REQUIRE(c.task);
  CHECK(c.task->status == S::TASK_STATUS_CANCELED);
  w.drive();
  gq.task_id = t2.task->task_id;
  CHECK(only<NS::GetTask::Response>(w.done(*w.sb, w.sb->unary<NS::GetTask>(gq))).task->status ==
        S::TASK_STATUS_CANCELED);
  check_status(w.done(*w.sa, w.sa->unary<NS::CancelTask>(cq)), Code::failed_precondition,
               "task " + cq.task_id + " is in terminal state CANCELED");

  check_status(w.done(*w.sa, w.sa->unary<NS::GetTask>({})), Code::invalid_argument, "task_id is required");
  check_status(w.done(*w.sa, w.sa->unary<NS::CancelTask>({})), Code::invalid_argument, "task_id is required");
  check_status(w.done(*w.sa, w.sa->unary<NS::UpdateTaskStatus>({})), Code::invalid_argument, "task_id is required");
  check_status(w.done(*w.sa, w.sa->unary<NS::CompleteTask>({})), Code::invalid_argument, "task_id is required");
  check_status(w.done(*w.sa, w.sa->unary<NS::FailTask>({})), Code::invalid_argument, "task_id is required");
  check_status(w.done(*w.sa, w.sa->stream<NS::SubscribeTaskUpdates>({})), Code::invalid_argument,
               "task_id is required");
  gq.task_id = "nope";
  check_status(w.done(*w.sa, w.sa->unary<NS::GetTask>(gq)), Code::not_found, "task not found: nope");
  NS::SubscribeTaskUpdates::Request sq;
  sq.task_id = "nope";
  check_status(w.done(*w.sa, w.sa->stream<NS::SubscribeTaskUpdates>(sq)), Code::not_found, "task not found: nope");
  fq.task_id = "nope";
  check_status(w.done(*w.sb, w.sb->unary<NS::FailTask>(fq)), Code::failed_precondition, "task not found: nope");
  // A client may not drive the status of a task it sent away.
  uq.task_id = t2.task->task_id;
  auto& r = w.done(*w.sa, w.sa->unary<NS::UpdateTaskStatus>(uq));
  CHECK(r.status() == int(Code::failed_precondition));
}

TEST_CASE("node service: SetAgentCard forces our peer id; GetPeerCard answers the card a peer sent, NOT_FOUND before") {
  World w;
  check_status(w.done(*w.sb, w.sb->unary<NS::SetAgentCard>({})), Code::invalid_argument, "card is required");
  NS::SetAgentCard::Request sq;
  auto& card = sq.card.emplace();
  card.name = "echo agent";
  card.protocol_version = "a2a/0.3";
  card.skills.emplace_back().id = "echo";
  card.p2p_extension.emplace().peer_id = "someone else";
  CHECK(w.done(*w.sb, w.sb->unary<NS::SetAgentCard>(sq)).status() == 0);
  REQUIRE(w.b.engine->card());
  CHECK(w.b.engine->card()->p2p_extension->peer_id == w.b.text());
  CHECK(w.b.transport.card_pushes == 1);

  NS::GetPeerCard::Request gq;
  check_status(w.done(*w.sa, w.sa->unary<NS::GetPeerCard>(gq)), Code::invalid_argument, "peer_id is required");
  gq.peer_id = w.b.text();
  check_status(w.done(*w.sa, w.sa->unary<NS::GetPeerCard>(gq)), Code::not_found, "no card for peer " + w.b.text());
  // What the card protocol would deliver.
  w.a.engine->on_card_received(w.b.id, *w.b.engine->card());
  auto got = only<NS::GetPeerCard::Response>(w.done(*w.sa, w.sa->unary<NS::GetPeerCard>(gq)));
  REQUIRE(got.card);
  CHECK(got.card->name == "echo agent");
  CHECK(got.card->p2p_extension->peer_id == w.b.text());
}

TEST_CASE("node service: ConnectPeer checks its arguments, dials through the host, answers UNAVAILABLE on failure") {
  World w;
  check_status(w.done(*w.sa, w.sa->unary<NS::ConnectPeer>({})), Code::invalid_argument, "peer_id is required");
  NS::ConnectPeer::Request q;
  q.peer_id = "xyz";
  auto& bad = w.done(*w.sa, w.sa->unary<NS::ConnectPeer>(q));
  CHECK(bad.status() == int(Code::invalid_argument));
  CHECK(bad.message().rfind("invalid peer_id: ", 0) == 0);

  q.peer_id = w.b.text();
  q.addresses = {"/ip4/127.0.0.1/tcp/4002", "garbage", "/ip4/127.0.0.1/tcp/4003/p2p/" + w.b.text()};
  int32_t ok_sid = w.sa->unary<NS::ConnectPeer>(q);
  int32_t bad_sid = w.sa->unary<NS::ConnectPeer>(q);
  w.drive();
  REQUIRE(w.sa->host.dials.size() == 2);
  CHECK(w.sa->host.dials[0].peer == w.b.id);
  CHECK(w.sa->host.dials[0].addrs.size() == 2);  // the invalid one skipped, as the original
  CHECK_FALSE(w.sa->cl->done(ok_sid));
  auto& pi = w.sa->host.list.emplace_back();
  pi.peer_id = w.b.text();
  pi.addresses = {"/ip4/127.0.0.1/tcp/4002"};
  w.sa->host.dials[0].done({});
  w.sa->host.dials[1].done(net::Error{net::Err::timeout, "dial " + w.b.text() + ": timed out"});
  auto resp = only<NS::ConnectPeer::Response>(w.done(*w.sa, ok_sid));
  REQUIRE(resp.peer_info);
  CHECK(resp.peer_info->peer_id == w.b.text());
  CHECK(resp.peer_info->addresses == pi.addresses);
  CHECK(resp.peer_info->connected_at);
  check_status(w.done(*w.sa, bad_sid), Code::unavailable,
               "connect to peer " + w.b.text() + ": dial " + w.b.text() + ": timed out");
}

TEST_CASE("node service: a subscriber that does not read is ended with RESOURCE_EXHAUSTED after an unbroken prefix") {
  a2atest::Net net;
  a2atest::Node& a = net.add();
  a.crash();
  a.limits.subscriber_queue_events = 8;
  a.start(net.clock);
  Limits lim;
  lim.stream_out_high_water = 1024;
  lim.stream_out_low_water = 256;
  // The agent's client reads everything; the task client never acknowledges data.
  Side agent(a, lim);
  Side client(a, lim, Client::Options{.manual_window = true, .initial_window = 4096});
  auto drive = [&] {
    for (int i = 0; i < 4; ++i) {
      agent.pump();
      client.pump();
      net.settle();
    }
  };
  int32_t in_sid = agent.stream<NS::SubscribeIncomingTasks>({});
  int32_t send_sid = client.unary<NS::SendTask>(send_req(a.text(), "to myself"));
  drive();
  auto t = only<NS::SendTask::Response>(client.cl->resp(send_sid));
  const std::string id = t.task->task_id;
  CHECK(all<NS::SubscribeIncomingTasks::Response>(agent.cl->resp(in_sid)).size() == 1);
  NS::SubscribeTaskUpdates::Request sq;
  sq.task_id = id;
  int32_t up_sid = client.stream<NS::SubscribeTaskUpdates>(sq);
  drive();
  // WORKING <-> INPUT_REQUIRED, each with a 500-byte message.
  int n = 0;
  for (; n < 200 && a.engine->stats().subscribers_ended == 0; ++n) {
    NS::UpdateTaskStatus::Request uq;
    uq.task_id = id;
    uq.status = n % 2 == 0 ? S::TASK_STATUS_WORKING : S::TASK_STATUS_INPUT_REQUIRED;
    uq.message = text_message(std::string(500, char('a' + n % 26)), v1::MessageRole::MESSAGE_ROLE_AGENT);
    int32_t sid = agent.unary<NS::UpdateTaskStatus>(uq);
    drive();
    REQUIRE(agent.cl->resp(sid).status() == 0);
    CHECK_FALSE(client.cl->done(up_sid));  // its window is shut: nothing more reaches it
  }
  CHECK(n < 200);
  CHECK(a.engine->stats().subscribers_ended >= 1);
  // The client opens its window and reads everything the server queued.
  size_t acked = 0;
  for (int i = 0; i < 200 && !client.cl->done(up_sid); ++i) {
    ack_all(*client.cl, up_sid, acked);
    client.pump();
  }
  auto& r = client.cl->resp(up_sid);
  REQUIRE(r.closed);
  check_status(r, Code::resource_exhausted, "subscriber too slow: 8 events queued");
  auto ups = all<NS::SubscribeTaskUpdates::Response>(r);
  REQUIRE(ups.size() >= 2);
  CHECK(size_t(n) > ups.size());  // it fell behind ...
  for (size_t i = 0; i < ups.size(); ++i)  // ... and what it got has no hole
    CHECK(ups[i].status == (i % 2 == 0 ? S::TASK_STATUS_WORKING : S::TASK_STATUS_INPUT_REQUIRED));
  CHECK(a.engine->subscriber_count() == 1);  // the agent's incoming subscription
}

TEST_CASE("node service: SendStreamingArtifact to a local task reaches SubscribeTaskStream in order; errors end the upload") {
  World w;
  int32_t in_sid = w.sa->stream<NS::SubscribeIncomingTasks>({});
  auto t = only<NS::SendTask::Response>(w.done(*w.sa, w.sa->unary<NS::SendTask>(send_req(w.a.text(), "stream me"))));
  const std::string id = t.task->task_id;
  w.drive();
  CHECK(all<NS::SubscribeIncomingTasks::Response>(w.sa->cl->resp(in_sid)).size() == 1);
  NS::SubscribeTaskStream::Request sq;
  sq.task_id = id;
  int32_t sub = w.sa->stream<NS::SubscribeTaskStream>(sq);
  w.drive();

  int32_t up = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  NS::SendStreamingArtifact::Request ev;
  auto& st = ev.mutable_stream_start();
  st.task_id = id;
  st.artifact_id = "art-1";
  st.artifact_name = "report.txt";
  w.sa->cl->send_message(up, ev.encode());
  constexpr int kChunks = 40;
  for (int i = 0; i < kChunks; ++i) {
    NS::SendStreamingArtifact::Request c;
    auto& ch = c.mutable_stream_chunk();
    ch.task_id = id;
    ch.artifact_id = "art-1";
    ch.sequence = i;
    ch.data = net::Bytes(1000, uint8_t(i));
    ch.is_last = i == kChunks - 1;
    w.sa->cl->send_message(up, c.encode());
  }
  NS::SendStreamingArtifact::Request e;
  auto& en = e.mutable_stream_end();
  en.task_id = id;
  en.artifact_id = "art-1";
  en.reason = v1::StreamEndReason::STREAM_END_REASON_COMPLETE;
  w.sa->cl->send_message(up, e.encode(), true);
  auto& ur = w.done(*w.sa, up);
  CHECK(ur.status() == 0);
  CHECK(ur.messages().size() == 1);
  CHECK(w.sa->svc->open_uploads() == 0);
  auto evs = all<NS::SubscribeTaskStream::Response>(w.sa->cl->resp(sub));
  REQUIRE(evs.size() == kChunks + 2);
  CHECK(evs.front().event_case == NS::SubscribeTaskStream::Response::EventCase::stream_start);
  CHECK(evs.front().stream_start.artifact_name == "report.txt");
  for (int i = 0; i < kChunks; ++i) {
    REQUIRE(evs[i + 1].event_case == NS::SubscribeTaskStream::Response::EventCase::stream_chunk);
    CHECK(evs[i + 1].stream_chunk.sequence == i);
    CHECK(evs[i + 1].stream_chunk.data == net::Bytes(1000, uint8_t(i)));
  }
  CHECK(evs.back().event_case == NS::SubscribeTaskStream::Response::EventCase::stream_end);

  // A chunk without a start: the engine's error ends the call.
  int32_t bad = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  NS::SendStreamingArtifact::Request c;
  c.mutable_stream_chunk().task_id = id;
  w.sa->cl->send_message(bad, c.encode());
  check_status(w.done(*w.sa, bad), Code::failed_precondition, "no active stream for task " + id);
  CHECK(w.sa->svc->open_uploads() == 0);
  // An event with nothing set.
  int32_t empty = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  w.sa->cl->send_message(empty, {});
  check_status(w.done(*w.sa, empty), Code::invalid_argument, "event is required");
  // A message that does not decode ends the call and the upload (fuzz-found:
  // the upload outlived its call).
  int32_t garbled = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  w.sa->cl->send_message(garbled, net::Bytes{0x0a, 0x05});
  auto& gr = w.done(*w.sa, garbled);
  CHECK(gr.status() == int(Code::internal));
  CHECK(gr.message().rfind("grpc: error unmarshalling request: ", 0) == 0);
  CHECK(w.sa->svc->open_uploads() == 0);
  // A client that cancels mid-artifact: the subscriber sees the end (CANCELED).
  int32_t gone = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  st.artifact_id = "art-2";
  w.sa->cl->send_message(gone, ev.encode());
  w.drive();
  CHECK(w.sa->svc->open_uploads() == 1);
  w.sa->cl->rst(gone);
  w.drive();
  CHECK(w.sa->svc->open_uploads() == 0);
  evs = all<NS::SubscribeTaskStream::Response>(w.sa->cl->resp(sub));
  REQUIRE(evs.back().event_case == NS::SubscribeTaskStream::Response::EventCase::stream_end);
  CHECK(evs.back().stream_end.artifact_id == "art-2");
  CHECK(evs.back().stream_end.reason == v1::StreamEndReason::STREAM_END_REASON_CANCELED);
  check_status(w.done(*w.sa, w.sa->stream<NS::SubscribeTaskStream>({})), Code::invalid_argument,
               "task_id is required");
}

TEST_CASE("node service: a slow stream subscriber pauses the upload (flow control), nothing is lost") {
  Limits lim;
  lim.stream_out_high_water = 4096;
  lim.stream_out_low_water = 1024;
  World w(lim);
  int32_t in_sid = w.sa->stream<NS::SubscribeIncomingTasks>({});
  auto t = only<NS::SendTask::Response>(w.done(*w.sa, w.sa->unary<NS::SendTask>(send_req(w.a.text(), "big"))));
  const std::string id = t.task->task_id;
  (void)in_sid;
  // The subscriber: a second client of A whose window stays shut until it reads.
  Side reader(w.a, lim, Client::Options{.manual_window = true, .initial_window = 8192});
  NS::SubscribeTaskStream::Request sq;
  sq.task_id = id;
  int32_t sub = reader.stream<NS::SubscribeTaskStream>(sq);
  reader.pump();
  w.drive();

  int32_t up = w.sa->cl->start(std::string(NS::SendStreamingArtifact::kPath));
  NS::SendStreamingArtifact::Request ev;
  ev.mutable_stream_start().task_id = id;
  ev.stream_start.artifact_id = "big";
  w.sa->cl->send_message(up, ev.encode());
  constexpr int kChunks = 200;
  for (int i = 0; i < kChunks; ++i) {
    NS::SendStreamingArtifact::Request c;
    c.mutable_stream_chunk().task_id = id;
    c.stream_chunk.artifact_id = "big";
    c.stream_chunk.sequence = i;
    c.stream_chunk.data = net::Bytes(2000, uint8_t(i));
    w.sa->cl->send_message(up, c.encode());
  }
  NS::SendStreamingArtifact::Request e;
  e.mutable_stream_end().task_id = id;
  e.stream_end.artifact_id = "big";
  w.sa->cl->send_message(up, e.encode(), true);
  for (int i = 0; i < 4; ++i) {
    w.drive();
    reader.pump();
  }
  // Stuck: the reader's window is shut, so the upload stopped reading.
  CHECK_FALSE(w.sa->cl->done(up));
  CHECK(w.sa->svc->stats().upload_pauses >= 1);
  CHECK(w.a.engine->stream_bytes_buffered() < 64 * 1024);
  // The reader reads: everything arrives, in order.
  size_t acked = 0;
  for (int i = 0; i < 2000 && !w.sa->cl->done(up); ++i) {
    ack_all(*reader.cl, sub, acked);
    reader.pump();
    w.drive();
    reader.pump();
  }
  CHECK(w.sa->cl->resp(up).status() == 0);
  for (int i = 0; i < 20; ++i) {
    ack_all(*reader.cl, sub, acked);
    reader.pump();
  }
  auto evs = all<NS::SubscribeTaskStream::Response>(reader.cl->resp(sub));
  REQUIRE(evs.size() == kChunks + 2);
  for (int i = 0; i < kChunks; ++i) CHECK(evs[i + 1].stream_chunk.sequence == i);
}
