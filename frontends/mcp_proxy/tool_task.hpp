// frontends/mcp_proxy/tool_task.hpp — A2A task <-> MCP tool call, as the
// original's proxy maps them (upstream.md §8.3):
//   arguments = the first TextPart of the task's first message, parsed as
//               JSON; absent, blank or `null` means {}. It must be an object
//               (MCP's tools/call takes an object); sent re-serialized
//               compactly, so the stdio line never holds a raw newline.
//   result    = COMPLETED with one artifact holding one TextPart: the raw
//               result JSON ({"content":[...],...}); a failed call is FAILED
//               with the client's message.
// Tools become card skills: id = tool name, description, input_schema =
// the tool's inputSchema JSON text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "a2a/engine.hpp"
#include "frontends/json/json_parse.hpp"
#include "frontends/mcp_proxy/mcp_client.hpp"
#include "net/result.hpp"

namespace frontends::mcp_proxy {

// The card created when the daemon has none (the original's values).
inline constexpr std::string_view kCardName = "MCP Proxy Agent";
inline constexpr std::string_view kCardVersion = "0.7.0";
inline constexpr std::string_view kCardProtocolVersion = "a2a/0.3";

// Errors: Err::invalid "arguments are not JSON: <why>", "arguments must be
// a JSON object, got <type>"; Err::limit for text over kMaxArgumentsLen.
net::Result<std::string> task_arguments(const a2a::Task& task, json::Parser& parser);

a2a::Artifact result_artifact(std::string_view tool, std::string result_json);

// `card` (nullopt: none yet) with the skills of `tools`: the skills of an
// earlier listing (`previous`) are removed, skills with a tool's id are
// replaced, the others kept in order, the tools appended in listing order.
// Without a card, a new one named kCardName.
a2a::AgentCard card_with_tools(const std::optional<a2a::AgentCard>& card, const std::vector<std::string>& previous,
                               const std::vector<Tool>& tools, std::string_view description);

}  // namespace frontends::mcp_proxy
