// p2p/mdns/dns_message.hpp — DNS message codec for mDNS (RFC 1035 §4,
// RFC 6762 §18): header, questions and the resource records libp2p mDNS
// uses (PTR, TXT, SRV, A, AAAA). Pure functions, no state (STYLE.md §1).
//
// Parsing is strict where it matters for safety and lenient where real
// responders differ:
//  * packets above kMaxPacketLen (9000, RFC 6762 §17) are refused, as are
//    more than kMaxRecordsPerSection entries in any section;
//  * names: labels of at most 63 bytes (length bytes 0x40 and 0x80 are the
//    reserved label types and refused), at most kMaxNameLen (255) bytes in
//    wire form counted through compression, at most kMaxPointerHops
//    pointers, and every pointer must point strictly before the run of
//    labels it ends (so pointers can neither loop nor point forward), not
//    into the 12-byte header and not past the end;
//  * records of other types (NSEC, OPT, HINFO, ...) are validated up to
//    their rdata length and skipped (counted in Message::skipped);
//  * A/AAAA rdata must be 4/16 bytes, PTR and SRV names must end exactly at
//    the end of their rdata, TXT strings must tile the rdata;
//  * bytes after the last record are ignored.
// Every error names the byte offset, e.g.
//   "dns: compression pointer at offset 40 points forward to 52"
//   "dns: answer 2 at offset 61: truncated record header"
// and uses Err::proto for malformed input, Err::limit for a crossed limit.
//
// Names are held in presentation form: labels joined by '.', with '.' and
// '\' inside a label escaped as "\." and "\\" (RFC 1035 §5.1); other bytes
// are kept raw. The root name is "". Comparisons of names are ASCII
// case-insensitive (name_equal), as DNS requires.
//
// Building never fails on what parse_message() returned except with
// Err::limit when the rebuilt message exceeds kMaxPacketLen (a peer's
// compression can be tighter than ours). Compression (RFC 1035 §4.1.4) is
// optional; it reuses exact (case-sensitive) suffixes of names written
// earlier, in owner names and in PTR/SRV targets.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/bytes.hpp"
#include "net/result.hpp"
#include "p2p/mdns/mdns_limits.hpp"

namespace p2p::mdns {

struct Question {
  std::string name;
  uint16_t type = kTypePtr;
  uint16_t klass = kClassIn;      // without the QU bit
  bool unicast_response = false;  // QU bit (RFC 6762 §5.4)
  friend bool operator==(const Question&, const Question&) = default;
};

struct Record {
  std::string name;
  uint16_t type = 0;
  uint16_t klass = kClassIn;  // without the cache-flush bit
  bool cache_flush = false;   // RFC 6762 §10.2
  uint32_t ttl = 0;
  // rdata, by type:
  std::string target;                // PTR: the name pointed to; SRV: target host
  std::vector<std::string> txt;      // TXT: the character-strings, raw bytes
  std::array<uint8_t, 16> addr{};    // A: the first 4 bytes (rest zero); AAAA: all 16
  uint16_t priority = 0;             // SRV
  uint16_t weight = 0;               // SRV
  uint16_t port = 0;                 // SRV
  friend bool operator==(const Record&, const Record&) = default;
};

struct Message {
  uint16_t id = 0;
  uint16_t flags = 0;  // QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode as on the wire
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> authorities;
  std::vector<Record> additionals;
  size_t skipped = 0;  // parse: records of other types left out (not compared)

  bool is_response() const { return (flags & kFlagResponse) != 0; }
  friend bool operator==(const Message& a, const Message& b) {
    return a.id == b.id && a.flags == b.flags && a.questions == b.questions && a.answers == b.answers &&
           a.authorities == b.authorities && a.additionals == b.additionals;
  }
};

// Errors: Err::proto (malformed: truncated header/question/record/name,
// reserved label type, bad pointer, bad rdata length), Err::limit (packet
// above kMaxPacketLen, a section above kMaxRecordsPerSection, a name above
// kMaxNameLen, more than kMaxPointerHops pointers, a TXT record with more
// than kMaxTxtStrings strings).
net::Result<Message> parse_message(net::BytesView packet);

struct BuildOptions {
  bool compress = true;
};

// Errors: Err::invalid (a name with an empty label or a dangling '\', a
// label above 63 bytes, a name above 255 bytes in wire form, a TXT string
// above 255 bytes or more than kMaxTxtStrings of them, a record type this
// codec does not know, a section above kMaxRecordsPerSection), Err::limit
// (the message exceeds kMaxPacketLen).
net::Result<net::Bytes> build_message(const Message& m, const BuildOptions& opt = {});

// ASCII case-insensitive comparison of two presentation-form names.
bool name_equal(std::string_view a, std::string_view b);
// A raw label in presentation form ('.' and '\' escaped).
std::string escape_label(std::string_view raw);
// The first label of a presentation-form name, unescaped ("" for the root),
// and the rest after its dot ("" if none).
std::string first_label(std::string_view name, std::string_view* rest = nullptr);

const char* type_name(uint16_t type);  // "A", "PTR", ..., "TYPE<n>" is not produced: "other"

}  // namespace p2p::mdns
