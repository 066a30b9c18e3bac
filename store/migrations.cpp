#include "store/migrations.hpp"

namespace store {

namespace {
// v1: key/value metadata (our card, settings). Tasks, cards, the offline
// queue and the peer book arrive with the A2A engine (issue 5).
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value BLOB NOT NULL
) WITHOUT ROWID;
)sql",
};
}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace store
