// p2p/multiaddr/ip_text.hpp — strict IPv4/IPv6 text <-> bytes for multiaddr.
//
// IPv4: exactly four decimal octets, no leading zeros (as Go's net.ParseIP).
// IPv6: RFC 4291 §2.2 text (one "::", an optional dotted IPv4 tail), no zone;
// printed in RFC 5952 form (lower case, longest zero run of >= 2 groups
// compressed, first on a tie; IPv4-mapped as ::ffff:a.b.c.d).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace p2p {

using Ip4Bytes = std::array<uint8_t, 4>;
using Ip6Bytes = std::array<uint8_t, 16>;

bool parse_ip4(std::string_view s, Ip4Bytes* out);
bool parse_ip6(std::string_view s, Ip6Bytes* out);
std::string format_ip4(const uint8_t* b);   // 4 bytes
std::string format_ip6(const uint8_t* b);   // 16 bytes

}  // namespace p2p
