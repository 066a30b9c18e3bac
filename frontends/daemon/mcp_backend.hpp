// frontends/daemon/mcp_backend.hpp — what the MCP tools (frontends/mcp)
// see of the daemon: the libp2p host (node info, peers) and the A2A engine
// (cards, tasks). Outputs are the original's JSON objects
// (node:internal/mcp/tools.go, upstream.md §8.3).
//
// send_task by peer id goes through the engine like gRPC SendTask (one
// user text part); by skill and http(s):// targets answer the errors the
// gRPC API gives until anycast routing and routing by URL exist
// ("anycast routing is not configured", "HTTP bridge is not configured").
#pragma once

#include "a2a/engine.hpp"
#include "frontends/mcp/mcp_server.hpp"
#include "p2p/host/host.hpp"

namespace frontends {

class McpBackend : public mcp::Backend {
 public:
  // engine may be null (tests of the host-only tools): the A2A tools then
  // keep the Backend defaults.
  McpBackend(p2p::Host& host, a2a::Engine* engine) : host_(host), engine_(engine) {}
  ~McpBackend() override { *alive_ = false; }

  mcp::NodeInfo node_info() override;
  std::vector<mcp::PeerInfo> connected_peers() override;
  void get_agent_card(std::string peer_id, mcp::ToolDone done) override;
  void discover_agents(std::string skill, mcp::ToolDone done) override;
  void send_task(std::string target, std::string message, bool by_skill, mcp::ToolDone done) override;
  void send_task_by_skill(std::string skill, std::string message, mcp::ToolDone done) override;
  void get_task_status(std::string task_id, mcp::ToolDone done) override;

 private:
  p2p::Host& host_;
  a2a::Engine* engine_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // engine replies may come after us
};

// did:key of an Ed25519 public key (multicodec 0xed 0x01, base58btc).
std::string did_key_of(const p2p::Host& host);

}  // namespace frontends
