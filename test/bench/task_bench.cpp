// task_bench — issue 5's figures: two running daemons A and B, driven
// through their gRPC API like the SDKs drive them. B's "agent" (this
// process) completes every incoming task at once; A's "client" sends tasks
// to B's peer id and waits on SubscribeTaskUpdates for COMPLETED. One
// round trip: SendTask + SubscribeTaskUpdates on A, SEND_TASK A->B, the
// incoming event, UpdateTaskStatus + CompleteTask on B, TASK_STATUS_UPDATE
// and TASK_COMPLETE B->A, every envelope ACKed on its own stream.
//
//   task_bench --a <unix socket of A> --b <unix socket of B> --b-addr <B's multiaddr with /p2p/>
//              [--rtt 300] [--tasks 5000] [--inflight 64] [--artifact-mib 256]
//
// Prints ONE JSON object: round trip p50/p99 (sequential tasks), tasks/s
// with `inflight` tasks in flight, artifact streaming MiB/s (B's agent
// SendStreamingArtifact -> A's SubscribeTaskStream), and the CPU seconds
// this load generator used (one thread: below 1 CPU-second per second it
// was not the bottleneck).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "proto/agentanycast/v1/node_service.pb.hpp"
#include "test/bench/task_bench_client.hpp"

namespace v1 = pb::agentanycast::v1;
using bench::Call;
using bench::H2Client;

namespace {

constexpr const char* kSvc = "/agentanycast.v1.NodeService/";
constexpr size_t kChunk = 64 * 1024;        // artifact chunk payload
constexpr size_t kUploadAhead = 1u << 20;   // bytes queued in our client before we wait

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
bool verbose() {
  static bool v = getenv("TB_VERBOSE") != nullptr;
  return v;
}
double g_t0 = 0;
void trace(const char* what) {
  if (verbose()) std::fprintf(stderr, "  %8.3f ms %s\n", (now_s() - g_t0) * 1e3, what);
}
double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "task_bench: %s\n", why.c_str());
  std::exit(1);
}

// Tasks in flight per client connection to A: each holds two streams
// (SendTask, then SubscribeTaskUpdates) and the daemon allows 128
// concurrent streams per connection; a cancelled subscription still counts
// until the daemon has seen our RST_STREAM, so stay well below.
constexpr int kTasksPerConnection = 32;

struct Bench {
  std::vector<std::unique_ptr<H2Client>> as;  // connections to A
  H2Client& a;
  H2Client b;
  std::string b_peer;
  size_t next_a = 0;
  uint64_t retries = 0;

  Bench(const std::string& pa, const std::string& pb, int a_conns)
      : as(make_conns(pa, a_conns)), a(*as.front()), b(pb) {}
  static std::vector<std::unique_ptr<H2Client>> make_conns(const std::string& path, int n) {
    std::vector<std::unique_ptr<H2Client>> v;
    for (int i = 0; i < n; ++i) v.push_back(std::make_unique<H2Client>(path));
    return v;
  }

  // Runs the poll loop until `done()` or the deadline.
  template <class F>
  void run_until(F&& done, double seconds, const char* what) {
    double deadline = now_s() + seconds;
    while (!done()) {
      if (now_s() > deadline) die(std::string("timeout: ") + what);
      std::vector<pollfd> p;
      p.push_back({b.fd(), POLLIN, 0});
      for (auto& c : as) p.push_back({c->fd(), POLLIN, 0});
      int n = ::poll(p.data(), p.size(), 100);
      if (n < 0 && errno != EINTR) die("poll");
      if (p[0].revents) b.on_readable();
      for (size_t i = 1; i < p.size(); ++i)
        if (p[i].revents) as[i - 1]->on_readable();
    }
  }

  template <class Req>
  void unary(H2Client& c, const char* method, const Req& req, std::function<void(net::BytesView)> ok) {
    net::Bytes m = req.encode();
    Call call;
    auto got = std::make_shared<net::Bytes>();
    call.on_message = [got](net::BytesView v) { got->assign(v.begin(), v.end()); };
    std::string name = method;
    call.on_end = [this, &c, got, ok, name, m](int st, const std::string& msg) {
      // REFUSED_STREAM: the daemon did not process it (over its concurrent
      // stream limit for a moment); gRPC clients retry these transparently.
      if (c.last_refused()) return retry(c, name, m, ok);
      if (st != 0) die(name + " failed: status " + std::to_string(st) + " " + msg);
      ok(*got);
    };
    c.start(std::string(kSvc) + method, &m, true, std::move(call));
  }
  void retry(H2Client& c, const std::string& name, const net::Bytes& m, std::function<void(net::BytesView)> ok) {
    // A daemon that refuses everything (GOAWAY) must not make us spin.
    if (++retries > 100000) die("too many refused streams: " + name);
    Call call;
    auto got = std::make_shared<net::Bytes>();
    call.on_message = [got](net::BytesView v) { got->assign(v.begin(), v.end()); };
    call.on_end = [this, &c, got, ok, name, m](int st, const std::string& msg) {
      if (c.last_refused()) return retry(c, name, m, ok);
      if (st != 0) die(name + " failed: status " + std::to_string(st) + " " + msg);
      ok(*got);
    };
    c.start(std::string(kSvc) + name, &m, true, std::move(call));
  }

  // B's agent: reports WORKING and completes every incoming task at once.
  void start_agent() {
    v1::SubscribeIncomingTasksRequest req;
    net::Bytes m = req.encode();
    Call call;
    call.on_message = [this](net::BytesView v) {
      v1::SubscribeIncomingTasksResponse r;
      if (!r.decode(v) || !r.task) die("bad incoming task");
      trace("B: incoming");
      const auto& t = *r.task;
      if (!t.messages.empty() && !t.messages[0].parts.empty() &&
          t.messages[0].parts[0].text_part.text == "stream") {
        stream_tasks.push_back(t.task_id);
        return;
      }
      // WORKING, then COMPLETED with one text artifact (SUBMITTED ->
      // COMPLETED is not a legal transition).
      v1::UpdateTaskStatusRequest w;
      w.task_id = t.task_id;
      w.status = v1::TaskStatus::TASK_STATUS_WORKING;
      std::string id = t.task_id;
      unary(b, "UpdateTaskStatus", w, [this, id](net::BytesView) {
        trace("B: WORKING answered");
        v1::CompleteTaskRequest c;
        c.task_id = id;
        auto& art = c.artifacts.emplace_back();
        art.artifact_id = "a1";
        art.name = "result";
        art.parts.emplace_back().mutable_text_part().text = "done";
        unary(b, "CompleteTask", c, [](net::BytesView) { trace("B: CompleteTask answered"); });
      });
    };
    call.on_end = [](int st, const std::string& msg) { die("incoming stream ended: " + std::to_string(st) + " " + msg); };
    b.start(std::string(kSvc) + "SubscribeIncomingTasks", &m, true, std::move(call));
  }

  // One task from A to B; `done` when A's subscriber saw COMPLETED.
  void one_task(const std::string& text, std::function<void(const std::string& task_id)> done) {
    H2Client& a = *as[next_a++ % as.size()];
    v1::SendTaskRequest req;
    req.mutable_peer_id() = b_peer;
    auto& msg = req.message.emplace();
    msg.message_id = "m";
    msg.role = v1::MessageRole::MESSAGE_ROLE_USER;
    msg.parts.emplace_back().mutable_text_part().text = text;
    unary(a, "SendTask", req, [this, &a, done](net::BytesView v) {
      v1::SendTaskResponse r;
      if (!r.decode(v) || !r.task) die("bad SendTask response");
      trace("A: SendTask answered");
      subscribe_until_completed(a, r.task->task_id, done);
    });
  }

  // A's client follows the task until COMPLETED, then cancels the stream.
  void subscribe_until_completed(H2Client& a, const std::string& id,
                                 std::function<void(const std::string& task_id)> done) {
    v1::SubscribeTaskUpdatesRequest s;
    s.task_id = id;
    net::Bytes m = s.encode();
    Call call;
    auto sid = std::make_shared<int32_t>(0);
    auto fired = std::make_shared<bool>(false);
    call.on_message = [&a, sid, fired, done, id](net::BytesView u) {
      v1::SubscribeTaskUpdatesResponse up;
      if (!up.decode(u)) die("bad update");
      trace("A: update");
      if (up.status == v1::TaskStatus::TASK_STATUS_COMPLETED && !*fired) {
        *fired = true;
        a.cancel(*sid);
        done(id);
      } else if (up.status == v1::TaskStatus::TASK_STATUS_FAILED) {
        die("task failed");
      }
    };
    call.on_end = [this, &a, fired, id, done](int st, const std::string& msg) {
      if (*fired) return;
      if (a.last_refused()) return subscribe_until_completed(a, id, done);
      die("update stream ended early: " + std::to_string(st) + " " + msg);
    };
    *sid = a.start(std::string(kSvc) + "SubscribeTaskUpdates", &m, true, std::move(call));
  }

  std::deque<std::string> stream_tasks;
};

std::string arg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  if (!def) die(std::string("missing ") + name);
  return def;
}

unsigned long long refused_total(const Bench& bn) {
  unsigned long long n = bn.b.refused();
  for (const auto& c : bn.as) n += c->refused();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pa = arg(argc, argv, "--a", nullptr), pb = arg(argc, argv, "--b", nullptr);
  std::string b_addr = arg(argc, argv, "--b-addr", nullptr);
  int rtt_n = std::stoi(arg(argc, argv, "--rtt", "300"));
  int tasks = std::stoi(arg(argc, argv, "--tasks", "5000"));
  int inflight = std::stoi(arg(argc, argv, "--inflight", "64"));
  size_t art_mib = std::stoul(arg(argc, argv, "--artifact-mib", "256"));
  size_t p2p = b_addr.rfind("/p2p/");
  if (p2p == std::string::npos) die("--b-addr needs /p2p/<id>");

  Bench bn(pa, pb, (inflight + kTasksPerConnection - 1) / kTasksPerConnection);
  bn.b_peer = b_addr.substr(p2p + 5);

  // A connects to B; B's agent subscribes.
  bool connected = false;
  v1::ConnectPeerRequest cr;
  cr.peer_id = bn.b_peer;
  cr.addresses.push_back(b_addr);
  bn.unary(bn.a, "ConnectPeer", cr, [&](net::BytesView) { connected = true; });
  bn.start_agent();
  bn.run_until([&] { return connected; }, 10, "ConnectPeer");

  // Warm-up, then sequential round trips.
  int warm = 0;
  for (int i = 0; i < 20; ++i) bn.one_task("warm", [&](const std::string&) { ++warm; });
  bn.run_until([&] { return warm == 20; }, 30, "warm-up");
  std::vector<double> rtts;
  for (int i = 0; i < rtt_n; ++i) {
    bool done = false;
    double t0 = g_t0 = now_s();
    bn.one_task("rtt", [&](const std::string&) { done = true; });
    bn.run_until([&] { return done; }, 10, "round trip");
    rtts.push_back((now_s() - t0) * 1e3);
    if (getenv("TB_VERBOSE")) std::fprintf(stderr, "rtt %.3f ms\n", rtts.back());
  }
  std::sort(rtts.begin(), rtts.end());
  std::fprintf(stderr, "task_bench: %d round trips done\n", rtt_n);

  // Throughput: `inflight` tasks in flight.
  int started = 0, finished = 0;
  std::function<void()> launch = [&] {
    ++started;
    bn.one_task("tput", [&](const std::string&) {
      ++finished;
      if (started < tasks) launch();
    });
  };
  double c0 = cpu_s(), t0 = now_s();
  for (int i = 0; i < inflight && started < tasks; ++i) launch();
  bn.run_until([&] { return finished == tasks; }, 300, "throughput");
  double tput_s = now_s() - t0, tput_cpu = cpu_s() - c0;
  std::fprintf(stderr, "task_bench: %d tasks done\n", tasks);

  // Artifact streaming: A sends a "stream" task, subscribes to its stream;
  // then B's agent uploads art_mib MiB.
  std::string stream_id;
  {
    bool sent = false;
    v1::SendTaskRequest req;
    req.mutable_peer_id() = bn.b_peer;
    auto& msg = req.message.emplace();
    msg.message_id = "s";
    msg.role = v1::MessageRole::MESSAGE_ROLE_USER;
    msg.parts.emplace_back().mutable_text_part().text = "stream";
    bn.unary(bn.a, "SendTask", req, [&](net::BytesView v) {
      v1::SendTaskResponse r;
      if (!r.decode(v) || !r.task) die("bad SendTask response");
      stream_id = r.task->task_id;
      sent = true;
    });
    bn.run_until([&] { return sent && !bn.stream_tasks.empty(); }, 10, "stream task");
  }
  size_t got_bytes = 0;
  bool got_end = false;
  {
    v1::SubscribeTaskStreamRequest s;
    s.task_id = stream_id;
    net::Bytes m = s.encode();
    Call call;
    call.on_message = [&](net::BytesView v) {
      v1::SubscribeTaskStreamResponse e;
      if (!e.decode(v)) die("bad stream event");
      using EC = v1::SubscribeTaskStreamResponse::EventCase;
      if (e.event_case == EC::stream_chunk) got_bytes += e.stream_chunk.data.size();
      if (e.event_case == EC::stream_end) got_end = true;
    };
    call.on_end = [&](int st, const std::string& msg) {
      if (!got_end) die("stream subscription ended early: " + std::to_string(st) + " " + msg);
    };
    bn.a.start(std::string(kSvc) + "SubscribeTaskStream", &m, true, std::move(call));
  }
  // Let the subscription reach the engine before the first event (events
  // with no subscriber are dropped, as in the original).
  double settle = now_s() + 0.2;
  bn.run_until([&] { return now_s() > settle; }, 5, "settle");

  const size_t total = art_mib << 20;
  size_t sent = 0;
  int32_t seq = 0;
  bool upload_ok = false;
  Call up;
  up.on_end = [&](int st, const std::string& msg) {
    if (st != 0) die("SendStreamingArtifact: " + std::to_string(st) + " " + msg);
    upload_ok = true;
  };
  v1::SendStreamingArtifactRequest start;
  auto& ss = start.mutable_stream_start();
  ss.task_id = stream_id;
  ss.artifact_id = "big";
  ss.artifact_name = "big.bin";
  ss.media_type = "application/octet-stream";
  net::Bytes first = start.encode();
  double s0 = now_s(), sc0 = cpu_s();
  int32_t up_sid = bn.b.start(std::string(kSvc) + "SendStreamingArtifact", &first, false, std::move(up));
  const net::Bytes payload(kChunk, 'x');  // bytes, so assign() is one memcpy
  bool ended = false;
  bn.run_until(
      [&] {
        while (sent < total && bn.b.unsent(up_sid) < kUploadAhead) {
          v1::SendStreamingArtifactRequest c;
          auto& ch = c.mutable_stream_chunk();
          ch.task_id = stream_id;
          ch.artifact_id = "big";
          ch.sequence = seq++;
          size_t n = std::min(kChunk, total - sent);
          ch.data.assign(payload.begin(), payload.begin() + static_cast<ptrdiff_t>(n));
          sent += n;
          ch.is_last = sent == total;
          bn.b.send(up_sid, c.encode());
        }
        if (sent == total && !ended) {
          v1::SendStreamingArtifactRequest e;
          auto& en = e.mutable_stream_end();
          en.task_id = stream_id;
          en.artifact_id = "big";
          en.reason = v1::StreamEndReason::STREAM_END_REASON_COMPLETE;
          bn.b.send(up_sid, e.encode());
          bn.b.end(up_sid);
          ended = true;
        }
        return got_end && got_bytes == total;
      },
      600, "artifact stream");
  double stream_s = now_s() - s0, stream_cpu = cpu_s() - sc0;
  (void)upload_ok;

  auto pct = [&](double p) { return rtts[std::min(rtts.size() - 1, static_cast<size_t>(p * rtts.size()))]; };
  std::printf(
      "{\"task_rtt_ms_p50\":%.3f,\"task_rtt_ms_p99\":%.3f,\"rtt_samples\":%d,"
      "\"tasks\":%d,\"inflight\":%d,\"client_connections\":%zu,\"tasks_per_s\":%.0f,\"loadgen_cpu_per_s_tasks\":%.2f,"
      "\"refused_streams_retried\":%llu,\"artifact_mib\":%zu,\"artifact_mib_s\":%.1f,\"loadgen_cpu_per_s_stream\":%.2f}\n",
      pct(0.5), pct(0.99), rtt_n, tasks, inflight, bn.as.size(), tasks / tput_s, tput_cpu / tput_s, refused_total(bn), art_mib,
      static_cast<double>(total) / (1 << 20) / stream_s, stream_cpu / stream_s);
  return 0;
}
