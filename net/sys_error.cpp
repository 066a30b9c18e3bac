#include "net/sys_error.hpp"

#include <cstring>

namespace net {

Error sys_error(Err code, std::string_view what, int err) {
  std::string m;
  const char* e = strerror(err);  // single-threaded daemon: the static buffer is fine
  m.reserve(what.size() + 2 + strlen(e));
  m.append(what);
  m.append(": ");
  m.append(e);
  return Error{code, std::move(m)};
}

Error sys_error(std::string_view what, int err) { return sys_error(Err::io, what, err); }

}  // namespace net
