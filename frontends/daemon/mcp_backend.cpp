// frontends/daemon/mcp_backend.cpp — see mcp_backend.hpp.
#include "frontends/daemon/mcp_backend.hpp"

#include "a2a/envelope.hpp"
#include "a2a/task_state.hpp"
#include "crypto/init.hpp"
#include "frontends/json/json_writer.hpp"
#include "p2p/multiformats/multibase.hpp"

namespace frontends {
namespace {

net::Error tool_error(const a2a::ApiError& e) { return net::Error{net::Err::invalid, e.message}; }

// The original's card output (a Go map: keys sorted; p2p fields only when
// present).
std::string card_json(const a2a::AgentCard& c) {
  const a2a::v1::P2PExtension none;
  const auto& x = c.p2p_extension ? *c.p2p_extension : none;
  auto list = [](json::Writer& w, std::string_view k, const std::vector<std::string>& v) {
    if (v.empty()) return;
    w.key(k).begin_array();
    for (const auto& t : v) w.value(t);
    w.end_array();
  };
  std::string j;
  json::Writer w(j);
  w.begin_object().member("description", c.description);
  if (!x.did_key.empty()) w.member("did_key", x.did_key);
  w.member("name", c.name);
  if (!x.peer_id.empty()) w.member("peer_id", x.peer_id);
  w.member("protocol_version", c.protocol_version);
  list(w, "relay_addresses", x.relay_addresses);
  w.key("skills").begin_array();
  for (const auto& s : c.skills) w.begin_object().member("description", s.description).member("id", s.id).end_object();
  w.end_array();
  list(w, "supported_transports", x.supported_transports);
  w.member("version", c.version).end_object();
  return j;
}

}  // namespace

std::string did_key_of(const p2p::Host& host) {
  const auto& pub = host.identity().public_raw();
  net::Bytes b = {0xed, 0x01};
  b.insert(b.end(), pub.begin(), pub.end());
  return "did:key:z" + p2p::multibase::base58btc_encode(b);
}

mcp::NodeInfo McpBackend::node_info() {
  mcp::NodeInfo n;
  n.peer_id = host_.peer_id().to_base58();
  n.did_key = did_key_of(host_);
  for (const auto& a : host_.listen_addrs()) n.listen_addresses.push_back(a.to_string());
  n.connected_peers = host_.connected_peers().size();
  return n;
}

std::vector<mcp::PeerInfo> McpBackend::connected_peers() {
  std::vector<mcp::PeerInfo> out;
  for (const auto& p : host_.connected_peers()) {
    mcp::PeerInfo pi;
    pi.peer_id = p.to_base58();
    for (const auto& a : host_.peer_store().addrs(p)) pi.addresses.push_back(a.to_string());
    out.push_back(std::move(pi));
  }
  return out;
}

void McpBackend::get_agent_card(std::string peer_id, mcp::ToolDone done) {
  if (!engine_) return Backend::get_agent_card(std::move(peer_id), std::move(done));
  if (peer_id.empty() || peer_id == "self" || peer_id == host_.peer_id().to_base58()) {
    if (!engine_->card()) return done(net::Error{net::Err::not_found, "no agent card set for this node"});
    return done(card_json(*engine_->card()));
  }
  auto c = engine_->peer_card(peer_id);
  if (!c) return done(tool_error(c.error()));
  done(card_json(*c));
}

void McpBackend::discover_agents(std::string, mcp::ToolDone done) {
  done(net::Error{net::Err::unsupported, "anycast routing is not configured"});
}

void McpBackend::send_task(std::string target, std::string message, bool by_skill, mcp::ToolDone done) {
  if (by_skill) return send_task_by_skill(std::move(target), std::move(message), std::move(done));
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0)
    return done(net::Error{net::Err::unsupported, "HTTP bridge is not configured"});
  if (!engine_) return Backend::send_task(std::move(target), std::move(message), false, std::move(done));
  a2a::SendTaskArgs args;
  args.peer_id = target;
  uint8_t rnd[16];
  crypto::random_bytes(rnd);
  args.message.message_id = a2a::uuid_v4(rnd);
  args.message.role = a2a::v1::MessageRole::MESSAGE_ROLE_USER;
  auto& part = args.message.parts.emplace_back();
  part.content_case = a2a::v1::Part::ContentCase::text_part;
  part.text_part.text = std::move(message);
  std::weak_ptr<bool> alive = alive_;
  engine_->send_task(std::move(args), [alive, target, done = std::move(done)](a2a::ApiResult<a2a::Task> r) mutable {
    if (alive.expired()) return;
    if (!r) return done(tool_error(r.error()));
    std::string j;
    json::Writer w(j);
    w.begin_object().member("mode", "direct").member("status", a2a::status_name(r->status));
    w.member("target", target).member("task_id", r->task_id).end_object();
    done(std::move(j));
  });
}

void McpBackend::send_task_by_skill(std::string, std::string, mcp::ToolDone done) {
  done(net::Error{net::Err::unsupported, "anycast routing is not configured"});
}

void McpBackend::get_task_status(std::string task_id, mcp::ToolDone done) {
  if (!engine_) return Backend::get_task_status(std::move(task_id), std::move(done));
  auto t = engine_->get_task(task_id);
  if (!t) return done(tool_error(t.error()));
  std::string j;
  json::Writer w(j);
  w.begin_object().member("status", a2a::status_name(t->status)).member("task_id", t->task_id).end_object();
  done(std::move(j));
}

}  // namespace frontends
