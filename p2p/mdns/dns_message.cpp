// p2p/mdns/dns_message.cpp — see dns_message.hpp.
#include "p2p/mdns/dns_message.hpp"

#include <string>
#include <unordered_map>

namespace p2p::mdns {

using net::Err;
using net::Error;

namespace {

std::string at(size_t off) { return " at offset " + std::to_string(off); }

const char* section_name(int s) {
  switch (s) {
    case 0: return "answer";
    case 1: return "authority";
    default: return "additional";
  }
}

// ---- parsing ----

class Parser {
 public:
  explicit Parser(net::BytesView p) : p_(p) {}

  // Reads the name starting at `start`; *end is the offset just after its
  // linear part (after the terminating zero or the first pointer).
  net::Status name(size_t start, std::string& out, size_t* end) {
    out.clear();
    size_t pos = start;
    size_t run_start = start;  // start of the label run being read
    size_t wire_len = 1;       // the final zero byte
    size_t hops = 0;
    bool jumped = false;
    for (;;) {
      if (pos >= p_.size()) return Error{Err::proto, "dns: name" + at(start) + " runs past the end of the packet"};
      uint8_t len = p_[pos];
      switch (len & 0xC0) {
        case 0x00: {
          if (len == 0) {
            if (!jumped) *end = pos + 1;
            return {};
          }
          wire_len += size_t{len} + 1;
          if (wire_len > kMaxNameLen)
            return Error{Err::limit, "dns: name" + at(start) + " exceeds " + std::to_string(kMaxNameLen) + " bytes"};
          if (p_.size() - pos - 1 < len)
            return Error{Err::proto, "dns: label" + at(pos) + " runs past the end of the packet"};
          if (!out.empty()) out.push_back('.');
          out += escape_label(net::as_chars(p_.subspan(pos + 1, len)));
          pos += 1 + size_t{len};
          break;
        }
        case 0xC0: {
          if (p_.size() - pos < 2)
            return Error{Err::proto, "dns: compression pointer" + at(pos) + " runs past the end of the packet"};
          size_t target = (size_t{len & 0x3Fu} << 8) | p_[pos + 1];
          if (!jumped) *end = pos + 2;
          jumped = true;
          if (++hops > kMaxPointerHops)
            return Error{Err::limit, "dns: name" + at(start) + " follows more than " +
                                         std::to_string(kMaxPointerHops) + " compression pointers"};
          if (target >= p_.size())
            return Error{Err::proto, "dns: compression pointer" + at(pos) + " points past the end to " +
                                         std::to_string(target)};
          if (target < kHeaderLen)
            return Error{Err::proto, "dns: compression pointer" + at(pos) + " points into the header to " +
                                         std::to_string(target)};
          if (target >= run_start)
            return Error{Err::proto, "dns: compression pointer" + at(pos) + " points forward to " +
                                         std::to_string(target)};
          pos = run_start = target;
          break;
        }
        default:
          return Error{Err::proto, "dns: reserved label type 0x" + hex2(len & 0xC0) + at(pos) +
                                       " (a label is at most 63 bytes)"};
      }
    }
  }

  net::Status question(size_t idx, size_t& pos, Question& q) {
    size_t start = pos;
    AAC_TRY(name(pos, q.name, &pos));
    net::Reader r(p_.subspan(pos));
    uint16_t type, klass;
    if (!r.be16(type) || !r.be16(klass))
      return Error{Err::proto, "dns: question " + std::to_string(idx) + at(start) + ": truncated"};
    pos += 4;
    q.type = type;
    q.unicast_response = (klass & kClassTopBit) != 0;
    q.klass = klass & ~kClassTopBit;
    return {};
  }

  // *keep is false for a record of a type we skip.
  net::Status record(int section, size_t idx, size_t& pos, Record& rr, bool* keep) {
    size_t start = pos;
    std::string where = std::string("dns: ") + section_name(section) + " " + std::to_string(idx) + at(start);
    AAC_TRY(name(pos, rr.name, &pos));
    net::Reader r(p_.subspan(pos));
    uint16_t type, klass, rdlen;
    uint32_t ttl;
    if (!r.be16(type) || !r.be16(klass) || !r.be32(ttl) || !r.be16(rdlen))
      return Error{Err::proto, where + ": truncated record header"};
    pos += 10;
    if (p_.size() - pos < rdlen)
      return Error{Err::proto, where + ": rdata of " + std::to_string(rdlen) + " bytes runs past the end"};
    size_t rd = pos, rd_end = pos + rdlen;
    pos = rd_end;
    rr.type = type;
    rr.cache_flush = (klass & kClassTopBit) != 0;
    rr.klass = klass & ~kClassTopBit;
    rr.ttl = ttl;
    *keep = true;
    switch (type) {
      case kTypeA:
      case kTypeAaaa: {
        size_t want = type == kTypeA ? 4 : 16;
        if (rdlen != want)
          return Error{Err::proto, where + ": " + type_name(type) + " rdata of " + std::to_string(rdlen) +
                                       " bytes, expected " + std::to_string(want)};
        for (size_t i = 0; i < want; ++i) rr.addr[i] = p_[rd + i];
        return {};
      }
      case kTypePtr:
      case kTypeSrv: {
        size_t npos = rd;
        if (type == kTypeSrv) {
          net::Reader s(p_.subspan(rd, rdlen));
          if (!s.be16(rr.priority) || !s.be16(rr.weight) || !s.be16(rr.port))
            return Error{Err::proto, where + ": SRV rdata of " + std::to_string(rdlen) + " bytes is too short"};
          npos += 6;
        }
        size_t end = 0;
        AAC_TRY(name(npos, rr.target, &end));
        if (end != rd_end)
          return Error{Err::proto, where + ": " + type_name(type) + " name ends at " + std::to_string(end) +
                                       " but its rdata ends at " + std::to_string(rd_end)};
        return {};
      }
      case kTypeTxt: {
        size_t q = rd;
        while (q < rd_end) {
          size_t len = p_[q];
          if (rd_end - q - 1 < len)
            return Error{Err::proto, where + ": TXT string" + at(q) + " runs past its rdata"};
          if (rr.txt.size() == kMaxTxtStrings)
            return Error{Err::limit, where + ": TXT record has more than " + std::to_string(kMaxTxtStrings) +
                                         " strings"};
          rr.txt.emplace_back(net::as_chars(p_.subspan(q + 1, len)));
          q += 1 + len;
        }
        return {};
      }
      default:
        *keep = false;
        return {};
    }
  }

  static std::string hex2(unsigned v) {
    const char* d = "0123456789abcdef";
    return {d[(v >> 4) & 15], d[v & 15]};
  }

 private:
  net::BytesView p_;
};

// ---- building ----

// Splits a presentation-form name into raw labels.
net::Status split_name(std::string_view name, std::vector<std::string>& labels) {
  labels.clear();
  if (name.empty() || name == ".") return {};
  std::string cur;
  size_t wire = 1;
  auto finish = [&]() -> net::Status {
    if (cur.empty()) return Error{Err::invalid, "dns: name \"" + std::string(name) + "\" has an empty label"};
    if (cur.size() > kMaxLabelLen)
      return Error{Err::invalid, "dns: label of " + std::to_string(cur.size()) + " bytes in name \"" +
                                     std::string(name) + "\" exceeds " + std::to_string(kMaxLabelLen)};
    wire += cur.size() + 1;
    labels.push_back(std::move(cur));
    cur.clear();
    return {};
  };
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\') {
      if (i + 1 == name.size())
        return Error{Err::invalid, "dns: name \"" + std::string(name) + "\" ends in a dangling '\\'"};
      cur.push_back(name[++i]);
    } else if (c == '.') {
      if (i + 1 == name.size()) break;  // one trailing dot: fully qualified form
      AAC_TRY(finish());
    } else {
      cur.push_back(c);
    }
  }
  AAC_TRY(finish());
  if (wire > kMaxNameLen)
    return Error{Err::invalid, "dns: name \"" + std::string(name) + "\" of " + std::to_string(wire) +
                                   " bytes exceeds " + std::to_string(kMaxNameLen)};
  return {};
}

class Builder {
 public:
  Builder(net::Bytes& out, bool compress) : w_(out), out_(out), compress_(compress) {}

  net::Status name(std::string_view name) {
    AAC_TRY(split_name(name, labels_));
    // Wire form of each suffix labels_[i..]: the compression table key.
    std::vector<std::string> keys(labels_.size());
    std::string acc;
    for (size_t i = labels_.size(); i-- > 0;) {
      std::string k;
      k.push_back(static_cast<char>(labels_[i].size()));
      k += labels_[i];
      acc = k + acc;
      keys[i] = acc;
    }
    for (size_t i = 0; i < labels_.size(); ++i) {
      if (compress_) {
        auto it = table_.find(keys[i]);
        if (it != table_.end()) {
          w_.be16(static_cast<uint16_t>(0xC000 | it->second));
          return {};
        }
        if (out_.size() < 0x4000) table_.emplace(keys[i], static_cast<uint16_t>(out_.size()));
      }
      w_.u8(static_cast<uint8_t>(labels_[i].size()));
      w_.str(labels_[i]);
    }
    w_.u8(0);
    return {};
  }

  net::Status record(const Record& rr) {
    AAC_TRY(name(rr.name));
    w_.be16(rr.type);
    w_.be16(static_cast<uint16_t>((rr.klass & ~kClassTopBit) | (rr.cache_flush ? kClassTopBit : 0)));
    w_.be32(rr.ttl);
    size_t len_at = out_.size();
    w_.be16(0);  // rdlength, patched below
    switch (rr.type) {
      case kTypeA: w_.raw(rr.addr.data(), 4); break;
      case kTypeAaaa: w_.raw(rr.addr.data(), 16); break;
      case kTypeSrv:
        w_.be16(rr.priority);
        w_.be16(rr.weight);
        w_.be16(rr.port);
        AAC_TRY(name(rr.target));
        break;
      case kTypePtr: AAC_TRY(name(rr.target)); break;
      case kTypeTxt:
        if (rr.txt.size() > kMaxTxtStrings)
          return Error{Err::invalid, "dns: TXT record \"" + rr.name + "\" has " + std::to_string(rr.txt.size()) +
                                         " strings, more than " + std::to_string(kMaxTxtStrings)};
        for (const std::string& s : rr.txt) {
          if (s.size() > kMaxTxtStringLen)
            return Error{Err::invalid, "dns: TXT string of " + std::to_string(s.size()) + " bytes exceeds " +
                                           std::to_string(kMaxTxtStringLen)};
          w_.u8(static_cast<uint8_t>(s.size()));
          w_.str(s);
        }
        break;
      default:
        return Error{Err::invalid, "dns: cannot build a record of type " + std::to_string(rr.type)};
    }
    size_t rdlen = out_.size() - len_at - 2;
    if (rdlen > 0xFFFF) return Error{Err::limit, "dns: rdata of " + std::to_string(rdlen) + " bytes"};
    out_[len_at] = static_cast<uint8_t>(rdlen >> 8);
    out_[len_at + 1] = static_cast<uint8_t>(rdlen);
    return {};
  }

  net::Writer& w() { return w_; }

 private:
  net::Writer w_;
  net::Bytes& out_;
  bool compress_;
  std::vector<std::string> labels_;
  std::unordered_map<std::string, uint16_t> table_;
};

}  // namespace

const char* type_name(uint16_t type) {
  switch (type) {
    case kTypeA: return "A";
    case kTypePtr: return "PTR";
    case kTypeTxt: return "TXT";
    case kTypeAaaa: return "AAAA";
    case kTypeSrv: return "SRV";
    case kTypeAny: return "ANY";
    default: return "other";
  }
}

std::string escape_label(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '.' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string first_label(std::string_view name, std::string_view* rest) {
  std::string out;
  size_t i = 0;
  for (; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {
      out.push_back(name[++i]);
    } else if (c == '.') {
      break;
    } else {
      out.push_back(c);
    }
  }
  if (rest) *rest = i < name.size() ? name.substr(i + 1) : std::string_view{};
  return out;
}

bool name_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

net::Result<Message> parse_message(net::BytesView packet) {
  if (packet.size() > kMaxPacketLen)
    return Error{Err::limit, "dns: packet of " + std::to_string(packet.size()) + " bytes exceeds " +
                                 std::to_string(kMaxPacketLen)};
  if (packet.size() < kHeaderLen)
    return Error{Err::proto, "dns: truncated header (" + std::to_string(packet.size()) + " bytes, need " +
                                 std::to_string(kHeaderLen) + ")"};
  net::Reader r(packet);
  Message m;
  uint16_t counts[4];
  (void)r.be16(m.id);
  (void)r.be16(m.flags);
  for (uint16_t& c : counts) (void)r.be16(c);
  static const char* kCountNames[4] = {"questions", "answers", "authorities", "additionals"};
  for (int i = 0; i < 4; ++i) {
    if (counts[i] > kMaxRecordsPerSection)
      return Error{Err::limit, "dns: " + std::to_string(counts[i]) + " " + kCountNames[i] + " exceed " +
                                   std::to_string(kMaxRecordsPerSection)};
  }
  Parser p(packet);
  size_t pos = kHeaderLen;
  for (size_t i = 0; i < counts[0]; ++i) {
    Question q;
    AAC_TRY(p.question(i, pos, q));
    m.questions.push_back(std::move(q));
  }
  std::vector<Record>* sections[3] = {&m.answers, &m.authorities, &m.additionals};
  for (int s = 0; s < 3; ++s) {
    for (size_t i = 0; i < counts[s + 1]; ++i) {
      Record rr;
      bool keep = false;
      AAC_TRY(p.record(s, i, pos, rr, &keep));
      if (keep) {
        sections[s]->push_back(std::move(rr));
      } else {
        ++m.skipped;
      }
    }
  }
  return m;
}

net::Result<net::Bytes> build_message(const Message& m, const BuildOptions& opt) {
  auto too_big = [](size_t n) {
    return Error{Err::limit, "dns: message exceeds " + std::to_string(kMaxPacketLen) + " bytes (" +
                                 std::to_string(n) + " written)"};
  };
  const std::vector<Record>* sections[3] = {&m.answers, &m.authorities, &m.additionals};
  if (m.questions.size() > kMaxRecordsPerSection)
    return Error{Err::invalid, "dns: " + std::to_string(m.questions.size()) + " questions exceed " +
                                   std::to_string(kMaxRecordsPerSection)};
  for (int s = 0; s < 3; ++s) {
    if (sections[s]->size() > kMaxRecordsPerSection)
      return Error{Err::invalid, "dns: " + std::to_string(sections[s]->size()) + " " + section_name(s) +
                                     " records exceed " + std::to_string(kMaxRecordsPerSection)};
  }
  net::Bytes out;
  out.reserve(512);
  Builder b(out, opt.compress);
  b.w().be16(m.id);
  b.w().be16(m.flags);
  b.w().be16(static_cast<uint16_t>(m.questions.size()));
  for (auto* s : sections) b.w().be16(static_cast<uint16_t>(s->size()));
  for (const Question& q : m.questions) {
    AAC_TRY(b.name(q.name));
    b.w().be16(q.type);
    b.w().be16(static_cast<uint16_t>((q.klass & ~kClassTopBit) | (q.unicast_response ? kClassTopBit : 0)));
    if (out.size() > kMaxPacketLen) return too_big(out.size());
  }
  for (auto* s : sections) {
    for (const Record& rr : *s) {
      AAC_TRY(b.record(rr));
      if (out.size() > kMaxPacketLen) return too_big(out.size());
    }
  }
  return out;
}

}  // namespace p2p::mdns
