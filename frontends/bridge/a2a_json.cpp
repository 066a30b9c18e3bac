// frontends/bridge/a2a_json.cpp — see a2a_json.hpp.
#include "frontends/bridge/a2a_json.hpp"

#include <ctime>

#include "a2a/envelope.hpp"
#include "frontends/bridge/bridge_limits.hpp"
#include "frontends/json/json_parse.hpp"
#include "p2p/multiformats/multibase.hpp"

namespace frontends::bridge {
namespace {

using S = a2a::v1::TaskStatus;
using Role = a2a::v1::MessageRole;
using PC = a2a::v1::Part::ContentCase;
namespace gp = pb::google::protobuf;
namespace mb = p2p::multibase;

net::Error bad(std::string m) { return net::Error{net::Err::invalid, std::move(m)}; }

std::string_view role_name(Role r, Dialect d) {
  if (d == Dialect::v1) return r == Role::MESSAGE_ROLE_AGENT ? "ROLE_AGENT" : r == Role::MESSAGE_ROLE_USER ? "ROLE_USER" : "ROLE_UNSPECIFIED";
  return r == Role::MESSAGE_ROLE_AGENT ? "agent" : "user";
}

void write_value(json::Writer& w, const gp::Value& v) {
  using K = gp::Value::KindCase;
  switch (v.kind_case) {
    case K::number_value: w.value(v.number_value); break;
    case K::string_value: w.value(v.string_value); break;
    case K::bool_value: w.value(v.bool_value); break;
    case K::struct_value:
      if (v.struct_value) write_struct(w, *v.struct_value);
      else w.begin_object().end_object();
      break;
    case K::list_value:
      w.begin_array();
      for (const auto& e : v.list_value.values) write_value(w, e);
      w.end_array();
      break;
    default: w.null();
  }
}

gp::Value value_from_json(simdjson::dom::element e) {
  gp::Value v;
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      v.kind_case = gp::Value::KindCase::struct_value;
      if (simdjson::dom::object obj; e.get_object().get(obj) == simdjson::SUCCESS) v.struct_value = struct_from_json(obj);
      break;
    case simdjson::dom::element_type::ARRAY:
      v.kind_case = gp::Value::KindCase::list_value;
      // The array is held in a local: ranging over a temporary result's
      // value_unsafe() reads a dead object (ASan, found by the fuzzer).
      if (simdjson::dom::array arr; e.get_array().get(arr) == simdjson::SUCCESS)
        for (auto x : arr) v.list_value.values.push_back(value_from_json(x));
      break;
    case simdjson::dom::element_type::STRING:
      v.kind_case = gp::Value::KindCase::string_value;
      v.string_value = std::string(e.get_string().value_unsafe());
      break;
    case simdjson::dom::element_type::INT64:
      v.kind_case = gp::Value::KindCase::number_value;
      v.number_value = static_cast<double>(e.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
      v.kind_case = gp::Value::KindCase::number_value;
      v.number_value = static_cast<double>(e.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      v.kind_case = gp::Value::KindCase::number_value;
      v.number_value = e.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::BOOL:
      v.kind_case = gp::Value::KindCase::bool_value;
      v.bool_value = e.get_bool().value_unsafe();
      break;
    default:
      v.kind_case = gp::Value::KindCase::null_value;
  }
  return v;
}

void write_metadata(json::Writer& w, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  w.key("metadata").begin_object();
  for (const auto& [k, v] : m) w.member(k, v);
  w.end_object();
}

std::string_view str_or(simdjson::dom::object o, std::string_view k) {
  std::string_view v;
  if (o.at_key(k).get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

// Part metadata: string values kept (the engine's map<string,string>),
// others as their JSON text.
void read_metadata(simdjson::dom::object o, std::map<std::string, std::string>& out) {
  simdjson::dom::object md;
  if (o.at_key("metadata").get_object().get(md) != simdjson::SUCCESS) return;
  for (auto [k, v] : md) {
    std::string_view s;
    out[std::string(k)] = v.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : json::to_json(v);
  }
}

}  // namespace

// Public (a2a_json.hpp): the URL client parses agents' artifacts with it.
net::Result<a2a::v1::Part> parse_part(simdjson::dom::element e, Dialect d, size_t i) {
  const std::string where = "message.parts[" + std::to_string(i) + "]";
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return bad(where + " must be an object");
  a2a::v1::Part p;
  read_metadata(o, p.metadata);
  std::string_view sv;
  simdjson::dom::element x;
  auto set_text = [&](std::string_view t) {
    p.content_case = PC::text_part;
    p.text_part.text = std::string(t);
  };
  auto set_data = [&](simdjson::dom::element de) -> net::Status {
    simdjson::dom::object dobj;
    if (de.get_object().get(dobj) != simdjson::SUCCESS) return bad(where + ": data must be a JSON object");
    p.content_case = PC::data_part;
    p.data_part.data = struct_from_json(dobj);
    return {};
  };
  auto set_raw = [&](std::string_view b64, std::string_view name) -> net::Status {
    auto raw = mb::decode_raw(mb::Base::base64pad, b64);
    if (!raw) raw = mb::decode_raw(mb::Base::base64, b64);
    if (!raw) return bad(where + ": bytes are not base64");
    p.content_case = PC::raw_part;
    p.raw_part.data = raw.take();
    p.raw_part.filename = std::string(name);
    return {};
  };
  if (d == Dialect::v1) {
    p.media_type = std::string(str_or(o, "mediaType"));
    std::string_view filename = str_or(o, "filename");
    if (o.at_key("text").get_string().get(sv) == simdjson::SUCCESS) {
      set_text(sv);
    } else if (o.at_key("url").get_string().get(sv) == simdjson::SUCCESS) {
      p.content_case = PC::url_part;
      p.url_part.url = std::string(sv);
      p.url_part.filename = std::string(filename);
    } else if (o.at_key("raw").get_string().get(sv) == simdjson::SUCCESS) {
      AAC_TRY(set_raw(sv, filename));
    } else if (o.at_key("data").get(x) == simdjson::SUCCESS) {
      AAC_TRY(set_data(x));
    } else {
      return bad(where + ": a part needs one of text, url, raw, data");
    }
    return p;
  }
  std::string_view kind = str_or(o, d == Dialect::v03 ? "kind" : "type");
  if (kind == "text") {
    if (o.at_key("text").get_string().get(sv) != simdjson::SUCCESS) return bad(where + ": text must be a string");
    set_text(sv);
  } else if (kind == "data") {
    if (o.at_key("data").get(x) != simdjson::SUCCESS) return bad(where + ": data is required");
    AAC_TRY(set_data(x));
  } else if (d == Dialect::v03 && kind == "file") {
    simdjson::dom::object f;
    if (o.at_key("file").get_object().get(f) != simdjson::SUCCESS) return bad(where + ": file must be an object");
    p.media_type = std::string(str_or(f, "mimeType"));
    std::string_view name = str_or(f, "name");
    if (f.at_key("bytes").get_string().get(sv) == simdjson::SUCCESS) {
      AAC_TRY(set_raw(sv, name));
    } else if (f.at_key("uri").get_string().get(sv) == simdjson::SUCCESS) {
      p.content_case = PC::url_part;
      p.url_part.url = std::string(sv);
      p.url_part.filename = std::string(name);
    } else {
      return bad(where + ": file needs bytes or uri");
    }
  } else if (d == Dialect::legacy && kind == "url") {
    if (o.at_key("url").get_string().get(sv) != simdjson::SUCCESS) return bad(where + ": url must be a string");
    p.content_case = PC::url_part;
    p.url_part.url = std::string(sv);
    p.url_part.filename = std::string(str_or(o, "filename"));
  } else {
    return bad(where + ": unknown part " + std::string(d == Dialect::v03 ? "kind" : "type") + " \"" +
               std::string(kind) + "\"");
  }
  return p;
}

std::string_view state_name(S s, Dialect d) {
  if (d == Dialect::v1) {
    switch (s) {
      case S::TASK_STATUS_SUBMITTED: return "TASK_STATE_SUBMITTED";
      case S::TASK_STATUS_WORKING: return "TASK_STATE_WORKING";
      case S::TASK_STATUS_INPUT_REQUIRED: return "TASK_STATE_INPUT_REQUIRED";
      case S::TASK_STATUS_COMPLETED: return "TASK_STATE_COMPLETED";
      case S::TASK_STATUS_FAILED: return "TASK_STATE_FAILED";
      case S::TASK_STATUS_CANCELED: return "TASK_STATE_CANCELED";
      case S::TASK_STATUS_REJECTED: return "TASK_STATE_REJECTED";
      default: return "TASK_STATE_UNSPECIFIED";
    }
  }
  switch (s) {
    case S::TASK_STATUS_SUBMITTED: return "submitted";
    case S::TASK_STATUS_WORKING: return "working";
    case S::TASK_STATUS_INPUT_REQUIRED: return "input-required";
    case S::TASK_STATUS_COMPLETED: return "completed";
    case S::TASK_STATUS_FAILED: return "failed";
    case S::TASK_STATUS_CANCELED: return "canceled";
    case S::TASK_STATUS_REJECTED: return "rejected";
    default: return "unknown";
  }
}

bool is_terminal(S s) {
  return s == S::TASK_STATUS_COMPLETED || s == S::TASK_STATUS_FAILED || s == S::TASK_STATUS_CANCELED ||
         s == S::TASK_STATUS_REJECTED;
}
bool is_final(S s) { return is_terminal(s) || s == S::TASK_STATUS_INPUT_REQUIRED; }

std::string rfc3339(const gp::Timestamp& t) {
  std::time_t secs = static_cast<std::time_t>(t.seconds);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (t.nanos > 0 && t.nanos < 1'000'000'000) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09d", t.nanos);
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

void write_struct(json::Writer& w, const gp::Struct& s) {
  w.begin_object();
  for (const auto& [k, v] : s.fields) {
    w.key(k);
    write_value(w, v);
  }
  w.end_object();
}

gp::Struct struct_from_json(simdjson::dom::object o) {
  gp::Struct s;
  for (auto [k, v] : o) s.fields[std::string(k)] = value_from_json(v);
  return s;
}

void write_part(json::Writer& w, const a2a::v1::Part& p, Dialect d) {
  w.begin_object();
  auto data = [&] {
    if (p.data_part.data) write_struct(w, *p.data_part.data);
    else w.begin_object().end_object();
  };
  if (d == Dialect::v1) {
    switch (p.content_case) {
      case PC::text_part: w.member("text", p.text_part.text); break;
      case PC::url_part:
        w.member("url", p.url_part.url);
        if (!p.url_part.filename.empty()) w.member("filename", p.url_part.filename);
        break;
      case PC::raw_part:
        w.member("raw", mb::encode_raw(mb::Base::base64pad, p.raw_part.data));
        if (!p.raw_part.filename.empty()) w.member("filename", p.raw_part.filename);
        break;
      case PC::data_part: w.key("data"); data(); break;
      default: w.member("text", ""); break;  // an empty part has no other form
    }
    if (!p.media_type.empty()) w.member("mediaType", p.media_type);
    write_metadata(w, p.metadata);
  } else if (d == Dialect::v03) {
    switch (p.content_case) {
      case PC::url_part:
      case PC::raw_part: {
        w.member("kind", "file").key("file").begin_object();
        const bool url = p.content_case == PC::url_part;
        if (url) w.member("uri", p.url_part.url);
        else w.member("bytes", mb::encode_raw(mb::Base::base64pad, p.raw_part.data));
        const std::string& name = url ? p.url_part.filename : p.raw_part.filename;
        if (!name.empty()) w.member("name", name);
        if (!p.media_type.empty()) w.member("mimeType", p.media_type);
        w.end_object();
        break;
      }
      case PC::data_part: w.member("kind", "data").key("data"); data(); break;
      default: w.member("kind", "text").member("text", p.text_part.text); break;
    }
    write_metadata(w, p.metadata);
  } else {  // the original's snake_case part
    switch (p.content_case) {
      case PC::url_part:
        w.member("type", "url").member("url", p.url_part.url);
        if (!p.url_part.filename.empty()) w.member("filename", p.url_part.filename);
        break;
      case PC::raw_part:
        // The original had no raw part; a data URL keeps the bytes.
        w.member("type", "url").member("url", "data:" + (p.media_type.empty() ? std::string("application/octet-stream") : p.media_type) +
                                                  ";base64," + mb::encode_raw(mb::Base::base64pad, p.raw_part.data));
        if (!p.raw_part.filename.empty()) w.member("filename", p.raw_part.filename);
        break;
      case PC::data_part: w.member("type", "data").key("data"); data(); break;
      default: w.member("type", "text").member("text", p.text_part.text); break;
    }
  }
  w.end_object();
}

void write_message(json::Writer& w, const a2a::Message& m, std::string_view task_id, std::string_view context_id,
                   Dialect d) {
  w.begin_object();
  if (d == Dialect::v03) w.member("kind", "message");
  if (d != Dialect::legacy) {
    w.member("messageId", m.message_id);
    if (!context_id.empty()) w.member("contextId", context_id);
    if (!task_id.empty()) w.member("taskId", task_id);
  }
  w.member("role", role_name(m.role, d));
  w.key("parts").begin_array();
  for (const auto& p : m.parts) write_part(w, p, d);
  w.end_array().end_object();
}

void write_artifact(json::Writer& w, const a2a::Artifact& a, Dialect d) {
  w.begin_object().member(d == Dialect::legacy ? "artifact_id" : "artifactId", a.artifact_id);
  if (!a.name.empty() || d == Dialect::legacy) w.member("name", a.name);
  w.key("parts").begin_array();
  for (const auto& p : a.parts) write_part(w, p, d);
  w.end_array().end_object();
}

namespace {
const a2a::Message* status_message(const a2a::Task& t) {
  if (t.messages.empty() || t.messages.back().role != Role::MESSAGE_ROLE_AGENT) return nullptr;
  return &t.messages.back();
}
}  // namespace

void write_task(json::Writer& w, const a2a::Task& t, Dialect d, int64_t history_length) {
  size_t n = t.messages.size();
  size_t keep = history_length < 0 ? std::min(n, kMaxParts) : std::min(n, static_cast<size_t>(history_length));
  if (d == Dialect::legacy) {
    w.begin_object().member("id", t.task_id).member("status", state_name(t.status, d));
    if (!t.messages.empty()) {
      w.key("messages").begin_array();
      for (size_t i = n - keep; i < n; ++i) write_message(w, t.messages[i], t.task_id, t.context_id, d);
      w.end_array();
    }
    if (!t.artifacts.empty()) {
      w.key("artifacts").begin_array();
      for (const auto& a : t.artifacts) write_artifact(w, a, d);
      w.end_array();
    }
    w.end_object();
    return;
  }
  w.begin_object();
  if (d == Dialect::v03) w.member("kind", "task");
  w.member("id", t.task_id);
  if (!t.context_id.empty()) w.member("contextId", t.context_id);
  w.key("status").begin_object().member("state", state_name(t.status, d));
  if (const a2a::Message* m = status_message(t)) {
    w.key("message");
    write_message(w, *m, t.task_id, t.context_id, d);
  }
  if (t.updated_at) w.member("timestamp", rfc3339(*t.updated_at));
  w.end_object();
  w.key("artifacts").begin_array();
  for (const auto& a : t.artifacts) write_artifact(w, a, d);
  w.end_array();
  w.key("history").begin_array();
  for (size_t i = n - keep; i < n; ++i) write_message(w, t.messages[i], t.task_id, t.context_id, d);
  w.end_array();
  if (!t.target_skill_id.empty())
    w.key("metadata").begin_object().member("targetSkillId", t.target_skill_id).end_object();
  w.end_object();
}

void write_status_update(json::Writer& w, std::string_view task_id, std::string_view context_id, S s,
                         const a2a::Message* msg, int64_t unix_ns, Dialect d) {
  w.begin_object();
  if (d == Dialect::v03) w.member("kind", "status-update");
  w.member("taskId", task_id);
  if (!context_id.empty()) w.member("contextId", context_id);
  w.key("status").begin_object().member("state", state_name(s, d));
  if (msg) {
    w.key("message");
    write_message(w, *msg, task_id, context_id, d);
  }
  w.member("timestamp", rfc3339(a2a::timestamp_from_unix_ns(unix_ns)));
  w.end_object();
  if (d == Dialect::v03) w.member("final", is_final(s));
  w.end_object();
}

void write_artifact_update(json::Writer& w, std::string_view task_id, std::string_view context_id,
                           const a2a::Artifact& a, bool append, bool last_chunk, Dialect d) {
  w.begin_object();
  if (d == Dialect::v03) w.member("kind", "artifact-update");
  w.member("taskId", task_id);
  if (!context_id.empty()) w.member("contextId", context_id);
  w.key("artifact");
  write_artifact(w, a, d);
  w.member("append", append).member("lastChunk", last_chunk).end_object();
}

net::Result<a2a::Message> parse_message(simdjson::dom::element e, Dialect d, std::string* task_id,
                                        std::string* context_id) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return bad("message must be an object");
  a2a::Message m;
  std::string_view sv;
  if (d != Dialect::legacy) {
    if (o.at_key("messageId").get_string().get(sv) != simdjson::SUCCESS || sv.empty())
      return bad("message.messageId is required");
    m.message_id = std::string(sv);
    *task_id = std::string(str_or(o, "taskId"));
    *context_id = std::string(str_or(o, "contextId"));
  }
  std::string_view role = str_or(o, "role");
  if (d == Dialect::v1) {
    if (role == "ROLE_USER") m.role = Role::MESSAGE_ROLE_USER;
    else if (role == "ROLE_AGENT") m.role = Role::MESSAGE_ROLE_AGENT;
    else return bad("message.role must be \"ROLE_USER\" or \"ROLE_AGENT\"");
  } else {
    if (role == "user") m.role = Role::MESSAGE_ROLE_USER;
    else if (role == "agent") m.role = Role::MESSAGE_ROLE_AGENT;
    else return bad("message.role must be \"user\" or \"agent\"");
  }
  simdjson::dom::array parts;
  if (o.at_key("parts").get_array().get(parts) != simdjson::SUCCESS || parts.size() == 0)
    return bad("message.parts must be a non-empty array");
  if (parts.size() > kMaxParts)
    return bad("message.parts of " + std::to_string(parts.size()) + " parts exceeds " + std::to_string(kMaxParts));
  size_t i = 0;
  for (auto pe : parts) {
    auto p = parse_part(pe, d, i++);
    if (!p) return p.take_error();
    m.parts.push_back(p.take());
  }
  return m;
}

}  // namespace frontends::bridge
