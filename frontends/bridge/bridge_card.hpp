// frontends/bridge/bridge_card.hpp — an agent card (agentanycast.v1) as the
// bridge serves it.
//
// a2a_card_json: A2A JSON readable by 1.0 and 0.3 clients at once —
// supportedInterfaces lists the JSON-RPC endpoint twice (protocolVersion
// "1.0" and "0.3"; 1.0 clients pick 1.0), and the 0.3 fields url,
// preferredTransport "JSONRPC" and protocolVersion "0.3.0" are present for
// 0.3 clients. capabilities.streaming is true (message/stream); skills get
// name = id and empty tags (required in 0.3). The daemon's P2P identity
// rides in an extension entry (uri urn:agentanycast:p2p).
//
// legacy_card_json: the original's /.well-known/a2a-agent-card shape
// {"name","description","version","protocol_version","skills":[{"id",
// "description","input_schema"?,"output_schema"?}],"url"} (upstream.md §8.1).
#pragma once

#include <string>
#include <string_view>

#include "a2a/engine.hpp"

namespace frontends::bridge {

std::string a2a_card_json(const a2a::AgentCard& card, std::string_view url);
std::string legacy_card_json(const a2a::AgentCard& card, std::string_view url);

}  // namespace frontends::bridge
