// test/bench/yamux_core_bench.cpp — the yamux core alone: two Sessions in
// memory, no sockets, no encryption, moving 1 GiB on one stream and 1 GiB
// spread over 100 concurrent streams. The writer pushes until write() stops
// accepting, the whole pending output is fed to the peer, the reader takes
// every byte through read_view()/consume() (no copy) and the window updates
// go back. This is the ceiling the transport bench (noise + TCP) is compared
// with.
//
//   yamux_core_bench [MiB] [frame_payload...]
// prints one line per configuration and a JSON line per result;
// YAMUX_BENCH_BUDGET=<bytes> overrides Limits::max_output_buffered.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "net/clock.hpp"
#include "p2p/yamux/yamux.hpp"

using namespace p2p::yamux;

// Counts heap allocations, to show the steady state allocates nothing per frame.
static std::atomic<uint64_t> g_allocs{0};
void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void* operator new[](size_t n) { return operator new(n); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace {

struct Result {
  double seconds = 0;
  uint64_t bytes = 0;
  uint64_t allocs_after_warmup = 0;  // heap allocations after the first 64 MiB
};

void pump(Session& from, Session& to, net::Instant now) {
  net::BytesView out = from.pending_output();
  if (out.empty()) return;
  auto r = to.feed(out, now);
  if (!r) {
    std::fprintf(stderr, "feed failed: %s\n", r.what().c_str());
    std::exit(1);
  }
  from.consume_output(out.size());
}

Result run(size_t streams, uint64_t total, const Limits& lim) {
  Session a(Role::client, net::monotonic_now(), lim);
  Session b(Role::server, net::monotonic_now(), lim);
  std::vector<uint8_t> chunk(256 * 1024);
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<uint8_t>(i * 131);
  std::vector<StreamId> ids;
  std::vector<uint64_t> left;
  for (size_t i = 0; i < streams; ++i) {
    auto id = a.open_stream();
    if (!id) {
      pump(a, b, net::monotonic_now());
      pump(b, a, net::monotonic_now());
      id = a.open_stream();
    }
    ids.push_back(*id);
    left.push_back(total / streams + (i < total % streams ? 1 : 0));
  }
  std::vector<StreamId> readable;
  uint64_t received = 0;
  uint64_t allocs_at_warm = 0;
  bool warm = false;
  net::Instant t0 = net::monotonic_now();
  while (received < total) {
    if (!warm && received >= (64u << 20)) {
      warm = true;
      allocs_at_warm = g_allocs.load();
    }
    net::Instant now = net::monotonic_now();
    for (size_t i = 0; i < ids.size(); ++i) {
      while (left[i] > 0) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(left[i], chunk.size()));
        auto w = a.write(ids[i], {chunk.data(), n});
        if (!w || *w == 0) break;
        left[i] -= *w;
      }
    }
    pump(a, b, now);
    while (auto e = b.poll_event()) {
      if (e->kind == EventKind::stream_opened) (void)b.accept_stream(e->id);
      if (e->kind == EventKind::stream_readable) readable.push_back(e->id);
    }
    for (StreamId id : readable) {
      while (true) {
        net::BytesView v = b.read_view(id);
        if (v.empty()) break;
        received += v.size();
        (void)b.consume(id, v.size(), now);
      }
    }
    readable.clear();
    pump(b, a, now);
    while (a.poll_event()) {
    }
  }
  Result r;
  r.seconds = static_cast<double>(net::monotonic_now() - t0) / 1e9;
  r.bytes = received;
  r.allocs_after_warmup = warm ? g_allocs.load() - allocs_at_warm : 0;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  std::vector<uint32_t> frames;
  for (int i = 2; i < argc; ++i) frames.push_back(static_cast<uint32_t>(std::strtoul(argv[i], nullptr, 10)));
  if (frames.empty()) frames = {16 * 1024, 32 * 1024, 65507, 64 * 1024};
  const uint64_t total = mib << 20;
  for (size_t streams : {size_t{1}, size_t{100}}) {
    for (uint32_t f : frames) {
      Limits lim;
      lim.keepalive = false;
      lim.max_frame_payload = f;
      if (const char* b = std::getenv("YAMUX_BENCH_BUDGET")) lim.max_output_buffered = std::strtoull(b, nullptr, 10);
      Result r = run(streams, total, lim);
      double mibs = static_cast<double>(r.bytes) / (1 << 20) / r.seconds;
      std::printf("yamux core: %3zu stream(s), frame payload %5u: %llu MiB in %.3f s = %.0f MiB/s, %llu allocations "
                  "after warm-up\n",
                  streams, f, static_cast<unsigned long long>(r.bytes >> 20), r.seconds, mibs,
                  static_cast<unsigned long long>(r.allocs_after_warmup));
      std::printf("{\"bench\":\"yamux_core\",\"streams\":%zu,\"frame_payload\":%u,\"bytes\":%llu,\"seconds\":%.6f,"
                  "\"mib_s\":%.1f,\"allocs_after_warmup\":%llu}\n",
                  streams, f, static_cast<unsigned long long>(r.bytes), r.seconds, mibs,
                  static_cast<unsigned long long>(r.allocs_after_warmup));
      std::fflush(stdout);
    }
  }
  return 0;
}
