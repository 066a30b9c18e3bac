// frontends/grpc/node_service.cpp — see node_service.hpp.
#include "frontends/grpc/node_service.hpp"

#include <utility>

namespace frontends::grpc {

Code to_code(a2a::ApiCode c) {
  const auto n = static_cast<int32_t>(c);
  if (n < 0 || n >= kCodeCount) return Code::unknown;
  return static_cast<Code>(n);  // the engine uses gRPC's numbers (api_status.hpp)
}

Status to_status(const a2a::ApiError& e) { return {to_code(e.code), e.message}; }

namespace {

a2a::Flow to_a2a(Flow f) {
  switch (f) {
    case Flow::ready: return a2a::Flow::ready;
    case Flow::blocked: return a2a::Flow::blocked;
    case Flow::full: return a2a::Flow::full;
    case Flow::closed: break;
  }
  return a2a::Flow::closed;
}

}  // namespace

NodeService::NodeService(a2a::Engine& engine, NodeHost& host, net::Log* log)
    : engine_(engine), host_(host), log_(log) {}

NodeService::~NodeService() {
  // Calls still uploading: their writers go (an open artifact ends CANCELED).
  for (auto& [key, u] : uploads_) engine_.close_artifact_writer(u.writer, true);
}

void NodeService::register_into(Engine& eng) {
  eng.register_unary<NS::GetNodeInfo>([this](NS::GetNodeInfo::Request&&, Responder<NS::GetNodeInfo> r) {
    get_node_info(std::move(r));
  });
  eng.register_unary<NS::SetAgentCard>([this](NS::SetAgentCard::Request&& q, Responder<NS::SetAgentCard> r) {
    set_agent_card(std::move(q), std::move(r));
  });
  eng.register_unary<NS::ConnectPeer>([this](NS::ConnectPeer::Request&& q, Responder<NS::ConnectPeer> r) {
    connect_peer(std::move(q), std::move(r));
  });
  eng.register_unary<NS::ListPeers>([this](NS::ListPeers::Request&&, Responder<NS::ListPeers> r) {
    list_peers(std::move(r));
  });
  eng.register_unary<NS::GetPeerCard>([this](NS::GetPeerCard::Request&& q, Responder<NS::GetPeerCard> r) {
    get_peer_card(std::move(q), std::move(r));
  });
  eng.register_unary<NS::SendTask>([this](NS::SendTask::Request&& q, Responder<NS::SendTask> r) {
    send_task(std::move(q), std::move(r));
  });
  eng.register_unary<NS::GetTask>([this](NS::GetTask::Request&& q, Responder<NS::GetTask> r) {
    get_task(std::move(q), std::move(r));
  });
  eng.register_unary<NS::CancelTask>([this](NS::CancelTask::Request&& q, Responder<NS::CancelTask> r) {
    cancel_task(std::move(q), std::move(r));
  });
  eng.register_server_streaming<NS::SubscribeTaskUpdates>(
      [this](NS::SubscribeTaskUpdates::Request&& q, ServerWriter<NS::SubscribeTaskUpdates> w) {
        subscribe(std::move(w), [this, &q](a2a::Sink<a2a::TaskUpdate> s) {
          return engine_.subscribe_updates(q.task_id, std::move(s));
        });
      });
  eng.register_server_streaming<NS::SubscribeIncomingTasks>(
      [this](NS::SubscribeIncomingTasks::Request&&, ServerWriter<NS::SubscribeIncomingTasks> w) {
        subscribe(std::move(w),
                  [this](a2a::Sink<a2a::IncomingTask> s) { return engine_.subscribe_incoming(std::move(s)); });
      });
  eng.register_unary<NS::UpdateTaskStatus>(
      [this](NS::UpdateTaskStatus::Request&& q, Responder<NS::UpdateTaskStatus> r) {
        update_task_status(std::move(q), std::move(r));
      });
  eng.register_unary<NS::CompleteTask>([this](NS::CompleteTask::Request&& q, Responder<NS::CompleteTask> r) {
    complete_task(std::move(q), std::move(r));
  });
  eng.register_unary<NS::FailTask>([this](NS::FailTask::Request&& q, Responder<NS::FailTask> r) {
    fail_task(std::move(q), std::move(r));
  });
  eng.register_server_streaming<NS::SubscribeTaskStream>(
      [this](NS::SubscribeTaskStream::Request&& q, ServerWriter<NS::SubscribeTaskStream> w) {
        subscribe(std::move(w), [this, &q](a2a::Sink<a2a::StreamEvent> s) {
          return engine_.subscribe_stream(q.task_id, std::move(s));
        });
      });
  eng.register_client_streaming<NS::SendStreamingArtifact>(
      [this](ClientReader<NS::SendStreamingArtifact> r) { send_streaming_artifact(std::move(r)); });
  eng.register_unary<NS::Discover>([this](NS::Discover::Request&& q, Responder<NS::Discover> r) {
    discover(std::move(q), std::move(r));
  });
}

// ---- node and peers ----

void NodeService::get_node_info(Responder<NS::GetNodeInfo> r) {
  NS::GetNodeInfo::Response resp;
  resp.node_info = host_.node_info();
  r.reply(resp);
}

void NodeService::set_agent_card(NS::SetAgentCard::Request&& req, Responder<NS::SetAgentCard> r) {
  if (!req.card) return r.fail(Code::invalid_argument, "card is required");
  engine_.set_card(std::move(*req.card), [r = std::move(r)](a2a::ApiResult<a2a::AgentCard> res) mutable {
    if (!res) return r.finish(to_status(res.error()));
    r.reply({});
  });
}

void NodeService::connect_peer(NS::ConnectPeer::Request&& req, Responder<NS::ConnectPeer> r) {
  if (req.peer_id.empty()) return r.fail(Code::invalid_argument, "peer_id is required");
  auto pid = p2p::PeerId::parse(req.peer_id);
  if (!pid) return r.fail(Code::invalid_argument, "invalid peer_id: " + pid.what());
  std::vector<p2p::Multiaddr> addrs;
  for (const auto& a : req.addresses) {
    auto ma = p2p::Multiaddr::parse(a);
    if (!ma) {  // skipped, as the original
      AAC_LOG(log_, warn, "grpc", "ConnectPeer: invalid address skipped", {{"error", ma.what()}});
      continue;
    }
    addrs.push_back(ma.take());
  }
  p2p::PeerId peer = pid.take();
  host_.connect(peer, std::move(addrs), [this, peer, r = std::move(r)](net::Status st) mutable {
    if (!st) return r.fail(Code::unavailable, "connect to peer " + peer.to_base58() + ": " + st.what());
    NS::ConnectPeer::Response resp;
    // The original answered peer_id + connected_at; the connection's
    // address and type come along when we know them.
    for (auto& p : host_.peers())
      if (p.peer_id == peer.to_base58()) resp.peer_info = std::move(p);
    if (!resp.peer_info) resp.peer_info.emplace().peer_id = peer.to_base58();
    if (!resp.peer_info->connected_at)
      resp.peer_info->connected_at = a2a::timestamp_from_unix_ns(static_cast<int64_t>(net::unix_now_ns()));
    r.reply(resp);
  });
}

void NodeService::list_peers(Responder<NS::ListPeers> r) {
  NS::ListPeers::Response resp;
  resp.peers = host_.peers();
  r.reply(resp);
}

void NodeService::get_peer_card(NS::GetPeerCard::Request&& req, Responder<NS::GetPeerCard> r) {
  auto card = engine_.peer_card(req.peer_id);
  if (!card) return r.finish(to_status(card.error()));
  NS::GetPeerCard::Response resp;
  resp.card = card.take();
  r.reply(resp);
}

// ---- tasks, client side ----

void NodeService::send_task(NS::SendTask::Request&& req, Responder<NS::SendTask> r) {
  using TC = NS::SendTask::Request::TargetCase;
  if (!req.message) return r.fail(Code::invalid_argument, "message is required");
  switch (req.target_case) {
    case TC::peer_id:
      break;
    case TC::skill_id:
      // Anycast routing (registry / DHT) is a later issue; say so, as the
      // original did when it was not configured.
      return r.fail(Code::unavailable, "anycast routing is not configured");
    case TC::url: {
      if (!url_sender_) return r.fail(Code::unavailable, "HTTP bridge is not configured");
      a2a::SendTaskArgs args;
      args.message = std::move(*req.message);
      args.metadata = std::move(req.metadata);
      return url_sender_(std::move(req.url), std::move(args),
                         [this, r = std::move(r)](a2a::ApiResult<a2a::Task> res) mutable {
                           if (!res) return r.finish(to_status(res.error()));
                           ++stats_.tasks_sent;
                           NS::SendTask::Response resp;
                           resp.task = res.take();
                           r.reply(resp);
                         });
    }
    case TC::none:
    default:
      return r.fail(Code::invalid_argument, "target (peer_id, skill_id, or url) is required");
  }
  a2a::SendTaskArgs args;
  args.peer_id = std::move(req.peer_id);
  args.message = std::move(*req.message);
  args.metadata = std::move(req.metadata);
  engine_.send_task(std::move(args), [this, r = std::move(r)](a2a::ApiResult<a2a::Task> res) mutable {
    if (!res) return r.finish(to_status(res.error()));
    ++stats_.tasks_sent;
    NS::SendTask::Response resp;
    resp.task = res.take();
    r.reply(resp);
  });
}

void NodeService::get_task(NS::GetTask::Request&& req, Responder<NS::GetTask> r) {
  auto t = engine_.get_task(req.task_id);
  if (!t) return r.finish(to_status(t.error()));
  NS::GetTask::Response resp;
  resp.task = t.take();
  r.reply(resp);
}

void NodeService::cancel_task(NS::CancelTask::Request&& req, Responder<NS::CancelTask> r) {
  engine_.cancel_task(req.task_id, [r = std::move(r)](a2a::ApiResult<a2a::Task> res) mutable {
    if (!res) return r.finish(to_status(res.error()));
    NS::CancelTask::Response resp;
    resp.task = res.take();
    r.reply(resp);
  });
}

// ---- tasks, agent side ----

namespace {
template <class M>
a2a::Reply<void> empty_reply(Responder<M> r) {
  return [r = std::move(r)](a2a::ApiStatus st) mutable {
    if (!st) return r.finish(to_status(st.error()));
    r.reply({});
  };
}
}  // namespace

void NodeService::update_task_status(NS::UpdateTaskStatus::Request&& req, Responder<NS::UpdateTaskStatus> r) {
  engine_.update_status(req.task_id, req.status, std::move(req.message), empty_reply(std::move(r)));
}

void NodeService::complete_task(NS::CompleteTask::Request&& req, Responder<NS::CompleteTask> r) {
  engine_.complete_task(req.task_id, std::move(req.artifacts), std::move(req.message), empty_reply(std::move(r)));
}

void NodeService::fail_task(NS::FailTask::Request&& req, Responder<NS::FailTask> r) {
  engine_.fail_task(req.task_id, std::move(req.error_message), empty_reply(std::move(r)));
}

void NodeService::discover(NS::Discover::Request&& req, Responder<NS::Discover> r) {
  if (req.skill_id.empty()) return r.fail(Code::invalid_argument, "skill_id is required");
  r.fail(Code::unavailable, "anycast routing is not configured");
}

// ---- server streams ----

// One engine subscription per call. The sink holds the call: events are
// written as the client's window allows (blocked / full pause the
// subscriber's queue until on_writable); the engine ends a subscriber that
// falls too far behind with RESOURCE_EXHAUSTED instead of dropping events.
template <class M, class Subscribe>
void NodeService::subscribe(ServerWriter<M> w, Subscribe&& sub) {
  using E = typename M::Response;
  a2a::Sink<E> sink;
  sink.deliver = [c = w.call()](const E& ev) mutable { return to_a2a(c.write_message(ev)); };
  sink.end = [this, c = w.call()](const a2a::ApiError& e) mutable {
    ++stats_.subscribers_ended;
    c.finish(to_status(e));
  };
  auto id = sub(std::move(sink));
  if (!id) return w.finish(to_status(id.error()));
  ++stats_.subscriptions;
  const a2a::SubId sid = *id;
  w.on_cancel([this, sid](const Status&) { engine_.unsubscribe(sid); });
  w.on_writable([this, sid] { engine_.resume(sid); });
}

// ---- client stream: SendStreamingArtifact ----

void NodeService::send_streaming_artifact(ClientReader<NS::SendStreamingArtifact> r) {
  // Our own key for the upload: the engine's on_writable hook is made
  // before the writer id exists. Reading resumes from it (deferred by the
  // gRPC engine, so never re-entrant).
  const uint64_t key = next_upload_++;
  auto w = engine_.open_artifact_writer([this, key] { on_upload_writable(key); });
  if (!w) return r.call().finish(to_status(w.error()));
  ++stats_.uploads;
  // Messages are delivered from a later event, never inside on_message().
  // Raw bytes, decoded here: a request that does not decode ends the call
  // and the upload together (the typed hook would end only the call).
  r.call().on_message([this, key](net::BytesView b) {
    NS::SendStreamingArtifact::Request req;
    if (auto st = req.decode(b); !st) return fail_upload(key, {Code::internal, unmarshal_error(st.what())});
    on_upload_message(key, std::move(req));
  });
  r.on_end([this, key] { end_upload(key, false); });
  r.on_cancel([this, key](const Status&) { end_upload(key, true); });
  uploads_.emplace(key, Upload{std::move(r), *w, false});
}

void NodeService::on_upload_message(uint64_t key, NS::SendStreamingArtifact::Request&& req) {
  auto it = uploads_.find(key);
  if (it == uploads_.end()) return;
  auto res = engine_.write_artifact(it->second.writer, std::move(req));
  Status err;
  if (!res) {
    err = to_status(res.error());
  } else {
    switch (*res) {
      case a2a::Flow::ready:
        return;
      case a2a::Flow::blocked:
        it->second.paused = true;
        ++stats_.upload_pauses;
        it->second.reader.pause();
        return;
      case a2a::Flow::full:    // written while blocked: we never do (we pause first)
      case a2a::Flow::closed:  // the writer went away under us
        err = {Code::internal, "artifact writer refused an event"};
        break;
    }
  }
  fail_upload(key, std::move(err));
}

void NodeService::fail_upload(uint64_t key, Status st) {
  auto it = uploads_.find(key);
  if (it == uploads_.end()) return;
  Upload u = std::move(it->second);
  uploads_.erase(it);
  engine_.close_artifact_writer(u.writer, true);
  u.reader.call().finish(std::move(st));
}

void NodeService::on_upload_writable(uint64_t key) {
  auto it = uploads_.find(key);
  if (it == uploads_.end() || !it->second.paused) return;
  it->second.paused = false;
  it->second.reader.resume();
}

void NodeService::end_upload(uint64_t key, bool aborted) {
  auto it = uploads_.find(key);
  if (it == uploads_.end()) return;
  Upload u = std::move(it->second);
  uploads_.erase(it);
  engine_.close_artifact_writer(u.writer, aborted);
  // At the client's half-close: the response (empty, as the original).
  if (!aborted) u.reader.reply({});
}

}  // namespace frontends::grpc
