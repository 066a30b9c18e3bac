// frontends/a2a_client/client_call.cpp — see client_call.hpp.
#include "frontends/a2a_client/client_call.hpp"

namespace frontends::a2a_client {

ClientCall::ClientCall(const AgentUrl& url, Protocol p, std::string_view json_body, ResponseLimits lim)
    : proto_(p), request_(write_request(url, json_body)), resp_(lim) {}

net::Result<RpcOutcome> ClientCall::outcome(json::Parser& parser) {
  finished_ = true;
  return parse_response(proto_, resp_.status(), resp_.body(), parser);
}

std::optional<net::Result<RpcOutcome>> ClientCall::feed(net::BytesView data, json::Parser& parser) {
  if (finished_) return net::Result<RpcOutcome>(net::Error{net::Err::proto, "a2a client: call already finished"});
  if (auto st = resp_.feed(data); !st) {
    finished_ = true;
    return net::Result<RpcOutcome>(st.error());
  }
  if (!resp_.done()) return std::nullopt;
  return outcome(parser);
}

net::Result<RpcOutcome> ClientCall::eof(json::Parser& parser) {
  if (finished_) return net::Error{net::Err::proto, "a2a client: call already finished"};
  if (auto st = resp_.finish(); !st) {
    finished_ = true;
    return st.error();
  }
  return outcome(parser);
}

}  // namespace frontends::a2a_client
