// p2p/services/identify_service.hpp — identify (/ipfs/id/1.0.0) and identify
// push (/ipfs/id/push/1.0.0) on the host (specs.md §6): answers every
// inbound identify with our message, identifies every new connection's
// peer, stores what it learns in the peer store, and pushes our message to
// connected peers when our protocols or addresses change.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "p2p/host/host.hpp"
#include "p2p/identify/identify.hpp"

namespace p2p::services {

class IdentifyService {
 public:
  // agent_version: "agentanycastd/<version>" (or the tool's own).
  IdentifyService(Host& host, std::string agent_version);
  ~IdentifyService();

  using OnIdentified = std::function<void(const PeerId&, ConnId, const identify::IdentifyInfo&)>;
  void on_identified(OnIdentified f) { identified_cbs_.push_back(std::move(f)); }

  // Identifies the peer of `conn` now (identify is also run automatically
  // on every new connection); cb gets the result.
  using OnResult = std::function<void(net::Result<identify::IdentifyInfo>)>;
  void identify(ConnId conn, OnResult cb);

  // Rebuilds our message if the host's protocols or listen addresses changed,
  // and pushes it to every connected peer that supports push.
  void refresh();

  const identify::IdentifyInfo* info(const PeerId& peer) const;
  // Addresses peers observed us at (most recent first, bounded).
  const std::vector<Multiaddr>& observed_addrs() const { return observed_; }

 private:
  struct Reader;
  const identify::Snapshot& snapshot();
  void serve(Stream& s);
  void serve_push(Stream& s);
  void read(Stream& s, bool push, OnResult cb);
  void apply(const PeerId& peer, ConnId conn, identify::IdentifyInfo info, bool push);

  Host& host_;
  std::string agent_version_;
  std::optional<identify::Snapshot> snapshot_;
  std::vector<std::string> snap_protocols_;
  std::vector<Multiaddr> snap_addrs_;
  std::unordered_map<PeerId, identify::IdentifyInfo> infos_;
  std::vector<Multiaddr> observed_;
  std::vector<OnIdentified> identified_cbs_;
  // Identify requests in flight per connection: js accepts one inbound
  // identify stream at a time, so a second request joins the first.
  std::unordered_map<ConnId, std::vector<OnResult>> in_flight_;
};

}  // namespace p2p::services
