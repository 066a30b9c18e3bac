// agentanycast-peer — a standalone node of our libp2p stack for diagnostics.
// It links the same host, upgrader and protocol services as the daemon.
//
//   agentanycast-peer identify <multiaddr>
//   agentanycast-peer ping <multiaddr> [-count N]
//   agentanycast-peer perf <multiaddr> [-upload BYTES] [-download BYTES]
//   agentanycast-peer echo <multiaddr> [-streams N] [-bytes B] [-protocol P]
//   agentanycast-peer listen [-listen ma[,ma…]]
// Common flags: -key <file> (default: a fresh identity), -timeout <duration>
// (default 60s), -log-level. One JSON object per result on stdout; exit 0
// only if everything succeeded.
#include "frontends/peer/peer_tool.hpp"

int main(int argc, char** argv) { return frontends::peer::main(argc, argv); }
