// p2p/services/perf_service.hpp — /perf/1.0.0 (specs.md §14): the server
// (registered only when enabled: `enable_perf`) and a client run.
#pragma once

#include <functional>

#include "p2p/host/host.hpp"
#include "p2p/perf/perf.hpp"

namespace p2p::services {

class PerfService {
 public:
  // serve = false: client only.
  PerfService(Host& host, bool serve);
  ~PerfService();

  using OnDone = std::function<void(net::Result<perf::PerfResult>)>;
  void run(const PeerId& peer, perf::ClientOptions opt, OnDone done);

 private:
  struct ServerStream;
  struct ClientRun;
  Host& host_;
  bool serve_;
};

}  // namespace p2p::services
