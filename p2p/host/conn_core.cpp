#include "p2p/host/conn_core.hpp"

#include <algorithm>

#include "crypto/noise_x25519.hpp"

namespace p2p {

namespace {
// Borrowed by multistream::Responder: must live as long as the process.
const std::string kNoiseProtos[] = {std::string(noise::kMultistreamId)};
const std::string kYamuxProtos[] = {std::string(yamux::kProtocolId)};

// "10 s", "300 ms": how error messages name a duration.
std::string duration_text(uint64_t ns) {
  if (ns % net::kSecond == 0) return std::to_string(ns / net::kSecond) + " s";
  return std::to_string(ns / net::kMillisecond) + " ms";
}
}  // namespace

const char* conn_state_name(ConnState s) {
  switch (s) {
    case ConnState::security: return "security";
    case ConnState::handshake: return "handshake";
    case ConnState::muxer: return "muxer";
    case ConnState::open: return "open";
    case ConnState::failed: return "failed";
  }
  return "?";
}

ConnCore::ConnCore(const ConnCoreConfig& cfg)
    : dir_(cfg.direction),
      identity_(cfg.identity),
      expected_peer_(cfg.expected_peer),
      noise_static_(cfg.noise_static),
      ylim_(cfg.yamux_limits),
      log_(cfg.log),
      upgrade_timeout_ns_(cfg.upgrade_timeout_ns),
      deadline_(cfg.now + cfg.upgrade_timeout_ns) {
  if (dir_ == ConnDirection::outbound) {
    ms_ = std::make_unique<multistream::Initiator>(std::vector<std::string>{kNoiseProtos[0]}, cfg.now,
                                                   multistream::Initiator::Options{}, log_);
    // Lazy select: Noise message 1 follows the proposal in the same write.
    (void)drain_muxer_ms_output();
    (void)start_noise(cfg.now);
  } else {
    ms_ = std::make_unique<multistream::Responder>(kNoiseProtos, cfg.now, multistream::Responder::Options{},
                                                   log_);
    (void)drain_muxer_ms_output();
  }
}

net::Result<size_t> ConnCore::ms_feed(net::BytesView in, net::Instant now) {
  if (dir_ == ConnDirection::outbound) return static_cast<multistream::Initiator&>(*ms_).feed(in, now);
  return static_cast<multistream::Responder&>(*ms_).feed(in, now);
}

net::Status ConnCore::fail(net::Error e) {
  if (state_ != ConnState::failed) {
    // Last words: a failed yamux session queued GoAway(code); encrypt it
    // (and what precedes it) now, since flush() refuses once failed.
    if (mux_ && noise_ && noise_->state() == noise::State::established) {
      for (net::BytesView v = mux_->pending_output(); !v.empty(); v = mux_->pending_output()) {
        auto n = noise_->write(v);
        if (!n || *n == 0) break;
        mux_->consume_output(*n);
      }
    }
    state_ = ConnState::failed;
    error_ = e;
  }
  return e;
}

// Before Noise: multistream bytes go to the raw output as they are.
net::Status ConnCore::drain_muxer_ms_output() {
  auto v = ms_->pending_output();
  if (v.empty()) return {};
  if (state_ == ConnState::security) {
    if (!out_.append(v)) return fail({net::Err::limit, "conn: pre-noise output exceeds 4096 bytes"});
    ms_->consume_output(v.size());
    return {};
  }
  // Inside Noise (muxer negotiation): encrypt.
  auto n = noise_->write(v);
  if (!n) return fail(n.take_error());
  ms_->consume_output(*n);
  return {};
}

net::Status ConnCore::start_noise(net::Instant now) {
  noise::SessionConfig nc;
  nc.role = dir_ == ConnDirection::outbound ? noise::Role::initiator : noise::Role::responder;
  nc.identity = identity_;
  if (noise_static_) nc.local_static = noise_static_;
  else nc.static_key = crypto::x25519_generate();
  nc.ephemeral_key = crypto::x25519_generate();
  nc.expected_peer = expected_peer_;
  nc.now = now;
  nc.log = log_;
  noise_ = std::make_unique<noise::Session>(std::move(nc));
  if (dir_ == ConnDirection::inbound) state_ = ConnState::handshake;
  return {};
}

net::Status ConnCore::feed(net::BytesView in, net::Instant now) {
  if (state_ == ConnState::failed) return error_;
  AAC_TRY(feed_raw(in, now));
  return flush(now);
}

net::Status ConnCore::feed_raw(net::BytesView in, net::Instant now) {
  if (state_ == ConnState::security) {
    auto n = ms_feed(in, now);
    if (!n) return fail({n.err(), "conn: security negotiation: " + n.what()});
    AAC_TRY(drain_muxer_ms_output());
    if (ms_->state() != multistream::State::selected) return {};
    in = in.subspan(*n);
    ms_.reset();
    if (!noise_) AAC_TRY(start_noise(now));
    state_ = ConnState::handshake;
  }
  // Handshake and later: everything goes through Noise. Noise takes less
  // than offered only while decrypted bytes wait to be read, and
  // pump_plaintext() reads them all, so this loop ends.
  while (!in.empty()) {
    auto n = noise_->feed(in, now);
    if (!n) return fail(n.take_error());
    in = in.subspan(*n);
    AAC_TRY(pump_plaintext(now));
    if (*n == 0 && !in.empty() && noise_->readable().empty())
      return fail({net::Err::fatal_, "conn: noise took no input"});
  }
  return pump_plaintext(now);
}

net::Status ConnCore::pump_plaintext(net::Instant now) {
  if (state_ == ConnState::handshake) {
    if (noise_->state() == noise::State::failed) return fail(noise_->error());
    if (noise_->state() != noise::State::established) return {};
    AAC_TRY(after_handshake(now));
  }
  for (;;) {
    net::BytesView v = noise_->readable();
    if (v.empty()) return {};
    if (state_ == ConnState::muxer) {
      auto n = ms_feed(v, now);
      if (!n) return fail({n.err(), "conn: muxer negotiation: " + n.what()});
      noise_->consume_read(*n);
      AAC_TRY(drain_muxer_ms_output());
      if (ms_->state() == multistream::State::selected) {
        ms_.reset();
        if (mux_) state_ = ConnState::open;  // lazy: yamux was already running
        else AAC_TRY(start_mux(now));
      }
      continue;
    }
    if (state_ != ConnState::open) return {};
    auto n = mux_->feed(v, now);
    if (!n) return fail(n.take_error());
    noise_->consume_read(v.size());
  }
}

net::Status ConnCore::after_handshake(net::Instant now) {
  remote_peer_ = noise_->remote_peer();
  if (noise_->muxer() == yamux::kProtocolId) return start_mux(now);
  if (!noise_->muxer().empty())
    return fail({net::Err::unsupported, "conn: peer chose muxer " + noise_->muxer()});
  state_ = ConnState::muxer;
  if (dir_ == ConnDirection::outbound) {
    ms_ = std::make_unique<multistream::Initiator>(std::vector<std::string>{kYamuxProtos[0]}, now,
                                                   multistream::Initiator::Options{}, log_);
    AAC_TRY(drain_muxer_ms_output());
    // Lazy select: yamux may start right behind the proposal.
    return start_mux(now);
  }
  ms_ = std::make_unique<multistream::Responder>(kYamuxProtos, now, multistream::Responder::Options{}, log_);
  return drain_muxer_ms_output();
}

net::Status ConnCore::start_mux(net::Instant now) {
  if (mux_) return {};
  mux_ = std::make_unique<yamux::Session>(
      dir_ == ConnDirection::outbound ? yamux::Role::client : yamux::Role::server, now, ylim_, log_);
  // An outbound connection still waiting for the muxer echo (lazy select)
  // stays in `muxer` until it arrives; yamux frames already flow.
  if (!ms_) state_ = ConnState::open;
  opened_ = true;
  deadline_ = net::kNever;
  return {};
}

net::Status ConnCore::flush(net::Instant now) {
  (void)now;
  if (state_ == ConnState::failed) return error_;
  if (!noise_ || noise_->state() != noise::State::established || !mux_) return {};
  if (state_ == ConnState::muxer && ms_) AAC_TRY(drain_muxer_ms_output());
  for (;;) {
    net::BytesView v = mux_->pending_output();
    if (v.empty()) return {};
    auto n = noise_->write(v);
    if (!n) return fail(n.take_error());
    if (*n == 0) return {};  // Noise's output is full: the socket must drain first
    mux_->consume_output(*n);
  }
}

net::BytesView ConnCore::pending_output() const {
  if (!out_.empty()) return out_.data();
  if (noise_) return noise_->pending_output();
  return {};
}

size_t ConnCore::output_buffered() const {
  return out_.size() + (noise_ ? noise_->pending_output().size() : 0) +
         (mux_ ? mux_->pending_output().size() : 0);
}

void ConnCore::consume_output(size_t n) {
  if (!out_.empty()) {
    out_.consume(n);
    if (out_.empty()) out_.release();
    return;
  }
  if (noise_) noise_->consume_output(n);
}

net::BytesView ConnCore::remote_public_key() const {
  return noise_ ? noise_->remote_public_key() : net::BytesView{};
}

net::Instant ConnCore::next_deadline() const {
  if (state_ == ConnState::failed) return net::kNever;
  net::Instant d = deadline_;
  if (ms_) d = std::min(d, ms_->next_deadline());
  if (noise_) d = std::min(d, noise_->next_deadline());
  if (mux_) d = std::min(d, mux_->next_deadline());
  return d;
}

void ConnCore::on_timeout(net::Instant now) {
  if (state_ == ConnState::failed) return;
  if (now >= deadline_) {
    (void)fail({net::Err::timeout, "conn: upgrade did not finish within " + duration_text(upgrade_timeout_ns_) +
                                       " (" + conn_state_name(state_) + ")"});
    return;
  }
  if (ms_) {
    ms_->on_timeout(now);
    if (ms_->state() == multistream::State::failed) {
      (void)fail(ms_->error());
      return;
    }
  }
  if (noise_) {
    noise_->on_timeout(now);
    if (noise_->state() == noise::State::failed) {
      (void)fail(noise_->error());
      return;
    }
  }
  if (mux_) {
    mux_->on_timeout(now);
    if (mux_->failed()) (void)fail(mux_->error());
    (void)flush(now);
  }
}

void ConnCore::trim_memory() {
  out_.release();
  if (noise_) noise_->trim_memory();
  if (mux_) mux_->trim_memory();
}

}  // namespace p2p
