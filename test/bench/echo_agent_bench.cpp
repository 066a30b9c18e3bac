// echo_agent_bench — the agent behind the HTTP bridge benchmark
// (test/bench/http_bench.sh): connects to a daemon's gRPC unix socket, sets
// an agent card (so the bridge serves /.well-known/agent-card.json), and
// answers every incoming task at once: WORKING, then COMPLETED with one
// text artifact "echo: <text>". One thread of C++ on nghttp2 (the client of
// task_bench), so the agent is not what a message/send benchmark measures.
//
//   echo_agent_bench --sock <unix socket of the daemon>
//
// Prints "READY" once the card is set and the incoming-task stream is open;
// runs until killed; on SIGTERM prints {"tasks_completed":N,"cpu_s":X}.
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "proto/agentanycast/v1/node_service.pb.hpp"
#include "test/bench/task_bench_client.hpp"

namespace v1 = pb::agentanycast::v1;
using bench::Call;
using bench::H2Client;

namespace {

constexpr const char* kSvc = "/agentanycast.v1.NodeService/";
volatile std::sig_atomic_t g_stop = 0;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "echo_agent_bench: %s\n", why.c_str());
  std::exit(1);
}

struct Agent {
  H2Client c;
  unsigned long long completed = 0;
  explicit Agent(const std::string& path) : c(path) {}

  template <class Req>
  void unary(const char* method, const Req& req, std::function<void(net::BytesView)> ok) {
    net::Bytes m = req.encode();
    Call call;
    auto got = std::make_shared<net::Bytes>();
    call.on_message = [got](net::BytesView v) { got->assign(v.begin(), v.end()); };
    std::string name = method;
    call.on_end = [this, got, ok, name, req](int st, const std::string& msg) {
      if (c.last_refused()) return unary(name.c_str(), req, ok);  // over the stream limit for a moment
      if (st != 0) die(name + " failed: status " + std::to_string(st) + " " + msg);
      ok(*got);
    };
    c.start(std::string(kSvc) + method, &m, true, std::move(call));
  }

  void on_task(const v1::Task& t) {
    std::string text;
    if (!t.messages.empty() && !t.messages[0].parts.empty()) text = t.messages[0].parts[0].text_part.text;
    v1::UpdateTaskStatusRequest w;
    w.task_id = t.task_id;
    w.status = v1::TaskStatus::TASK_STATUS_WORKING;
    std::string id = t.task_id;
    unary("UpdateTaskStatus", w, [this, id, text](net::BytesView) {
      v1::CompleteTaskRequest done;
      done.task_id = id;
      auto& art = done.artifacts.emplace_back();
      art.artifact_id = "a1";
      art.name = "result";
      art.parts.emplace_back().mutable_text_part().text = "echo: " + text;
      unary("CompleteTask", done, [this](net::BytesView) { ++completed; });
    });
  }

  void subscribe() {
    v1::SubscribeIncomingTasksRequest req;
    net::Bytes m = req.encode();
    Call call;
    call.on_message = [this](net::BytesView v) {
      v1::SubscribeIncomingTasksResponse r;
      if (!r.decode(v) || !r.task) die("bad incoming task");
      on_task(*r.task);
    };
    call.on_end = [](int st, const std::string& msg) {
      die("incoming stream ended: " + std::to_string(st) + " " + msg);
    };
    c.start(std::string(kSvc) + "SubscribeIncomingTasks", &m, true, std::move(call));
  }

  void poll_once(int ms) {
    pollfd p{c.fd(), POLLIN, 0};
    int n = ::poll(&p, 1, ms);
    if (n < 0 && errno != EINTR) die("poll");
    if (n > 0) c.on_readable();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string sock;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--sock") == 0) sock = argv[i + 1];
  if (sock.empty()) die("usage: echo_agent_bench --sock <unix socket>");
  struct sigaction sa{};
  sa.sa_handler = [](int) { g_stop = 1; };
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  Agent a(sock);
  v1::SetAgentCardRequest cr;
  auto& card = cr.card.emplace();
  card.name = "echo agent";
  card.description = "echoes every message back as an artifact (benchmark agent)";
  card.version = "1.0.0";
  card.protocol_version = "a2a/0.3";
  auto& skill = card.skills.emplace_back();
  skill.id = "echo";
  skill.description = "echo back";
  bool carded = false;
  a.unary("SetAgentCard", cr, [&](net::BytesView) { carded = true; });
  a.subscribe();
  for (int i = 0; i < 100 && !carded; ++i) a.poll_once(100);
  if (!carded) die("SetAgentCard did not answer");
  // Let the subscription reach the engine before anyone sends.
  for (int i = 0; i < 2; ++i) a.poll_once(50);
  std::printf("READY\n");
  std::fflush(stdout);
  while (!g_stop) a.poll_once(200);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  double cpu = u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  std::printf("{\"tasks_completed\":%llu,\"cpu_s\":%.2f}\n", a.completed, cpu);
  return 0;
}
