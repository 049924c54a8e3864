// Interpreter: renders one Program. Owns the state of one render (output buffer, budget, macro
// call depth) and is used by one thread; a Template creates one per render. Statements are run
// in interpreter.cpp, expressions evaluated in interpreter_expressions.cpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/ast.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/parser.h"
#include "liftoff/tokenizer/jinja/scope.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

class Interpreter {
 public:
  // `program` must outlive the interpreter.
  explicit Interpreter(const Program& program) : program_(program) {}
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Renders the template once with `variables` as its context. kInvalidArgument with line and
  // column for a runtime error, or when a limit (steps, output size, recursion) is hit.
  Result<std::string> render(const std::vector<std::pair<std::string, Value>>& variables);

  // For built-in callables.
  Budget& budget() { return budget_; }
  Result<Value> call(const Value& callee, CallArgs& args);
  Result<Value> apply_filter(std::string_view name, const Value& input, CallArgs& args);
  Result<bool> apply_test(std::string_view name, const Value& input, CallArgs& args);

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Status exec_body(const Body& body, Scope& scope, Flow& flow);
  Status exec(const Node& node, Scope& scope, Flow& flow);
  Status exec_for(const Node& node, Scope& scope);
  Status exec_with(const Node& node, Scope& scope);
  Status define_macro(const Node& node, Scope& scope);
  static Value macro_value(const Node& macro);
  Result<Value> call_macro(const Node& macro, CallArgs& args);
  // Runs `body` with its output captured instead of written.
  Result<std::string> capture(const Body& body, Scope& scope);
  Status assign(const AssignTarget& target, Value value, Scope& scope, size_t offset);
  Status write(std::string_view text);

  Result<Value> eval(const Expr& expr, Scope& scope);
  Result<Value> eval_inner(const Expr& expr, Scope& scope);
  Result<Value> eval_name(const Expr& expr, const Scope& scope);
  Result<Value> eval_call(const Expr& expr, Scope& scope);
  Result<Value> eval_filter(const Expr& expr, Scope& scope);
  Result<Value> eval_test(const Expr& expr, Scope& scope);
  Result<Value> eval_compare(const Expr& expr, Scope& scope);
  Result<Value> eval_slice(const Expr& expr, Scope& scope);
  // Evaluates children[first..] into call arguments (keyword_names name the trailing ones).
  Result<CallArgs> eval_args(const Expr& expr, size_t first, Scope& scope);
  // Adds "line L, column C" to an error that does not carry a position yet.
  Status located(size_t offset, const Status& status) const;

  const Program& program_;
  Budget budget_;
  std::string* out_ = nullptr;
  const Scope* root_ = nullptr;  // the template's top-level scope: macros' enclosing scope
  int call_depth_ = 0;
};

}  // namespace liftoff::tokenizer::jinja
