#include "p2p/transport/tcp_addr.hpp"

#include "p2p/multiaddr/multiaddr_protocols.hpp"

namespace p2p {

net::Result<net::SockAddr> tcp_sockaddr(const Multiaddr& ma) {
  auto hp = ma.to_tcp_endpoint();
  if (!hp) return net::Error{net::Err::unsupported, "not a TCP address: " + ma.to_string()};
  if (hp->family != HostFamily::ip4 && hp->family != HostFamily::ip6)
    return net::Error{net::Err::unsupported, "DNS addresses are not resolved here: " + ma.to_string()};
  auto sa = net::SockAddr::parse_ip(hp->host, hp->port);
  if (!sa) return net::Error{net::Err::invalid, "bad TCP address " + ma.to_string() + ": " + sa.what()};
  return sa;
}

Multiaddr tcp_multiaddr(const net::SockAddr& a) {
  auto m = Multiaddr::from_host_port(a.ip_string(), a.port(), ma::kTcp);
  return m ? *m : Multiaddr{};
}

std::vector<Multiaddr> tcp_listen_addrs(const net::SockAddr& bound,
                                        const std::vector<net::Interface>& interfaces) {
  std::vector<Multiaddr> out;
  for (const auto& a : net::expand_unspecified(bound, interfaces)) {
    Multiaddr m = tcp_multiaddr(a);
    if (!m.empty()) out.push_back(std::move(m));
  }
  return out;
}

}  // namespace p2p
