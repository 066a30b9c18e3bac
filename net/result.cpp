#include "net/result.hpp"

namespace net {

const char* err_name(Err e) {
  switch (e) {
    case Err::ok: return "ok";
    case Err::need_more: return "need_more";
    case Err::proto: return "proto";
    case Err::limit: return "limit";
    case Err::crypto: return "crypto";
    case Err::closed: return "closed";
    case Err::timeout: return "timeout";
    case Err::io: return "io";
    case Err::invalid: return "invalid";
    case Err::not_found: return "not_found";
    case Err::unsupported: return "unsupported";
    case Err::nomem: return "nomem";
    case Err::fatal_: return "fatal";
  }
  return "?";
}

}  // namespace net
