// frontends/mcp_proxy/tool_task.cpp — see tool_task.hpp.
#include "frontends/mcp_proxy/tool_task.hpp"

#include <set>

namespace frontends::mcp_proxy {

net::Result<std::string> task_arguments(const a2a::Task& task, json::Parser& parser) {
  std::string_view text;
  if (!task.messages.empty()) {
    for (const auto& part : task.messages.front().parts) {
      if (part.content_case != a2a::v1::Part::ContentCase::text_part) continue;
      text = part.text_part.text;
      break;
    }
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::string("{}");
  if (text.size() > kMaxArgumentsLen)
    return net::Error{net::Err::limit, "arguments of " + std::to_string(text.size()) + " bytes exceed " +
                                           std::to_string(kMaxArgumentsLen)};
  auto doc = parser.parse(text);
  if (!doc) return net::Error{net::Err::invalid, "arguments are not JSON: " + doc.what()};
  if (doc->is_null()) return std::string("{}");
  if (!doc->is_object())
    return net::Error{net::Err::invalid, std::string("arguments must be a JSON object, got ") + json::type_name(*doc)};
  return json::to_json(*doc);
}

a2a::Artifact result_artifact(std::string_view tool, std::string result_json) {
  a2a::Artifact a;
  a.artifact_id = "mcp-result";
  a.name = std::string(tool);
  auto& part = a.parts.emplace_back();
  part.content_case = a2a::v1::Part::ContentCase::text_part;
  part.text_part.text = std::move(result_json);
  return a;
}

a2a::AgentCard card_with_tools(const std::optional<a2a::AgentCard>& card, const std::vector<std::string>& previous,
                               const std::vector<Tool>& tools, std::string_view description) {
  a2a::AgentCard c;
  if (card) {
    c = *card;
  } else {
    c.name = std::string(kCardName);
    c.description = std::string(description);
    c.version = std::string(kCardVersion);
    c.protocol_version = std::string(kCardProtocolVersion);
  }
  std::set<std::string_view> drop(previous.begin(), previous.end());
  for (const auto& t : tools) drop.insert(t.name);
  std::vector<a2a::v1::Skill> skills;
  for (auto& s : c.skills)
    if (!drop.count(s.id)) skills.push_back(std::move(s));
  for (const auto& t : tools) {
    auto& s = skills.emplace_back();
    s.id = t.name;
    s.description = t.description;
    s.input_schema = t.input_schema;
  }
  c.skills = std::move(skills);
  return c;
}

}  // namespace frontends::mcp_proxy
