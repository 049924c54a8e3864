// Template: parse once, render with a fresh Interpreter each time.
#include "liftoff/tokenizer/jinja/template.h"

#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/parser.h"

namespace liftoff::tokenizer::jinja {

Result<Template> Template::parse(std::string_view source) {
  LIFTOFF_ASSIGN_OR_RETURN(std::unique_ptr<Program> program, Parser::parse(source));
  return Template(std::shared_ptr<const Program>(std::move(program)));
}

Result<std::string> Template::render(
    const std::vector<std::pair<std::string, Value>>& variables) const {
  Interpreter interpreter(*program_);
  return interpreter.render(variables);
}

}  // namespace liftoff::tokenizer::jinja
