// crypto/secret.hpp — secret bytes that wipe themselves (STYLE.md §8).
//
// Secret<N> cannot be copied, printed or implicitly viewed as bytes, so
// logging one does not compile. Compare secrets only with ct_equal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace crypto {

// sodium_memzero, behind a function so that only crypto/ includes <sodium.h>.
void wipe(void* p, size_t n);

// Constant-time equality. Sizes are public; only the bytes are secret.
[[nodiscard]] bool ct_equal(std::span<const uint8_t> a, std::span<const uint8_t> b);

template <size_t N>
class Secret {
 public:
  Secret() = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& o) noexcept { move_from(o); }
  Secret& operator=(Secret&& o) noexcept {
    if (this != &o) move_from(o);
    return *this;
  }
  ~Secret() { wipe(b_, N); }

  static constexpr size_t size() { return N; }
  uint8_t* data() { return b_; }
  const uint8_t* data() const { return b_; }
  std::span<uint8_t, N> span() { return std::span<uint8_t, N>(b_, N); }
  std::span<const uint8_t, N> span() const { return std::span<const uint8_t, N>(b_, N); }

 private:
  void move_from(Secret& o) {
    for (size_t i = 0; i < N; ++i) b_[i] = o.b_[i];
    wipe(o.b_, N);
  }
  uint8_t b_[N]{};
};

}  // namespace crypto
