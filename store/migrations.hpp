// store/migrations.hpp — the numbered schema migrations. Migration i (1-based)
// moves the schema from version i-1 to i. Append only: never edit one that
// shipped.
#pragma once

#include <span>
#include <string_view>

namespace store {

std::span<const std::string_view> migrations();

}  // namespace store
