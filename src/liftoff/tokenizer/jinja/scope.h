// Scope: one level of variable bindings. Jinja opens a new scope per for-loop iteration, per
// macro call and per `with` block; `if` does not. Assignments go to the innermost scope, so a
// `set` inside a loop is gone at the next iteration (hence namespace()).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

class Scope {
 public:
  // `parent` must outlive this scope.
  explicit Scope(const Scope* parent) : parent_(parent) {}

  // The innermost binding of `name`, or null.
  const Value* find(std::string_view name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent_) {
      for (const auto& [k, v] : s->vars_) {
        if (k == name) return &v;
      }
    }
    return nullptr;
  }

  void set(const std::string& name, Value value) {
    for (auto& [k, v] : vars_) {
      if (k == name) {
        v = std::move(value);
        return;
      }
    }
    vars_.emplace_back(name, std::move(value));
  }

 private:
  const Scope* parent_;
  std::vector<std::pair<std::string, Value>> vars_;  // few names per scope: a vector beats a map
};

}  // namespace liftoff::tokenizer::jinja
