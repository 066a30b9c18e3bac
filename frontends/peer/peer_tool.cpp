#include "frontends/peer/peer_tool.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build_info.hpp"
#include "crypto/init.hpp"
#include "crypto/key_file.hpp"
#include "crypto/keys.hpp"
#include "frontends/cli/duration.hpp"
#include "frontends/cli/flags.hpp"
#include "net/log.hpp"
#include "net/loop.hpp"
#include "p2p/host/host.hpp"
#include "p2p/services/echo_service.hpp"
#include "p2p/services/identify_service.hpp"
#include "p2p/services/perf_service.hpp"
#include "p2p/services/ping_service.hpp"

namespace frontends::peer {

namespace {

using cli::FlagSpec;

constexpr FlagSpec kFlags[] = {
    {"key", false, "file", "identity key file (default: a fresh identity each run)"},
    {"timeout", false, "duration", "give up after this long (default 60s)"},
    {"log-level", false, "level", "debug, info, warn, error (default warn)"},
    {"count", false, "N", "ping: number of pings (default 10)"},
    {"upload", false, "bytes", "perf: bytes to upload (default 0)"},
    {"download", false, "bytes", "perf: bytes to download (default 0)"},
    {"streams", false, "N", "echo: concurrent streams (default 1)"},
    {"bytes", false, "B", "echo: bytes per stream (default 65536)"},
    {"protocol", false, "id", "echo: protocol id (default /echo/1.0.0)"},
    {"listen", false, "ma[,ma]", "listen: addresses (default /ip4/0.0.0.0/tcp/0)"},
};

const char kUsage[] =
    "usage: agentanycast-peer <command> [<multiaddr>] [flags]\n"
    "  identify <ma>                                  identify a peer\n"
    "  ping <ma> [-count N]                           ping RTTs\n"
    "  perf <ma> [-upload B] [-download B]            /perf/1.0.0 throughput\n"
    "  echo <ma> [-streams N] [-bytes B] [-protocol P]  concurrent echo streams\n"
    "  listen [-listen ma[,ma]]                       serve identify, ping, perf, echo, reset\n"
    "flags: -key file, -timeout 60s, -log-level warn\n";

std::string js(std::string_view s) {
  std::string out;
  net::json_quote(out, s);
  return out;
}

std::string js_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += js(v[i]);
  }
  return out + "]";
}

std::string js_addrs(const std::vector<p2p::Multiaddr>& v) {
  std::vector<std::string> s;
  for (const auto& m : v) s.push_back(m.to_string());
  return js_list(s);
}

void emit(const std::string& json) {
  fputs(json.c_str(), stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

class Tool {
 public:
  int run(std::vector<std::string_view> args);

 private:
  std::string flag(std::string_view name, std::string def) const {
    const cli::FlagUse* u = parsed_.last(name);
    return u ? u->value : def;
  }
  bool u64_flag(std::string_view name, uint64_t def, uint64_t* out) {
    std::string v = flag(name, "");
    if (v.empty()) {
      *out = def;
      return true;
    }
    if (!parse_u64(v, out)) {
      fprintf(stderr, "agentanycast-peer: -%.*s: not a number: %s\n", int(name.size()), name.data(), v.c_str());
      return false;
    }
    return true;
  }
  int fail(const std::string& msg) {
    emit("{\"error\":" + js(msg) + "}");
    fprintf(stderr, "agentanycast-peer: %s\n", msg.c_str());
    return 1;
  }
  bool setup();
  void finish(int code) {
    exit_code_ = code;
    loop_->stop();
  }
  int cmd_identify();
  int cmd_ping();
  int cmd_perf();
  int cmd_echo();
  int cmd_listen();
  // Dials target_ and runs `then` with the connection.
  void connect(std::function<void(p2p::ConnId)> then);
  int run_loop();

  std::string cmd_;
  std::string target_text_;
  p2p::Multiaddr target_;
  cli::ParsedArgs parsed_;
  crypto::Ed25519PrivateKey key_;
  std::unique_ptr<net::Loop> loop_;
  std::unique_ptr<p2p::Host> host_;
  std::unique_ptr<p2p::services::IdentifyService> identify_;
  std::unique_ptr<p2p::services::PingService> ping_;
  std::unique_ptr<p2p::services::PerfService> perf_;
  std::unique_ptr<p2p::services::EchoService> echo_;
  p2p::PeerId remote_;
  int exit_code_ = 1;
};

bool Tool::setup() {
  net::Log& log = net::Log::global();
  net::LogLevel lvl = net::LogLevel::warn;
  if (!net::parse_log_level(flag("log-level", "warn"), &lvl)) {
    fprintf(stderr, "agentanycast-peer: -log-level: want debug, info, warn or error\n");
    return false;
  }
  log.set_level(lvl);
  if (!crypto::init()) return false;
  std::string key_path = flag("key", "");
  auto key = key_path.empty() ? crypto::Ed25519PrivateKey::generate() : crypto::load_or_create_identity(key_path);
  if (!key) {
    fprintf(stderr, "agentanycast-peer: %s\n", key.what().c_str());
    return false;
  }
  key_ = key.take();
  auto loop = net::Loop::create();
  if (!loop) return false;
  loop_ = loop.take();
  p2p::HostConfig hc;
  hc.identity = &key_;
  hc.log = &log;
  host_ = std::make_unique<p2p::Host>(*loop_, hc);
  identify_ = std::make_unique<p2p::services::IdentifyService>(
      *host_, std::string("agentanycast-peer/") + build_info::kVersion);
  ping_ = std::make_unique<p2p::services::PingService>(*host_);
  const bool serving = cmd_ == "listen";
  perf_ = std::make_unique<p2p::services::PerfService>(*host_, serving);
  if (serving) echo_ = std::make_unique<p2p::services::EchoService>(*host_);
  for (int sig : {SIGINT, SIGTERM}) (void)loop_->on_signal(sig, [this](int) { finish(exit_code_ == 1 && cmd_ == "listen" ? 0 : 130); });
  signal(SIGPIPE, SIG_IGN);
  return true;
}

void Tool::connect(std::function<void(p2p::ConnId)> then) {
  host_->dial(target_, [this, then = std::move(then)](net::Result<p2p::ConnId> r) {
    if (!r) {
      exit_code_ = fail("dial " + target_text_ + ": " + r.what());
      loop_->stop();
      return;
    }
    auto ci = host_->connection(*r);
    if (ci) remote_ = ci->peer;
    then(*r);
  });
}

int Tool::run_loop() {
  auto timeout = cli::parse_go_duration(flag("timeout", "60s"));
  if (!timeout || *timeout <= 0) {
    fprintf(stderr, "agentanycast-peer: -timeout: invalid duration\n");
    return 2;
  }
  loop_->update_now();
  if (cmd_ != "listen")
    loop_->add_timer(loop_->now() + static_cast<uint64_t>(*timeout), [this] {
      exit_code_ = fail("timed out");
      loop_->stop();
    });
  auto r = loop_->run();
  if (!r) return fail(r.what());
  host_->shutdown();
  return exit_code_;
}

int Tool::cmd_identify() {
  connect([this](p2p::ConnId conn) {
    identify_->identify(conn, [this](net::Result<p2p::identify::IdentifyInfo> r) {
      if (!r) {
        exit_code_ = fail("identify: " + r.what());
        loop_->stop();
        return;
      }
      const auto& i = *r;
      std::string o = "{\"peer_id\":" + js(remote_.to_base58());
      o += ",\"agent_version\":" + js(i.agent_version.value_or(""));
      o += ",\"protocol_version\":" + js(i.protocol_version.value_or(""));
      o += ",\"protocols\":" + js_list(i.protocols);
      o += ",\"listen_addrs\":" + js_addrs(i.listen_addrs);
      o += ",\"observed_addr\":" + (i.observed_addr ? js(i.observed_addr->to_string()) : std::string("null"));
      o += ",\"public_key\":" + (i.public_key ? js(net::to_hex(crypto::marshal_public_key(*i.public_key))) : "null");
      if (i.signed_record_seq)
        o += ",\"signed_peer_record\":{\"seq\":" + std::to_string(*i.signed_record_seq) +
             ",\"addresses\":" + js_addrs(i.verified_addrs) + "}";
      else
        o += ",\"signed_peer_record\":null";
      o += "}";
      emit(o);
      finish(0);
    });
  });
  return run_loop();
}

int Tool::cmd_ping() {
  uint64_t count = 0;
  if (!u64_flag("count", 10, &count)) return 2;
  auto rtts = std::make_shared<std::vector<double>>();
  connect([this, count, rtts](p2p::ConnId) {
    ping_->ping(
        remote_, count,
        [rtts](uint64_t seq, uint64_t rtt_ns) {
          double ms = static_cast<double>(rtt_ns) / 1e6;
          rtts->push_back(ms);
          char buf[96];
          snprintf(buf, sizeof buf, "{\"seq\":%llu,\"rtt_ms\":%.4f}", static_cast<unsigned long long>(seq), ms);
          emit(buf);
        },
        [this, rtts](net::Status st) {
          if (!st) {
            exit_code_ = fail("ping: " + st.what());
            loop_->stop();
            return;
          }
          auto v = *rtts;
          std::sort(v.begin(), v.end());
          if (!v.empty()) {
            char buf[160];
            snprintf(buf, sizeof buf, "{\"count\":%zu,\"min_ms\":%.4f,\"median_ms\":%.4f,\"max_ms\":%.4f}", v.size(),
                     v.front(), v[v.size() / 2], v.back());
            emit(buf);
          }
          finish(0);
        });
  });
  return run_loop();
}

int Tool::cmd_perf() {
  p2p::perf::ClientOptions opt;
  if (!u64_flag("upload", 0, &opt.upload_bytes) || !u64_flag("download", 0, &opt.download_bytes)) return 2;
  connect([this, opt](p2p::ConnId) {
    perf_->run(remote_, opt, [this](net::Result<p2p::perf::PerfResult> r) {
      if (!r) {
        exit_code_ = fail("perf: " + r.what());
        loop_->stop();
        return;
      }
      char buf[256];
      snprintf(buf, sizeof buf,
               "{\"upload_bytes\":%llu,\"download_bytes\":%llu,\"seconds\":%.6f,\"upload_mib_s\":%.2f,"
               "\"download_mib_s\":%.2f}",
               static_cast<unsigned long long>(r->upload_bytes), static_cast<unsigned long long>(r->download_bytes),
               r->seconds, r->upload_mib_s, r->download_mib_s);
      emit(buf);
      finish(0);
    });
  });
  return run_loop();
}

// One echo stream: writes `total` bytes (byte i = i & 0xff), half-closes,
// verifies the echo.
struct EchoRun {
  size_t index, total, sent = 0, got = 0;
  p2p::Stream* s = nullptr;
  bool bad = false, done = false;
  std::function<void(EchoRun&, const std::string&)> on_end;
  void pump() {
    uint8_t buf[16384];
    while (s && sent < total) {
      size_t n = std::min(sizeof buf, total - sent);
      for (size_t i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>((sent + i) & 0xff);
      size_t w = s->write({buf, n});
      sent += w;
      if (w < n) return;
    }
    if (s && sent == total && !s->write_closed()) s->close_write();
  }
  void end(const std::string& err) {
    if (done) return;
    done = true;
    on_end(*this, err);
  }
};

int Tool::cmd_echo() {
  uint64_t streams = 0, bytes = 0;
  if (!u64_flag("streams", 1, &streams) || !u64_flag("bytes", 65536, &bytes)) return 2;
  std::string proto = flag("protocol", std::string(p2p::services::kEchoProtocol));
  auto runs = std::make_shared<std::vector<std::unique_ptr<EchoRun>>>();
  auto left = std::make_shared<size_t>(streams);
  auto failures = std::make_shared<size_t>(0);
  connect([=, this](p2p::ConnId conn) {
    if (streams == 0) return finish(0);
    for (size_t i = 0; i < streams; ++i) {
      runs->push_back(std::make_unique<EchoRun>());
      EchoRun* e = runs->back().get();
      e->index = i;
      e->total = bytes;
      e->on_end = [this, left, failures](EchoRun& r, const std::string& err) {
        if (err.empty())
          emit("{\"stream\":" + std::to_string(r.index) + ",\"bytes\":" + std::to_string(r.total) + ",\"ok\":true}");
        else {
          ++*failures;
          emit("{\"stream\":" + std::to_string(r.index) + ",\"ok\":false,\"error\":" + js(err) + "}");
        }
        if (--*left == 0) finish(*failures ? 1 : 0);
      };
      host_->new_stream_on(conn, {proto}, [e](net::Result<p2p::Stream*> r) {
        if (!r) return e->end(r.what());
        e->s = *r;
        e->s->set_on_data([e](net::BytesView v) {
          for (size_t k = 0; k < v.size(); ++k)
            if (v[k] != static_cast<uint8_t>((e->got + k) & 0xff)) e->bad = true;
          e->got += v.size();
          return v.size();
        });
        e->s->set_on_writable([e] { e->pump(); });
        e->s->set_on_eof([e] {
          if (e->bad) e->end("echo differs from what was sent");
          else if (e->got != e->total) e->end("echo ended after " + std::to_string(e->got) + " of " + std::to_string(e->total) + " bytes");
          else e->end("");
        });
        e->s->set_on_close([e](const net::Error& err) {
          e->s = nullptr;
          if (!e->done) e->end(err.code == net::Err::ok ? "stream closed early" : err.what == "stream reset by peer" ? "stream reset by remote" : err.what);
        });
        e->pump();
      });
    }
  });
  return run_loop();
}

int Tool::cmd_listen() {
  std::string addrs = flag("listen", "/ip4/0.0.0.0/tcp/0");
  size_t start = 0;
  while (start <= addrs.size()) {
    size_t comma = addrs.find(',', start);
    std::string a = addrs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!a.empty()) {
      auto ma = p2p::Multiaddr::parse(a);
      if (!ma) return fail("-listen " + a + ": " + ma.what());
      auto st = host_->listen(*ma);
      if (!st) return fail(st.what());
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const std::string id = host_->peer_id().to_base58();
  printf("PEER_ID=%s\n", id.c_str());
  for (const auto& a : host_->listen_addrs()) printf("LISTEN_ADDR=%s/p2p/%s\n", a.to_string().c_str(), id.c_str());
  fflush(stdout);
  exit_code_ = 0;
  return run_loop();
}

int Tool::run(std::vector<std::string_view> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
    fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "-version" || args[0] == "--version") {
    printf("agentanycast-peer %s (commit %s)\n", build_info::kVersion, build_info::kGitCommit);
    return 0;
  }
  cmd_ = std::string(args[0]);
  args.erase(args.begin());
  const bool needs_target = cmd_ != "listen";
  if (cmd_ != "identify" && cmd_ != "ping" && cmd_ != "perf" && cmd_ != "echo" && cmd_ != "listen") {
    fprintf(stderr, "agentanycast-peer: unknown command %s\n%s", cmd_.c_str(), kUsage);
    return 2;
  }
  if (needs_target) {
    if (args.empty() || args[0].starts_with("-")) {
      fprintf(stderr, "agentanycast-peer %s: missing <multiaddr>\n", cmd_.c_str());
      return 2;
    }
    target_text_ = std::string(args[0]);
    args.erase(args.begin());
    auto ma = p2p::Multiaddr::parse(target_text_);
    if (!ma) {
      fprintf(stderr, "agentanycast-peer: %s\n", ma.what().c_str());
      return 2;
    }
    target_ = ma.take();
  }
  auto p = cli::parse_flags(kFlags, args);
  if (!p) {
    fprintf(stderr, "agentanycast-peer: %s\n%s", p.what().c_str(), kUsage);
    return 2;
  }
  parsed_ = p.take();
  if (!setup()) return 1;
  if (cmd_ == "identify") return cmd_identify();
  if (cmd_ == "ping") return cmd_ping();
  if (cmd_ == "perf") return cmd_perf();
  if (cmd_ == "echo") return cmd_echo();
  return cmd_listen();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  Tool t;
  return t.run(std::move(args));
}

}  // namespace frontends::peer
