// frontends/a2a_client/a2a_rpc.cpp — see a2a_rpc.hpp.
#include "frontends/a2a_client/a2a_rpc.hpp"

#include "frontends/a2a_client/a2a_client_limits.hpp"
#include "frontends/bridge/a2a_json.hpp"
#include "frontends/bridge/bridge_limits.hpp"
#include "frontends/json/json_writer.hpp"

namespace frontends::a2a_client {

namespace {

using S = a2a::TaskStatus;
using bridge::Dialect;
namespace dom = simdjson::dom;

net::Error bad(std::string m) { return {net::Err::proto, std::move(m)}; }

Dialect dialect(Protocol p) { return p == Protocol::current ? Dialect::v03 : Dialect::legacy; }

std::string quote(std::string_view body) {
  std::string q(body.substr(0, kQuotedBodyLen));
  for (char& c : q)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  if (body.size() > kQuotedBodyLen) q += "...";
  return q;
}

std::string_view str_or(dom::object o, std::string_view k) {
  std::string_view v;
  if (o.at_key(k).get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

net::Result<a2a::Message> read_message(dom::element e, Dialect d, std::string_view where) {
  std::string tid, cid;
  auto m = bridge::parse_message(e, d, &tid, &cid);
  if (!m) return bad(std::string(where) + ": " + m.what());
  return m.take();
}

net::Result<a2a::Artifact> read_artifact(dom::element e, Dialect d, size_t i) {
  const std::string where = "agent's artifact " + std::to_string(i);
  dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return bad(where + " is not an object");
  a2a::Artifact a;
  a.artifact_id = std::string(str_or(o, "artifactId"));
  if (a.artifact_id.empty()) a.artifact_id = std::string(str_or(o, "artifact_id"));
  a.name = std::string(str_or(o, "name"));
  dom::array parts;
  if (o.at_key("parts").get_array().get(parts) != simdjson::SUCCESS) return bad(where + ": parts must be an array");
  if (parts.size() > bridge::kMaxParts)
    return bad(where + ": " + std::to_string(parts.size()) + " parts exceed " + std::to_string(bridge::kMaxParts));
  size_t k = 0;
  for (auto pe : parts) {
    auto p = bridge::parse_part(pe, d, k++);
    if (!p) return bad(where + ": " + p.what());
    a.parts.push_back(p.take());
  }
  return a;
}

net::Result<RemoteTask> read_task(dom::object o, Dialect d) {
  RemoteTask t;
  t.id = std::string(str_or(o, "id"));
  if (t.id.empty()) return bad("agent's task has no id");
  if (t.id.size() > a2a::kMaxIdLen) return bad("agent's task id of " + std::to_string(t.id.size()) + " bytes is too long");
  t.context_id = std::string(str_or(o, "contextId"));
  if (t.context_id.size() > a2a::kMaxIdLen) t.context_id.clear();
  dom::element st;
  if (o.at_key("status").get(st) != simdjson::SUCCESS) return bad("agent's task has no status");
  std::string_view state;
  dom::object so;
  if (st.get_string().get(state) == simdjson::SUCCESS) {  // legacy: a word
  } else if (st.get_object().get(so) == simdjson::SUCCESS) {
    if (so.at_key("state").get_string().get(state) != simdjson::SUCCESS)
      return bad("agent's task status has no state");
    dom::element me;
    if (so.at_key("message").get(me) == simdjson::SUCCESS && !me.is_null()) {
      auto m = read_message(me, d, "agent's status message");
      if (!m) return m.take_error();
      t.message = m.take();
    }
  } else {
    return bad("agent's task status must be an object or a string");
  }
  auto s = parse_state(state);
  if (!s) return bad("agent's task status \"" + quote(state) + "\" is not an A2A state");
  t.status = *s;
  dom::element ae;
  if (o.at_key("artifacts").get(ae) == simdjson::SUCCESS && !ae.is_null()) {
    dom::array arts;
    if (ae.get_array().get(arts) != simdjson::SUCCESS) return bad("agent's artifacts must be an array");
    if (arts.size() > kMaxArtifacts)
      return bad("agent's " + std::to_string(arts.size()) + " artifacts exceed " + std::to_string(kMaxArtifacts));
    size_t i = 0;
    for (auto a : arts) {
      auto r = read_artifact(a, d, i++);
      if (!r) return r.take_error();
      t.artifacts.push_back(r.take());
    }
  }
  return t;
}

void write_params_message(json::Writer& w, const a2a::Message& in, std::string_view fallback_id,
                          std::string_view context_id, Dialect d) {
  const a2a::Message* m = &in;
  a2a::Message copy;
  if (in.message_id.empty() || in.role != a2a::v1::MessageRole::MESSAGE_ROLE_USER) {
    copy = in;
    if (copy.message_id.empty()) copy.message_id = std::string(fallback_id);
    copy.role = a2a::v1::MessageRole::MESSAGE_ROLE_USER;  // we send for our client, the user
    m = &copy;
  }
  w.key("message");
  bridge::write_message(w, *m, {}, context_id, d);
}

}  // namespace

const char* send_method(Protocol p) { return p == Protocol::current ? "message/send" : "tasks/send"; }

std::optional<S> parse_state(std::string_view s) {
  if (s == "submitted" || s == "TASK_STATE_SUBMITTED") return S::TASK_STATUS_SUBMITTED;
  if (s == "working" || s == "TASK_STATE_WORKING") return S::TASK_STATUS_WORKING;
  if (s == "input-required" || s == "auth-required" || s == "TASK_STATE_INPUT_REQUIRED" ||
      s == "TASK_STATE_AUTH_REQUIRED")
    return S::TASK_STATUS_INPUT_REQUIRED;
  if (s == "completed" || s == "TASK_STATE_COMPLETED") return S::TASK_STATUS_COMPLETED;
  if (s == "failed" || s == "TASK_STATE_FAILED") return S::TASK_STATUS_FAILED;
  if (s == "canceled" || s == "cancelled" || s == "TASK_STATE_CANCELED") return S::TASK_STATUS_CANCELED;
  if (s == "rejected" || s == "TASK_STATE_REJECTED") return S::TASK_STATUS_REJECTED;
  if (s == "unknown" || s == "TASK_STATE_UNSPECIFIED") return S::TASK_STATUS_UNSPECIFIED;
  return std::nullopt;
}

std::string send_body(Protocol p, std::string_view rpc_id, std::string_view local_task_id, const a2a::Message& m,
                      std::string_view context_id, const std::map<std::string, std::string>& metadata) {
  std::string out;
  json::Writer w(out);
  w.begin_object().member("jsonrpc", "2.0").member("id", rpc_id).member("method", send_method(p));
  w.key("params").begin_object();
  if (p == Protocol::current) {
    write_params_message(w, m, local_task_id, context_id, Dialect::v03);
    w.key("configuration").begin_object().member("blocking", false).end_object();
  } else {
    w.member("id", local_task_id);
    write_params_message(w, m, local_task_id, {}, Dialect::legacy);
  }
  if (!metadata.empty()) {
    w.key("metadata").begin_object();
    for (const auto& [k, v] : metadata) w.member(k, v);
    w.end_object();
  }
  w.end_object().end_object();
  return out;
}

std::string get_body(Protocol p, std::string_view rpc_id, std::string_view remote_task_id) {
  (void)p;  // tasks/get {"id"} in both
  std::string out;
  json::Writer w(out);
  w.begin_object().member("jsonrpc", "2.0").member("id", rpc_id).member("method", "tasks/get");
  w.key("params").begin_object().member("id", remote_task_id).end_object().end_object();
  return out;
}

std::string cancel_body(Protocol p, std::string_view rpc_id, std::string_view remote_task_id) {
  (void)p;
  std::string out;
  json::Writer w(out);
  w.begin_object().member("jsonrpc", "2.0").member("id", rpc_id).member("method", "tasks/cancel");
  w.key("params").begin_object().member("id", remote_task_id).end_object().end_object();
  return out;
}

net::Result<RpcOutcome> parse_response(Protocol p, int http_status, std::string_view body, json::Parser& parser) {
  auto doc = parser.parse(body);
  dom::object o;
  const bool json_ok = doc && doc->get_object().get(o) == simdjson::SUCCESS;
  // Some servers answer JSON-RPC errors with HTTP 4xx/5xx: the error object
  // says more than the status line, so it is read whatever the status.
  if (json_ok) {
    dom::element ee;
    if (o.at_key("error").get(ee) == simdjson::SUCCESS && !ee.is_null()) {
      dom::object eo;
      if (ee.get_object().get(eo) != simdjson::SUCCESS) return bad("agent's JSON-RPC error is not an object");
      RpcError err;
      int64_t code = 0;
      if (eo.at_key("code").get_int64().get(code) != simdjson::SUCCESS)
        return bad("agent's JSON-RPC error has no integer code");
      err.code = code;
      err.message = quote(str_or(eo, "message"));
      return RpcOutcome{std::nullopt, std::move(err)};
    }
  }
  if (http_status < 200 || http_status > 299)
    return bad("agent answered HTTP " + std::to_string(http_status) + ": " + quote(body));
  if (!doc) return bad("agent answered invalid JSON: " + doc.what());
  if (!json_ok) return bad("agent's answer is not a JSON object");
  dom::element re;
  if (o.at_key("result").get(re) != simdjson::SUCCESS)
    return bad("agent's answer is not a JSON-RPC response (no result, no error)");
  dom::object r;
  if (re.get_object().get(r) != simdjson::SUCCESS)
    return bad(std::string("agent's result must be an object, got ") + json::type_name(re));
  const Dialect d = dialect(p);
  std::string_view kind = str_or(r, "kind");
  dom::element probe;
  const bool is_message =
      kind == "message" || (kind.empty() && r.at_key("status").get(probe) != simdjson::SUCCESS &&
                            r.at_key("parts").get(probe) == simdjson::SUCCESS);
  if (is_message) {
    auto m = read_message(re, d, "agent's message");
    if (!m) return m.take_error();
    RemoteTask t;
    t.status = S::TASK_STATUS_COMPLETED;
    t.message = m.take();
    t.direct_message = true;
    return RpcOutcome{std::move(t), std::nullopt};
  }
  if (!kind.empty() && kind != "task") return bad("agent's result kind \"" + quote(kind) + "\" is not a task");
  auto t = read_task(r, d);
  if (!t) return t.take_error();
  return RpcOutcome{t.take(), std::nullopt};
}

}  // namespace frontends::a2a_client
