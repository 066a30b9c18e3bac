#include "p2p/noise/noise_handshake.hpp"

#include <string>

namespace p2p::noise {

namespace {

net::Error too_short(int index, size_t have, size_t need) {
  return {net::Err::proto, "noise: handshake message " + std::to_string(index + 1) +
                               " too short (" + std::to_string(have) + " bytes, need " +
                               std::to_string(need) + ")"};
}

}  // namespace

HandshakeState::HandshakeState(Config cfg)
    : role_(cfg.role),
      ss_(kProtocolName, cfg.handshake_backend),
      s_(std::move(cfg.s)),
      e_(std::move(cfg.e)),
      transport_backend_(cfg.transport_backend) {
  // Initialize(): InitializeSymmetric(name) done above; MixHash(prologue).
  // XX has no pre-message keys.
  ss_.mix_hash(cfg.prologue);
}

bool HandshakeState::is_my_turn() const {
  // Messages 0 and 2 go initiator -> responder, message 1 the other way.
  return msg_ < 3 && ((msg_ % 2 == 0) == (role_ == Role::initiator));
}

void HandshakeState::write_e(net::Bytes& out) {
  out.insert(out.end(), e_.pub.begin(), e_.pub.end());
  ss_.mix_hash(e_.pub);
}

net::Status HandshakeState::write_s(net::Bytes& out) {
  const size_t at = out.size();
  out.resize(at + kDhLen + (ss_.has_key() ? kTagLen : 0));
  auto n = ss_.encrypt_and_hash(s_.pub, std::span<uint8_t>(out).subspan(at));
  if (!n) return n.take_error();
  return {};
}

net::Status HandshakeState::mix_dh(const crypto::X25519KeyPair& local,
                                   const crypto::X25519Public& remote) {
  crypto::Secret<kDhLen> dh;
  AAC_TRY(crypto::x25519_dh(local.priv, remote, dh));
  return ss_.mix_key(dh.span());  // dh is wiped when it leaves scope
}

net::Status HandshakeState::encrypt_payload(net::BytesView payload, net::Bytes& out) {
  const size_t at = out.size();
  out.resize(at + payload.size() + (ss_.has_key() ? kTagLen : 0));
  auto n = ss_.encrypt_and_hash(payload, std::span<uint8_t>(out).subspan(at));
  if (!n) return n.take_error();
  return {};
}

net::Status HandshakeState::write_message(net::BytesView payload, net::Bytes& out) {
  if (failed_) return {net::Err::closed, "noise: handshake state unusable after an earlier error"};
  if (!is_my_turn()) return {net::Err::invalid, "noise: write_message out of turn"};
  const size_t start = out.size();
  net::Status st = do_write(payload, out);
  if (st && out.size() - start > kMaxMessageLen) {
    st = net::Error{net::Err::limit, "noise: handshake message too long (" +
                                         std::to_string(out.size() - start) + " > 65535)"};
  }
  if (!st) {
    failed_ = true;
    out.resize(start);
    return st;
  }
  ++msg_;
  return {};
}

net::Status HandshakeState::do_write(net::BytesView payload, net::Bytes& out) {
  switch (msg_) {
    case 0:  // -> e
      /* e */ write_e(out);
      break;
    case 1:  // <- e, ee, s, es   (we are the responder)
      /* e */ write_e(out);
      /* ee */ AAC_TRY(mix_dh(e_, re_));
      /* s */ AAC_TRY(write_s(out));
      /* es */ AAC_TRY(mix_dh(s_, re_));  // responder: DH(s, re)
      break;
    case 2:  // -> s, se   (we are the initiator)
      /* s */ AAC_TRY(write_s(out));
      /* se */ AAC_TRY(mix_dh(s_, re_));  // initiator: DH(s, re)
      break;
  }
  /* payload */ return encrypt_payload(payload, out);
}

net::Status HandshakeState::read_message(net::BytesView msg, net::Bytes* payload) {
  if (failed_) return {net::Err::closed, "noise: handshake state unusable after an earlier error"};
  if (msg_ >= 3 || is_my_turn()) return {net::Err::invalid, "noise: read_message out of turn"};
  net::Status st;
  if (msg.size() > kMaxMessageLen) {
    st = net::Error{net::Err::limit, "noise: handshake message too long (" +
                                         std::to_string(msg.size()) + " > 65535)"};
  } else {
    st = do_read(msg, payload);
  }
  if (!st) {
    failed_ = true;
    payload->clear();
    return st;
  }
  ++msg_;
  return {};
}

net::Status HandshakeState::do_read(net::BytesView msg, net::Bytes* payload) {
  net::Reader r(msg);
  net::BytesView re, rs;
  const size_t s_len = kDhLen + kTagLen;  // s is always encrypted in XX (k is set by then)
  switch (msg_) {
    case 0:  // -> e   (we are the responder)
      /* e */ if (!r.take(kDhLen, re)) return too_short(msg_, msg.size(), kDhLen);
      std::copy(re.begin(), re.end(), re_.begin());
      ss_.mix_hash(re_);
      break;
    case 1: {  // <- e, ee, s, es   (we are the initiator)
      const size_t need = kDhLen + s_len + kTagLen;
      if (msg.size() < need) return too_short(msg_, msg.size(), need);
      /* e */ (void)r.take(kDhLen, re);
      std::copy(re.begin(), re.end(), re_.begin());
      ss_.mix_hash(re_);
      /* ee */ AAC_TRY(mix_dh(e_, re_));
      /* s */ (void)r.take(s_len, rs);
      {
        auto n = ss_.decrypt_and_hash(rs, rs_);
        if (!n) return n.take_error();
      }
      /* es */ AAC_TRY(mix_dh(e_, rs_));  // initiator: DH(e, rs)
      break;
    }
    case 2: {  // -> s, se   (we are the responder)
      const size_t need = s_len + kTagLen;
      if (msg.size() < need) return too_short(msg_, msg.size(), need);
      /* s */ (void)r.take(s_len, rs);
      {
        auto n = ss_.decrypt_and_hash(rs, rs_);
        if (!n) return n.take_error();
      }
      /* se */ AAC_TRY(mix_dh(e_, rs_));  // responder: DH(e, rs)
      break;
    }
  }
  /* payload */
  net::BytesView ct = r.rest();
  payload->resize(ss_.has_key() ? ct.size() - kTagLen : ct.size());
  auto n = ss_.decrypt_and_hash(ct, *payload);
  if (!n) return n.take_error();
  return {};
}

net::Result<TransportCiphers> HandshakeState::split() {
  if (!complete()) return {net::Err::invalid, "noise: split before the handshake completed"};
  TransportCiphers t{CipherState(transport_backend_), CipherState(transport_backend_)};
  // c1 carries initiator -> responder traffic.
  net::Status st = role_ == Role::initiator ? ss_.split(t.send, t.recv) : ss_.split(t.recv, t.send);
  if (!st) return st.take_error();
  return net::Result<TransportCiphers>(std::move(t));
}

}  // namespace p2p::noise
