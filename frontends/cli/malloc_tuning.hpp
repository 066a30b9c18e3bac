// frontends/cli/malloc_tuning.hpp — the daemon's one allocator setting.
//
// glibc keeps at most 7 freed chunks per size class in its per-thread cache
// (tcache); beyond that a free goes to the slower shared bins. The task path
// frees dozens of same-sized objects per loop turn (64 tasks in flight), so
// most frees missed the cache: malloc and free were 17 % of the daemon's CPU.
// With 128 per class (and the engine keeping its per-turn lists' capacity)
// the daemons spent 3-6 % less CPU per task and task_bench ran 3-7 % more
// tasks/s (side by side, README "Benchmarks").
// The count can only be set through GLIBC_TUNABLES, read when the process
// starts, so the daemon re-executes itself once with it added (same pid,
// same fds, same argv; /proc/self/exe). A GLIBC_TUNABLES that already sets
// glibc.malloc.tcache_count is left alone — set it to 7 to get glibc's
// default back. Not done under sanitizers (they bring their own malloc).
// An exec through /proc/self/exe names the process "exe" (the kernel takes
// the name from the path given to execve): the re-executed daemon gives
// itself its file's name back, so ps, top, pidof and pkill find it.
#pragma once

namespace frontends::cli {

inline constexpr const char* kTcacheTunable = "glibc.malloc.tcache_count=128";

// Returns only if no re-exec was needed or it failed (then the daemon runs
// with glibc's defaults).
void tune_malloc_or_reexec(char** argv);

}  // namespace frontends::cli
