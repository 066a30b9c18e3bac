#include "frontends/cli/malloc_tuning.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace frontends::cli {

namespace {
bool sanitized() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}
}  // namespace

void tune_malloc_or_reexec(char** argv) {
#ifdef __GLIBC__
  if (sanitized()) return;
  const char* cur = getenv("GLIBC_TUNABLES");
  const std::string_view have = cur ? cur : "";
  if (have.find("glibc.malloc.tcache_count") != std::string_view::npos) return;  // set: by us or the user
  std::string want = have.empty() ? std::string(kTcacheTunable) : std::string(have) + ":" + kTcacheTunable;
  if (setenv("GLIBC_TUNABLES", want.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // No /proc (or no exec permission): carry on with the defaults, and do not
  // hand the setting to children as if it were in effect here.
  if (cur)
    setenv("GLIBC_TUNABLES", cur, 1);
  else
    unsetenv("GLIBC_TUNABLES");
#else
  (void)argv;
#endif
}

}  // namespace frontends::cli
