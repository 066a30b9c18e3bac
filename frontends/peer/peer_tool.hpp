// frontends/peer/peer_tool.hpp — agentanycast-peer (see frontends/cli/peer_main.cpp).
#pragma once

namespace frontends::peer {

int main(int argc, char** argv);

}  // namespace frontends::peer
