#include <doctest/doctest.h>

#include <string>
#include <unordered_set>

#include "net/bytes.hpp"
#include "p2p/multiaddr/ip_text.hpp"
#include "p2p/multiaddr/multiaddr.hpp"

using namespace p2p;
using net::Bytes;
using net::Err;

namespace {

Bytes hex(std::string_view h) {
  std::string l(h);
  for (auto& c : l)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  Bytes b;
  REQUIRE(net::from_hex(l, &b));
  return b;
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

Multiaddr addr(std::string_view s) {
  auto r = Multiaddr::parse(s);
  INFO("parse ", std::string(s), ": ", r.what());
  REQUIRE(r.ok());
  return r.take();
}

void check_parse_error(std::string_view text, Err code, const std::string& what) {
  auto r = Multiaddr::parse(text);
  INFO("input: ", std::string(text));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

void check_bytes_error(std::string_view h, Err code, const std::string& what) {
  auto r = Multiaddr::from_bytes(hex(h));
  INFO("input: ", std::string(h));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == code);
  CHECK(r.what() == what);
}

// text -> bytes == hex; bytes -> text == canonical (default: text); and both
// round trips are stable.
void check_vector(std::string_view text, std::string_view h, std::string_view canonical = {}) {
  INFO("vector: ", std::string(text));
  const std::string want = canonical.empty() ? std::string(text) : std::string(canonical);
  const Multiaddr a = addr(text);
  CHECK(net::to_hex(a.bytes()) == lower(std::string(h)));
  auto b = Multiaddr::from_bytes(hex(h));
  INFO("from_bytes: ", b.what());
  REQUIRE(b.ok());
  CHECK(*b == a);
  CHECK(b->to_string() == want);
  CHECK(addr(want) == a);
}

const std::string kGarlic64 = "jT~IyXaoauTni6N4517EG8mrFUKpy0IlgZh-EY9csMAk82Odatmzr~YTZy8Hv7u~wvkg75EFNOyqb~nAPg-khyp2TS~ObUz8WlqYAM2VlEzJ7wJB91P-cUlKF18zSzVoJFmsrcQHZCirSbWoOknS6iNmsGRh5KVZsBEfp1Dg3gwTipTRIx7Vl5Vy~1OSKQVjYiGZS9q8RL0MF~7xFiKxZDLbPxk0AK9TzGGqm~wMTI2HS0Gm4Ycy8LYPVmLvGonIBYndg2bJC7WLuF6tVjVquiokSVDKFwq70BCUU5AU-EvdOD5KEOAM7mPfw-gJUG4tm1TtvcobrObqoRnmhXPTBTN5H7qDD12AvlwFGnfAlBXjuP4xOUAISL5SRLiulrsMSiT4GcugSI80mF6sdB0zWRgL1yyvoVWeTBn1TqjO27alr95DGTluuSqrNAxgpQzCKEWAyzrQkBfo2avGAmmz2NaHaAvYbOg0QSJz1PLjv2jdPW~ofiQmrGWM1cd~1cCqAAAA";
const std::string kGarlic64Hex = "be0383038d3fc8c976a86ae4e78ba378e75ec41bc9ab1542a9cb422581987e118f5cb0c024f3639d6ad9b3aff613672f07bfbbbfc2f920ef910534ecaa6ff9c03e0fa4872a764d2fce6d4cfc5a5a9800cd95944cc9ef0241f753fe71494a175f334b35682459acadc4076428ab49b5a83a49d2ea2366b06461e4a559b0111fa750e0de0c138a94d1231ed5979572ff53922905636221994bdabc44bd0c17fef11622b16432db3f193400af53cc61aa9bfc0c4c8d874b41a6e18732f0b60f5662ef1a89c80589dd8366c90bb58bb85ead56356aba2a244950ca170abbd01094539014f84bdd383e4a10e00cee63dfc3e809506e2d9b54edbdca1bace6eaa119e68573d30533791fba830f5d80be5c051a77c09415e3b8fe3139400848be5244b8ae96bb0c4a24f819cba0488f34985eac741d3359180bd72cafa1559e4c19f54ea8cedbb6a5afde4319396eb92aab340c60a50cc2284580cb3ad09017e8d9abc60269b3d8d687680bd86ce834412273d4f2e3bf68dd3d6fe87e2426ac658cd5c77fd5c0aa000000";

const char* kEdPeer = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
const char* kEcPeer = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";

}  // namespace

// --- spec and reference vectors -----------------------------------------------

TEST_CASE("multiaddr: specs.md §1.5 inline vectors") {
  check_vector("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1");
  check_vector("/ip4/1.2.3.4/udp/4001/quic-v1", "040102030491020fa1cd03");
  check_vector("/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq",
               "a50326" "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
}

TEST_CASE("multiaddr: multiformats/multiaddr test/multiaddr.feature") {
  check_vector("/ip4/192.0.2.42/tcp/443", "04c000022a0601bb");
  const Multiaddr m = addr("/ip4/192.0.2.42/tcp/443");
  const auto cs = m.components();
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].code == 4);
  CHECK(cs[0].name == "ip4");
  CHECK(net::to_hex(cs[0].value) == "c000022a");
  CHECK(cs[0].value_text() == "192.0.2.42");
  CHECK(cs[0].offset == 0);
  CHECK(cs[0].size == 5);
  CHECK(cs[1].code == 6);
  CHECK(net::to_hex(cs[1].value) == "01bb");
  CHECK(cs[1].value_text() == "443");
  CHECK(cs[1].offset == 5);
  CHECK(cs[1].size == 3);
}

TEST_CASE("multiaddr: go-multiaddr TestStringToBytes / TestBytesToString vectors") {
  check_vector("/ip4/127.0.0.1/udp/1234", "047f000001910204d2");
  check_vector("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1");
  check_vector("/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321", "047f000001910204d2047f0000010610e1");
  check_vector("/onion/aaimaq4ygg2iegci:80", "bc030010c0439831b48218480050");
  check_vector("/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
               "bd03adadec040be047f9658668b11a504f3155001f231a37f54c4476c07fb4cc139ed7e30304d2");
  check_vector("/garlic64/" + kGarlic64, kGarlic64Hex);
  check_vector("/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq",
               "bf0320efbcd45d0c5dc79781ac6f20ea5055a036afb48d45a52e7d68ec7d4338919e69");
  // TestBinaryRepresentation, TestZone, TestDNS
  check_vector("/ip4/127.0.0.1/udp/1234", "047f000001910204d2");
  check_vector("/ip6zone/eth0/ip6/::1", "2a04657468302900000000000000000000000000000001");
  auto dns = Multiaddr::from_bytes(net::as_bytes("7*000000000000000000000000000000000000000000"));
  REQUIRE(dns.ok());
  CHECK(dns->to_string() == "/dns6/000000000000000000000000000000000000000000");
  CHECK(addr(dns->to_string()) == *dns);
}

TEST_CASE("multiaddr: rust-multiaddr ma_valid vectors") {
  const char* qm = "A503221220D52EBB89D85B02A284948203A62FF28389C57C9F42BEEC4EC20DB76A68911C0B";
  check_vector("/ip4/1.2.3.4", "0401020304");
  check_vector("/ip4/0.0.0.0", "0400000000");
  check_vector("/ip6/::1", "2900000000000000000000000000000001");
  check_vector("/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21", "29260100094F819700803ECA6566E80C21");
  check_vector("/ip6/fe80::9700:803e:ca65:66e8:c21/ip6zone/wlan0",
               "29FE80000000009700803ECA6566E80C212A05776C616E30");
  check_vector("/udp/0", "91020000");
  check_vector("/tcp/0", "060000");
  check_vector("/sctp/0", "84010000");
  check_vector("/udp/1234", "910204D2");
  check_vector("/tcp/1234", "0604D2");
  check_vector("/sctp/1234", "840104D2");
  check_vector("/udp/65535", "9102FFFF");
  check_vector("/tcp/65535", "06FFFF");
  check_vector("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", qm);
  check_vector("/udp/1234/sctp/1234", "910204D2840104D2");
  check_vector("/udp/1234/udt", "910204D2AD02");
  check_vector("/udp/1234/utp", "910204D2AE02");
  check_vector("/tcp/1234/http", "0604D2E003");
  check_vector("/tcp/1234/tls/http", "0604D2C003E003");
  check_vector("/tcp/1234/http/http-path/user", "0604D2E003E1030475736572");
  check_vector("/tcp/1234/http/http-path/api%2Fv0%2Flogin", "0604D2E003E1030C6170692F76302F6C6F67696E",
               "/tcp/1234/http/http-path/api%2Fv0%2Flogin");
  check_vector("/tcp/1234/http/http-path/a%2520space", "0604D2E003E10309612532307370616365");
  check_vector("/tcp/1234/https", "0604D2BB03");
  check_vector("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234", std::string(qm) + "0604D2");
  check_vector("/ip4/127.0.0.1/udp/1234", "047F000001910204D2");
  check_vector("/ip4/127.0.0.1/udp/0", "047F00000191020000");
  check_vector("/ip4/127.0.0.1/tcp/1234", "047F0000010604D2");
  check_vector("/ip4/127.0.0.1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC", std::string("047F000001") + qm);
  check_vector("/ip4/127.0.0.1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
               std::string("047F000001") + qm + "0604D2");
  check_vector(
      "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/ws/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
      std::string("29200108A07AC542013AC986FFFE317095061F40DD03") + qm);
  check_vector("/p2p-webrtc-star/ip4/127.0.0.1/tcp/9090/ws/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
               std::string("9302047F000001062382DD03") + qm);
  check_vector(
      "/ip6/2001:8a0:7ac5:4201:3ac9:86ff:fe31:7095/tcp/8000/wss/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
      std::string("29200108A07AC542013AC986FFFE317095061F40DE03") + qm);
  check_vector("/ip4/127.0.0.1/tcp/9090/p2p-circuit/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
               std::string("047F000001062382A202") + qm);
  check_vector("/onion/aaimaq4ygg2iegci:80", "BC030010C0439831B48218480050");
  check_vector("/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234",
               "BD03ADADEC040BE047F9658668B11A504F3155001F231A37F54C4476C07FB4CC139ED7E30304D2");
  check_vector("/dnsaddr/sjc-1.bootstrap.libp2p.io", "3819736A632D312E626F6F7473747261702E6C69627032702E696F");
  check_vector("/dnsaddr/sjc-1.bootstrap.libp2p.io/tcp/1234/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
               "3819736A632D312E626F6F7473747261702E6C69627032702E696F0604D2A50322122006B3608AA000274049EB28AD8E793A2"
               "6FF6FAB281A7D3BD77CD18EB745DFAABB");
  check_vector("/ip4/127.0.0.1/tcp/127/ws", "047F00000106007FDD03");
  check_vector("/ip4/127.0.0.1/tcp/127/tls", "047F00000106007FC003");
  check_vector("/ip4/127.0.0.1/tcp/127/tls/ws", "047F00000106007FC003DD03");
  check_vector("/ip4/127.0.0.1/tcp/127/noise", "047F00000106007FC603");
  check_vector("/ip4/127.0.0.1/udp/1234/webrtc-direct", "047F000001910204D29802");
  check_vector("/ip4/127.0.0.1/udp/1234/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
               "047F000001910204D29802D203221220C3AB8FF13720E8AD9047DD39466B3C8974E592C2FA383D4A3960714CAEF0C4F2");
  check_vector("/ip4/127.0.0.1/udp/1234/quic/webtransport", "047F000001910204D2CC03D103");
  check_vector("/ip4/127.0.0.1/udp/1234/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
               "047F000001910204D2D103D203221220C3AB8FF13720E8AD9047DD39466B3C8974E592C2FA383D4A3960714CAEF0C4F2");
}

TEST_CASE("multiaddr: go-multiaddr TestConstructSucceeds vectors parse and round trip") {
  const std::string cert_b = "/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy";
  const std::string cert_u = "/certhash/u1QEQOFj2IjCsPJFfMAxmQxLGPw";
  const std::string cert_z = "/certhash/zQmbWTwYGcmdyK9CYfNBcfs9nhZs17a6FQ4Y8oea278xx41";
  const std::string cert_z_u = "/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g";
  const std::string qm = "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC";
  const std::string k2 = "k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7";
  const std::string ed = "12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV";
  // {input, canonical text ("" = the input itself)}
  const std::pair<std::string, std::string> good[] = {
      {"/ip4/1.2.3.4", ""},
      {"/ip4/0.0.0.0", ""},
      {"/ip4/192.0.2.0/ipcidr/24", ""},
      {"/ip6/::1", ""},
      {"/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21", ""},
      {"/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic", ""},
      {"/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1", ""},
      {"/ip6/2001:db8::/ipcidr/32", ""},
      {"/ip6zone/x/ip6/fe80::1", ""},
      {"/ip6zone/x%y/ip6/fe80::1", ""},
      {"/ip6zone/x%y/ip6/::", ""},
      {"/ip6zone/x/ip6/fe80::1/udp/1234/quic", ""},
      {"/ip6zone/x/ip6/fe80::1/udp/1234/quic-v1", ""},
      {"/onion/timaq4ygg2iegci7:1234", ""},
      {"/onion/timaq4ygg2iegci7:80/http", ""},
      {"/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234", ""},
      {"/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80/http", ""},
      {"/garlic64/" + kGarlic64, ""},
      {"/garlic64/" + kGarlic64 + "/http", ""},
      {"/garlic64/" + kGarlic64 + "/udp/8080", ""},
      {"/garlic64/" + kGarlic64 + "/tcp/8080", ""},
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq", ""},
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuqzwas", ""},
      // Non-zero trailing bits (go does not check them); printed canonically.
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuqzwassw",
       "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuqzwassu"},
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq/http", ""},
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq/tcp/8080", ""},
      {"/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq/udp/8080", ""},
      {"/udp/0", ""},
      {"/tcp/0", ""},
      {"/sctp/0", ""},
      {"/udp/1234", ""},
      {"/tcp/1234", ""},
      {"/sctp/1234", ""},
      {"/udp/65535", ""},
      {"/tcp/65535", ""},
      {"/ipfs/" + qm, "/p2p/" + qm},
      {"/ipfs/" + k2, "/p2p/" + qm},
      {"/p2p/" + qm, ""},
      {"/p2p/" + k2, "/p2p/" + qm},
      {"/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm", "/p2p/" + qm},
      {"/p2p/" + ed, ""},
      {"/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs", "/p2p/" + ed},
      {"/p2p/bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u", "/p2p/" + ed},
      {"/udp/1234/sctp/1234", ""},
      {"/udp/1234/udt", ""},
      {"/udp/1234/utp", ""},
      {"/tcp/1234/http", ""},
      {"/tcp/1234/tls/http", ""},
      {"/tcp/1234/https", ""},
      {"/ipfs/" + qm + "/tcp/1234", "/p2p/" + qm + "/tcp/1234"},
      {"/ipfs/" + k2 + "/tcp/1234", "/p2p/" + qm + "/tcp/1234"},
      {"/p2p/" + qm + "/tcp/1234", ""},
      {"/p2p/" + k2 + "/tcp/1234", "/p2p/" + qm + "/tcp/1234"},
      {"/ip4/127.0.0.1/udp/1234", ""},
      {"/ip4/127.0.0.1/udp/0", ""},
      {"/ip4/127.0.0.1/tcp/1234", ""},
      {"/ip4/127.0.0.1/tcp/1234/", "/ip4/127.0.0.1/tcp/1234"},
      {"/ip4/127.0.0.1/udp/1234/quic", ""},
      {"/ip4/127.0.0.1/udp/1234/quic-v1", ""},
      {"/ip4/127.0.0.1/udp/1234/quic-v1/webtransport", ""},
      {"/ip4/127.0.0.1/udp/1234/quic-v1/webtransport" + cert_b, "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport" + cert_u},
      {"/ip4/127.0.0.1/udp/1234/quic-v1/webtransport" + cert_b + cert_z,
       "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport" + cert_u + cert_z_u},
      {"/ip4/127.0.0.1/ipfs/" + qm, "/ip4/127.0.0.1/p2p/" + qm},
      {"/ip4/127.0.0.1/ipfs/" + qm + "/tcp/1234", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234"},
      {"/ip4/127.0.0.1/ipfs/" + k2, "/ip4/127.0.0.1/p2p/" + qm},
      {"/ip4/127.0.0.1/ipfs/" + k2 + "/tcp/1234", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234"},
      {"/ip4/127.0.0.1/p2p/" + qm, ""},
      {"/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234", ""},
      {"/ip4/127.0.0.1/p2p/" + k2, "/ip4/127.0.0.1/p2p/" + qm},
      {"/ip4/127.0.0.1/p2p/" + k2 + "/tcp/1234", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234"},
      {"/unix/a/b/c/d/e", ""},
      {"/unix/stdio", ""},
      {"/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f", ""},
      {"/ip4/127.0.0.1/ipfs/" + qm + "/tcp/1234/unix/stdio", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234/unix/stdio"},
      {"/ip4/127.0.0.1/ipfs/" + k2 + "/tcp/1234/unix/stdio", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234/unix/stdio"},
      {"/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234/unix/stdio", ""},
      {"/ip4/127.0.0.1/p2p/" + k2 + "/tcp/1234/unix/stdio", "/ip4/127.0.0.1/p2p/" + qm + "/tcp/1234/unix/stdio"},
      {"/ip4/127.0.0.1/tcp/9090/http/p2p-webrtc-direct", ""},
      {"/ip4/127.0.0.1/tcp/127/ws", ""},
      {"/ip4/127.0.0.1/tcp/127/tls", ""},
      {"/ip4/127.0.0.1/tcp/127/tls/ws", ""},
      {"/ip4/127.0.0.1/tcp/127/noise", ""},
      {"/ip4/127.0.0.1/tcp/127/wss", ""},
      {"/ip4/127.0.0.1/tcp/127/webrtc-direct", ""},
      {"/ip4/127.0.0.1/tcp/127/webrtc", ""},
      {"/http-path/tmp%2Fbar", ""},
      {"/http-path/tmp%2Fbar%2Fbaz", ""},
      {"/http-path/foo", ""},
      {"/ip4/127.0.0.1/tcp/0/p2p/" + ed + "/http-path/foo", ""},
      {"/ip4/127.0.0.1/tcp/443/tls/sni/example.com/http/http-path/foo", ""},
      {"/memory/4", ""},
  };
  for (const auto& g : good) {
    const std::string& in = g.first;
    const std::string& canon = g.second;
    INFO("input: ", in);
    auto a = Multiaddr::parse(in);
    INFO("error: ", a.what());
    REQUIRE(a.ok());
    const std::string want = canon.empty() ? in : canon;
    CHECK(a->to_string() == want);
    auto b = Multiaddr::from_bytes(a->bytes());
    REQUIRE(b.ok());
    CHECK(*b == *a);
    CHECK(addr(want) == *a);
  }
}

TEST_CASE("multiaddr: go-multiaddr TestRoundTrip and TestIPFSvP2P") {
  for (const char* s : {"/unix/a/b/c/d", "/ip6/::ffff:127.0.0.1/tcp/111", "/ip4/127.0.0.1/tcp/123",
                        "/ip4/127.0.0.1/tcp/123/tls", "/ip4/127.0.0.1/udp/123", "/ip4/127.0.0.1/udp/123/ip6/::",
                        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/"
                        "uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
                        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP",
                        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP/unix/a/b/c", "/http-path/tmp%2Fbar"}) {
    INFO(s);
    CHECK(addr(s).to_string() == s);
  }
  CHECK(addr("/ipfs/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP").to_string() ==
        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP");
}

TEST_CASE("multiaddr: go-multiaddr TestConstructFails and rust construct_fail vectors are refused") {
  const std::string bad[] = {
      "/ip4", "/ip4/::1", "/ip4/fdpsofodsajfdoisa", "/ip4/::/ipcidr/256", "/ip6/::/ipcidr/1026", "/ip6", "/ip6zone",
      "/ip6zone/", "/ip6zone//ip6/fe80::1", "/udp", "/tcp", "/sctp", "/udp/65536", "/tcp/65536", "/quic/65536",
      "/quic-v1/65536", "/onion/9imaq4ygg2iegci7:80", "/onion/aaimaq4ygg2iegci7:80", "/onion/timaq4ygg2iegci7:0",
      "/onion/timaq4ygg2iegci7:-1", "/onion/timaq4ygg2iegci7", "/onion/timaq4ygg2iegci@:666",
      "/onion3/9ww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80",
      "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd7:80",
      "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:0",
      "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:-1",
      "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd",
      "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyy@:666",
      "/garlic64/" + kGarlic64 + "7:80", "/garlic64/" + kGarlic64 + ":0", "/garlic64/" + kGarlic64 + ":-1",
      "/garlic64/" + kGarlic64 + "@:666", "/garlic64/jT~",
      "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzu",
      "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzu77",
      "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzu:80",
      "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzuq:-1",
      "/garlic32/566niximlxdzpanmn4qouucvua3k7neniwss47li5r6ugoertzu@", "/udp/1234/sctp", "/udp/1234/udt/1234",
      "/udp/1234/utp/1234", "/ip4/127.0.0.1/udp/jfodsajfidosajfoidsa", "/ip4/127.0.0.1/udp",
      "/ip4/127.0.0.1/tcp/jfodsajfidosajfoidsa", "/ip4/127.0.0.1/tcp", "/ip4/127.0.0.1/quic/1234",
      "/ip4/127.0.0.1/quic-v1/1234", "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash",
      "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp",
      "/ip4/127.0.0.1/ipfs", "/ip4/127.0.0.1/ipfs/tcp", "/ip4/127.0.0.1/p2p", "/ip4/127.0.0.1/p2p/tcp", "/unix",
      "/ip4/1.2.3.4/tcp/80/unix", "/ip4/1.2.3.4/tcp/-1", "/ip4/127.0.0.1/tcp/9090/http/p2p-webcrt-direct",
      "/memory/92233720368547758081", "/", "", "/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY",
      "/ip6/fe80::9700:803e:ca65:66e8:c21/ip6zone", "/p2p-circuit/50",
      "/ip4/127.0.0.1/udp/1234/webrtc-direct/certhash",
      "/ip4/127.0.0.1/udp/1234/webrtc-direct/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp",
      "/tcp/1234/http/http-path/a/b",
      // go TestInvalidP2PAddrString
      "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl-", "/p2p/?unknownmultibase",
      "/p2p/k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z",
      "/p2p/bahkqcerat6dnbamijr6wlgrp5kqmkwwqcwr36ty3fmfyelgrlvwblmhqbiea",
      // go TestHTTPPath "bad addr"
      "/http-path/thisIsMissingAfullByte%f",
  };
  for (const auto& s : bad) {
    INFO("input: ", s);
    auto r = Multiaddr::parse(s);
    CHECK_FALSE(r.ok());
    CHECK(r.err() == Err::proto);
    CHECK(r.what().rfind("multiaddr: ", 0) == 0);
  }
  // go TestInvalidP2PAddrBytes, rust from_bytes_fail
  check_bytes_error("a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6", Err::proto,
                    "multiaddr: invalid peer id at byte 3: peerid: multihash: sha2-256 digest length 33, "
                    "expected 32 at byte 1");
  check_bytes_error("01020304", Err::proto, "multiaddr: unknown protocol code 0x1 at byte 0");
}

// --- bad input, each error exact -------------------------------------------------

TEST_CASE("multiaddr: text: empty, no slash, no components") {
  check_parse_error("", Err::proto, "multiaddr: empty string");
  check_parse_error("/", Err::proto, "multiaddr: no components");
  check_parse_error("///", Err::proto, "multiaddr: no components");
  check_parse_error("ip4/1.2.3.4", Err::proto, "multiaddr: must begin with '/' at offset 0");
}

TEST_CASE("multiaddr: text: unknown protocol names carry their offset") {
  check_parse_error("/ip4/1.2.3.4/foo/1", Err::proto, "multiaddr: unknown protocol \"foo\" at offset 13");
  check_parse_error("/tcp/1/foo", Err::proto, "multiaddr: unknown protocol \"foo\" at offset 7");
  check_parse_error("//ip4/1.2.3.4", Err::proto, "multiaddr: unknown protocol \"\" at offset 1");
  check_parse_error("/ip4/1.2.3.4//tcp/1", Err::proto, "multiaddr: unknown protocol \"\" at offset 13");
  check_parse_error("/IP4/1.2.3.4", Err::proto, "multiaddr: unknown protocol \"IP4\" at offset 1");
  check_parse_error("/p2p-circuit/50", Err::proto, "multiaddr: unknown protocol \"50\" at offset 13");
  check_parse_error("/tcp/1234/http/http-path/a/b", Err::proto, "multiaddr: unknown protocol \"b\" at offset 27");
  check_parse_error("/x\x01y", Err::proto, "multiaddr: unknown protocol \"x\\x01y\" at offset 1");
}

TEST_CASE("multiaddr: text: missing values") {
  check_parse_error("/ip4", Err::proto, "multiaddr: missing value for ip4 at offset 4");
  check_parse_error("/ip4/1.2.3.4/tcp", Err::proto, "multiaddr: missing value for tcp at offset 16");
  check_parse_error("/ip4/1.2.3.4/tcp/", Err::proto, "multiaddr: missing value for tcp at offset 16");
  check_parse_error("/ipfs", Err::proto, "multiaddr: missing value for p2p at offset 5");
  check_parse_error("/unix", Err::proto, "multiaddr: missing value for unix at offset 5");
}

TEST_CASE("multiaddr: text: bad ip4 and ip6 addresses") {
  check_parse_error("/ip4/1.2.3", Err::proto, "multiaddr: invalid ip4 address \"1.2.3\" at offset 5");
  check_parse_error("/ip4/01.2.3.4", Err::proto, "multiaddr: invalid ip4 address \"01.2.3.4\" at offset 5");
  check_parse_error("/ip4/256.0.0.1/tcp/1", Err::proto, "multiaddr: invalid ip4 address \"256.0.0.1\" at offset 5");
  check_parse_error("/ip4/::1", Err::proto, "multiaddr: invalid ip4 address \"::1\" at offset 5");
  check_parse_error("/ip6/1:2:3:4:5:6:7:8:9", Err::proto,
                    "multiaddr: invalid ip6 address \"1:2:3:4:5:6:7:8:9\" at offset 5");
  check_parse_error("/ip6/fe80::1%eth0", Err::proto, "multiaddr: invalid ip6 address \"fe80::1%eth0\" at offset 5");
  check_parse_error("/ip6/1.2.3.4", Err::proto, "multiaddr: invalid ip6 address \"1.2.3.4\" at offset 5");
}

TEST_CASE("multiaddr: text: bad ports, masks and numbers") {
  check_parse_error("/tcp/65536", Err::proto, "multiaddr: invalid tcp port \"65536\" at offset 5: out of range 0..65535");
  check_parse_error("/ip4/1.2.3.4/udp/99999999999999999999999", Err::proto,
                    "multiaddr: invalid udp port \"99999999999999999999999\" at offset 17: out of range 0..65535");
  check_parse_error("/tcp/-1", Err::proto, "multiaddr: invalid tcp port \"-1\" at offset 5: not a decimal number");
  check_parse_error("/tcp/+1", Err::proto, "multiaddr: invalid tcp port \"+1\" at offset 5: not a decimal number");
  check_parse_error("/tcp/0x10", Err::proto, "multiaddr: invalid tcp port \"0x10\" at offset 5: not a decimal number");
  check_parse_error("/ip6/::/ipcidr/256", Err::proto,
                    "multiaddr: invalid ipcidr mask \"256\" at offset 15: out of range 0..255");
  check_parse_error("/memory/18446744073709551616", Err::proto,
                    "multiaddr: invalid memory value \"18446744073709551616\" at offset 8: out of range "
                    "0..18446744073709551615");
  // Leading zeros are accepted (as Go's ParseUint) and printed canonically.
  CHECK(addr("/tcp/0080").to_string() == "/tcp/80");
  CHECK(addr("/memory/18446744073709551615").to_string() == "/memory/18446744073709551615");
}

TEST_CASE("multiaddr: text: bad names, zones, onions") {
  check_parse_error("/dns4//tcp/1", Err::proto, "multiaddr: invalid dns4 name \"\" at offset 6: empty");
  check_parse_error("/ip6zone//ip6/fe80::1", Err::proto, "multiaddr: invalid ip6zone \"\" at offset 9: empty");
  check_parse_error("/onion/timaq4ygg2iegci7", Err::proto,
                    "multiaddr: invalid onion address \"timaq4ygg2iegci7\" at offset 7: missing port");
  check_parse_error("/onion/aaimaq4ygg2iegci7:80", Err::proto,
                    "multiaddr: invalid onion address \"aaimaq4ygg2iegci7:80\" at offset 7: host of 17 characters, "
                    "expected 16");
  check_parse_error("/onion/timaq4ygg2iegci7:0", Err::proto,
                    "multiaddr: invalid onion address \"timaq4ygg2iegci7:0\" at offset 7: port 0");
  check_parse_error("/onion/timaq4ygg2iegci@:666", Err::proto,
                    "multiaddr: invalid onion address \"timaq4ygg2iegci@:666\" at offset 7: multibase: invalid "
                    "base32 character '@' at offset 15");
  check_parse_error("/garlic64/jT~", Err::proto,
                    "multiaddr: invalid garlic64 address \"jT~\" at offset 10: 2 bytes, expected at least 386");
}

TEST_CASE("multiaddr: text: bad peer IDs name the peer ID problem") {
  check_parse_error("/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY", Err::proto,
                    "multiaddr: invalid peer id \"QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY\" at offset 5: "
                    "peerid: multihash: sha2-256 digest length 33, expected 32 at byte 1");
  check_parse_error("/ip4/1.2.3.4/p2p/bafkreifoybygix7fh3r3g5rqle3wcnhqldgdg4shzf4k3ulyw3gn7mabt4", Err::proto,
                    "multiaddr: invalid peer id \"bafkreifoybygix7fh3r3g5rqle3wcnhqldgdg4shzf4k3ulyw3gn7mabt4\" at "
                    "offset 17: peerid: CID codec raw (0x55) is not libp2p-key (0x72)");
  check_parse_error("/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0", Err::proto,
                    "multiaddr: invalid peer id \"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0\" at offset 5: "
                    "peerid: multibase: invalid base58btc character '0' at offset 51");
}

TEST_CASE("multiaddr: text: bad certhash, http-path and unix values") {
  check_parse_error("/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp", Err::proto,
                    "multiaddr: invalid certhash \"b2uaraocy6yrdblb4sfptaddgimjmmp\" at offset 10: multibase: invalid "
                    "base32 length 30");
  check_parse_error("/certhash/uEiA", Err::proto,
                    "multiaddr: invalid certhash \"uEiA\" at offset 10: multihash: digest length 32 but 0 bytes "
                    "follow at byte 2");
  check_parse_error("/http-path/a%2", Err::proto,
                    "multiaddr: invalid http-path \"a%2\" at offset 11: bad percent escape at character 1");
  check_parse_error("/http-path/%zz", Err::proto,
                    "multiaddr: invalid http-path \"%zz\" at offset 11: bad percent escape at character 0");
  check_parse_error("/unix/%2Ftmp%2F", Err::proto,
                    "multiaddr: invalid unix path \"%2Ftmp%2F\" at offset 6: must not end with '/'");
  check_parse_error("/unix/%2F", Err::proto, "multiaddr: invalid unix path \"%2F\" at offset 6: too short");
}

TEST_CASE("multiaddr: text: long bad values are cut in the message") {
  const std::string v(100, 'x');
  check_parse_error("/tcp/" + v, Err::proto,
                    "multiaddr: invalid tcp port \"" + std::string(64, 'x') + "...\" at offset 5: not a decimal number");
}

TEST_CASE("multiaddr: binary: empty and bad protocol codes") {
  check_bytes_error("", Err::proto, "multiaddr: empty input");
  check_bytes_error("80", Err::proto, "multiaddr: truncated varint for protocol code at byte 0");
  check_bytes_error("047f0000018000", Err::proto, "multiaddr: non-minimal varint for protocol code at byte 5");
  check_bytes_error("ffffffffffffffffff01", Err::proto, "multiaddr: varint too long for protocol code at byte 0");
  check_bytes_error("9f0d", Err::proto, "multiaddr: unknown protocol code 0x69f at byte 0");
  check_bytes_error("047f000001ff7f", Err::proto, "multiaddr: unknown protocol code 0x3fff at byte 5");
}

TEST_CASE("multiaddr: binary: truncated values") {
  check_bytes_error("047f0000", Err::proto, "multiaddr: truncated value for ip4 at byte 1");
  check_bytes_error("047f000001060f", Err::proto, "multiaddr: truncated value for tcp at byte 6");
  check_bytes_error("047f000001910204", Err::proto, "multiaddr: truncated value for udp at byte 7");
  check_bytes_error("29000000", Err::proto, "multiaddr: truncated value for ip6 at byte 1");
  check_bytes_error("35", Err::proto, "multiaddr: truncated varint for dns length at byte 1");
  check_bytes_error("3580", Err::proto, "multiaddr: truncated varint for dns length at byte 1");
  check_bytes_error("358000", Err::proto, "multiaddr: non-minimal varint for dns length at byte 1");
  check_bytes_error("35056162", Err::proto, "multiaddr: truncated value for dns at byte 2: length 5 but 2 bytes follow");
  check_bytes_error("a503ffffffff0f", Err::proto,
                    "multiaddr: truncated value for p2p at byte 7: length 4294967295 but 0 bytes follow");
}

TEST_CASE("multiaddr: binary: bad values") {
  check_bytes_error("3500", Err::proto, "multiaddr: invalid dns name at byte 2: empty");
  check_bytes_error("3503612f62", Err::proto, "multiaddr: invalid dns name at byte 2: contains '/'");
  check_bytes_error("2a00", Err::proto, "multiaddr: invalid ip6zone at byte 2: empty");
  check_bytes_error("90030161", Err::proto, "multiaddr: invalid unix path at byte 3: too short");
  check_bytes_error("900302612f", Err::proto, "multiaddr: invalid unix path at byte 3: must begin with '/'");
  check_bytes_error("9003032f612f", Err::proto, "multiaddr: invalid unix path at byte 3: must not end with '/'");
  check_bytes_error("d203021220", Err::proto,
                    "multiaddr: invalid certhash at byte 3: multihash: digest length 32 but 0 bytes follow at byte 2");
  check_bytes_error("a503021340", Err::proto,
                    "multiaddr: invalid peer id at byte 3: peerid: multihash: digest length 64 but 0 bytes follow at "
                    "byte 2");
  check_bytes_error("bd03adadec040be047f9658668b11a504f3155001f231a37f54c4476c07fb4cc139ed7e3030000", Err::proto,
                    "multiaddr: invalid onion3 address at byte 2: port 0");
  check_bytes_error("e10300", Err::proto, "multiaddr: invalid http-path at byte 3: empty");
  check_bytes_error("be030141", Err::proto, "multiaddr: invalid garlic64 address at byte 3: 1 bytes, expected at least 386");
  check_bytes_error("bf032101", Err::proto, "multiaddr: truncated value for garlic32 at byte 3: length 33 but 1 bytes follow");
}

TEST_CASE("multiaddr: binary: nothing may follow a path protocol") {
  check_bytes_error("9003022f61060001", Err::proto, "multiaddr: component after path protocol unix at byte 5");
  // Text can never express it: unix takes the rest of the string.
  CHECK(addr("/unix/a/tcp/1").to_string() == "/unix/a/tcp/1");
  CHECK(addr("/unix/a/tcp/1").component_count() == 1);
}

// --- limits -------------------------------------------------------------------

TEST_CASE("multiaddr: component count limit is crossed by one") {
  std::string at, over;
  for (size_t i = 0; i < kMaxMultiaddrComponents; ++i) at += "/tcp/1";
  over = at + "/tcp/1";
  CHECK(addr(at).component_count() == kMaxMultiaddrComponents);
  check_parse_error(over, Err::limit, "multiaddr: more than 32 components at offset 193");
  std::string hex_at, hex_over;
  for (size_t i = 0; i < kMaxMultiaddrComponents; ++i) hex_at += "060001";
  hex_over = hex_at + "060001";
  CHECK(Multiaddr::from_bytes(hex(hex_at)).ok());
  check_bytes_error(hex_over, Err::limit, "multiaddr: more than 32 components at byte 96");
}

TEST_CASE("multiaddr: binary size limit is crossed by one") {
  // /dns/<n x 'a'>: 1 code byte + 2 length bytes + n.
  const std::string name_at(kMaxMultiaddrLen - 3, 'a');
  Bytes b{0x35};
  net::Writer(b).lp_bytes(net::as_bytes(name_at));
  REQUIRE(b.size() == kMaxMultiaddrLen);
  CHECK(Multiaddr::from_bytes(b).ok());
  CHECK(addr("/dns/" + name_at).bytes() == b);
  Bytes over{0x35};
  net::Writer(over).lp_bytes(net::as_bytes(name_at + "a"));
  auto r = Multiaddr::from_bytes(over);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == Err::limit);
  CHECK(r.what() == "multiaddr: 1025 bytes exceed the limit of 1024");
  check_parse_error("/dns/" + name_at + "a", Err::limit, "multiaddr: binary form exceeds 1024 bytes at offset 1");
}

TEST_CASE("multiaddr: text length limit is crossed by one") {
  const std::string at = "/http-path/" + std::string(kMaxMultiaddrTextLen - 11, 'a');  // 4085 chars of value
  auto r = Multiaddr::parse(at);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == Err::limit);  // the text fits, its binary form does not
  CHECK(r.what() == "multiaddr: binary form exceeds 1024 bytes at offset 1");
  check_parse_error(at + "a", Err::limit, "multiaddr: 4097 characters exceed the limit of 4096");
}

// --- text forms -----------------------------------------------------------------

TEST_CASE("multiaddr: ip6 prints in RFC 5952 form") {
  const std::pair<const char*, const char*> vec[] = {
      {"2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},      // tie: the first run
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // the longest run
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // one zero group stays
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
      {"2001:DB8::ABCD", "2001:db8::abcd"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"::", "::"},
      {"::1", "::1"},
      {"1::", "1::"},
      {"fe80::0001", "fe80::1"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"::ffff:c000:0201", "::ffff:192.0.2.1"},
      {"::192.0.2.1", "::c000:201"},
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
      {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
  };
  for (const auto& v : vec) {
    const char* in = v.first;
    const char* out = v.second;
    INFO(in);
    Ip6Bytes b;
    REQUIRE(parse_ip6(in, &b));
    CHECK(format_ip6(b.data()) == std::string(out));
    CHECK(addr(std::string("/ip6/") + in).to_string() == std::string("/ip6/") + out);
  }
}

TEST_CASE("multiaddr: ip text parsers refuse malformed addresses") {
  Ip6Bytes b6;
  for (const char* s : {"", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                        "::1.2.3", "1:2:3:4:5:6:7:1.2.3.4", "g::", "1:", ":1", "::1:", "fe80::1%eth0", "[::1]",
                        "::01.2.3.4", "1::2:3:4:5:6:7:8", " ::1", "::1 ", "::ffff:1.2.3.4.5"}) {
    INFO("ip6: ", s);
    CHECK_FALSE(parse_ip6(s, &b6));
  }
  Ip4Bytes b4;
  for (const char* s : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", " 1.2.3.4", "1.2.3.4 ",
                        "1.2.3.-4", "0x1.2.3.4", "1.2.3.1000", "1.2.3."}) {
    INFO("ip4: ", s);
    CHECK_FALSE(parse_ip4(s, &b4));
  }
  REQUIRE(parse_ip4("255.255.255.255", &b4));
  CHECK(format_ip4(b4.data()) == "255.255.255.255");
  REQUIRE(parse_ip6("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &b6));
}

TEST_CASE("multiaddr: unix paths in go and js text forms") {
  const Multiaddr go = addr("/unix/tmp/p2p.sock");
  CHECK(net::to_hex(go.bytes()) == "90030d" + net::to_hex(net::as_bytes("/tmp/p2p.sock")));
  CHECK(addr("/unix/%2Ftmp%2Fp2p.sock") == go);  // js-multiaddr form
  CHECK(addr("/unix/%2ftmp%2fp2p.sock") == go);
  CHECK(go.to_string() == "/unix/tmp/p2p.sock");
  CHECK(addr("/unix/tmp/p2p.sock/") == go);  // trailing '/' ignored
  // '%' and non-printable bytes are escaped so that they read back.
  const Multiaddr sp = addr("/unix/a%20b%25c");
  CHECK(net::to_string(sp.components()[0].value) == "/a b%c");
  CHECK(sp.to_string() == "/unix/a%20b%25c");
  auto raw = Multiaddr::from_bytes(hex("9003062f2532464100"));  // "/%2FA\0"
  REQUIRE(raw.ok());
  CHECK(raw->to_string() == "/unix/%252FA%00");
  CHECK(addr(raw->to_string()) == *raw);
  auto dbl = Multiaddr::from_bytes(hex("9003032f2f78"));  // "//x"
  REQUIRE(dbl.ok());
  CHECK(dbl->to_string() == "/unix//x");
  CHECK(addr(dbl->to_string()) == *dbl);
}

TEST_CASE("multiaddr: http-path is one percent-encoded segment, stored decoded") {
  const Multiaddr m = addr("/http-path/tmp%2Fbar/p2p-circuit");  // go TestHTTPPath
  const auto cs = m.components();
  REQUIRE(cs.size() == 2);
  CHECK(net::to_string(cs[0].value) == "tmp/bar");
  CHECK(cs[0].value_text() == "tmp%2Fbar");
  CHECK(cs[1].name == "p2p-circuit");
  // multiformats/multiaddr protocols/http-path.md table
  const Multiaddr space = addr("/http-path/a%2520space"), slash = addr("/http-path/a%252Fslash");
  CHECK(net::to_string(space.components()[0].value) == "a%20space");
  CHECK(net::to_string(slash.components()[0].value) == "a%2Fslash");
  CHECK(addr("/http-path/.well-known%2Flibp2p").to_string() == "/http-path/.well-known%2Flibp2p");
  // '+' is literal (RFC 3986), printed escaped so Go's QueryUnescape agrees.
  const Multiaddr plus = addr("/http-path/a+b c");
  CHECK(net::to_string(plus.components()[0].value) == "a+b c");
  CHECK(plus.to_string() == "/http-path/a%2Bb%20c");
}

// --- helpers --------------------------------------------------------------------

TEST_CASE("multiaddr: peer_id, with_peer_id, without_peer_id") {
  const PeerId ed = *PeerId::parse(kEdPeer);
  const PeerId ec = *PeerId::parse(kEcPeer);
  const Multiaddr m = addr(std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEdPeer);
  REQUIRE(m.peer_id().has_value());
  CHECK(*m.peer_id() == ed);
  CHECK(m.without_peer_id().to_string() == "/ip4/1.2.3.4/tcp/4001");
  CHECK(m.without_peer_id().without_peer_id().to_string() == "/ip4/1.2.3.4/tcp/4001");
  CHECK_FALSE(m.without_peer_id().peer_id().has_value());
  auto swapped = m.with_peer_id(ec);
  REQUIRE(swapped.ok());
  CHECK(swapped->to_string() == std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEcPeer);
  auto added = addr("/ip4/1.2.3.4/tcp/4001").with_peer_id(ed);
  REQUIRE(added.ok());
  CHECK(*added == m);
  // The CID text form is accepted and printed as base58.
  CHECK(addr("/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6").to_string() ==
        std::string("/p2p/") + kEdPeer);
  // A relayed address: the last /p2p is the target.
  const Multiaddr relayed =
      addr(std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEcPeer + "/p2p-circuit/p2p/" + kEdPeer);
  CHECK(*relayed.peer_id() == ed);
  CHECK(relayed.decapsulate_code(ma::kP2pCircuit).to_string() == std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEcPeer);
  CHECK(*relayed.decapsulate_code(ma::kP2pCircuit).peer_id() == ec);
  CHECK(relayed.decapsulate_code(ma::kP2p).to_string() ==
        std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEcPeer + "/p2p-circuit");
  // Only the trailing /p2p is replaced (found by fuzz_multiaddr_bytes).
  const Multiaddr two = addr(std::string("/p2p/") + kEcPeer + "/p2p/" + kEdPeer);
  CHECK(two.without_peer_id().to_string() == std::string("/p2p/") + kEcPeer);
  CHECK(two.without_peer_id().with_peer_id(ed)->to_string() == std::string("/p2p/") + kEdPeer);
  CHECK(two.with_peer_id(ec)->to_string() == std::string("/p2p/") + kEcPeer + "/p2p/" + kEcPeer);
  CHECK(addr("/p2p-circuit").peer_id() == std::nullopt);
  CHECK(Multiaddr().peer_id() == std::nullopt);
}

TEST_CASE("multiaddr: encapsulate and decapsulate (go-multiaddr TestDecapsulate table)") {
  auto e = addr("/ip4/127.0.0.1/udp/1234").encapsulate(addr("/udp/5678"));
  REQUIRE(e.ok());
  CHECK(e->to_string() == "/ip4/127.0.0.1/udp/1234/udp/5678");
  const struct { const char* left; const char* right; const char* expected; } vec[] = {
      {"/ip4/1.2.3.4/tcp/1234", "/ip4/1.2.3.4", ""},
      {"/ip4/1.2.3.4", "/ip4/1.2.3.4/tcp/1234", "/ip4/1.2.3.4"},
      {"/ip4/1.2.3.5/tcp/1234", "/ip4/5.3.2.1", "/ip4/1.2.3.5/tcp/1234"},
      {"/ip4/1.2.3.5/udp/1234/quic-v1", "/udp/1234", "/ip4/1.2.3.5"},
      {"/ip4/1.2.3.6/udp/1234/quic-v1", "/udp/1234/quic-v1", "/ip4/1.2.3.6"},
      {"/ip4/1.2.3.7/tcp/1234", "/ws", "/ip4/1.2.3.7/tcp/1234"},
      {"/dnsaddr/wss.com/tcp/4001", "/ws", "/dnsaddr/wss.com/tcp/4001"},
      {"/dnsaddr/wss.com/tcp/4001/ws", "/wss", "/dnsaddr/wss.com/tcp/4001/ws"},
      {"/dnsaddr/wss.com/ws", "/wss", "/dnsaddr/wss.com/ws"},
      {"/dnsaddr/wss.com/ws", "/dnsaddr/wss.com", ""},
      {"/dnsaddr/wss.com/tcp/4001/wss", "/wss", "/dnsaddr/wss.com/tcp/4001"},
  };
  for (auto& v : vec) {
    INFO(v.left, " - ", v.right);
    CHECK(addr(v.left).decapsulate(addr(v.right)).to_string() == v.expected);
  }
  // A match must be whole components: /tcp/1 is not a suffix of /tcp/1234's bytes.
  CHECK(addr("/ip4/1.2.3.4/tcp/1234").decapsulate(Multiaddr()).to_string() == "/ip4/1.2.3.4/tcp/1234");
  // The last occurrence is cut.
  CHECK(addr("/tcp/1/ws/tcp/1/ws").decapsulate(addr("/tcp/1")).to_string() == "/tcp/1/ws");
  // Nothing may follow a path protocol; limits hold.
  auto bad = addr("/unix/a").encapsulate(addr("/tcp/1"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.what() == "multiaddr: component after path protocol unix at byte 5");
  const Multiaddr big = addr("/dns/" + std::string(600, 'a'));
  auto too_big = big.encapsulate(big);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.err() == Err::limit);
}

TEST_CASE("multiaddr: push validates the value") {
  Multiaddr m;
  const uint8_t ip[4] = {10, 0, 0, 1}, port[2] = {0x0f, 0xa1}, bad[3] = {1, 2, 3};
  REQUIRE(m.push(ma::kIp4, ip).ok());
  REQUIRE(m.push(ma::kTcp, port).ok());
  CHECK(m.to_string() == "/ip4/10.0.0.1/tcp/4001");
  auto st = m.push(ma::kTcp, bad);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err() == Err::invalid);
  CHECK(st.what() == "multiaddr: invalid tcp port: 3 bytes, expected 2");
  st = m.push(0x7777);
  REQUIRE_FALSE(st.ok());
  CHECK(st.what() == "multiaddr: unknown protocol code 0x7777");
  st = m.push(ma::kWs, port);
  REQUIRE_FALSE(st.ok());
  CHECK(st.what() == "multiaddr: invalid ws: unexpected value");
  CHECK(m.to_string() == "/ip4/10.0.0.1/tcp/4001");  // unchanged by failures
  CHECK(m.has_protocol(ma::kTcp));
  CHECK_FALSE(m.has_protocol(ma::kUdp));
}

TEST_CASE("multiaddr: loopback, private and unspecified addresses") {
  const struct { const char* addr; bool loopback, priv, unspec; } vec[] = {
      {"/ip4/127.0.0.1/tcp/1", true, true, false},
      {"/ip4/127.255.0.9", true, true, false},
      {"/ip6/::1/tcp/1", true, true, false},
      {"/ip6/::ffff:127.0.0.1/tcp/111", true, true, false},
      {"/ip6zone/lo/ip6/::1", true, true, false},
      {"/ip4/10.1.2.3", false, true, false},
      {"/ip4/100.64.0.1", false, true, false},
      {"/ip4/100.128.0.1", false, false, false},
      {"/ip4/172.16.0.1", false, true, false},
      {"/ip4/172.31.255.255", false, true, false},
      {"/ip4/172.32.0.1", false, false, false},
      {"/ip4/192.168.1.1", false, true, false},
      {"/ip4/169.254.1.1", false, true, false},
      {"/ip6/fc00::1", false, true, false},
      {"/ip6/fd12::1", false, true, false},
      {"/ip6/fe80::1", false, true, false},
      {"/ip6/febf::1", false, true, false},
      {"/ip6/fec0::1", false, false, false},
      {"/ip6/::ffff:10.0.0.1", false, true, false},
      {"/ip4/8.8.8.8/tcp/53", false, false, false},
      {"/ip6/2001:db8::1", false, false, false},
      {"/ip4/0.0.0.0/tcp/0", false, false, true},
      {"/ip6/::/tcp/0", false, false, true},
      {"/dns4/localhost/tcp/1", false, false, false},
      {"/tcp/1/ip4/127.0.0.1", false, false, false},
  };
  for (auto& v : vec) {
    INFO(v.addr);
    const Multiaddr m = addr(v.addr);
    CHECK(m.is_loopback() == v.loopback);
    CHECK(m.is_private() == v.priv);
    CHECK(m.is_unspecified() == v.unspec);
  }
}

TEST_CASE("multiaddr: host and port for dialing") {
  auto hp = addr(std::string("/ip4/1.2.3.4/tcp/4001/p2p/") + kEdPeer).to_tcp_endpoint();
  REQUIRE(hp.has_value());
  CHECK(hp->host == "1.2.3.4");
  CHECK(hp->family == HostFamily::ip4);
  CHECK(hp->port == 4001);
  hp = addr("/ip6zone/eth0/ip6/fe80::1/tcp/80").to_tcp_endpoint();
  REQUIRE(hp.has_value());
  CHECK(hp->host == "fe80::1%eth0");
  CHECK(hp->family == HostFamily::ip6);
  hp = addr("/dns4/example.com/tcp/443/wss").to_tcp_endpoint();
  REQUIRE(hp.has_value());
  CHECK(hp->host == "example.com");
  CHECK(hp->family == HostFamily::dns4);
  CHECK(hp->port == 443);
  CHECK(addr("/dns/example.com/tcp/1").to_tcp_endpoint()->family == HostFamily::dns);
  CHECK(addr("/dns6/example.com/tcp/1").to_tcp_endpoint()->family == HostFamily::dns6);
  CHECK_FALSE(addr("/ip4/1.2.3.4/udp/1/quic-v1").to_tcp_endpoint().has_value());
  hp = addr("/ip4/1.2.3.4/udp/1/quic-v1").host_port(ma::kUdp);
  REQUIRE(hp.has_value());
  CHECK(hp->port == 1);
  CHECK_FALSE(addr("/ip4/1.2.3.4").to_tcp_endpoint().has_value());
  CHECK_FALSE(addr(std::string("/p2p/") + kEdPeer).to_tcp_endpoint().has_value());
  CHECK_FALSE(addr("/dnsaddr/bootstrap.libp2p.io/tcp/1").to_tcp_endpoint().has_value());
  CHECK_FALSE(addr("/ip4/1.2.3.4/tcp/1").host_port(ma::kP2pCircuit).has_value());
}

TEST_CASE("multiaddr: from_host_port") {
  CHECK(Multiaddr::from_host_port("127.0.0.1", 4001)->to_string() == "/ip4/127.0.0.1/tcp/4001");
  CHECK(Multiaddr::from_host_port("::1", 80, ma::kUdp)->to_string() == "/ip6/::1/udp/80");
  CHECK(Multiaddr::from_host_port("[fe80::1%eth0]", 5)->to_string() == "/ip6zone/eth0/ip6/fe80::1/tcp/5");
  CHECK(Multiaddr::from_host_port("example.com", 443)->to_string() == "/dns/example.com/tcp/443");
  auto r = Multiaddr::from_host_port("", 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err() == Err::invalid);
  CHECK(r.what() == "multiaddr: invalid dns name: empty");
  r = Multiaddr::from_host_port("1.2.3.4", 1, ma::kP2p);
  REQUIRE_FALSE(r.ok());
  CHECK(r.what() == "multiaddr: 0x1a5 is not a port protocol");
}

TEST_CASE("multiaddr: equality, ordering, hashing, empty") {
  CHECK(addr("/ip4/127.0.0.1/tcp/1234") == addr("/ip4/127.0.0.1/tcp/1234/"));
  CHECK(addr("/ip4/127.0.0.1/tcp/1234") != addr("/ip4/127.0.0.1/udp/1234"));
  CHECK(addr("/ip4/1.2.3.4") < addr("/ip6/::1"));
  std::unordered_set<Multiaddr> set{addr("/tcp/1"), addr("/tcp/1"), addr("/tcp/2")};
  CHECK(set.size() == 2);
  const Multiaddr empty;
  CHECK(empty.empty());
  CHECK(empty.to_string().empty());
  CHECK(empty.components().empty());
  CHECK_FALSE(empty.is_loopback());
}
