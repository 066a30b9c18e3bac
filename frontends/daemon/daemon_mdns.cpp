// mDNS (enable_mdns, default on): announce our listen addresses on the LAN
// and dial every peer found, as js-libp2p's @libp2p/mdns + its dialer do.
// A failure to bind 5353 (no multicast interface, a container without
// network) is a warning: the daemon still works through bootstrap peers.
#include "frontends/daemon/daemon.hpp"

namespace frontends {

void Daemon::start_mdns() {
  if (!cfg_.enable_mdns) return;
  p2p::mdns::DriverOptions opt;
  auto d = p2p::mdns::Driver::start(
      *loop_, peer_id_, opt, [this](const p2p::mdns::PeerFound& f) { on_mdns_peer(f); }, &log_);
  if (!d) {
    log_.write(net::LogLevel::warn, "mdns", "mdns disabled: cannot start", {{"error", d.what()}});
    return;
  }
  mdns_ = d.take();
  mdns_->set_addresses(listen_addrs_);
}

void Daemon::on_mdns_peer(const p2p::mdns::PeerFound& f) {
  if (f.peer_id == peer_id_ || host_->is_connected(f.peer_id)) return;
  const std::string id = f.peer_id.to_base58();
  host_->connect(f.peer_id, f.addrs, [this, id](net::Result<p2p::ConnId> r) {
    if (r) log_.write(net::LogLevel::info, "mdns", "mdns peer connected", {{"peer_id", id}});
    else log_.write(net::LogLevel::debug, "mdns", "mdns peer dial failed", {{"peer_id", id}, {"error", r.what()}});
  });
}

}  // namespace frontends
