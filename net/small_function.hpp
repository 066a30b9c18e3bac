// net/small_function.hpp — a move-only callable with inline storage.
//
// The event loop stores one callback per fd, timer, deferred call and hook.
// std::function in libstdc++ keeps only 16-byte, trivially copyable callables
// inline and demands copyability; SmallFn keeps any nothrow-movable callable
// of up to N bytes (default 32: `this` plus three words) inline, so adding a
// timer or a deferred call allocates nothing in the common case. Bigger
// callables fall back to one heap allocation, made once at construction.
//
// Trap: never destroy or reassign a SmallFn while it is executing; the Loop
// takes care of this for the callbacks it owns (see net/loop.hpp).
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace net {

inline constexpr size_t kSmallFnInline = 32;

template <class Sig, size_t N = kSmallFnInline>
class SmallFn;

template <class R, class... A, size_t N>
class SmallFn<R(A...), N> {
 public:
  SmallFn() = default;
  SmallFn(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, SmallFn> && std::is_invocable_r_v<R, D&, A...>>>
  SmallFn(F&& f) {  // NOLINT(google-explicit-constructor)
    if constexpr (kFitsInline<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      invoke_ = &invoke_inline<D>;
      manage_ = &manage_inline<D>;
    } else {
      ::new (static_cast<void*>(buf_)) D*(new D(std::forward<F>(f)));
      invoke_ = &invoke_heap<D>;
      manage_ = &manage_heap<D>;
      inline_ = false;
    }
  }

  SmallFn(SmallFn&& o) noexcept { take(o); }
  SmallFn& operator=(SmallFn&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  SmallFn& operator=(std::nullptr_t) {
    reset();
    return *this;
  }
  SmallFn(const SmallFn&) = delete;
  SmallFn& operator=(const SmallFn&) = delete;
  ~SmallFn() { reset(); }

  explicit operator bool() const { return invoke_ != nullptr; }

  // Calling an empty SmallFn is a bug (null function pointer call).
  R operator()(A... a) { return invoke_(buf_, std::forward<A>(a)...); }

  // True when the callable lives in the inline buffer (tests, benchmarks).
  bool is_inline() const { return inline_; }

  void reset() {
    if (manage_) manage_(Op::destroy, buf_, nullptr);
    invoke_ = nullptr;
    manage_ = nullptr;
    inline_ = true;
  }

 private:
  enum class Op { move, destroy };

  template <class D>
  static constexpr bool kFitsInline = sizeof(D) <= N && alignof(D) <= alignof(std::max_align_t) &&
                                      std::is_nothrow_move_constructible_v<D>;

  template <class D>
  static R invoke_inline(void* p, A&&... a) {
    return (*std::launder(static_cast<D*>(p)))(std::forward<A>(a)...);
  }
  template <class D>
  static R invoke_heap(void* p, A&&... a) {
    return (**std::launder(static_cast<D**>(p)))(std::forward<A>(a)...);
  }
  template <class D>
  static void manage_inline(Op op, void* src, void* dst) {
    D* s = std::launder(static_cast<D*>(src));
    if (op == Op::move) ::new (dst) D(std::move(*s));
    s->~D();
  }
  template <class D>
  static void manage_heap(Op op, void* src, void* dst) {
    D* s = *std::launder(static_cast<D**>(src));
    if (op == Op::move) {
      ::new (dst) D*(s);
    } else {
      delete s;
    }
  }

  void take(SmallFn& o) noexcept {
    if (!o.manage_) return;
    o.manage_(Op::move, o.buf_, buf_);
    invoke_ = o.invoke_;
    manage_ = o.manage_;
    inline_ = o.inline_;
    o.invoke_ = nullptr;
    o.manage_ = nullptr;
    o.inline_ = true;
  }

  alignas(std::max_align_t) unsigned char buf_[N];
  R (*invoke_)(void*, A&&...) = nullptr;
  void (*manage_)(Op, void*, void*) = nullptr;
  bool inline_ = true;
};

}  // namespace net
