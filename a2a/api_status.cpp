#include "a2a/api_status.hpp"

namespace a2a {

const char* api_code_name(ApiCode c) {
  switch (c) {
    case ApiCode::ok: return "OK";
    case ApiCode::cancelled: return "CANCELLED";
    case ApiCode::invalid_argument: return "INVALID_ARGUMENT";
    case ApiCode::not_found: return "NOT_FOUND";
    case ApiCode::resource_exhausted: return "RESOURCE_EXHAUSTED";
    case ApiCode::failed_precondition: return "FAILED_PRECONDITION";
    case ApiCode::aborted: return "ABORTED";
    case ApiCode::internal: return "INTERNAL";
    case ApiCode::unavailable: return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

}  // namespace a2a
