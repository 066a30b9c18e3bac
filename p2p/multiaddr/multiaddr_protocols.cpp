#include "p2p/multiaddr/multiaddr_protocols.hpp"

#include "p2p/multiaddr/ip_text.hpp"
#include "p2p/multiaddr/multiaddr_limits.hpp"
#include "p2p/multiformats/multibase.hpp"
#include "p2p/multiformats/multihash.hpp"
#include "p2p/peer_id.hpp"

namespace p2p {

using net::Bytes;
using net::BytesView;
using net::Err;
using net::Result;
using net::Status;

namespace {

using K = ValueKind;

// Sources: specs.md §1.5 and multiaddr protocols.csv; the deprecated and
// transport-less entries are kept so addresses other peers advertise parse.
constexpr ProtocolInfo kProtocols[] = {
    {ma::kIp4, "ip4", 4, K::ip4, false},
    {ma::kTcp, "tcp", 2, K::port, false},
    {ma::kDccp, "dccp", 2, K::port, false},
    {ma::kIp6, "ip6", 16, K::ip6, false},
    {ma::kIp6zone, "ip6zone", -1, K::zone, false},
    {ma::kIpcidr, "ipcidr", 1, K::ipcidr, false},
    {ma::kDns, "dns", -1, K::dns, false},
    {ma::kDns4, "dns4", -1, K::dns, false},
    {ma::kDns6, "dns6", -1, K::dns, false},
    {ma::kDnsaddr, "dnsaddr", -1, K::dns, false},
    {ma::kSctp, "sctp", 2, K::port, false},
    {ma::kUdp, "udp", 2, K::port, false},
    {ma::kP2pWebrtcStar, "p2p-webrtc-star", 0, K::none, false},
    {ma::kP2pWebrtcDirect, "p2p-webrtc-direct", 0, K::none, false},
    {ma::kP2pStardust, "p2p-stardust", 0, K::none, false},
    {ma::kWebrtcDirect, "webrtc-direct", 0, K::none, false},
    {ma::kWebrtc, "webrtc", 0, K::none, false},
    {ma::kP2pCircuit, "p2p-circuit", 0, K::none, false},
    {ma::kUdt, "udt", 0, K::none, false},
    {ma::kUtp, "utp", 0, K::none, false},
    {ma::kUnix, "unix", -1, K::unix_path, true},
    {ma::kP2p, "p2p", -1, K::p2p, false},
    {ma::kHttps, "https", 0, K::none, false},
    {ma::kOnion, "onion", 12, K::onion, false},
    {ma::kOnion3, "onion3", 37, K::onion3, false},
    {ma::kGarlic64, "garlic64", -1, K::garlic64, false},
    {ma::kGarlic32, "garlic32", -1, K::garlic32, false},
    {ma::kTls, "tls", 0, K::none, false},
    {ma::kSni, "sni", -1, K::dns, false},
    {ma::kNoise, "noise", 0, K::none, false},
    {ma::kQuic, "quic", 0, K::none, false},
    {ma::kQuicV1, "quic-v1", 0, K::none, false},
    {ma::kWebtransport, "webtransport", 0, K::none, false},
    {ma::kCerthash, "certhash", -1, K::certhash, false},
    {ma::kWs, "ws", 0, K::none, false},
    {ma::kWss, "wss", 0, K::none, false},
    {ma::kP2pWebsocketStar, "p2p-websocket-star", 0, K::none, false},
    {ma::kHttp, "http", 0, K::none, false},
    {ma::kHttpPath, "http-path", -1, K::http_path, false},
    // go-multiaddr and rust-multiaddr: a fixed 8-byte big-endian u64 (js
    // length-prefixes it; protocols.csv says V). We follow go/rust.
    {ma::kMemory, "memory", 8, K::memory, false},
    {ma::kPlaintextV2, "plaintextv2", 0, K::none, false},
};

// I2P's base64 alphabet ('-' and '~' for '+' and '/').
constexpr multibase::BitAlphabet kI2pBase64 = multibase::make_bit_alphabet(
    "i2p base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~", false);

constexpr size_t kOnionHostLen = 10;      // v2: 16 base32 chars
constexpr size_t kOnion3HostLen = 35;     // v3: 56 base32 chars
constexpr size_t kGarlic64MinLen = 386;   // go-multiaddr garlic64Validate
constexpr size_t kGarlic32Len = 32;       // plain b32 address
constexpr size_t kGarlic32MinEncLen = 35; // encrypted leaseset b33 addresses

Status fail(std::string why) { return {Err::proto, std::move(why)}; }

Result<uint64_t> parse_decimal(std::string_view s, uint64_t max) {
  if (s.empty()) return {Err::proto, "not a decimal number"};
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return {Err::proto, "not a decimal number"};
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return {Err::proto, "out of range 0.." + std::to_string(max)};
    v = v * 10 + d;
  }
  return v;
}

void put_be(Bytes& out, uint64_t v, int n) {
  for (int k = n - 1; k >= 0; --k) out.push_back(static_cast<uint8_t>(v >> (8 * k)));
}

uint64_t get_be(BytesView b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<Bytes> percent_decode(std::string_view s) {
  Bytes out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(static_cast<uint8_t>(s[i]));
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return {Err::proto, "bad percent escape at character " + std::to_string(i)};
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

// RFC 3986 pchar minus '+' (which Go's QueryUnescape would read as a space).
bool http_path_keeps(uint8_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~':                                     // unreserved
    case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
    case ',': case ';': case '=':                                               // sub-delims
    case ':': case '@': return true;
    default: return false;
  }
}

// Unix paths print as go-multiaddr does (raw, '/' kept) except '%' and bytes
// outside printable ASCII, so our percent-decoding parser reads them back.
bool unix_path_keeps(uint8_t c) { return c > 0x20 && c < 0x7f && c != '%'; }

std::string percent_encode(BytesView b, bool (*keep)(uint8_t)) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string s;
  s.reserve(b.size());
  for (uint8_t c : b) {
    if (keep(c)) {
      s.push_back(static_cast<char>(c));
    } else {
      s.push_back('%');
      s.push_back(kHex[c >> 4]);
      s.push_back(kHex[c & 15]);
    }
  }
  return s;
}

Status validate_name(BytesView v) {
  if (v.empty()) return fail("empty");
  for (uint8_t c : v)
    if (c == '/') return fail("contains '/'");
  return {};
}

Status validate_unix(BytesView v) {
  // go-multiaddr unixValidate: the text form needs a leading '/' and no
  // trailing one to survive a round trip.
  if (v.size() < 2) return fail("too short");
  if (v[0] != '/') return fail("must begin with '/'");
  if (v.back() == '/') return fail("must not end with '/'");
  return {};
}

// onion v2/v3 text: "<base32 host>:<port>", port 1..65535.
Result<Bytes> onion_from_text(std::string_view s, size_t host_len) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return {Err::proto, "missing port"};
  const std::string_view host = s.substr(0, colon), port = s.substr(colon + 1);
  const size_t want_chars = host_len * 8 / 5;
  if (host.size() != want_chars)
    return {Err::proto, "host of " + std::to_string(host.size()) + " characters, expected " +
                            std::to_string(want_chars)};
  auto h = multibase::bits_decode(multibase::kBase32Alphabet, host);
  if (!h) return h.take_error();
  auto p = parse_decimal(port, 65535);
  if (!p) return {Err::proto, "port: " + p.what()};
  if (*p == 0) return {Err::proto, "port 0"};
  Bytes out = h.take();
  put_be(out, *p, 2);
  return out;
}

std::string onion_to_text(BytesView v) {
  const size_t host = v.size() - 2;
  return multibase::bits_encode(multibase::kBase32Alphabet, v.first(host), false, false) + ":" +
         std::to_string(get_be(v.subspan(host)));
}

Status validate_garlic32(BytesView v) {
  if (v.size() != kGarlic32Len && v.size() < kGarlic32MinEncLen)
    return fail(std::to_string(v.size()) + " bytes, expected 32 or at least 35");
  return {};
}

Status validate_garlic64(BytesView v) {
  if (v.size() < kGarlic64MinLen)
    return fail(std::to_string(v.size()) + " bytes, expected at least " + std::to_string(kGarlic64MinLen));
  return {};
}

}  // namespace

const ProtocolInfo* protocol_by_code(uint64_t code) {
  for (const auto& p : kProtocols)
    if (p.code == code) return &p;
  return nullptr;
}

const ProtocolInfo* protocol_by_name(std::string_view name) {
  if (name == "ipfs") name = "p2p";  // legacy alias, printed as p2p
  for (const auto& p : kProtocols)
    if (name == p.name) return &p;
  return nullptr;
}

std::string value_noun(const ProtocolInfo& p) {
  switch (p.kind) {
    case K::none: return p.name;
    case K::ip4: return "ip4 address";
    case K::ip6: return "ip6 address";
    case K::port: return std::string(p.name) + " port";
    case K::ipcidr: return "ipcidr mask";
    case K::zone: return "ip6zone";
    case K::dns: return std::string(p.name) + " name";
    case K::unix_path: return "unix path";
    case K::p2p: return "peer id";
    case K::onion: return "onion address";
    case K::onion3: return "onion3 address";
    case K::garlic64: return "garlic64 address";
    case K::garlic32: return "garlic32 address";
    case K::certhash: return "certhash";
    case K::http_path: return "http-path";
    case K::memory: return "memory value";
  }
  return p.name;
}

Status validate_value(const ProtocolInfo& p, BytesView v) {
  if (p.size > 0 && v.size() != static_cast<size_t>(p.size))
    return fail(std::to_string(v.size()) + " bytes, expected " + std::to_string(p.size));
  if (p.size < 0 && v.empty()) return fail("empty");
  switch (p.kind) {
    case K::none: return v.empty() ? Status{} : fail("unexpected value");
    case K::ip4:
    case K::ip6:
    case K::port:
    case K::ipcidr:
    case K::memory: return {};
    case K::zone:
    case K::dns: return validate_name(v);
    case K::unix_path: return validate_unix(v);
    case K::p2p: {
      auto id = PeerId::from_bytes(v);
      return id ? Status{} : fail(id.what());
    }
    case K::onion:
    case K::onion3: return get_be(v.last(2)) == 0 ? fail("port 0") : Status{};
    case K::garlic64: return validate_garlic64(v);
    case K::garlic32: return validate_garlic32(v);
    case K::certhash: {
      auto m = Multihash::from_bytes(v);
      return m ? Status{} : fail(m.what());
    }
    case K::http_path: return {};
  }
  return fail("unknown value kind");
}

Result<Bytes> value_from_text(const ProtocolInfo& p, std::string_view s) {
  Bytes out;
  switch (p.kind) {
    case K::none: return {Err::proto, "takes no value"};
    case K::ip4: {
      Ip4Bytes a;
      if (!parse_ip4(s, &a)) return {Err::proto, ""};
      return Bytes(a.begin(), a.end());
    }
    case K::ip6: {
      Ip6Bytes a;
      if (!parse_ip6(s, &a)) return {Err::proto, ""};
      return Bytes(a.begin(), a.end());
    }
    case K::port:
    case K::ipcidr:
    case K::memory: {
      const uint64_t max = p.kind == K::port ? 65535 : p.kind == K::ipcidr ? 255 : UINT64_MAX;
      auto v = parse_decimal(s, max);
      if (!v) return v.take_error();
      put_be(out, *v, p.size);
      return out;
    }
    case K::zone:
    case K::dns: out = net::to_bytes(s); break;
    case K::unix_path: {
      // Two text forms give the same bytes: go-multiaddr's, the rest of the
      // string ("/unix/tmp/p2p.sock"), and js-multiaddr's, one percent-encoded
      // segment ("/unix/%2Ftmp%2Fp2p.sock"). Both are percent-decoded.
      auto d = percent_decode(s);
      if (!d) return d.take_error();
      const bool js_form = s.size() >= 3 && s[0] == '%' && s[1] == '2' && (s[2] == 'F' || s[2] == 'f');
      if (!js_form) out.push_back('/');
      out.insert(out.end(), d->begin(), d->end());
      break;
    }
    case K::p2p: {
      auto id = PeerId::parse(s);
      if (!id) return id.take_error();
      return id->bytes();
    }
    case K::onion:
    case K::onion3: {
      auto r = onion_from_text(s, p.kind == K::onion ? kOnionHostLen : kOnion3HostLen);
      if (!r) return r;
      out = r.take();
      break;
    }
    case K::garlic64: {
      // go-multiaddr writes '=' padding, rust-multiaddr does not: take both.
      // Trailing bits are not checked, as in go.
      const bool padded = s.find('=') != std::string_view::npos;
      auto r = multibase::bits_decode(kI2pBase64, s, {padded, false, 0, nullptr});
      if (!r) return r;
      out = r.take();
      break;
    }
    case K::garlic32: {
      auto r = multibase::bits_decode(multibase::kBase32Alphabet, s, {false, false, 0, nullptr});
      if (!r) return r;
      out = r.take();
      break;
    }
    case K::certhash: {
      auto d = multibase::decode(s, kMaxMultiaddrTextLen);
      if (!d) return d.take_error();
      out = std::move(d->bytes);
      break;
    }
    case K::http_path: {
      auto d = percent_decode(s);
      if (!d) return d.take_error();
      out = d.take();
      break;
    }
  }
  if (Status st = validate_value(p, out); !st) return st.take_error();
  return out;
}

std::string value_to_text(const ProtocolInfo& p, BytesView v) {
  switch (p.kind) {
    case K::none: return {};
    case K::ip4: return format_ip4(v.data());
    case K::ip6: return format_ip6(v.data());
    case K::port:
    case K::ipcidr:
    case K::memory: return std::to_string(get_be(v));
    case K::zone:
    case K::dns: return net::to_string(v);
    case K::unix_path: return percent_encode(v.subspan(1), unix_path_keeps);  // after the leading '/'
    case K::p2p: return multibase::base58btc_encode(v);
    case K::onion:
    case K::onion3: return onion_to_text(v);
    case K::garlic64: return multibase::bits_encode(kI2pBase64, v, false, true);
    case K::garlic32: return multibase::bits_encode(multibase::kBase32Alphabet, v, false, false);
    case K::certhash: return multibase::encode(multibase::Base::base64url, v);
    case K::http_path: return percent_encode(v, http_path_keeps);
  }
  return {};
}

}  // namespace p2p
