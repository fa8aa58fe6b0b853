// Status and Expected<T>: how environment failures (I/O, SQLite, arguments) travel.
// Malformed packet data is never a Status: it becomes an Anomaly record (see packet_context.h).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace netcap {

// An error with a one-line, human-readable message; default-constructed is success.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), true); }

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return !failed_; }
  const std::string& message() const { return message_; }

  // Prefixes the message with context ("opening x.pcap: ...") and returns *this.
  Status with_context(const std::string& context) && {
    if (failed_) message_ = context + ": " + message_;
    return std::move(*this);
  }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

// Either a value or a failed Status. Accessing value() of an error is a programming bug.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::move(value)) {}  // NOLINT: implicit by design
  Expected(Status status) : storage_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(storage_).is_ok() && "Expected built from a success Status");
  }

  bool has_value() const { return std::holds_alternative<T>(storage_); }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<T>(storage_); }
  const T& value() const& { return std::get<T>(storage_); }
  T&& value() && { return std::get<T>(std::move(storage_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Status& status() const {
    static const Status kOk;
    return has_value() ? kOk : std::get<Status>(storage_);
  }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace netcap
