// Status and Result<T>: the error currency across every module boundary of lantern.
//
// A Status is a code plus a one-line message that says what went wrong, where, and with which
// value ("tensor 'blk.0.attn_q.weight': offset 1234 past end of file (size 1000)"). Errors gain
// context as they rise (`with_context("loading model.gguf")`). No exception crosses a public
// header; functions that can fail return Status or Result<T>. Both are cheap to move and
// [[nodiscard]] so an ignored error is a compiler warning.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lantern {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller passed something that can never work (bad option value)
  kNotFound,         // a file, key, model, document or knowledge base that is not there
  kCorruption,       // data read from a file violates its format
  kIoError,          // the OS refused: open, read, write, mmap, disk full
  kUnsupported,      // valid but not handled (an architecture, a tensor type, a format)
  kResourceLimit,    // over a limit: context length, memory, size caps against hostile input
  kCancelled,        // stopped on request (Ctrl-C, cancel from another thread)
  kInternal,         // a bug in lantern: an invariant that should have held did not
};

// Short lowercase name of a code, as printed in front of messages ("corruption").
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status invalid_argument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status not_found(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status io_error(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status resource_limit(std::string msg) { return {StatusCode::kResourceLimit, std::move(msg)}; }
  static Status cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  // An io_error whose message ends with strerror(errnum): "open 'x.gguf': No such file".
  static Status from_errno(std::string what, int errnum);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "not found: model 'x' ..." — code name then message; "ok" for success.
  std::string to_string() const;

  // Prefixes the message with "context: ", keeping the code. A no-op on OK.
  Status with_context(std::string_view context) const&;
  Status with_context(std::string_view context) &&;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status ok_status() { return Status(); }

// Either a T or a non-OK Status. Accessing value() of an error is a bug (asserted in debug
// builds); check ok() first or use the LT_ASSIGN_OR_RETURN macro.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                              // NOLINT: implicit
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace lantern

#define LT_CONCAT_INNER_(a, b) a##b
#define LT_CONCAT_(a, b) LT_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define LT_RETURN_IF_ERROR(expr)                      \
  do {                                                \
    ::lantern::Status lt_status_ = (expr);            \
    if (!lt_status_.ok()) return lt_status_;          \
  } while (0)

// `LT_ASSIGN_OR_RETURN(auto x, make_x());` — declares/assigns x or returns the error.
#define LT_ASSIGN_OR_RETURN(lhs, expr) LT_ASSIGN_OR_RETURN_IMPL_(LT_CONCAT_(lt_result_, __LINE__), lhs, expr)
#define LT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
