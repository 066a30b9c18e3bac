// frontends/grpc/grpc_health.cpp — see grpc_health.hpp.
#include "frontends/grpc/grpc_health.hpp"

namespace frontends::grpc {

namespace hv1 = ::pb::grpc::health::v1;

Health::Health() { statuses_[""] = ServingStatus::SERVING; }

Health::~Health() = default;

void Health::register_into(Engine& eng) {
  eng.register_unary<hv1::Health::Check>([this](hv1::HealthCheckRequest&& req, Responder<hv1::Health::Check> r) {
    auto it = statuses_.find(req.service);
    if (it == statuses_.end()) return r.fail(Code::not_found, "unknown service");
    r.reply({.status = it->second});
  });
  eng.register_unary<hv1::Health::List>([this](hv1::HealthListRequest&&, Responder<hv1::Health::List> r) {
    hv1::HealthListResponse resp;
    for (const auto& [name, st] : statuses_) resp.statuses[name].status = st;
    r.reply(resp);
  });
  eng.register_server_streaming<hv1::Health::Watch>(
      [this](hv1::HealthCheckRequest&& req, ServerWriter<hv1::Health::Watch> w) {
        uint64_t wid = next_watcher_++;
        w.on_cancel([this, wid](const Status&) { watchers_.erase(wid); });
        w.on_writable([this, wid] { push(wid); });
        watchers_.emplace(wid, Watcher{std::move(req.service), std::move(w.call())});
        push(wid);
      });
}

ServingStatus Health::current(const std::string& service) const {
  auto it = statuses_.find(service);
  return it == statuses_.end() ? ServingStatus::SERVICE_UNKNOWN : it->second;
}

void Health::push(uint64_t wid) {
  auto it = watchers_.find(wid);
  if (it == watchers_.end()) return;
  Watcher& w = it->second;
  ServingStatus now = current(w.service);
  if (w.sent_any && w.sent == now) return;
  if (!w.call.writable()) return;  // on_writable will call again
  Flow f = w.call.write_message(hv1::HealthCheckResponse{.status = now});
  if (f == Flow::closed) {
    watchers_.erase(it);
    return;
  }
  if (f != Flow::full) {
    w.sent = now;
    w.sent_any = true;
  }
}

void Health::set_status(std::string_view service, ServingStatus st) {
  statuses_[std::string(service)] = st;
  std::vector<uint64_t> ids;
  for (const auto& [id, w] : watchers_)
    if (w.service == service) ids.push_back(id);
  for (uint64_t id : ids) push(id);
}

std::optional<ServingStatus> Health::status(std::string_view service) const {
  auto it = statuses_.find(service);
  if (it == statuses_.end()) return std::nullopt;
  return it->second;
}

void Health::set_all_not_serving() {
  std::vector<std::string> names;
  for (const auto& [name, st] : statuses_) names.push_back(name);
  for (const auto& n : names) set_status(n, ServingStatus::NOT_SERVING);
}

}  // namespace frontends::grpc
