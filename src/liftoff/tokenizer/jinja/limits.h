// The resource limits every render runs under, and the Budget that enforces them. A chat
// template comes from a model file, so it is untrusted input: it may loop, recurse or build huge
// strings, and must end with an error instead of hanging the server or exhausting memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer::jinja {

// Largest string (rendered output or any intermediate) a template may build: a prompt of about
// two million tokens.
inline constexpr size_t kMaxStringBytes = size_t{8} << 20;
// Largest list a template may build or iterate (range() is capped lower, below).
inline constexpr size_t kMaxItems = 1'000'000;
// Units of work per render: one per expression evaluated, statement run, loop iteration or
// container element visited. Real chat templates need a few thousand per message.
inline constexpr uint64_t kMaxSteps = 20'000'000;
// Steps one loop iteration costs besides its body, so that empty nested loops also run into
// kMaxSteps within about a second.
inline constexpr uint64_t kStepsPerIteration = 4;
// Jinja's sandbox refuses range() longer than this (its MAX_RANGE); we keep the same limit.
inline constexpr int64_t kMaxRange = 100'000;
// Nesting of macro calls (recursion included). With the two limits below it bounds the
// interpreter's native stack use to a few MB in the worst case.
inline constexpr int kMaxCallDepth = 16;
// Nesting of block statements, and of sub-expressions while parsing.
inline constexpr int kMaxParseDepth = 64;
// Height of an expression tree (a chain `a + b + ...` counts each operator).
inline constexpr uint32_t kMaxExprHeight = 128;
// Nesting depth of a value stored in a namespace attribute, the only place where a value can
// grow across loop iterations (plain `set` inside a loop is local to one iteration).
inline constexpr uint32_t kMaxNamespaceValueDepth = 32;

// Work and size accounting for one render. The first limit hit is sticky: later spend() calls
// fail too, so deep helpers (equality, repr, json) can just stop and let the interpreter report
// failure() at its next check.
class Budget {
 public:
  // Takes `n` units of work; false once the step limit is exhausted.
  bool spend(uint64_t n = 1) {
    if (!failure_.is_ok()) return false;
    if (n > steps_left_) {
      fail(Status::invalid_argument("chat template: gave up after " + std::to_string(kMaxSteps) +
                                    " steps (endless loop?)"));
      return false;
    }
    steps_left_ -= n;
    return true;
  }
  // False (and failed) if a string of `bytes` would exceed kMaxStringBytes.
  bool fits(size_t bytes) {
    if (!failure_.is_ok()) return false;
    if (bytes > kMaxStringBytes) {
      fail(Status::invalid_argument("chat template: output would exceed " +
                                    std::to_string(kMaxStringBytes) + " bytes"));
      return false;
    }
    return true;
  }
  // False (and failed) if a list of `n` items would exceed kMaxItems.
  bool items_fit(size_t n) {
    if (!failure_.is_ok()) return false;
    if (n > kMaxItems) {
      fail(Status::invalid_argument("chat template: a list would exceed " +
                                    std::to_string(kMaxItems) + " items"));
      return false;
    }
    return true;
  }
  void fail(Status status) {
    if (failure_.is_ok()) failure_ = std::move(status);
  }
  bool ok() const { return failure_.is_ok(); }
  const Status& failure() const { return failure_; }

 private:
  uint64_t steps_left_ = kMaxSteps;
  Status failure_;
};

}  // namespace liftoff::tokenizer::jinja
