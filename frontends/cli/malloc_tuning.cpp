#include "frontends/cli/malloc_tuning.hpp"

#include <linux/limits.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
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

// The kernel keeps 15 bytes of a process name (TASK_COMM_LEN - 1).
void name_process_after_its_file() {
  char name[16] = {};
  if (prctl(PR_GET_NAME, name) != 0 || std::strcmp(name, "exe") != 0) return;
  char path[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return;
  path[n] = '\0';
  const char* base = std::strrchr(path, '/');
  base = base ? base + 1 : path;
  std::memset(name, 0, sizeof(name));
  std::memcpy(name, base, std::min(std::strlen(base), sizeof(name) - 1));  // truncated, as the kernel does
  prctl(PR_SET_NAME, name);
}
}  // namespace

void tune_malloc_or_reexec(char** argv) {
#ifdef __GLIBC__
  if (sanitized()) return;
  const char* cur = getenv("GLIBC_TUNABLES");
  const std::string_view have = cur ? cur : "";
  if (have.find("glibc.malloc.tcache_count") != std::string_view::npos) {  // set: by us or the user
    name_process_after_its_file();
    return;
  }
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
