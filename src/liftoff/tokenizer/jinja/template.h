// Template: a parsed Jinja template (the subset chat templates use) ready to render any number
// of times, from any number of threads: each render gets its own interpreter state.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

struct Program;

class Template {
 public:
  // kInvalidArgument with line and column for a syntax error or an unsupported construct.
  static Result<Template> parse(std::string_view source);

  // Renders with `variables` as the template's top-level names (later duplicates win).
  // kInvalidArgument with line and column for a runtime error or an exceeded limit.
  Result<std::string> render(const std::vector<std::pair<std::string, Value>>& variables) const;

 private:
  explicit Template(std::shared_ptr<const Program> program) : program_(std::move(program)) {}
  std::shared_ptr<const Program> program_;
};

}  // namespace liftoff::tokenizer::jinja
