// frontends/grpc/grpc_health.hpp — grpc.health.v1.Health (specs.md §18,
// grpc doc/health-checking.md): Check, List and Watch over a table of
// service statuses the daemon sets. "" (the whole server) is SERVING from
// the start; the daemon adds "agentanycast.v1.NodeService" = SERVING, as
// the original does (upstream.md §1.4).
//   Check: the status, or NOT_FOUND "unknown service" for a name never set.
//   List:  every status.
//   Watch: the status now (SERVICE_UNKNOWN for an unknown name, without
//          ending the call), then one message per change. A watcher whose
//          client does not read gets only the latest status once it drains:
//          nothing queues up.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "frontends/grpc/grpc_engine.hpp"
#include "proto/grpc/health/v1/health.pb.hpp"

namespace frontends::grpc {

using ServingStatus = ::pb::grpc::health::v1::HealthCheckResponse_ServingStatus;

class Health {
 public:
  Health();
  ~Health();
  Health(const Health&) = delete;
  Health& operator=(const Health&) = delete;

  // Adds Check, List and Watch to the engine. The Health must outlive it.
  void register_into(Engine& eng);

  void set_status(std::string_view service, ServingStatus st);
  std::optional<ServingStatus> status(std::string_view service) const;
  // Every service NOT_SERVING (server shutdown; grpc-go's Shutdown()).
  void set_all_not_serving();
  size_t watcher_count() const { return watchers_.size(); }

 private:
  struct Watcher {
    std::string service;
    Call call;
    ServingStatus sent = ServingStatus::UNKNOWN;
    bool sent_any = false;
  };
  ServingStatus current(const std::string& service) const;
  void push(uint64_t wid);  // sends the current status if it changed and the stream can take it

  std::map<std::string, ServingStatus, std::less<>> statuses_;
  std::map<uint64_t, Watcher> watchers_;
  uint64_t next_watcher_ = 1;
};

}  // namespace frontends::grpc
