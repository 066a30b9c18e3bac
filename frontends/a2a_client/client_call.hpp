// frontends/a2a_client/client_call.hpp — one JSON-RPC call to an external
// A2A agent, sans-I/O: the request bytes to write, then the response bytes
// as they arrive (any split), and at the end one outcome. The driver
// (url_router.hpp) owns the socket, TLS and timers; this core owns the
// HTTP framing and the JSON-RPC mapping.
//
//   ClientCall c(url, Protocol::current, send_body(...));
//   write(c.output()); c.consume(n);
//   if (auto r = c.feed(bytes, parser)) ...   // the outcome, once complete
//   at EOF: auto r = c.eof(parser);
#pragma once

#include <optional>
#include <string>

#include "frontends/a2a_client/a2a_rpc.hpp"
#include "frontends/a2a_client/agent_url.hpp"
#include "frontends/a2a_client/http_response.hpp"
#include "net/bytes.hpp"
#include "net/result.hpp"

namespace frontends::a2a_client {

class ClientCall {
 public:
  ClientCall(const AgentUrl& url, Protocol p, std::string_view json_body, ResponseLimits lim = {});

  // Request bytes not written yet.
  net::BytesView output() const {
    return {reinterpret_cast<const uint8_t*>(request_.data()) + sent_, request_.size() - sent_};
  }
  void consume(size_t n) { sent_ = std::min(request_.size(), sent_ + n); }

  // Response bytes. nullopt: more needed. Otherwise the call's outcome
  // (an error: the HTTP or JSON-RPC problem, see http_response.hpp and
  // a2a_rpc.hpp); later calls return the same error.
  std::optional<net::Result<RpcOutcome>> feed(net::BytesView data, json::Parser& parser);
  // The connection ended (EOF): a response delimited by it completes, else
  // "http: connection closed before the response was complete".
  net::Result<RpcOutcome> eof(json::Parser& parser);
  bool finished() const { return finished_; }
  Protocol protocol() const { return proto_; }

 private:
  net::Result<RpcOutcome> outcome(json::Parser& parser);

  Protocol proto_;
  std::string request_;
  size_t sent_ = 0;
  ResponseParser resp_;
  bool finished_ = false;
};

}  // namespace frontends::a2a_client
