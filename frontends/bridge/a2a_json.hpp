// frontends/bridge/a2a_json.hpp — the engine's task model (agentanycast.v1
// Task / Message / Part / Artifact) as A2A JSON, and A2A JSON messages as
// engine messages, in the three dialects the bridge speaks (specs.md §15,
// upstream.md §8.1):
//
//   v1      A2A 1.0 ProtoJSON: camelCase, enums by full name
//           ("TASK_STATE_COMPLETED", "ROLE_USER"), parts as oneof keys
//           ({"text":...} | {"url":...} | {"raw":<base64>} | {"data":{...}}).
//   v03     A2A 0.3: "kind" discriminators ("task", "message", "text",
//           "file", "data", "status-update", "artifact-update"), kebab-case
//           states ("input-required"), roles "user" / "agent".
//   legacy  the original daemon's tasks/send: snake_case, parts
//           {"type":"text|url|data", ...}, status as a lowercase word.
//
// Mapping notes. Task.history = the task's messages; status.message = the
// last message when it came from the agent; status.timestamp = updated_at
// (RFC 3339, UTC). A task without context id gets none in JSON (the bridge
// assigns one when it creates tasks). Data parts carry JSON objects only
// (the engine's DataPart is a google.protobuf.Struct); numbers are doubles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "a2a/engine.hpp"
#include "frontends/json/json_writer.hpp"
#include "net/result.hpp"

namespace frontends::bridge {

enum class Dialect : uint8_t { v1, v03, legacy };

// "TASK_STATE_WORKING" / "working" / "working" ("unknown" for UNSPECIFIED
// in 0.3 and legacy).
std::string_view state_name(a2a::v1::TaskStatus s, Dialect d);
// COMPLETED, FAILED, CANCELED, REJECTED.
bool is_terminal(a2a::v1::TaskStatus s);
// Terminal or INPUT_REQUIRED: a blocking send and a stream end there.
bool is_final(a2a::v1::TaskStatus s);

// RFC 3339 with nanoseconds trimmed to what is set: 2026-01-02T03:04:05.5Z.
std::string rfc3339(const pb::google::protobuf::Timestamp& t);

void write_part(json::Writer& w, const a2a::v1::Part& p, Dialect d);
void write_message(json::Writer& w, const a2a::Message& m, std::string_view task_id, std::string_view context_id,
                   Dialect d);
void write_artifact(json::Writer& w, const a2a::Artifact& a, Dialect d);
// history_length: -1 = all (bounded by kMaxParts), 0 = none, n = the last n.
void write_task(json::Writer& w, const a2a::Task& t, Dialect d, int64_t history_length = -1);
// 1.0: {"taskId","contextId","status":{...}}; 0.3 adds "kind":"status-update"
// and "final".
void write_status_update(json::Writer& w, std::string_view task_id, std::string_view context_id,
                         a2a::v1::TaskStatus s, const a2a::Message* msg, int64_t unix_ns, Dialect d);
void write_artifact_update(json::Writer& w, std::string_view task_id, std::string_view context_id,
                           const a2a::Artifact& a, bool append, bool last_chunk, Dialect d);
// A google.protobuf.Struct / Value as plain JSON.
void write_struct(json::Writer& w, const pb::google::protobuf::Struct& s);

// A message from a request, in dialect d. Errors (Err::invalid, the text
// is the JSON-RPC error message): "message.messageId is required",
// "message.role must be ...", "message.parts must be a non-empty array",
// "message.parts[2]: unknown part ...", "... of 300 parts exceeds 256".
// *task_id / *context_id receive the message's taskId / contextId ("" when
// absent).
net::Result<a2a::Message> parse_message(simdjson::dom::element e, Dialect d, std::string* task_id,
                                        std::string* context_id);

// One part of a message or artifact, in dialect d (element `index` of a
// "parts" array: errors name it "message.parts[<index>]: ...").
net::Result<a2a::v1::Part> parse_part(simdjson::dom::element e, Dialect d, size_t index);

// JSON object -> Struct (recursion bounded by the parser's depth limit).
pb::google::protobuf::Struct struct_from_json(simdjson::dom::object o);

}  // namespace frontends::bridge
