// proto/runtime/pb_box.hpp — pb::Box<T>: an optional value kept on the heap.
//
// The generator uses it instead of std::optional<T> for the few singular
// message fields that would otherwise make a type contain itself
// (google.protobuf.Value.struct_value -> Struct -> map<string, Value>). It
// has std::optional's interface and deep-copy value semantics, so code that
// reads a message does not care which of the two a field is.
#pragma once

#include <utility>

namespace pb {

template <class T>
class Box {
 public:
  Box() = default;
  Box(const T& v) : p_(new T(v)) {}  // NOLINT(google-explicit-constructor)
  Box(T&& v) : p_(new T(std::move(v))) {}  // NOLINT
  Box(const Box& o) : p_(o.p_ ? new T(*o.p_) : nullptr) {}
  Box(Box&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Box& operator=(const Box& o) {
    if (this != &o) {
      T* n = o.p_ ? new T(*o.p_) : nullptr;
      delete p_;
      p_ = n;
    }
    return *this;
  }
  Box& operator=(Box&& o) noexcept {
    if (this != &o) {
      delete p_;
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  ~Box() { delete p_; }

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_; }
  const T* operator->() const { return p_; }
  T& value() { return *p_; }
  const T& value() const { return *p_; }

  // Replaces the value with a default-constructed T.
  T& emplace() {
    T* n = new T();
    delete p_;
    p_ = n;
    return *p_;
  }
  void reset() {
    delete p_;
    p_ = nullptr;
  }

  friend bool operator==(const Box& a, const Box& b) {
    if (!a.p_ || !b.p_) return a.p_ == b.p_;
    return *a.p_ == *b.p_;
  }

 private:
  T* p_ = nullptr;
};

}  // namespace pb
