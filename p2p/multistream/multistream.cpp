// p2p/multistream/multistream.cpp — see multistream.hpp.
#include "p2p/multistream/multistream.hpp"

#include <algorithm>
#include <cstring>

#include "net/varint.hpp"

namespace p2p::multistream {

namespace {

// A peer's line quoted in an error message: at most 64 bytes, non-printable
// bytes replaced, so logs and test assertions stay one clean line.
std::string quote(std::string_view s) {
  std::string q;
  size_t n = std::min<size_t>(s.size(), 64);
  q.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    q.push_back(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
  }
  if (s.size() > n) q += "...";
  return q;
}

}  // namespace

// ---- codec ----------------------------------------------------------------

void encode_message(std::string_view line, net::Bytes& out) {
  uint8_t pfx[net::kMaxPbVarintLen];
  size_t n = net::varint_encode(line.size() + 1, pfx);
  const size_t need = out.size() + n + line.size() + 1;
  if (need > out.capacity()) out.reserve(std::max(need, 2 * out.capacity()));  // one allocation, not three
  out.insert(out.end(), pfx, pfx + n);
  out.insert(out.end(), line.begin(), line.end());
  out.push_back('\n');
}

net::Result<Message> decode_message(net::BytesView in, size_t max_len) {
  uint64_t len = 0;
  size_t plen = 0;
  net::VarintStatus st = net::uvarint_decode(in, &len, &plen);
  if (st == net::VarintStatus::need_more) return {net::Err::need_more, "multistream: incomplete message"};
  if (st != net::VarintStatus::ok)
    return {net::Err::proto, std::string("multistream: bad length prefix: ") + net::varint_status_name(st)};
  if (len > max_len)
    return {net::Err::limit,
            "multistream: message of " + std::to_string(len) + " bytes exceeds " + std::to_string(max_len)};
  if (in.size() - plen < len) return {net::Err::need_more, "multistream: incomplete message"};
  if (len == 0 || in[plen + len - 1] != '\n')
    return {net::Err::proto, "multistream: message does not end in newline"};
  Message m;
  m.line = net::as_chars(in.subspan(plen, len - 1));
  m.consumed = plen + len;
  return m;
}

net::Status check_protocol_id(std::string_view id) {
  if (id.empty()) return {net::Err::invalid, "multistream: empty protocol id"};
  if (id.size() > kMaxProtocolIdLen)
    return {net::Err::invalid, "multistream: protocol id of " + std::to_string(id.size()) +
                                   " bytes exceeds " + std::to_string(kMaxProtocolIdLen)};
  if (id.find('\n') != std::string_view::npos)
    return {net::Err::invalid, "multistream: protocol id contains a newline"};
  if (id == kNa || id == kLs) return {net::Err::invalid, "multistream: protocol id '" + std::string(id) + "' is reserved"};
  return {};
}

void encode_ls_response(std::span<const std::string> protocols, net::Bytes& out, size_t max_len) {
  net::Bytes body;
  for (const auto& p : protocols) {
    size_t entry = net::varint_len(p.size() + 1) + p.size() + 1;
    if (body.size() + entry + 1 > max_len) break;  // +1: the closing '\n'
    encode_message(p, body);
  }
  body.push_back('\n');
  uint8_t pfx[net::kMaxPbVarintLen];
  size_t n = net::varint_encode(body.size(), pfx);
  out.insert(out.end(), pfx, pfx + n);
  out.insert(out.end(), body.begin(), body.end());
}

net::Result<std::vector<std::string>> decode_ls_response(net::BytesView body, size_t max_entries) {
  std::vector<std::string> out;
  while (true) {
    if (body.size() == 1 && body[0] == '\n') return out;
    if (out.size() == max_entries)
      return {net::Err::limit, "multistream: ls response lists more than " + std::to_string(max_entries) + " protocols"};
    auto m = decode_message(body);
    if (!m) {
      if (m.err() == net::Err::need_more) return {net::Err::proto, "multistream: truncated ls response"};
      return m.take_error();
    }
    out.emplace_back(m->line);
    body = body.subspan(m->consumed);
  }
}

// ---- Core -----------------------------------------------------------------

Core::Core(net::Instant now, uint64_t timeout_ns, net::Log* log)
    : log_(log), deadline_(timeout_ns >= net::kNever - now ? net::kNever : now + timeout_ns) {}

void Core::consume_output(size_t n) {
  out_pos_ += std::min(n, out_.size() - out_pos_);
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  }
}

net::Instant Core::next_deadline() const { return state_ == State::negotiating ? deadline_ : net::kNever; }

void Core::on_timeout(net::Instant now) {
  if (state_ != State::negotiating || now < deadline_) return;
  (void)fail({net::Err::timeout, "multistream: negotiation timed out"});
}

net::Status Core::fail(net::Error e) {
  state_ = State::failed;
  error_ = e;
  in_.clear();
  AAC_LOG(log_, debug, "multistream", "negotiation failed", {{"err", net::err_name(e.code)}, {"why", e.what}});
  return e;
}

void Core::select(std::string_view proto) {
  state_ = State::selected;
  protocol_.assign(proto);
  in_.clear();
  in_.shrink_to_fit();
}

net::Result<size_t> Core::feed_messages(net::BytesView in, net::Instant now) {
  if (state_ == State::selected) return size_t{0};  // everything is application data
  if (state_ == State::failed) return error_;
  if (now >= deadline_) {
    on_timeout(now);
    return error_;
  }
  size_t used = 0;
  while (state_ == State::negotiating && used < in.size()) {
    net::BytesView rest = in.subspan(used);
    if (in_.empty()) {
      auto m = decode_message(rest);
      if (!m) {
        if (m.err() != net::Err::need_more) return fail(m.take_error()).take_error();
        // A partial message: at most kMaxBufferedLen bytes, or decode would
        // have returned the message or a limit error.
        in_.assign(rest.begin(), rest.end());
        return in.size();
      }
      used += m->consumed;
      if (auto s = on_message(m->line); !s) return fail(s.take_error()).take_error();
      continue;
    }
    size_t old = in_.size();
    size_t take = std::min(rest.size(), kMaxBufferedLen - old);
    in_.insert(in_.end(), rest.begin(), rest.begin() + static_cast<ptrdiff_t>(take));
    auto m = decode_message(in_);
    if (!m) {
      if (m.err() != net::Err::need_more) return fail(m.take_error()).take_error();
      used += take;
      continue;
    }
    used += m->consumed - old;
    auto s = on_message(m->line);  // the line points into in_: clear after
    in_.clear();
    if (!s) return fail(s.take_error()).take_error();
  }
  return used;
}

// ---- Initiator --------------------------------------------------------------

Initiator::Initiator(std::vector<std::string> protocols, net::Instant now, Options opt, net::Log* log)
    : Core(now, opt.timeout_ns, log), protocols_(std::move(protocols)) {
  if (protocols_.empty()) {
    (void)fail({net::Err::invalid, "multistream: no protocol to propose"});
    return;
  }
  if (protocols_.size() > kMaxRounds) {
    (void)fail({net::Err::invalid, "multistream: " + std::to_string(protocols_.size()) +
                                       " protocols exceed the limit of " + std::to_string(kMaxRounds)});
    return;
  }
  for (const auto& p : protocols_) {
    if (auto s = check_protocol_id(p); !s) {
      (void)fail(s.take_error());
      return;
    }
  }
  lazy_ = opt.lazy && protocols_.size() == 1;
  send(kProtocolId);
  send(protocols_[0]);
}

net::Status Initiator::on_message(std::string_view line) {
  if (!got_header_) {
    if (line != kProtocolId) return {net::Err::proto, "multistream: bad header '" + quote(line) + "'"};
    got_header_ = true;
    return {};
  }
  const std::string& proposal = protocols_[next_];
  if (line == proposal) {
    select(proposal);
    return {};
  }
  if (line == kNa) {
    if (++next_ == protocols_.size()) {
      if (protocols_.size() == 1)
        return {net::Err::unsupported, "multistream: peer refused protocol '" + quote(proposal) + "'"};
      return {net::Err::unsupported,
              "multistream: peer refused all " + std::to_string(protocols_.size()) + " proposed protocols"};
    }
    send(protocols_[next_]);
    return {};
  }
  return {net::Err::proto,
          "multistream: unexpected response '" + quote(line) + "' to proposal '" + quote(proposal) + "'"};
}

// ---- Responder --------------------------------------------------------------

Responder::Responder(std::span<const std::string> supported, net::Instant now, Options opt, net::Log* log)
    : Core(now, opt.timeout_ns, log), supported_(supported), max_rounds_(opt.max_rounds) {
  for (const auto& p : supported_) {
    if (auto s = check_protocol_id(p); !s) {
      (void)fail(s.take_error());
      return;
    }
  }
  send(kProtocolId);
}

net::Status Responder::on_message(std::string_view line) {
  if (!got_header_) {
    if (line != kProtocolId) return {net::Err::proto, "multistream: bad header '" + quote(line) + "'"};
    got_header_ = true;
    return {};
  }
  if (rounds_ == max_rounds_)
    return {net::Err::limit, "multistream: more than " + std::to_string(max_rounds_) + " proposals"};
  ++rounds_;
  if (line == kLs) {
    encode_ls_response(supported_, out_);
    return {};
  }
  for (const auto& p : supported_) {
    if (p == line) {
      send(line);
      select(line);
      return {};
    }
  }
  send(kNa);
  return {};
}

}  // namespace p2p::multistream
