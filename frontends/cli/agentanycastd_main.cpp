// agentanycastd — placeholder entry until the daemon lands (issue 3).
#include <cstdio>
#include "build_info.hpp"
int main() { std::printf("agentanycastd %s\n", build_info::kVersion); return 0; }
