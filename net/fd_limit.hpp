// net/fd_limit.hpp — raise RLIMIT_NOFILE's soft limit to the hard limit at
// start (as go does since 1.19): the default soft limit of 1024 would cap a
// node at about a thousand connections.
#pragma once

#include <cstdint>

namespace net {

// Returns the soft limit in effect afterwards (0 if it could not be read).
uint64_t raise_fd_limit();

}  // namespace net
