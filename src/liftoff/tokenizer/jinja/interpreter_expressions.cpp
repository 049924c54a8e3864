// Expression evaluation: names, literals, containers, attribute/item/slice access, calls,
// filters, tests, and the operators (short-circuit and/or return an operand, as in Python).
#include "liftoff/tokenizer/jinja/access.h"
#include "liftoff/tokenizer/jinja/filters.h"
#include "liftoff/tokenizer/jinja/globals.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/is_tests.h"
#include "liftoff/tokenizer/jinja/operators.h"

namespace liftoff::tokenizer::jinja {

Result<Value> Interpreter::eval(const Expr& expr, Scope& scope) {
  if (!budget_.spend()) return budget_.failure();
  Result<Value> result = eval_inner(expr, scope);
  if (!result.ok()) return located(expr.offset, result.status());
  // Strings are copied when evaluated: charge for their size so that building and copying
  // large strings in a loop runs into the step limit, not out of memory.
  if (result->is_string() && !budget_.spend(result->as_string().size() / 8)) {
    return budget_.failure();
  }
  return result;
}

Result<Value> Interpreter::eval_inner(const Expr& expr, Scope& scope) {
  switch (expr.kind) {
    case ExprKind::kLiteral:
      return expr.value;
    case ExprKind::kName:
      return eval_name(expr, scope);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      items.reserve(expr.children.size());
      for (const ExprPtr& child : expr.children) {
        LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*child, scope));
        items.push_back(std::move(v));
      }
      return expr.kind == ExprKind::kList ? Value::list(std::move(items))
                                          : Value::tuple(std::move(items));
    }
    case ExprKind::kDict: {
      std::vector<std::pair<Value, Value>> entries;
      for (size_t i = 0; i + 1 < expr.children.size(); i += 2) {
        LIFTOFF_ASSIGN_OR_RETURN(Value key, eval(*expr.children[i], scope));
        LIFTOFF_ASSIGN_OR_RETURN(Value value, eval(*expr.children[i + 1], scope));
        LIFTOFF_RETURN_IF_ERROR(dict_insert(entries, std::move(key), std::move(value)));
      }
      return Value::dict(std::move(entries));
    }
    case ExprKind::kGetAttr: {
      LIFTOFF_ASSIGN_OR_RETURN(Value object, eval(*expr.children[0], scope));
      return get_attribute(object, expr.name);
    }
    case ExprKind::kGetItem: {
      LIFTOFF_ASSIGN_OR_RETURN(Value object, eval(*expr.children[0], scope));
      LIFTOFF_ASSIGN_OR_RETURN(Value key, eval(*expr.children[1], scope));
      return get_item(object, key);
    }
    case ExprKind::kSlice:
      return eval_slice(expr, scope);
    case ExprKind::kCall:
      return eval_call(expr, scope);
    case ExprKind::kFilter:
      return eval_filter(expr, scope);
    case ExprKind::kTest:
      return eval_test(expr, scope);
    case ExprKind::kNot: {
      LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*expr.children[0], scope));
      return Value::boolean(!v.truthy());
    }
    case ExprKind::kNegate:
    case ExprKind::kPlus: {
      LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*expr.children[0], scope));
      if (v.is_undefined()) return undefined_error(v);
      const bool negate = expr.kind == ExprKind::kNegate;
      if (v.is_integral()) {
        if (negate && v.as_int() == INT64_MIN) {
          return Status::invalid_argument("integer result does not fit in 64 bits");
        }
        return Value::integer(negate ? -v.as_int() : v.as_int());
      }
      if (v.is_float()) return Value::number(negate ? -v.as_float() : v.as_float());
      return Status::invalid_argument(std::string("bad operand type for unary ") +
                                      (negate ? "-" : "+") + ": '" + v.type_name() + "'");
    }
    case ExprKind::kBinary: {
      LIFTOFF_ASSIGN_OR_RETURN(Value lhs, eval(*expr.children[0], scope));
      LIFTOFF_ASSIGN_OR_RETURN(Value rhs, eval(*expr.children[1], scope));
      return binary_op(expr.binary_op, lhs, rhs, budget_);
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      LIFTOFF_ASSIGN_OR_RETURN(Value lhs, eval(*expr.children[0], scope));
      if (lhs.truthy() == (expr.kind == ExprKind::kOr)) return lhs;
      return eval(*expr.children[1], scope);
    }
    case ExprKind::kCompare:
      return eval_compare(expr, scope);
    case ExprKind::kCondExpr: {
      LIFTOFF_ASSIGN_OR_RETURN(Value condition, eval(*expr.children[0], scope));
      if (condition.truthy()) return eval(*expr.children[1], scope);
      if (expr.children[2]) return eval(*expr.children[2], scope);
      return Value::undefined("the inline if-expression evaluated to false and has no else");
    }
  }
  return Status::internal("unknown expression kind");
}

Result<Value> Interpreter::eval_name(const Expr& expr, const Scope& scope) {
  if (const Value* v = scope.find(expr.name)) return *v;
  if (const Value* v = find_global(expr.name)) return *v;
  return Value::undefined("'" + expr.name + "' is undefined");
}

Result<CallArgs> Interpreter::eval_args(const Expr& expr, size_t first, Scope& scope) {
  CallArgs args;
  const size_t n_named = expr.keyword_names.size();
  const size_t n_positional = expr.children.size() - first - n_named;
  for (size_t i = first; i < expr.children.size(); ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*expr.children[i], scope));
    const size_t index = i - first;
    if (index < n_positional) {
      args.positional.push_back(std::move(v));
    } else {
      args.named.emplace_back(expr.keyword_names[index - n_positional], std::move(v));
    }
  }
  return args;
}

Result<Value> Interpreter::eval_call(const Expr& expr, Scope& scope) {
  LIFTOFF_ASSIGN_OR_RETURN(Value callee, eval(*expr.children[0], scope));
  if (callee.is_undefined()) return undefined_error(callee);
  LIFTOFF_ASSIGN_OR_RETURN(CallArgs args, eval_args(expr, 1, scope));
  return call(callee, args);
}

Result<Value> Interpreter::eval_filter(const Expr& expr, Scope& scope) {
  const FilterFn fn = find_filter(expr.name);
  if (fn == nullptr) return Status::invalid_argument("no filter named '" + expr.name + "'");
  LIFTOFF_ASSIGN_OR_RETURN(Value input, eval(*expr.children[0], scope));
  LIFTOFF_ASSIGN_OR_RETURN(CallArgs args, eval_args(expr, 1, scope));
  return fn(*this, input, args);
}

Result<Value> Interpreter::eval_test(const Expr& expr, Scope& scope) {
  const TestFn fn = find_test(expr.name);
  if (fn == nullptr) return Status::invalid_argument("no test named '" + expr.name + "'");
  LIFTOFF_ASSIGN_OR_RETURN(Value input, eval(*expr.children[0], scope));
  LIFTOFF_ASSIGN_OR_RETURN(CallArgs args, eval_args(expr, 1, scope));
  LIFTOFF_ASSIGN_OR_RETURN(bool passed, fn(*this, input, args));
  return Value::boolean(passed != expr.negated);
}

Result<Value> Interpreter::eval_compare(const Expr& expr, Scope& scope) {
  // a < b < c is a < b and b < c, with b evaluated once.
  LIFTOFF_ASSIGN_OR_RETURN(Value lhs, eval(*expr.children[0], scope));
  for (size_t i = 0; i < expr.compare_ops.size(); ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(Value rhs, eval(*expr.children[i + 1], scope));
    Result<bool> holds = compare(expr.compare_ops[i], lhs, rhs, budget_);
    if (!holds.ok()) return located(expr.children[i + 1]->offset, holds.status());
    if (!*holds) return Value::boolean(false);
    lhs = std::move(rhs);
  }
  return Value::boolean(true);
}

Result<Value> Interpreter::eval_slice(const Expr& expr, Scope& scope) {
  LIFTOFF_ASSIGN_OR_RETURN(Value object, eval(*expr.children[0], scope));
  Value parts[3];
  for (size_t i = 0; i < 3; ++i) {
    if (expr.children[i + 1]) {
      LIFTOFF_ASSIGN_OR_RETURN(parts[i], eval(*expr.children[i + 1], scope));
    }
  }
  return get_slice(object, parts[0], parts[1], parts[2], budget_);
}

}  // namespace liftoff::tokenizer::jinja
