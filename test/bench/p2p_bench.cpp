// p2p_bench — our libp2p stack as the client side of `make bench`, measuring
// the same figures as test/interop/bench_js.mjs so the two can be compared
// side by side: against our daemon (ours<->ours) or a js peer (ours->js).
//
//   p2p_bench --target <multiaddr with /p2p/> --server-pid <pid>
//             [--bulk-mib 256] [--streams 100] [--stream-mib 2]
//             [--dials 1000] [--pings 1000] [--idle-conns 1000]
// Prints ONE JSON object with the field names bench_js.mjs uses.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/init.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "net/fd_limit.hpp"
#include "p2p/host/host.hpp"
#include "p2p/ping/ping.hpp"
#include "p2p/services/perf_service.hpp"
#include "p2p/services/ping_service.hpp"

using namespace p2p;

namespace {

struct Node {
  crypto::Ed25519PrivateKey key;
  std::unique_ptr<Host> host;
  std::unique_ptr<services::PerfService> perf;
  Node(net::Loop& loop) {
    key = crypto::Ed25519PrivateKey::generate().take();
    HostConfig c;
    c.identity = &key;
    host = std::make_unique<Host>(loop, c);
    perf = std::make_unique<services::PerfService>(*host, false);
  }
};

long rss_kib(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double loadavg() {
  double l = 0;
  FILE* f = fopen("/proc/loadavg", "r");
  if (f) {
    if (fscanf(f, "%lf", &l) != 1) l = 0;
    fclose(f);
  }
  return l;
}

[[noreturn]] void die(const std::string& m) {
  fprintf(stderr, "p2p_bench: %s\n", m.c_str());
  exit(1);
}

// Runs the loop until done() (or dies after timeout).
void run_until(net::Loop& loop, const std::function<bool()>& done, uint64_t timeout_s = 300) {
  loop.update_now();
  const net::Instant end = loop.now() + timeout_s * net::kSecond;
  while (!done()) {
    if (!loop.run_once(100 * net::kMillisecond)) die("loop failed");
    if (loop.now() > end) die("timed out");
  }
}

perf::PerfResult perf_run(net::Loop& loop, Node& n, const PeerId& peer, uint64_t up, uint64_t down) {
  std::optional<net::Result<perf::PerfResult>> r;
  perf::ClientOptions o;
  o.upload_bytes = up;
  o.download_bytes = down;
  n.perf->run(peer, o, [&](net::Result<perf::PerfResult> x) { r = std::move(x); });
  run_until(loop, [&] { return r.has_value(); });
  if (!*r) die("perf: " + r->what());
  return **r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  int server_pid = 0;
  uint64_t bulk_mib = 256, streams = 100, stream_mib = 2, dials = 1000, pings = 1000, idle = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") target = v;
    else if (k == "--server-pid") server_pid = std::stoi(v);
    else if (k == "--bulk-mib") bulk_mib = std::stoull(v);
    else if (k == "--streams") streams = std::stoull(v);
    else if (k == "--stream-mib") stream_mib = std::stoull(v);
    else if (k == "--dials") dials = std::stoull(v);
    else if (k == "--pings") pings = std::stoull(v);
    else if (k == "--idle-conns") idle = std::stoull(v);
    else die("unknown option " + k);
  }
  if (target.empty()) die("--target is required");
  net::raise_fd_limit();
  if (!crypto::init()) die("crypto init");
  net::Log::global().set_level(net::LogLevel::error);
  auto ma = Multiaddr::parse(target);
  if (!ma || !ma->peer_id()) die("bad --target");
  const PeerId peer = *ma->peer_id();
  auto loopr = net::Loop::create();
  if (!loopr) die("loop");
  net::Loop& loop = **loopr;
  const double load0 = loadavg();
  std::string out = "{\"impl\":\"agentanycast (C++)\"";
  char buf[512];

  if (server_pid) {
    snprintf(buf, sizeof buf, ",\"idle_rss_kib\":%ld", rss_kib(server_pid));
    out += buf;
  }

  Node c(loop);
  {
    std::optional<net::Result<ConnId>> conn;
    c.host->dial(*ma, [&](net::Result<ConnId> r) { conn = std::move(r); });
    run_until(loop, [&] { return conn.has_value(); });
    if (!*conn) die("dial: " + conn->what());
  }
  (void)perf_run(loop, c, peer, 8 << 20, 8 << 20);  // warm-up
  const uint64_t bulk = bulk_mib << 20;
  auto up = perf_run(loop, c, peer, bulk, 0);
  auto down = perf_run(loop, c, peer, 0, bulk);
  snprintf(buf, sizeof buf, ",\"bulk_bytes\":%llu,\"bulk_upload_MiBps\":%.1f,\"bulk_download_MiBps\":%.1f",
           static_cast<unsigned long long>(bulk), up.upload_mib_s, down.download_mib_s);
  out += buf;

  {  // concurrent streams, each downloading stream_mib
    size_t left = streams;
    loop.update_now();
    const net::Instant t0 = net::monotonic_now();
    for (uint64_t i = 0; i < streams; ++i) {
      perf::ClientOptions o;
      o.download_bytes = stream_mib << 20;
      c.perf->run(peer, o, [&](net::Result<perf::PerfResult> r) {
        if (!r) die("perf stream: " + r.what());
        --left;
      });
    }
    run_until(loop, [&] { return left == 0; });
    const double s = static_cast<double>(net::monotonic_now() - t0) / 1e9;
    snprintf(buf, sizeof buf, ",\"streams\":%llu,\"streams_total_MiBps\":%.1f", static_cast<unsigned long long>(streams),
             static_cast<double>(streams * (stream_mib << 20)) / 1048576.0 / s);
    out += buf;
  }

  {  // ping RTT on one warm stream (first 50 are warm-up)
    services::PingService ps(*c.host);
    std::vector<double> rtts;
    bool done = false;
    ps.ping(
        peer, pings + 50,
        [&](uint64_t seq, uint64_t rtt_ns) {
          if (seq >= 50) rtts.push_back(static_cast<double>(rtt_ns) / 1e3);
        },
        [&](net::Status st) {
          if (!st) die("ping: " + st.what());
          done = true;
        });
    run_until(loop, [&] { return done; });
    snprintf(buf, sizeof buf, ",\"ping_rtt_us\":{\"p50\":%.1f,\"p99\":%.1f,\"n\":%zu}", pct(rtts, 50), pct(rtts, 99),
             rtts.size());
    out += buf;
  }
  c.host->shutdown();

  {  // connection setup: a fresh connection each time
    Node d(loop);
    services::PingService ps(*d.host);
    std::vector<double> dial_ms, first_ms;
    for (uint64_t i = 0; i < dials + 20; ++i) {
      const net::Instant s = net::monotonic_now();
      std::optional<net::Result<ConnId>> conn;
      d.host->dial(*ma, [&](net::Result<ConnId> r) { conn = std::move(r); });
      run_until(loop, [&] { return conn.has_value(); });
      if (!*conn) die("dial: " + conn->what());
      const net::Instant t1 = net::monotonic_now();
      bool pinged = false;
      ps.ping(peer, 1, nullptr, [&](net::Status st) {
        if (!st) die("first ping: " + st.what());
        pinged = true;
      });
      run_until(loop, [&] { return pinged; });
      const net::Instant t2 = net::monotonic_now();
      if (i >= 20) {
        dial_ms.push_back(static_cast<double>(t1 - s) / 1e6);
        first_ms.push_back(static_cast<double>(t2 - s) / 1e6);
      }
      d.host->close_peer(peer);
      run_until(loop, [&] { return !d.host->is_connected(peer); });
    }
    snprintf(buf, sizeof buf,
             ",\"connect_ms\":{\"n\":%zu,\"dial_p50\":%.3f,\"dial_p99\":%.3f,\"dial_and_first_stream_p50\":%.3f,"
             "\"dial_and_first_stream_p99\":%.3f}",
             dial_ms.size(), pct(dial_ms, 50), pct(dial_ms, 99), pct(first_ms, 50), pct(first_ms, 99));
    out += buf;
    d.host->shutdown();
  }

  if (server_pid && idle > 0) {  // RSS per idle connection: one client node per connection
    const net::Instant settle = net::monotonic_now() + 2 * net::kSecond;
    run_until(loop, [&] { return net::monotonic_now() > settle; });
    const long before = rss_kib(server_pid);
    std::vector<std::unique_ptr<Node>> nodes;
    size_t connected = 0, failed = 0;
    for (uint64_t i = 0; i < idle; ++i) {
      nodes.push_back(std::make_unique<Node>(loop));
      nodes.back()->host->dial(*ma, [&](net::Result<ConnId> r) { (r ? connected : failed)++; });
      if (i % 50 == 49) run_until(loop, [&] { return connected + failed == i + 1; });
    }
    run_until(loop, [&] { return connected + failed == idle; });
    const net::Instant until = net::monotonic_now() + 3 * net::kSecond;
    run_until(loop, [&] { return net::monotonic_now() > until; });
    const long after = rss_kib(server_pid);
    snprintf(buf, sizeof buf,
             ",\"idle_conns\":%zu,\"idle_conn_failures\":%zu,\"idle_rss_before_conns_kib\":%ld,"
             "\"idle_rss_with_conns_kib\":%ld,\"rss_per_idle_conn_kib\":%.1f",
             connected, failed, before, after,
             connected ? static_cast<double>(after - before) / static_cast<double>(connected) : 0.0);
    out += buf;
    for (auto& n : nodes) n->host->shutdown();
  }
  snprintf(buf, sizeof buf, ",\"loadavg_1m_at_start\":%.2f,\"loadavg_1m_at_end\":%.2f}", load0, loadavg());
  out += buf;
  puts(out.c_str());
  return 0;
}
