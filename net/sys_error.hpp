// net/sys_error.hpp — Error values for failed system calls.
//
// Every socket, loop and fd helper reports a failed call as Err::io with a
// message "<what>: <strerror>", e.g. "tcp connect 127.0.0.1:9: Connection
// refused"; tests assert on the text.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>

#include "net/result.hpp"

namespace net {

// "<what>: <strerror(err)>" with code Err::io.
Error sys_error(std::string_view what, int err);
// Same, with the caller's code (Err::limit for EMFILE, Err::timeout, …).
Error sys_error(Err code, std::string_view what, int err);

}  // namespace net
