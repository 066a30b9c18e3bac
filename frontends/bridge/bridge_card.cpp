// frontends/bridge/bridge_card.cpp — see bridge_card.hpp.
#include "frontends/bridge/bridge_card.hpp"

#include "frontends/json/json_writer.hpp"

namespace frontends::bridge {

std::string a2a_card_json(const a2a::AgentCard& c, std::string_view url) {
  std::string j;
  json::Writer w(j);
  w.begin_object().member("name", c.name).member("description", c.description).member("version", c.version);
  w.key("supportedInterfaces").begin_array();
  for (std::string_view v : {"1.0", "0.3"})
    w.begin_object().member("url", url).member("protocolBinding", "JSONRPC").member("protocolVersion", v).end_object();
  w.end_array();
  w.key("capabilities").begin_object().member("streaming", true).member("pushNotifications", false);
  if (c.p2p_extension && !c.p2p_extension->peer_id.empty()) {
    const auto& x = *c.p2p_extension;
    w.key("extensions").begin_array().begin_object();
    w.member("uri", "urn:agentanycast:p2p").member("description", "AgentAnycast P2P identity of this agent");
    w.member("required", false).key("params").begin_object().member("peerId", x.peer_id);
    if (!x.did_key.empty()) w.member("didKey", x.did_key);
    w.end_object().end_object().end_array();
  }
  w.end_object();
  for (std::string_view k : {"defaultInputModes", "defaultOutputModes"})
    w.key(k).begin_array().value("text/plain").value("application/json").end_array();
  w.key("skills").begin_array();
  for (const auto& s : c.skills) {
    w.begin_object().member("id", s.id).member("name", s.id).member("description", s.description);
    w.key("tags").begin_array().end_array().end_object();
  }
  w.end_array();
  // A2A 0.3 fields.
  w.member("url", url).member("preferredTransport", "JSONRPC").member("protocolVersion", "0.3.0");
  w.end_object();
  return j;
}

std::string legacy_card_json(const a2a::AgentCard& c, std::string_view url) {
  std::string j;
  json::Writer w(j);
  w.begin_object().member("name", c.name).member("description", c.description).member("version", c.version);
  w.member("protocol_version", c.protocol_version).key("skills").begin_array();
  for (const auto& s : c.skills) {
    w.begin_object().member("id", s.id).member("description", s.description);
    if (!s.input_schema.empty()) w.member("input_schema", s.input_schema);
    if (!s.output_schema.empty()) w.member("output_schema", s.output_schema);
    w.end_object();
  }
  w.end_array().member("url", url).end_object();
  return j;
}

}  // namespace frontends::bridge
