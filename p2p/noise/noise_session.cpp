#include "p2p/noise/noise_session.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace p2p::noise {

namespace {

constexpr size_t kFrameOverhead = kLengthPrefixLen + kTagLen;
constexpr size_t kMaxFrameLen = kLengthPrefixLen + kMaxMessageLen;

size_t be16_at(const uint8_t* p) { return (size_t{p[0]} << 8) | p[1]; }

const char* role_name(Role r) { return r == Role::initiator ? "initiator" : "responder"; }

}  // namespace

std::shared_ptr<const LocalStatic> make_local_static(const crypto::Ed25519PrivateKey& identity,
                                                     std::vector<std::string> muxers) {
  auto ls = std::make_shared<LocalStatic>();
  ls->key = crypto::x25519_generate();
  ls->muxers = std::move(muxers);
  ls->payload = make_payload(identity, ls->key.pub, ls->muxers);
  return ls;
}

Session::Session(SessionConfig cfg)
    : role_(cfg.role),
      log_(cfg.log),
      deadline_(cfg.now + cfg.handshake_timeout_ns),
      timeout_ns_(cfg.handshake_timeout_ns),
      local_muxers_(std::move(cfg.muxers)),
      expected_peer_(std::move(cfg.expected_peer)),
      send_(cfg.transport_backend),
      recv_(cfg.transport_backend),
      in_(std::max(cfg.max_input_buffered, kMaxFrameLen)),
      out_(std::max(cfg.max_output_buffered, kMaxFrameLen)) {
  if (!cfg.identity || !cfg.identity->valid()) {
    fail({net::Err::invalid, "noise: no local identity key"});
    return;
  }
  HandshakeState::Config hc;
  if (const auto& ls = cfg.local_static) {
    local_muxers_ = ls->muxers;
    local_payload_ = ls->payload;
    std::copy(ls->key.priv.data(), ls->key.priv.data() + crypto::kX25519Len, hc.s.priv.data());
    hc.s.pub = ls->key.pub;
  } else {
    local_payload_ = make_payload(*cfg.identity, cfg.static_key.pub, local_muxers_);
    hc.s = std::move(cfg.static_key);
  }
  hc.role = role_;
  hc.prologue = {};  // libp2p: empty prologue
  hc.e = std::move(cfg.ephemeral_key);
  hc.transport_backend = cfg.transport_backend;
  hs_ = std::make_unique<HandshakeState>(std::move(hc));
  // The initiator speaks first: msg1 = e with an empty payload (libp2p sends
  // neither identity nor extensions in msg1).
  if (role_ == Role::initiator) {
    auto st = send_handshake_message({});
    if (!st) fail(st.take_error());
  }
}

Session::~Session() = default;

net::Error Session::fail(net::Error e) {
  if (state_ != State::failed) {
    AAC_LOG(log_, info, "noise", "connection failed",
            {{"role", role_name(role_)},
             {"stage", state_ == State::handshaking ? "handshake" : "transport"},
             {"err", net::err_name(e.code)},
             {"why", e.what}});
    state_ = State::failed;
    error_ = e;
  }
  hs_.reset();  // wipes ck, h and the key pairs
  // A dead session never encrypts or decrypts again: drop both keys.
  send_ = CipherState(send_.backend());
  recv_ = CipherState(recv_.backend());
  in_.clear();
  rd_ = rd_end_ = next_ = dec_ = 0;
  return e;
}

net::Instant Session::next_deadline() const {
  return state_ == State::handshaking ? deadline_ : net::kNever;
}

void Session::on_timeout(net::Instant now) {
  if (state_ == State::handshaking && now >= deadline_) {
    fail({net::Err::timeout, "noise: handshake timed out after " +
                                 std::to_string(timeout_ns_ / net::kSecond) + " s"});
  }
}

net::BytesView Session::pending_output() const { return out_.data(); }

void Session::consume_output(size_t n) { out_.consume(n); }

void Session::trim_memory() {
  out_.release();
  in_.release();
}

net::Result<size_t> Session::feed(net::BytesView in, net::Instant now) {
  if (state_ == State::failed) {
    return net::Error{net::Err::closed, "noise: session failed earlier: " + error_.what};
  }
  if (state_ == State::handshaking && now >= deadline_) {
    on_timeout(now);
    return error_;
  }
  const size_t take = std::min(in.size(), in_.room());
  if (take == 0) return size_t{0};  // the application has not read yet
  std::span<uint8_t> tail = in_.prepare(take);
  std::memcpy(tail.data(), in.data(), take);
  in_.commit(take);
  auto st = process();
  if (!st) return st.take_error();
  return take;
}

// Walks the complete frames from dec_: handshake messages are consumed,
// transport frames are decrypted in place and left for readable().
net::Status Session::process() {
  while (state_ != State::failed) {
    const size_t avail = in_.size() - dec_;
    if (avail < kLengthPrefixLen) break;
    uint8_t* f = in_ptr() + dec_;
    const size_t len = be16_at(f);
    if (avail - kLengthPrefixLen < len) break;  // incomplete frame: wait
    if (state_ == State::handshaking) {
      auto st = on_handshake_message({f + kLengthPrefixLen, len});
      if (!st) return fail(st.take_error());
      // The handshake message is done with; drop it from the buffer.
      in_.consume(kLengthPrefixLen + len);
      continue;
    }
    if (len < kTagLen) {
      return fail({net::Err::proto, "noise: transport frame of " + std::to_string(len) +
                                        " bytes is shorter than the 16-byte tag"});
    }
    std::span<uint8_t> ct(f + kLengthPrefixLen, len);
    auto n = recv_.decrypt_with_ad({}, ct, ct);  // in place
    if (!n) return fail(n.take_error());
    dec_ += kLengthPrefixLen + len;
  }
  next_frame();
  return {};
}

// Makes [rd_, rd_end_) the next non-empty decrypted frame, if any, and drops
// every byte before rd_ (read plaintext, length prefixes, tags).
void Session::next_frame() {
  const uint8_t* p = in_.data().data();
  while (rd_ == rd_end_ && next_ < dec_) {
    const size_t len = be16_at(p + next_);
    rd_ = next_ + kLengthPrefixLen;
    rd_end_ = rd_ + (len - kTagLen);
    next_ = rd_ + len;
  }
  if (rd_ == rd_end_) rd_ = rd_end_ = next_;
  const size_t done = rd_;
  if (done == 0) return;
  in_.consume(done);
  rd_ -= done;
  rd_end_ -= done;
  next_ -= done;
  dec_ -= done;
}

net::BytesView Session::readable() const {
  if (state_ != State::established) return {};
  return in_.data().subspan(rd_, rd_end_ - rd_);
}

void Session::consume_read(size_t n) {
  if (state_ != State::established) return;
  rd_ += std::min(n, rd_end_ - rd_);
  next_frame();
}

size_t Session::writable() const {
  if (state_ != State::established) return 0;
  size_t space = out_.room();
  size_t n = space / kMaxFrameLen * kMaxPlaintextLen;
  space %= kMaxFrameLen;
  if (space > kFrameOverhead) n += space - kFrameOverhead;
  return n;
}

net::Result<size_t> Session::write(net::BytesView data) {
  if (state_ == State::failed) {
    return net::Error{net::Err::closed, "noise: session failed earlier: " + error_.what};
  }
  if (state_ != State::established) {
    return net::Error{net::Err::invalid, "noise: write before the handshake completed"};
  }
  size_t done = 0;
  while (done < data.size() && out_.room() > kFrameOverhead) {
    const size_t chunk =
        std::min({data.size() - done, kMaxPlaintextLen, out_.room() - kFrameOverhead});
    const size_t frame = kFrameOverhead + chunk;
    std::span<uint8_t> f = out_.prepare(frame);  // room() >= frame, so never empty
    f[0] = static_cast<uint8_t>((chunk + kTagLen) >> 8);
    f[1] = static_cast<uint8_t>(chunk + kTagLen);
    // Encrypted straight from the caller's bytes into the output buffer.
    auto n = send_.encrypt_with_ad({}, data.subspan(done, chunk),
                                   f.subspan(kLengthPrefixLen, chunk + kTagLen));
    if (!n) return fail(n.take_error());
    out_.commit(frame);
    done += chunk;
  }
  return done;
}

net::Status Session::send_handshake_message(net::BytesView payload) {
  net::Bytes msg;
  AAC_TRY(hs_->write_message(payload, msg));  // refuses messages over 65535 bytes
  const uint8_t len[2] = {static_cast<uint8_t>(msg.size() >> 8), static_cast<uint8_t>(msg.size())};
  if (out_.room() < sizeof len + msg.size()) {
    return net::Error{net::Err::limit, "noise: output buffer full during the handshake"};
  }
  std::span<uint8_t> f = out_.prepare(sizeof len + msg.size());
  std::memcpy(f.data(), len, sizeof len);
  std::memcpy(f.data() + sizeof len, msg.data(), msg.size());
  out_.commit(sizeof len + msg.size());
  return {};
}

net::Status Session::on_handshake_message(net::BytesView msg) {
  net::Bytes payload;
  switch (hs_->message_index()) {
    case 0:  // responder: -> e
      if (msg.size() != kMsg1Len) {
        return net::Error{net::Err::proto, "noise: handshake message 1 must be 32 bytes, got " +
                                               std::to_string(msg.size())};
      }
      AAC_TRY(hs_->read_message(msg, &payload));
      // <- e, ee, s, es, payload
      return send_handshake_message(local_payload_);
    case 1:  // initiator: <- e, ee, s, es, payload
      AAC_TRY(hs_->read_message(msg, &payload));
      AAC_TRY(on_remote_payload(payload));
      // -> s, se, payload
      AAC_TRY(send_handshake_message(local_payload_));
      return finish_handshake();
    default:  // responder: -> s, se, payload
      AAC_TRY(hs_->read_message(msg, &payload));
      AAC_TRY(on_remote_payload(payload));
      return finish_handshake();
  }
}

net::Status Session::on_remote_payload(net::BytesView payload) {
  auto id = verify_payload(payload, hs_->remote_static(), expected_peer_);
  if (!id) return id.take_error();
  auto m = role_ == Role::initiator ? select_muxer(local_muxers_, id->muxers)
                                    : select_muxer(id->muxers, local_muxers_);
  if (!m) return m.take_error();
  remote_peer_ = std::move(id->peer);
  remote_key_proto_ = std::move(id->public_key_proto);
  muxer_ = m.take();
  return {};
}

net::Status Session::finish_handshake() {
  auto t = hs_->split();
  if (!t) return t.take_error();
  send_ = std::move(t->send);
  recv_ = std::move(t->recv);
  hs_.reset();  // wipes ck, h, e and s
  local_payload_ = net::Bytes();
  state_ = State::established;
  AAC_LOG(log_, debug, "noise", "handshake complete",
          {{"role", role_name(role_)},
           {"peer", remote_peer_.short_string()},
           {"muxer", muxer_.empty() ? std::string("multistream") : muxer_}});
  return {};
}

}  // namespace p2p::noise
