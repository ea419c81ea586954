// The one rule for errors in unitoomd (see README, "Errors"):
// conditions that happen in normal operation -- a file the kernel does not
// offer, a cgroup that vanished, a bad config line, a kill that failed -- are
// returned as values (Result<T>, std::optional, Diagnostics). Exceptions are
// reserved for broken invariants (programming errors) and are caught at every
// boundary with C code (sd-event, sd-bus callbacks) so the loop keeps running.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace unitoomd {

struct Error {
  int errnum = 0;  // errno value, 0 when the failure has no errno
  std::string message;
};

// E: what a failure carries; Error unless a caller needs more (a parse
// error's line and column).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(E error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void, Error> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error errnoError(int errnum, std::string message) { return Error{errnum, std::move(message)}; }

}  // namespace unitoomd
