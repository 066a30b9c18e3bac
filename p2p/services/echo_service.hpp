// p2p/services/echo_service.hpp — diagnostic protocols for interop tests and
// connectivity checks (served by `agentanycast-peer listen`, not by the
// daemon): /echo/1.0.0 echoes every byte and half-closes after the peer did
// (the libp2p test-plans echo); /reset/1.0.0 reads the first chunk, then
// resets the stream (a remote reset on demand).
#pragma once

#include <string_view>

#include "p2p/host/host.hpp"

namespace p2p::services {

inline constexpr std::string_view kEchoProtocol = "/echo/1.0.0";
inline constexpr std::string_view kResetProtocol = "/reset/1.0.0";

class EchoService {
 public:
  explicit EchoService(Host& host);
  ~EchoService();

 private:
  Host& host_;
};

}  // namespace p2p::services
