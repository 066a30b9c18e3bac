// The README's configuration reference names every TOML key, flag and
// environment variable of the key table (frontends/cli/config_keys.cpp), so
// a key added without documentation fails here.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "frontends/cli/config_keys.hpp"

TEST_CASE("readme: the configuration reference lists every key, flag and variable") {
  std::ifstream f(std::string(AAC_SOURCE_DIR) + "/README.md");
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string readme = ss.str();
  size_t keys = 0;
  for (const auto& k : frontends::cli::config_keys()) {
    if (!k.toml.empty()) {
      CHECK_MESSAGE(readme.find("| `" + std::string(k.toml) + "` |") != std::string::npos, "TOML key ", k.toml);
      ++keys;
    }
    if (!k.flag.empty())
      CHECK_MESSAGE(readme.find("`-" + std::string(k.flag) + "`") != std::string::npos, "flag -", k.flag);
    if (!k.env.empty())
      CHECK_MESSAGE(readme.find("`" + std::string(k.env) + "`") != std::string::npos, "variable ", k.env);
  }
  CHECK(keys > 40);
}
