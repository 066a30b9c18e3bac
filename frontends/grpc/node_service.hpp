// frontends/grpc/node_service.hpp — agentanycast.v1.NodeService, the API the
// original's Python and TypeScript SDKs speak (upstream.md §1.1, §1.4),
// mapped onto a2a::Engine (tasks, cards, subscriptions, artifact streams)
// and a NodeHost (the libp2p side: node info, peers, dialing).
//
// The 16 RPCs and what they answer besides OK (messages are the original's
// where it had one; the a2a engine's otherwise, see a2a/engine.hpp):
//   GetNodeInfo            -
//   SetAgentCard           INVALID_ARGUMENT "card is required"
//   ConnectPeer            INVALID_ARGUMENT "peer_id is required", "invalid peer_id: ...";
//                          UNAVAILABLE "connect to peer <id>: <why>"
//   ListPeers              -
//   GetPeerCard            INVALID_ARGUMENT; NOT_FOUND "no card for peer <id>"
//   SendTask               INVALID_ARGUMENT "message is required",
//                          "target (peer_id, skill_id, or url) is required", "invalid peer_id: ...";
//                          UNAVAILABLE "anycast routing is not configured" (skill_id),
//                          "HTTP bridge is not configured" (url, without set_url_sender);
//                          url: INVALID_ARGUMENT "url: ...", RESOURCE_EXHAUSTED (url_router.hpp)
//   GetTask / CancelTask   INVALID_ARGUMENT "task_id is required"; NOT_FOUND "task not found: <id>";
//                          CancelTask: FAILED_PRECONDITION (illegal transition)
//   UpdateTaskStatus, CompleteTask, FailTask
//                          INVALID_ARGUMENT; FAILED_PRECONDITION (state machine, unknown task)
//   SubscribeTaskUpdates   server streaming; INVALID_ARGUMENT, NOT_FOUND; never ends on its own;
//                          RESOURCE_EXHAUSTED "subscriber too slow: ..." when the client falls
//                          too far behind (never a hole in the sequence); UNAVAILABLE at shutdown
//   SubscribeIncomingTasks server streaming; same end conditions
//   SubscribeTaskStream    server streaming; INVALID_ARGUMENT; RESOURCE_EXHAUSTED (stalled)
//   SendStreamingArtifact  client streaming; the engine's errors end the call; a blocked
//                          writer pauses reading (HTTP/2 flow control reaches the client)
//   Discover               INVALID_ARGUMENT "skill_id is required";
//                          UNAVAILABLE "anycast routing is not configured"
//
// Lifetime: the a2a::Engine, the NodeHost and this object must outlive the
// gRPC Engine they are registered into (its destructor runs cancel hooks
// that unsubscribe from the a2a engine). Everything runs on one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "a2a/engine.hpp"
#include "frontends/grpc/grpc_engine.hpp"
#include "net/log.hpp"
#include "net/result.hpp"
#include "net/small_function.hpp"
#include "p2p/multiaddr/multiaddr.hpp"
#include "p2p/peer_id.hpp"
#include "proto/agentanycast/v1/node_service.pb.hpp"

namespace frontends::grpc {

namespace v1 = pb::agentanycast::v1;

// The libp2p side of the node, as NodeService needs it. NodeHostP2p
// (node_host_p2p.hpp) implements it over p2p::Host; tests fake it.
class NodeHost {
 public:
  virtual ~NodeHost() = default;
  // peer_id, listen_addresses (no /p2p suffix), connected_peers,
  // started_at, version.
  virtual v1::NodeInfo node_info() const = 0;
  // One entry per connected peer: peer_id, addresses = [the remote address
  // of its first connection], connection_type, connected_at.
  virtual std::vector<v1::PeerInfo> peers() const = 0;
  // Connects to `peer` (the peer store's addresses plus `addrs`), then
  // starts the card exchange. `done` runs later, never inside the call, with
  // the dial's outcome.
  virtual void connect(const p2p::PeerId& peer, std::vector<p2p::Multiaddr> addrs,
                       net::SmallFn<void(net::Status)> done) = 0;
};

struct NodeServiceStats {
  uint64_t tasks_sent = 0;        // SendTask answered OK
  uint64_t subscriptions = 0;     // server streams started (all three kinds)
  uint64_t subscribers_ended = 0; // ended by the engine (RESOURCE_EXHAUSTED, shutdown)
  uint64_t uploads = 0;           // SendStreamingArtifact calls
  uint64_t upload_pauses = 0;     // times an upload stopped reading (back-pressure)
};

class NodeService {
 public:
  NodeService(a2a::Engine& engine, NodeHost& host, net::Log* log = nullptr);
  ~NodeService();
  NodeService(const NodeService&) = delete;
  NodeService& operator=(const NodeService&) = delete;

  // Adds the 16 methods to `eng`.
  void register_into(Engine& eng);

  const NodeServiceStats& stats() const { return stats_; }
  size_t open_uploads() const { return uploads_.size(); }

  // SendTask{url}: the outbound A2A client (frontends/a2a_client/url_router.hpp)
  // gets the url and the task. Unset: UNAVAILABLE "HTTP bridge is not
  // configured" (as the original without a bridge).
  using UrlSender = std::function<void(std::string url, a2a::SendTaskArgs args, a2a::Reply<a2a::Task> reply)>;
  void set_url_sender(UrlSender s) { url_sender_ = std::move(s); }

 private:
  using NS = v1::NodeService;
  struct Upload {
    ClientReader<NS::SendStreamingArtifact> reader;
    a2a::Engine::WriterId writer = 0;
    bool paused = false;  // reading stopped: the writer is blocked
  };

  // unary
  void get_node_info(Responder<NS::GetNodeInfo> r);
  void set_agent_card(NS::SetAgentCard::Request&& req, Responder<NS::SetAgentCard> r);
  void connect_peer(NS::ConnectPeer::Request&& req, Responder<NS::ConnectPeer> r);
  void list_peers(Responder<NS::ListPeers> r);
  void get_peer_card(NS::GetPeerCard::Request&& req, Responder<NS::GetPeerCard> r);
  void send_task(NS::SendTask::Request&& req, Responder<NS::SendTask> r);
  void get_task(NS::GetTask::Request&& req, Responder<NS::GetTask> r);
  void cancel_task(NS::CancelTask::Request&& req, Responder<NS::CancelTask> r);
  void update_task_status(NS::UpdateTaskStatus::Request&& req, Responder<NS::UpdateTaskStatus> r);
  void complete_task(NS::CompleteTask::Request&& req, Responder<NS::CompleteTask> r);
  void fail_task(NS::FailTask::Request&& req, Responder<NS::FailTask> r);
  void discover(NS::Discover::Request&& req, Responder<NS::Discover> r);
  // server streaming
  template <class M, class Subscribe>
  void subscribe(ServerWriter<M> w, Subscribe&& sub);
  // client streaming
  void send_streaming_artifact(ClientReader<NS::SendStreamingArtifact> r);
  void on_upload_message(uint64_t key, NS::SendStreamingArtifact::Request&& req);
  void on_upload_writable(uint64_t key);
  void end_upload(uint64_t key, bool aborted);
  void fail_upload(uint64_t key, Status st);  // ends the call with st

  a2a::Engine& engine_;
  NodeHost& host_;
  net::Log* log_;
  std::unordered_map<uint64_t, Upload> uploads_;  // by our key
  uint64_t next_upload_ = 1;
  NodeServiceStats stats_;
  UrlSender url_sender_;
};

// a2a::ApiCode -> gRPC Code (the engine uses gRPC's numbers).
Code to_code(a2a::ApiCode c);
Status to_status(const a2a::ApiError& e);

}  // namespace frontends::grpc
