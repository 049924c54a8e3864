// The tests of the subset and their table.
#include "liftoff/tokenizer/jinja/is_tests.h"

#include <algorithm>
#include <string>
#include <utility>

#include "liftoff/tokenizer/jinja/call_args.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/operators.h"
#include "liftoff/tokenizer/jinja/text.h"
#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja {
namespace {

// A test of the value alone: rejects stray arguments.
template <bool (*Pred)(const Value&)>
Result<bool> unary(Interpreter&, const Value& v, CallArgs& args) {
  if (!args.positional.empty() || !args.named.empty()) {
    return Status::invalid_argument("this test takes no arguments");
  }
  return Pred(v);
}

bool is_defined(const Value& v) { return !v.is_undefined(); }
bool is_undefined(const Value& v) { return v.is_undefined(); }
bool is_none(const Value& v) { return v.is_none(); }
bool is_boolean(const Value& v) { return v.is_bool(); }
bool is_true(const Value& v) { return v.is_bool() && v.as_bool(); }
bool is_false(const Value& v) { return v.is_bool() && !v.as_bool(); }
bool is_integer(const Value& v) { return v.is_int(); }
bool is_float(const Value& v) { return v.is_float(); }
bool is_number(const Value& v) { return v.is_numeric(); }
bool is_string(const Value& v) { return v.is_string(); }
bool is_mapping(const Value& v) { return v.is_dict(); }
bool is_iterable(const Value& v) {
  return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
}
bool is_sequence(const Value& v) {
  return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
}
bool is_callable(const Value& v) { return v.is_callable(); }
bool is_escaped(const Value&) { return false; }

Result<int64_t> integral(const Value& v, std::string_view test) {
  if (v.is_undefined()) return undefined_error(v);
  if (!v.is_integral()) {
    return Status::invalid_argument("test '" + std::string(test) + "' needs an integer, not " +
                                    v.type_name());
  }
  return v.as_int();
}

Result<bool> is_even(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "even").status());
  LIFTOFF_ASSIGN_OR_RETURN(int64_t i, integral(v, "even"));
  return i % 2 == 0;
}

Result<bool> is_odd(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "odd").status());
  LIFTOFF_ASSIGN_OR_RETURN(int64_t i, integral(v, "odd"));
  return i % 2 != 0;
}

Result<bool> is_divisibleby(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"num"}, "divisibleby"));
  LIFTOFF_ASSIGN_OR_RETURN(int64_t i, integral(v, "divisibleby"));
  LIFTOFF_ASSIGN_OR_RETURN(int64_t n, integral(a[0], "divisibleby"));
  if (n == 0) return Status::invalid_argument("integer division or modulo by zero");
  return n == -1 || i % n == 0;
}

Result<bool> case_test(const Value& v, CallArgs& args, bool upper, Interpreter& in) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, upper ? "upper" : "lower").status());
  const std::string s = to_str(v, in.budget());
  const std::string up = text::upper(s);
  const std::string lo = text::lower(s);
  return up != lo && s == (upper ? up : lo);
}
Result<bool> is_lower(Interpreter& in, const Value& v, CallArgs& args) {
  return case_test(v, args, false, in);
}
Result<bool> is_upper(Interpreter& in, const Value& v, CallArgs& args) {
  return case_test(v, args, true, in);
}

template <CompareOp Op>
Result<bool> comparison(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"other"}, "comparison test"));
  if (Op == CompareOp::kIn) return contains(a[0], v, in.budget());
  return compare(Op, v, a[0], in.budget());
}

Result<bool> is_sameas(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"other"}, "sameas"));
  return v.same_object(a[0]);
}

constexpr std::pair<std::string_view, TestFn> kTests[] = {
    {"defined", unary<is_defined>},
    {"undefined", unary<is_undefined>},
    {"none", unary<is_none>},
    {"boolean", unary<is_boolean>},
    {"true", unary<is_true>},
    {"false", unary<is_false>},
    {"integer", unary<is_integer>},
    {"float", unary<is_float>},
    {"number", unary<is_number>},
    {"string", unary<is_string>},
    {"mapping", unary<is_mapping>},
    {"iterable", unary<is_iterable>},
    {"sequence", unary<is_sequence>},
    {"callable", unary<is_callable>},
    {"escaped", unary<is_escaped>},
    {"even", is_even},
    {"odd", is_odd},
    {"divisibleby", is_divisibleby},
    {"lower", is_lower},
    {"upper", is_upper},
    {"sameas", is_sameas},
    {"eq", comparison<CompareOp::kEq>},
    {"equalto", comparison<CompareOp::kEq>},
    {"==", comparison<CompareOp::kEq>},
    {"ne", comparison<CompareOp::kNe>},
    {"!=", comparison<CompareOp::kNe>},
    {"lt", comparison<CompareOp::kLt>},
    {"lessthan", comparison<CompareOp::kLt>},
    {"<", comparison<CompareOp::kLt>},
    {"le", comparison<CompareOp::kLe>},
    {"<=", comparison<CompareOp::kLe>},
    {"gt", comparison<CompareOp::kGt>},
    {"greaterthan", comparison<CompareOp::kGt>},
    {">", comparison<CompareOp::kGt>},
    {"ge", comparison<CompareOp::kGe>},
    {">=", comparison<CompareOp::kGe>},
    {"in", comparison<CompareOp::kIn>},
};

}  // namespace

TestFn find_test(std::string_view name) {
  for (const auto& [n, fn] : kTests) {
    if (n == name) return fn;
  }
  return nullptr;
}

bool is_known_test(std::string_view name) { return find_test(name) != nullptr; }

}  // namespace liftoff::tokenizer::jinja
