// p2p/mdns/mdns.cpp — see mdns.hpp.
#include "p2p/mdns/mdns.hpp"

#include <algorithm>
#include <utility>

namespace p2p::mdns {

namespace {

constexpr std::string_view kPeerNameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr uint16_t kOpcodeMask = 0x7800;
constexpr uint16_t kRcodeMask = 0x000F;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool has_prefix_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && name_equal(s.substr(0, prefix.size()), prefix);
}

bool class_matches(uint16_t klass) { return klass == kClassIn || klass == kTypeAny; }

// "<label>._p2p._udp.local" -> label (raw); "" if the name has another form.
std::string instance_label(std::string_view name) {
  std::string_view rest;
  std::string label = first_label(name, &rest);
  if (label.empty() || !name_equal(rest, kServiceName)) return {};
  return label;
}

}  // namespace

Mdns::Mdns(Config cfg, Rng rng, net::Log* log) : cfg_(std::move(cfg)), rng_(std::move(rng)), log_(log) {
  size_t len = kPeerNameMinLen + static_cast<size_t>(rng_() % (kPeerNameMaxLen - kPeerNameMinLen + 1));
  peer_name_.reserve(len);
  for (size_t i = 0; i < len; ++i) peer_name_.push_back(kPeerNameAlphabet[rng_() % kPeerNameAlphabet.size()]);
  instance_ = peer_name_ + "." + std::string(kServiceName);
  host_ = peer_name_ + "." + std::string(kLocalDomain);
}

void Mdns::set_addresses(const std::vector<Multiaddr>& in, Instant now) {
  std::vector<Multiaddr> addrs;
  std::vector<std::string> txt;
  std::vector<std::array<uint8_t, 4>> ip4;
  std::vector<std::array<uint8_t, 16>> ip6;
  uint16_t tcp_port = 0, udp_port = 0;
  const std::string suffix = "/p2p/" + cfg_.local_id.to_base58();
  for (const Multiaddr& a0 : in) {
    if (addrs.size() == cfg_.limits.max_advertised_addrs) {
      ++stats_.dropped;
      break;
    }
    Multiaddr a = a0;
    if (auto id = a.peer_id()) {
      if (*id != cfg_.local_id) continue;
      a = a.without_peer_id();
    }
    if (a.empty() || a.is_unspecified() || a.has_protocol(ma::kP2pCircuit) || a.has_protocol(ma::kP2p)) continue;
    if (a.is_loopback() && !cfg_.advertise_loopback) continue;
    if (std::find(addrs.begin(), addrs.end(), a) != addrs.end()) continue;
    std::string s = std::string(kDnsaddrPrefix) + a.to_string() + suffix;
    if (s.size() > kMaxTxtStringLen) {
      AAC_LOG(log_, warn, "mdns", "address too long for a TXT string, not advertised",
              {{"addr", a.to_string()}, {"len", s.size()}});
      continue;
    }
    for (const MultiaddrComponent& c : a.components()) {
      if (c.code == ma::kIp4 && c.value.size() == 4 && ip4.size() < kMaxHostAddrs) {
        std::array<uint8_t, 4> v{};
        std::copy(c.value.begin(), c.value.end(), v.begin());
        if (std::find(ip4.begin(), ip4.end(), v) == ip4.end()) ip4.push_back(v);
      } else if (c.code == ma::kIp6 && c.value.size() == 16 && ip6.size() < kMaxHostAddrs) {
        std::array<uint8_t, 16> v{};
        std::copy(c.value.begin(), c.value.end(), v.begin());
        if (std::find(ip6.begin(), ip6.end(), v) == ip6.end()) ip6.push_back(v);
      } else if ((c.code == ma::kTcp || c.code == ma::kUdp) && c.value.size() == 2) {
        uint16_t port = static_cast<uint16_t>((c.value[0] << 8) | c.value[1]);
        uint16_t& slot = c.code == ma::kTcp ? tcp_port : udp_port;
        if (slot == 0) slot = port;
      }
    }
    addrs.push_back(std::move(a));
    txt.push_back(std::move(s));
  }
  bool changed = addrs != addrs_;
  addrs_ = std::move(addrs);
  txt_ = std::move(txt);
  ip4_ = std::move(ip4);
  ip6_ = std::move(ip6);
  srv_port_ = tcp_port ? tcp_port : udp_port;
  // RFC 6762 §8.3: announce a change (an answer nobody asked for).
  if (changed && started_ && !shut_) schedule_answer(kPtr, false, now);
}

void Mdns::start(Instant now) {
  if (started_ || shut_) return;
  started_ = true;
  next_query_ = now;
  queries_scheduled_ = 0;
}

void Mdns::shutdown() {
  if (shut_) return;
  if (started_ && !txt_.empty()) {
    // RFC 6762 §10.1 goodbye: our PTR with TTL 0.
    push_transmit(build_answer(kPtr, 0, 0, true, {}, false), false);
  }
  shut_ = true;
  next_query_ = net::kNever;
  pending_at_ = net::kNever;
  pending_bits_ = 0;
  pending_meta_ = false;
}

uint8_t Mdns::available_bits() const {
  if (txt_.empty()) return 0;
  uint8_t b = kPtr | kTxt | kSrv;
  if (!ip4_.empty()) b |= kA;
  if (!ip6_.empty()) b |= kAaaa;
  return b;
}

Record Mdns::make_record(std::string name, uint16_t type, uint32_t ttl, bool flush) const {
  Record r;
  r.name = std::move(name);
  r.type = type;
  r.klass = kClassIn;
  r.cache_flush = flush;
  r.ttl = ttl;
  return r;
}

net::Result<net::Bytes> Mdns::build_answer(uint8_t bits, uint32_t ttl, uint16_t id, bool flush,
                                           std::vector<Question> questions, bool extras) const {
  uint8_t have = available_bits();
  bits &= have;
  if (bits == 0) return net::Error{net::Err::not_found, "mdns: nothing to answer"};
  // Records asked for go in the answer section, the ones a resolver needs
  // next in the additional section (RFC 6763 §12).
  uint8_t extra = 0;
  if (bits & kPtr) extra |= kTxt | kSrv | kA | kAaaa;
  if (bits & kSrv) extra |= kA | kAaaa;
  extra &= have & static_cast<uint8_t>(~bits);
  if (!extras) extra = 0;

  Message m;
  m.id = id;
  m.flags = kFlagResponse | kFlagAuthoritative;
  m.questions = std::move(questions);
  auto add = [&](uint8_t bit, std::vector<Record>& out) {
    switch (bit) {
      case kPtr: {
        Record r = make_record(std::string(kServiceName), kTypePtr, ttl, false);  // shared record
        r.target = instance_;
        out.push_back(std::move(r));
        break;
      }
      case kTxt: {
        Record r = make_record(instance_, kTypeTxt, ttl, flush);
        r.txt = txt_;
        out.push_back(std::move(r));
        break;
      }
      case kSrv: {
        Record r = make_record(instance_, kTypeSrv, ttl, flush);
        r.port = srv_port_;
        r.target = host_;
        out.push_back(std::move(r));
        break;
      }
      case kA:
        for (const auto& ip : ip4_) {
          Record r = make_record(host_, kTypeA, ttl, flush);
          std::copy(ip.begin(), ip.end(), r.addr.begin());
          out.push_back(std::move(r));
        }
        break;
      case kAaaa:
        for (const auto& ip : ip6_) {
          Record r = make_record(host_, kTypeAaaa, ttl, flush);
          r.addr = ip;
          out.push_back(std::move(r));
        }
        break;
    }
  };
  for (uint8_t bit : {kPtr, kTxt, kSrv, kA, kAaaa}) {
    if (bits & bit) add(bit, m.answers);
    if (extra & bit) add(bit, m.additionals);
  }
  return build_message(m);
}

net::Result<net::Bytes> Mdns::build_meta_answer(uint32_t ttl, uint16_t id, std::vector<Question> questions) const {
  Message m;
  m.id = id;
  m.flags = kFlagResponse | kFlagAuthoritative;
  m.questions = std::move(questions);
  Record r = make_record(std::string(kMetaQueryName), kTypePtr, ttl, false);
  r.target = std::string(kServiceName);
  m.answers.push_back(std::move(r));
  return build_message(m);
}

net::Bytes Mdns::build_query() const {
  Message m;
  m.questions.push_back(Question{std::string(kServiceName), kTypePtr, kClassIn, false});
  auto b = build_message(m);
  return b ? b.take() : net::Bytes{};
}

void Mdns::push_transmit(net::Result<net::Bytes> data, bool to_source) {
  if (!data) {
    if (data.err() != net::Err::not_found)
      AAC_LOG(log_, warn, "mdns", "cannot build answer", {{"error", data.what()}});
    return;
  }
  if (transmits_.size() >= kMaxPendingTransmits) {
    ++stats_.dropped;
    return;
  }
  transmits_.push_back(Transmit{data.take(), to_source});
}

void Mdns::schedule_answer(uint8_t bits, bool meta, Instant now) {
  bits &= available_bits();
  if (bits == 0 && !meta) return;
  pending_bits_ |= bits;
  pending_meta_ = pending_meta_ || meta;
  if (pending_at_ != net::kNever) return;  // merges into the answer already scheduled
  uint64_t span = kResponseDelayMaxNs - kResponseDelayMinNs + 1;
  Instant at = now + kResponseDelayMinNs + rng_() % span;
  if (multicast_once_) at = std::max(at, last_multicast_ + kMinMulticastIntervalNs);
  pending_at_ = at;
}

net::Status Mdns::handle_packet(net::BytesView packet, Instant now, const PacketInfo& info) {
  ++stats_.packets;
  auto parsed = parse_message(packet);
  if (!parsed) {
    ++stats_.malformed;
    return parsed.take_error();
  }
  const Message& m = *parsed;
  // RFC 6762 §18.3 / §18.11: other opcodes and non-zero rcodes are ignored.
  if ((m.flags & kOpcodeMask) != 0 || (m.flags & kRcodeMask) != 0 || shut_) {
    ++stats_.ignored;
    return {};
  }
  if (m.is_response()) {
    // RFC 6762 §6: responses not from port 5353 MUST be silently ignored.
    if (info.legacy) {
      ++stats_.ignored;
      return {};
    }
    ++stats_.responses;
    handle_response(m, now, info);
  } else {
    ++stats_.queries;
    handle_query(m, now, info);
  }
  return {};
}

void Mdns::handle_query(const Message& m, Instant now, const PacketInfo& info) {
  uint8_t have = available_bits();
  if (have == 0) return;
  uint8_t bits = 0;
  bool meta = false;
  std::vector<Question> asked, asked_meta;
  for (const Question& q : m.questions) {
    if (!class_matches(q.klass)) continue;
    uint8_t b = 0;
    bool is_meta = false;
    bool any = q.type == kTypeAny;
    if (name_equal(q.name, kServiceName)) {
      if (any || q.type == kTypePtr) b |= kPtr;
    } else if (name_equal(q.name, kMetaQueryName)) {
      is_meta = any || q.type == kTypePtr;
    } else if (name_equal(q.name, instance_)) {
      if (any || q.type == kTypeSrv) b |= kSrv;
      if (any || q.type == kTypeTxt) b |= kTxt;
    } else if (name_equal(q.name, host_)) {
      if (any || q.type == kTypeA) b |= kA;
      if (any || q.type == kTypeAaaa) b |= kAaaa;
    }
    b &= have;
    if (b) asked.push_back(q);
    if (is_meta) asked_meta.push_back(q);
    bits |= b;
    meta = meta || is_meta;
  }
  // RFC 6762 §7.1 known-answer suppression, for our PTR.
  for (const Record& r : m.answers) {
    if (r.type == kTypePtr && name_equal(r.name, kServiceName) && name_equal(r.target, instance_) &&
        r.ttl >= cfg_.limits.record_ttl_s / 2)
      bits &= static_cast<uint8_t>(~kPtr);
  }
  if (bits == 0 && !meta) return;
  if (info.legacy) {
    // RFC 6762 §6.7: answer at once, by unicast, same id, questions repeated,
    // TTL at most 10 s, no cache-flush bit.
    uint32_t ttl = std::min(kLegacyTtlS, cfg_.limits.record_ttl_s);
    if (bits) {
      push_transmit(build_answer(bits, ttl, m.id, false, asked), true);
      ++stats_.answers_sent;
    }
    if (meta) {
      push_transmit(build_meta_answer(ttl, m.id, asked_meta), true);
      ++stats_.answers_sent;
    }
    return;
  }
  schedule_answer(bits, meta, now);
}

void Mdns::handle_response(const Message& m, Instant now, const PacketInfo& info) {
  // Goodbyes (PTR with TTL 0) for peers we track: forget them.
  for (const std::vector<Record>* sec : {&m.answers, &m.additionals}) {
    for (const Record& r : *sec) {
      if (r.type != kTypePtr || r.ttl != 0 || !name_equal(r.name, kServiceName)) continue;
      std::string label = lower(instance_label(r.target));
      if (label.empty()) continue;
      for (auto it = peers_.begin(); it != peers_.end();) {
        it = it->second.instance == label ? peers_.erase(it) : std::next(it);
      }
    }
  }

  std::vector<Group> groups;
  const std::string self = cfg_.local_id.empty() ? std::string() : cfg_.local_id.to_base58();
  for (const std::vector<Record>* sec : {&m.answers, &m.additionals}) {
    for (const Record& r : *sec) {
      if (r.type != kTypeTxt || r.ttl == 0 || !class_matches(r.klass)) continue;
      std::string label = instance_label(r.name);
      if (label.empty() || name_equal(label, peer_name_)) continue;
      for (const std::string& s : r.txt) {
        if (!has_prefix_nocase(s, kDnsaddrPrefix)) continue;  // other DNS-SD keys
        auto ma = Multiaddr::parse(std::string_view(s).substr(kDnsaddrPrefix.size()));
        if (!ma) {
          ++stats_.bad_addrs;
          continue;
        }
        std::optional<PeerId> id = ma->peer_id();
        if (!id) {
          ++stats_.bad_addrs;
          continue;
        }
        if (*id == cfg_.local_id) continue;
        Multiaddr addr = ma->without_peer_id();
        if (addr.empty()) {
          ++stats_.bad_addrs;
          continue;
        }
        if (addr.is_loopback() && !info.from_local) continue;
        auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.id == *id; });
        if (g == groups.end()) {
          if (groups.size() >= cfg_.limits.max_peers_per_packet) {
            ++stats_.dropped;
            continue;
          }
          groups.push_back(Group{*id, lower(label), r.ttl, {}});
          g = groups.end() - 1;
        }
        if (std::find(g->addrs.begin(), g->addrs.end(), addr) != g->addrs.end()) continue;
        if (g->addrs.size() >= cfg_.limits.max_addrs_per_peer) {
          ++stats_.dropped;
          continue;
        }
        g->addrs.push_back(std::move(addr));
      }
    }
  }
  for (Group& g : groups) report(g, now);
}

void Mdns::report(Group& g, Instant now) {
  std::vector<Multiaddr> sorted = g.addrs;
  std::sort(sorted.begin(), sorted.end());
  Instant expires = now + std::min<uint64_t>(g.ttl, 3600) * net::kSecond;
  auto it = peers_.find(g.id);
  if (it != peers_.end()) {
    Tracked& t = it->second;
    t.last_seen = now;
    t.expires = expires;
    t.instance = g.instance;
    if (t.sorted_addrs == sorted && now < t.last_found + cfg_.limits.peer_found_interval_ns) return;
  }
  if (events_.size() >= kMaxPendingEvents) {
    ++stats_.dropped;  // not recorded as reported: the next answer retries
    return;
  }
  if (it == peers_.end()) {
    if (peers_.size() >= cfg_.limits.max_tracked_peers) {
      for (auto e = peers_.begin(); e != peers_.end();) e = e->second.expires <= now ? peers_.erase(e) : std::next(e);
    }
    if (peers_.size() >= cfg_.limits.max_tracked_peers && !peers_.empty()) {
      auto oldest = std::min_element(peers_.begin(), peers_.end(), [](const auto& a, const auto& b) {
        return a.second.last_seen < b.second.last_seen;
      });
      peers_.erase(oldest);
    }
    if (cfg_.limits.max_tracked_peers == 0) return;
    it = peers_.emplace(g.id, Tracked{{}, g.instance, 0, now, expires}).first;
  }
  it->second.sorted_addrs = std::move(sorted);
  it->second.last_found = now;
  ++stats_.peers_found;
  events_.push_back(PeerFound{g.id, std::move(g.addrs)});
}

std::optional<Transmit> Mdns::poll_transmit() {
  if (transmits_.empty()) return std::nullopt;
  Transmit t = std::move(transmits_.front());
  transmits_.pop_front();
  return t;
}

std::optional<PeerFound> Mdns::poll_event() {
  if (events_.empty()) return std::nullopt;
  PeerFound e = std::move(events_.front());
  events_.pop_front();
  return e;
}

Instant Mdns::next_deadline() const { return std::min(next_query_, pending_at_); }

void Mdns::on_timeout(Instant now) {
  if (shut_) return;
  if (started_ && now >= next_query_) {
    push_transmit(build_query(), false);
    ++stats_.queries_sent;
    ++queries_scheduled_;
    next_query_ = now + (queries_scheduled_ < cfg_.limits.startup_queries ? cfg_.limits.startup_query_spacing_ns
                                                                           : cfg_.limits.query_interval_ns);
    // specs.md §12: a peer MUST answer its own query.
    schedule_answer(kPtr, false, now);
  }
  if (now >= pending_at_) {
    uint32_t ttl = cfg_.limits.record_ttl_s;
    if (pending_bits_) {
      push_transmit(build_answer(pending_bits_, ttl, 0, true, {}), false);
      ++stats_.answers_sent;
    }
    if (pending_meta_) {
      push_transmit(build_meta_answer(ttl, 0, {}), false);
      ++stats_.answers_sent;
    }
    pending_bits_ = 0;
    pending_meta_ = false;
    pending_at_ = net::kNever;
    last_multicast_ = now;
    multicast_once_ = true;
  }
}

}  // namespace p2p::mdns
