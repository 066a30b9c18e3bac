// net/destroy_guard.hpp — lets an object be destroyed from inside one of its
// own callbacks ("destroyed flag" pattern).
//
// The object keeps `bool* dead_flag_ = nullptr;` and its destructor does
// `if (dead_flag_) *dead_flag_ = true;`. Around every user callback:
//
//   DestroyGuard g(dead_flag_);
//   on_data_(bytes);
//   if (g.dead()) return;   // `this` is gone: touch no member
//
// Guards nest (a callback that triggers another callback of the same object):
// a destruction seen by an inner guard is passed to the outer one.
#pragma once

namespace net {

// g++-12 -Wdangling-pointer flags the stored address of dead_; the
// destructor always takes it back out (or the owner is gone).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
class DestroyGuard {
 public:
  explicit DestroyGuard(bool*& slot) : slot_(slot), prev_(slot) { slot = &dead_; }
  ~DestroyGuard() {
    if (dead_) {
      if (prev_) *prev_ = true;  // slot_ belongs to the destroyed object
    } else {
      slot_ = prev_;
    }
  }
  DestroyGuard(const DestroyGuard&) = delete;
  DestroyGuard& operator=(const DestroyGuard&) = delete;
  bool dead() const { return dead_; }

 private:
  bool*& slot_;
  bool* prev_;
  bool dead_ = false;
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace net
