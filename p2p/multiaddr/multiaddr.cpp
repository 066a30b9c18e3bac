#include "p2p/multiaddr/multiaddr.hpp"

#include "p2p/multiaddr/ip_text.hpp"
#include "p2p/multiformats/multihash.hpp"

namespace p2p {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;
using net::Status;

namespace {

constexpr size_t kQuotedMax = 64;  // characters of a bad value shown in an error

// "\"value\"" with non-printable bytes escaped and long values cut.
std::string quote(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string q = "\"";
  for (size_t i = 0; i < s.size() && i < kQuotedMax; ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      q += "\\x";
      q += kHex[c >> 4];
      q += kHex[c & 15];
    } else {
      q += static_cast<char>(c);
    }
  }
  if (s.size() > kQuotedMax) q += "...";
  return q + "\"";
}

std::string with_reason(std::string msg, const std::string& reason) {
  if (!reason.empty()) msg += ": " + reason;
  return msg;
}

// One component of bytes already known to be valid.
MultiaddrComponent component_at(const Bytes& b, size_t pos) {
  MultiaddrComponent c;
  c.offset = pos;
  net::Reader r(BytesView(b).subspan(pos));
  (void)r.uvarint(c.code);
  const ProtocolInfo* p = protocol_by_code(c.code);
  c.name = p->name;
  uint64_t len = p->size > 0 ? static_cast<uint64_t>(p->size) : 0;
  if (p->size < 0) (void)r.uvarint(len);
  (void)r.take(len, c.value);
  c.size = r.pos();
  return c;
}

// Reads and checks one component at r, advancing past it.
Result<MultiaddrComponent> read_component(net::Reader& r) {
  MultiaddrComponent c;
  c.offset = r.pos();
  net::VarintStatus why;
  if (!r.uvarint(c.code, &why))
    return {Err::proto, std::string("multiaddr: ") + net::varint_status_name(why) +
                            " for protocol code at byte " + std::to_string(c.offset)};
  const ProtocolInfo* p = protocol_by_code(c.code);
  if (!p)
    return {Err::proto, "multiaddr: unknown protocol code " + multicodec_hex(c.code) + " at byte " +
                            std::to_string(c.offset)};
  c.name = p->name;
  uint64_t len = 0;
  if (p->size > 0) {
    len = static_cast<uint64_t>(p->size);
  } else if (p->size < 0) {
    const size_t at = r.pos();
    if (!r.uvarint(len, &why))
      return {Err::proto, std::string("multiaddr: ") + net::varint_status_name(why) + " for " + p->name +
                              " length at byte " + std::to_string(at)};
  }
  const size_t value_at = r.pos();
  if (!r.take(len, c.value))
    return {Err::proto, "multiaddr: truncated value for " + std::string(p->name) + " at byte " +
                            std::to_string(value_at) +
                            (p->size < 0 ? ": length " + std::to_string(len) + " but " +
                                               std::to_string(r.left()) + " bytes follow"
                                         : std::string())};
  if (Status st = validate_value(*p, c.value); !st)
    return {Err::proto, with_reason("multiaddr: invalid " + value_noun(*p) + " at byte " +
                                        std::to_string(value_at),
                                    st.what())};
  c.size = r.pos() - c.offset;
  return c;
}

// Walks and checks all of b. Errors carry byte offsets.
Status validate_bytes(BytesView b) {
  if (b.empty()) return {Err::proto, "multiaddr: empty input"};
  if (b.size() > kMaxMultiaddrLen)
    return {Err::limit, "multiaddr: " + std::to_string(b.size()) + " bytes exceed the limit of " +
                            std::to_string(kMaxMultiaddrLen)};
  net::Reader r(b);
  size_t count = 0;
  const ProtocolInfo* last = nullptr;
  while (!r.empty()) {
    if (last && last->path)
      return {Err::proto, "multiaddr: component after path protocol " + std::string(last->name) +
                              " at byte " + std::to_string(r.pos())};
    if (count == kMaxMultiaddrComponents)
      return {Err::limit, "multiaddr: more than " + std::to_string(kMaxMultiaddrComponents) +
                              " components at byte " + std::to_string(r.pos())};
    auto c = read_component(r);
    if (!c) return c.take_error();
    last = protocol_by_code(c->code);
    ++count;
  }
  return {};
}

bool ip4_in(const uint8_t* a, uint8_t b0, uint8_t b1, int prefix_bits) {
  const uint32_t ip = uint32_t{a[0]} << 24 | uint32_t{a[1]} << 16 | uint32_t{a[2]} << 8 | a[3];
  const uint32_t net = uint32_t{b0} << 24 | uint32_t{b1} << 16;
  const uint32_t mask = prefix_bits == 0 ? 0 : ~uint32_t{0} << (32 - prefix_bits);
  return (ip & mask) == (net & mask);
}

bool ip4_loopback(const uint8_t* a) { return a[0] == 127; }

bool ip4_private(const uint8_t* a) {
  return ip4_loopback(a) || ip4_in(a, 10, 0, 8) || ip4_in(a, 100, 64, 10) || ip4_in(a, 172, 16, 12) ||
         ip4_in(a, 192, 168, 16) || ip4_in(a, 169, 254, 16);
}

// The IPv4 address inside ::ffff:a.b.c.d, or null.
const uint8_t* ip6_mapped_v4(const uint8_t* a) {
  for (int k = 0; k < 10; ++k)
    if (a[k] != 0) return nullptr;
  return a[10] == 0xff && a[11] == 0xff ? a + 12 : nullptr;
}

bool ip6_loopback(const uint8_t* a) {
  if (const uint8_t* v4 = ip6_mapped_v4(a)) return ip4_loopback(v4);
  for (int k = 0; k < 15; ++k)
    if (a[k] != 0) return false;
  return a[15] == 1;
}

bool ip6_private(const uint8_t* a) {
  if (const uint8_t* v4 = ip6_mapped_v4(a)) return ip4_private(v4);
  return ip6_loopback(a) || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

}  // namespace

std::string MultiaddrComponent::value_text() const {
  const ProtocolInfo* p = protocol_by_code(code);
  return p ? value_to_text(*p, value) : std::string();
}

Result<Multiaddr> Multiaddr::from_bytes(BytesView b) {
  AAC_TRY(validate_bytes(b));
  return Multiaddr(Bytes(b.begin(), b.end()));
}

Result<Multiaddr> Multiaddr::parse(std::string_view s) {
  if (s.empty()) return {Err::proto, "multiaddr: empty string"};
  if (s.size() > kMaxMultiaddrTextLen)
    return {Err::limit, "multiaddr: " + std::to_string(s.size()) + " characters exceed the limit of " +
                            std::to_string(kMaxMultiaddrTextLen)};
  if (s[0] != '/') return {Err::proto, "multiaddr: must begin with '/' at offset 0"};
  size_t end = s.size();
  while (end > 0 && s[end - 1] == '/') --end;  // trailing slashes are ignored (go)
  if (end == 0) return {Err::proto, "multiaddr: no components"};

  Bytes out;
  net::Writer w(out);
  size_t count = 0;
  size_t pos = 1;
  while (pos <= end) {
    const size_t name_at = pos;
    size_t name_end = s.find('/', pos);
    if (name_end == std::string_view::npos || name_end > end) name_end = end;
    const std::string_view name = s.substr(name_at, name_end - name_at);
    const ProtocolInfo* p = protocol_by_name(name);
    if (!p)
      return {Err::proto, "multiaddr: unknown protocol " + quote(name) + " at offset " + std::to_string(name_at)};
    if (count == kMaxMultiaddrComponents)
      return {Err::limit, "multiaddr: more than " + std::to_string(kMaxMultiaddrComponents) +
                              " components at offset " + std::to_string(name_at)};
    ++count;
    w.varint(p->code);
    pos = name_end + 1;
    if (p->size != 0) {
      if (name_end >= end)
        return {Err::proto, "multiaddr: missing value for " + std::string(p->name) + " at offset " +
                                std::to_string(end)};
      const size_t value_at = name_end + 1;
      size_t value_end = p->path ? end : s.find('/', value_at);
      if (value_end == std::string_view::npos || value_end > end) value_end = end;
      const std::string_view value = s.substr(value_at, value_end - value_at);
      auto v = value_from_text(*p, value);
      if (!v)
        return {v.err(), with_reason("multiaddr: invalid " + value_noun(*p) + " " + quote(value) +
                                            " at offset " + std::to_string(value_at),
                                        v.what())};
      if (p->size < 0) w.varint(v->size());
      w.bytes(*v);
      pos = value_end + 1;
    }
    if (out.size() > kMaxMultiaddrLen)
      return {Err::limit, "multiaddr: binary form exceeds " + std::to_string(kMaxMultiaddrLen) +
                              " bytes at offset " + std::to_string(name_at)};
  }
  return Multiaddr(std::move(out));
}

Result<Multiaddr> Multiaddr::from_host_port(std::string_view host, uint16_t port, uint64_t transport) {
  const ProtocolInfo* t = protocol_by_code(transport);
  if (!t || t->kind != ValueKind::port)
    return {Err::invalid, "multiaddr: " + multicodec_hex(transport) + " is not a port protocol"};
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  Multiaddr m;
  Ip4Bytes v4;
  Ip6Bytes v6;
  const size_t pct = host.find('%');
  if (parse_ip4(host, &v4)) {
    AAC_TRY(m.push(ma::kIp4, v4));
  } else if (parse_ip6(host.substr(0, pct), &v6)) {
    if (pct != std::string_view::npos) AAC_TRY(m.push(ma::kIp6zone, net::as_bytes(host.substr(pct + 1))));
    AAC_TRY(m.push(ma::kIp6, v6));
  } else {
    AAC_TRY(m.push(ma::kDns, net::as_bytes(host)));
  }
  const uint8_t pb[2] = {static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
  AAC_TRY(m.push(transport, pb));
  return m;
}

std::string Multiaddr::to_string() const {
  std::string s;
  for (size_t pos = 0; pos < b_.size();) {
    const MultiaddrComponent c = component_at(b_, pos);
    const ProtocolInfo* p = protocol_by_code(c.code);
    s += '/';
    s += p->name;
    if (p->size != 0) {
      s += '/';
      s += value_to_text(*p, c.value);
    }
    pos += c.size;
  }
  return s;
}

std::vector<MultiaddrComponent> Multiaddr::components() const& {
  std::vector<MultiaddrComponent> out;
  for (size_t pos = 0; pos < b_.size();) {
    out.push_back(component_at(b_, pos));
    pos += out.back().size;
  }
  return out;
}

size_t Multiaddr::component_count() const {
  size_t n = 0;
  for (size_t pos = 0; pos < b_.size(); ++n) pos += component_at(b_, pos).size;
  return n;
}

bool Multiaddr::has_protocol(uint64_t code) const {
  for (size_t pos = 0; pos < b_.size();) {
    const MultiaddrComponent c = component_at(b_, pos);
    if (c.code == code) return true;
    pos += c.size;
  }
  return false;
}

Status Multiaddr::push(uint64_t code, BytesView value) {
  const ProtocolInfo* p = protocol_by_code(code);
  if (!p) return {Err::invalid, "multiaddr: unknown protocol code " + multicodec_hex(code)};
  if (Status st = validate_value(*p, value); !st)
    return {Err::invalid, with_reason("multiaddr: invalid " + value_noun(*p), st.what())};
  Bytes next = b_;
  net::Writer w(next);
  w.varint(code);
  if (p->size < 0) w.varint(value.size());
  w.bytes(value);
  AAC_TRY(validate_bytes(next));  // limits and the path-protocol rule
  b_ = std::move(next);
  return {};
}

Result<Multiaddr> Multiaddr::encapsulate(const Multiaddr& other) const {
  Bytes next = b_;
  next.insert(next.end(), other.b_.begin(), other.b_.end());
  if (next.empty()) return Multiaddr();
  AAC_TRY(validate_bytes(next));
  return Multiaddr(std::move(next));
}

Multiaddr Multiaddr::decapsulate_code(uint64_t code) const {
  size_t cut = b_.size();
  for (size_t pos = 0; pos < b_.size();) {
    const MultiaddrComponent c = component_at(b_, pos);
    if (c.code == code) cut = pos;
    pos += c.size;
  }
  return Multiaddr(Bytes(b_.begin(), b_.begin() + static_cast<std::ptrdiff_t>(cut)));
}

Multiaddr Multiaddr::decapsulate(const Multiaddr& suffix) const {
  if (suffix.empty()) return *this;
  // Candidate cut points are component boundaries where suffix's bytes follow.
  size_t cut = b_.size();
  for (size_t pos = 0; pos < b_.size();) {
    if (b_.size() - pos >= suffix.b_.size() &&
        std::equal(suffix.b_.begin(), suffix.b_.end(), b_.begin() + static_cast<std::ptrdiff_t>(pos))) {
      // The match must also end on a component boundary.
      size_t q = pos;
      while (q < pos + suffix.b_.size()) q += component_at(b_, q).size;
      if (q == pos + suffix.b_.size()) cut = pos;
    }
    pos += component_at(b_, pos).size;
  }
  return Multiaddr(Bytes(b_.begin(), b_.begin() + static_cast<std::ptrdiff_t>(cut)));
}

std::optional<PeerId> Multiaddr::peer_id() const {
  std::optional<MultiaddrComponent> last;
  for (size_t pos = 0; pos < b_.size();) {
    last = component_at(b_, pos);
    pos += last->size;
  }
  if (!last || last->code != ma::kP2p) return std::nullopt;
  auto id = PeerId::from_bytes(last->value);  // validated on the way in
  if (!id) return std::nullopt;
  return id.take();
}

Multiaddr Multiaddr::without_peer_id() const {
  size_t last_at = 0;
  std::optional<MultiaddrComponent> last;
  for (size_t pos = 0; pos < b_.size();) {
    last = component_at(b_, pos);
    last_at = pos;
    pos += last->size;
  }
  if (!last || last->code != ma::kP2p) return *this;
  return Multiaddr(Bytes(b_.begin(), b_.begin() + static_cast<std::ptrdiff_t>(last_at)));
}

Result<Multiaddr> Multiaddr::with_peer_id(const PeerId& id) const {
  Multiaddr m = without_peer_id();
  AAC_TRY(m.push(ma::kP2p, id.bytes()));
  return m;
}

namespace {

// The first IP component, skipping a leading ip6zone.
std::optional<MultiaddrComponent> first_ip(const Multiaddr& m) {
  const auto cs = m.components();
  size_t i = 0;
  if (i < cs.size() && cs[i].code == ma::kIp6zone) ++i;
  if (i < cs.size() && (cs[i].code == ma::kIp4 || cs[i].code == ma::kIp6)) return cs[i];
  return std::nullopt;
}

}  // namespace

bool Multiaddr::is_loopback() const {
  const auto c = first_ip(*this);
  if (!c) return false;
  return c->code == ma::kIp4 ? ip4_loopback(c->value.data()) : ip6_loopback(c->value.data());
}

bool Multiaddr::is_private() const {
  const auto c = first_ip(*this);
  if (!c) return false;
  return c->code == ma::kIp4 ? ip4_private(c->value.data()) : ip6_private(c->value.data());
}

bool Multiaddr::is_unspecified() const {
  const auto c = first_ip(*this);
  if (!c) return false;
  for (uint8_t x : c->value)
    if (x) return false;
  return true;
}

std::optional<HostPort> Multiaddr::host_port(uint64_t transport) const {
  const auto cs = components();
  size_t i = 0;
  std::string zone;
  if (i < cs.size() && cs[i].code == ma::kIp6zone) zone = net::to_string(cs[i++].value);
  if (i + 1 >= cs.size() || cs[i + 1].code != transport) return std::nullopt;
  const ProtocolInfo* t = protocol_by_code(transport);
  if (!t || t->kind != ValueKind::port) return std::nullopt;
  HostPort hp;
  hp.port = static_cast<uint16_t>(cs[i + 1].value[0] << 8 | cs[i + 1].value[1]);
  const MultiaddrComponent& h = cs[i];
  switch (h.code) {
    case ma::kIp4:
      if (!zone.empty()) return std::nullopt;
      hp.family = HostFamily::ip4;
      hp.host = format_ip4(h.value.data());
      break;
    case ma::kIp6:
      hp.family = HostFamily::ip6;
      hp.host = format_ip6(h.value.data());
      if (!zone.empty()) hp.host += "%" + zone;
      break;
    case ma::kDns:
    case ma::kDns4:
    case ma::kDns6:
      if (!zone.empty()) return std::nullopt;
      hp.family = h.code == ma::kDns ? HostFamily::dns : h.code == ma::kDns4 ? HostFamily::dns4 : HostFamily::dns6;
      hp.host = net::to_string(h.value);
      break;
    default: return std::nullopt;
  }
  return hp;
}

}  // namespace p2p
