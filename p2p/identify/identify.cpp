#include "p2p/identify/identify.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "build_info.hpp"
#include "p2p/record/envelope.hpp"
#include "p2p/record/peer_record.hpp"
#include "proto/libp2p/envelope.pb.hpp"
#include "proto/libp2p/identify.pb.hpp"

namespace p2p::identify {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;
using net::Status;

std::string default_agent_version() { return std::string(kAgentName) + "/" + build_info::kVersion; }

namespace {

constexpr uint8_t kObservedAddrTag = (4 << 3) | 2;  // field 4, length-delimited

bool negotiable(std::string_view id) {
  return !id.empty() && id.size() <= kMaxProtocolIdLen && id.find('\n') == std::string_view::npos;
}

// go trimHostAddrList's order of value: public > private > loopback, then
// by transport.
int addr_value(const Multiaddr& a) {
  int cls = a.is_loopback() ? 0 : a.is_private() ? 1 : 2;
  int weight = 0;
  for (const auto& c : a.components()) {
    if (c.code == ma::kP2p) break;
    switch (c.code) {
      case ma::kQuicV1: weight = 5; break;
      case ma::kTcp: weight = 4; break;
      case ma::kWss: weight = 3; break;
      case ma::kWebtransport: weight = 2; break;
      case ma::kWebrtcDirect: weight = 1; break;
      default: break;
    }
  }
  return cls * 16 + weight;
}

size_t envelope_size(const crypto::Ed25519PrivateKey& key, uint64_t seq, const std::vector<Multiaddr>& addrs) {
  record::PeerRecord r;
  r.peer_id = PeerId::from_public_key_proto(crypto::marshal_public_key(key.public_key()));
  r.seq = seq;
  r.addrs = addrs;
  pb::record::Envelope env;
  env.public_key = pb::crypto::PublicKey{.Type = pb::crypto::KeyType::Ed25519,
                                         .Data = Bytes(key.public_raw().begin(), key.public_raw().end())};
  env.payload_type.assign(record::kPeerRecordPayloadType.begin(), record::kPeerRecordPayloadType.end());
  env.payload = record::encode_peer_record(r);
  env.signature.assign(crypto::kEd25519SignatureLen, 0);
  return env.encoded_size();
}

pb::identify::Identify base_message(const crypto::Ed25519PrivateKey& key, const LocalInfo& info,
                                    const std::vector<Multiaddr>& addrs, bool with_loopback) {
  pb::identify::Identify m;
  m.protocolVersion = info.protocol_version;
  m.agentVersion = info.agent_version;
  m.publicKey = crypto::marshal_public_key(key.public_key());
  for (const Multiaddr& a : addrs)
    if (with_loopback || !a.is_loopback()) m.listenAddrs.push_back(a.bytes());
  m.protocols = info.protocols;
  return m;
}

}  // namespace

// ---- Snapshot -----------------------------------------------------------------

Result<Snapshot> Snapshot::make(const crypto::Ed25519PrivateKey& key, LocalInfo info) {
  for (const std::string& p : info.protocols)
    if (!negotiable(p)) return {Err::invalid, "identify: protocol id '" + p + "' is not negotiable"};

  std::vector<Multiaddr> addrs;
  for (const Multiaddr& a : info.listen_addrs) {
    Multiaddr bare = a.without_peer_id();
    if (bare.empty() || std::find(addrs.begin(), addrs.end(), bare) != addrs.end()) continue;
    addrs.push_back(std::move(bare));
  }
  // Indices by falling value (stable: earlier first among equals).
  std::vector<size_t> rank(addrs.size());
  std::iota(rank.begin(), rank.end(), size_t{0});
  std::vector<int> value(addrs.size());
  for (size_t i = 0; i < addrs.size(); ++i) value[i] = addr_value(addrs[i]);
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return value[a] > value[b]; });

  const size_t budget = kMaxOwnMessageLen - kObservedAddrReserve;
  size_t keep = std::min(addrs.size(), record::kMaxPeerRecordAddrs);
  std::vector<Multiaddr> kept;
  size_t size = 0;
  while (true) {
    std::vector<bool> in(addrs.size(), false);
    for (size_t i = 0; i < keep; ++i) in[rank[i]] = true;
    kept.clear();
    for (size_t i = 0; i < addrs.size(); ++i)
      if (in[i]) kept.push_back(addrs[i]);
    pb::identify::Identify m = base_message(key, info, kept, true);
    if (info.signed_record) m.signedPeerRecord = Bytes(envelope_size(key, info.record_seq, kept), 0);
    size = m.encoded_size();
    if (size <= budget) break;
    if (keep == 0)
      return {Err::limit, "identify: our message of " + std::to_string(size) + " bytes exceeds the budget of " +
                              std::to_string(budget) + " even without addresses"};
    --keep;
  }

  Snapshot s;
  s.dropped_addrs_ = addrs.size() - kept.size();
  s.seq_ = info.record_seq;
  if (info.signed_record) {
    auto env = record::make_peer_record_envelope(key, info.record_seq, kept);
    if (!env) return env.take_error();  // cannot happen: sizes were checked above
    s.record_ = env.take();
  }
  pb::identify::Identify all = base_message(key, info, kept, true);
  pb::identify::Identify no_lo = base_message(key, info, kept, false);
  if (info.signed_record) {
    all.signedPeerRecord = s.record_;
    no_lo.signedPeerRecord = s.record_;
  }
  s.body_all_ = all.encode();
  s.body_no_loopback_ = no_lo.encode();
  s.addrs_ = std::move(kept);
  return s;
}

void Snapshot::encode(const Multiaddr& observed, Bytes& out) const {
  const bool loopback = observed.empty() || observed.is_loopback();
  const Bytes& body = loopback ? body_all_ : body_no_loopback_;
  const size_t olen = observed.bytes().size();
  size_t field = olen == 0 ? 0 : 1 + net::varint_len(olen) + olen;
  if (body.size() + field > kMaxOwnMessageLen) field = 0;
  net::Writer w(out);
  w.varint(body.size() + field);
  w.bytes(body);
  if (field != 0) {
    // Protobuf allows fields in any order: field 4 after the others parses
    // like the generated order, and saves re-encoding per connection.
    w.u8(kObservedAddrTag);
    w.varint(olen);
    w.bytes(observed.bytes());
  }
}

// ---- merge_push ---------------------------------------------------------------

void merge_push(IdentifyInfo& stored, IdentifyInfo update) {
  if (update.protocol_version) stored.protocol_version = std::move(update.protocol_version);
  if (update.agent_version) stored.agent_version = std::move(update.agent_version);
  if (update.public_key) stored.public_key = std::move(update.public_key);
  if (!update.listen_addrs.empty()) stored.listen_addrs = std::move(update.listen_addrs);
  if (update.observed_addr) stored.observed_addr = std::move(update.observed_addr);
  if (!update.protocols.empty()) stored.protocols = std::move(update.protocols);
  if (update.signed_record_seq && (!stored.signed_record_seq || *update.signed_record_seq > *stored.signed_record_seq)) {
    stored.signed_record_seq = update.signed_record_seq;
    stored.verified_addrs = std::move(update.verified_addrs);
    stored.signed_record = std::move(update.signed_record);
  }
  stored.record_error = std::move(update.record_error);
  stored.warnings = update.warnings;
  stored.messages = update.messages;
}

// ---- IdentifyReader -------------------------------------------------------------

IdentifyReader::IdentifyReader(PeerId remote, net::Instant now, Limits lim, net::Log* log)
    : remote_(std::move(remote)), lim_(lim), log_(log), deadline_(now + lim.timeout_ns) {}

Status IdentifyReader::fail(net::Error e) {
  if (!failed()) {
    error_ = e;
    AAC_LOG(log_, debug, "identify", "read failed",
            {{"peer", remote_.short_string()}, {"err", net::err_name(e.code)}, {"why", e.what}});
  }
  return error_;
}

Status IdentifyReader::feed(BytesView in, net::Instant now) {
  (void)now;
  if (failed()) return error_;
  if (eof_) return fail({Err::closed, "identify: data after EOF"});
  while (!in.empty()) {
    if (!have_len_) {
      if (info_.messages >= lim_.max_messages)
        return fail({Err::limit, "identify: more than " + std::to_string(lim_.max_messages) + " messages"});
      // The prefix: straight from the input when it is all there, else
      // gathered in buf_ a byte at a time (at most 9 bytes).
      uint64_t len = 0;
      size_t used = 0;
      net::VarintStatus st;
      if (buf_.empty()) {
        st = net::uvarint_decode(in, &len, &used);
        if (st == net::VarintStatus::need_more) {
          buf_.assign(in.begin(), in.end());
          return {};
        }
        if (st == net::VarintStatus::ok) in = in.subspan(used);
      } else {
        buf_.push_back(in[0]);
        in = in.subspan(1);
        st = net::uvarint_decode(buf_, &len, &used);
        if (st == net::VarintStatus::need_more) continue;
        buf_.clear();
      }
      if (st != net::VarintStatus::ok)
        return fail({Err::proto, std::string("identify: bad length prefix: ") + net::varint_status_name(st)});
      if (len > lim_.max_message_len)
        return fail({Err::limit, "identify: message of " + std::to_string(len) + " bytes exceeds the limit of " +
                                     std::to_string(lim_.max_message_len)});
      need_ = static_cast<size_t>(len);
      have_len_ = true;
      if (in.size() >= need_) {  // the whole message is here: no copy
        have_len_ = false;
        AAC_TRY(on_message(in.first(need_)));
        in = in.subspan(need_);
        continue;
      }
    }
    const size_t take = std::min(need_ - buf_.size(), in.size());
    buf_.insert(buf_.end(), in.begin(), in.begin() + static_cast<ptrdiff_t>(take));
    in = in.subspan(take);
    if (buf_.size() == need_) {
      have_len_ = false;
      Bytes msg = std::move(buf_);
      buf_.clear();
      AAC_TRY(on_message(msg));
    }
  }
  return {};
}

Status IdentifyReader::on_message(BytesView msg) {
  pb::identify::Identify m;
  const size_t n = info_.messages + 1;
  if (auto s = m.decode(msg, pb::Limits{.max_message_len = lim_.max_message_len}); !s)
    return fail({s.err(), "identify: message " + std::to_string(n) + ": " + s.what()});
  info_.messages = n;

  if (m.publicKey) {
    auto key = crypto::unmarshal_public_key(*m.publicKey);
    if (!key) return fail({key.err(), "identify: publicKey: " + key.what()});
    PeerId id = PeerId::from_public_key_proto(crypto::marshal_public_key(*key));
    if (id != remote_)
      return fail({Err::crypto, "identify: publicKey is the key of " + id.to_string() + ", not of the remote " +
                                    remote_.to_string()});
    info_.public_key = key.take();
  }
  if (m.protocolVersion) info_.protocol_version = std::move(*m.protocolVersion);
  if (m.agentVersion) info_.agent_version = std::move(*m.agentVersion);

  Warnings& w = info_.warnings;
  for (const Bytes& raw : m.listenAddrs) {
    auto a = Multiaddr::from_bytes(raw);
    if (!a || a->empty()) {
      ++w.invalid_listen_addrs;
      continue;
    }
    if (std::find(info_.listen_addrs.begin(), info_.listen_addrs.end(), *a) != info_.listen_addrs.end()) continue;
    if (info_.listen_addrs.size() >= lim_.max_listen_addrs) {
      ++w.dropped_listen_addrs;
      continue;
    }
    info_.listen_addrs.push_back(a.take());
  }
  if (m.observedAddr && !m.observedAddr->empty()) {
    auto a = Multiaddr::from_bytes(*m.observedAddr);
    if (a)
      info_.observed_addr = a.take();
    else
      ++w.invalid_observed_addr;
  }
  for (std::string& p : m.protocols) {
    if (!negotiable(p)) {
      ++w.invalid_protocols;
      continue;
    }
    if (std::find(info_.protocols.begin(), info_.protocols.end(), p) != info_.protocols.end()) continue;
    if (info_.protocols.size() >= lim_.max_protocols) {
      ++w.dropped_protocols;
      continue;
    }
    info_.protocols.push_back(std::move(p));
  }
  // An empty field counts as absent (go signedPeerRecordFromMessage).
  if (m.signedPeerRecord && !m.signedPeerRecord->empty()) record_ = std::move(*m.signedPeerRecord);
  return {};
}

Result<IdentifyInfo> IdentifyReader::on_eof() {
  if (failed()) return error_;
  if (eof_) return fail({Err::closed, "identify: result already taken"}).take_error();
  eof_ = true;
  if (have_len_)
    return fail({Err::proto, "identify: stream ended inside message " + std::to_string(info_.messages + 1) + " (" +
                                 std::to_string(buf_.size()) + " of " + std::to_string(need_) + " bytes)"})
        .take_error();
  if (!buf_.empty()) return fail({Err::proto, "identify: stream ended inside a length prefix"}).take_error();
  if (info_.messages == 0) return fail({Err::proto, "identify: stream ended before any message"}).take_error();

  if (record_) {
    auto r = record::verify_peer_record(*record_, remote_);
    if (r) {
      info_.signed_record_seq = r->seq;
      info_.verified_addrs = std::move(r->addrs);
      info_.signed_record = std::move(*record_);
    } else {
      info_.record_error = r.take_error();
    }
    record_.reset();
  }
  const Warnings& w = info_.warnings;
  if (w.total() != 0 || info_.record_error)
    AAC_LOG(log_, info, "identify", "skipped parts of a peer's identify",
            {{"peer", remote_.short_string()},
             {"invalid_listen_addrs", w.invalid_listen_addrs},
             {"dropped_listen_addrs", w.dropped_listen_addrs},
             {"invalid_protocols", w.invalid_protocols},
             {"dropped_protocols", w.dropped_protocols},
             {"invalid_observed_addr", w.invalid_observed_addr},
             {"record_error", info_.record_error ? info_.record_error->what : std::string()}});
  return std::move(info_);
}

net::Instant IdentifyReader::next_deadline() const { return (failed() || eof_) ? net::kNever : deadline_; }

void IdentifyReader::on_timeout(net::Instant now) {
  if (failed() || eof_ || now < deadline_) return;
  (void)fail({Err::timeout, "identify: no answer within " + std::to_string(lim_.timeout_ns / net::kSecond) + " s"});
}

}  // namespace p2p::identify
