// p2p/transport/tcp_addr.hpp — between libp2p TCP multiaddrs and socket
// addresses.
#pragma once

#include <vector>

#include "net/result.hpp"
#include "net/sockaddr.hpp"
#include "net/socket.hpp"
#include "p2p/multiaddr/multiaddr.hpp"

namespace p2p {

// /ip4/A/tcp/P or /ip6/A/tcp/P (an ip6zone is honoured), with anything after
// the port ignored (/p2p/…). Errors: Err::unsupported for /dns* (resolved
// elsewhere) and non-TCP transports, Err::invalid otherwise.
net::Result<net::SockAddr> tcp_sockaddr(const Multiaddr& ma);

// /ip4/A/tcp/P or /ip6/A/tcp/P for an IP socket address.
Multiaddr tcp_multiaddr(const net::SockAddr& a);

// The addresses a listener bound to `bound` is reachable at: itself, or for
// 0.0.0.0 / :: every address of every up interface of that family (as
// go-libp2p's host.Addrs() reports them), loopback included.
std::vector<Multiaddr> tcp_listen_addrs(const net::SockAddr& bound,
                                        const std::vector<net::Interface>& interfaces);

}  // namespace p2p
