// Arithmetic, concatenation, ordering and membership with Python's rules, on 64-bit ints (an
// overflow is an error rather than a silent wrap; Python would grow a big integer).
#include "liftoff/tokenizer/jinja/operators.h"

#include <cmath>
#include <limits>

#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja {
namespace {

const char* op_symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kFloorDiv:
      return "//";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "**";
    case BinaryOp::kConcat:
      return "~";
  }
  return "?";
}

Status unsupported(BinaryOp op, const Value& a, const Value& b) {
  return Status::invalid_argument(std::string("unsupported operand type(s) for ") + op_symbol(op) +
                                  ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

Status overflow() { return Status::invalid_argument("integer result does not fit in 64 bits"); }

Result<Value> int_pow(int64_t base, int64_t exponent) {
  if (exponent < 0) {
    if (base == 0) return Status::invalid_argument("0.0 cannot be raised to a negative power");
    return Value::number(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
  }
  int64_t result = 1;
  while (exponent > 0) {
    if ((exponent & 1) != 0 && __builtin_mul_overflow(result, base, &result)) return overflow();
    exponent >>= 1;
    if (exponent > 0 && __builtin_mul_overflow(base, base, &base)) return overflow();
  }
  return Value::integer(result);
}

Result<Value> arithmetic(BinaryOp op, const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) {
    const int64_t x = a.as_int();
    const int64_t y = b.as_int();
    int64_t r = 0;
    switch (op) {
      case BinaryOp::kAdd:
        if (__builtin_add_overflow(x, y, &r)) return overflow();
        return Value::integer(r);
      case BinaryOp::kSub:
        if (__builtin_sub_overflow(x, y, &r)) return overflow();
        return Value::integer(r);
      case BinaryOp::kMul:
        if (__builtin_mul_overflow(x, y, &r)) return overflow();
        return Value::integer(r);
      case BinaryOp::kDiv:
        if (y == 0) return Status::invalid_argument("division by zero");
        return Value::number(static_cast<double>(x) / static_cast<double>(y));
      case BinaryOp::kFloorDiv: {
        if (y == 0) return Status::invalid_argument("integer division or modulo by zero");
        if (x == std::numeric_limits<int64_t>::min() && y == -1) return overflow();
        int64_t q = x / y;
        if (x % y != 0 && ((x < 0) != (y < 0))) --q;
        return Value::integer(q);
      }
      case BinaryOp::kMod: {
        if (y == 0) return Status::invalid_argument("integer division or modulo by zero");
        if (y == -1) return Value::integer(0);
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value::integer(m);
      }
      case BinaryOp::kPow:
        return int_pow(x, y);
      case BinaryOp::kConcat:
        break;
    }
  }
  const double x = a.as_float();
  const double y = b.as_float();
  switch (op) {
    case BinaryOp::kAdd:
      return Value::number(x + y);
    case BinaryOp::kSub:
      return Value::number(x - y);
    case BinaryOp::kMul:
      return Value::number(x * y);
    case BinaryOp::kDiv:
      if (y == 0) return Status::invalid_argument("float division by zero");
      return Value::number(x / y);
    case BinaryOp::kFloorDiv:
      if (y == 0) return Status::invalid_argument("float floor division by zero");
      return Value::number(std::floor(x / y));
    case BinaryOp::kMod: {
      if (y == 0) return Status::invalid_argument("float modulo");
      double m = std::fmod(x, y);
      if (m != 0 && ((m < 0) != (y < 0))) m += y;
      if (m == 0) m = std::copysign(0.0, y);
      return Value::number(m);
    }
    case BinaryOp::kPow:
      if (x == 0 && y < 0)
        return Status::invalid_argument("0.0 cannot be raised to a negative power");
      return Value::number(std::pow(x, y));
    case BinaryOp::kConcat:
      break;
  }
  return unsupported(op, a, b);
}

// "ab" * 3, [1] * 2 (either order).
Result<Value> repeat(const Value& seq, int64_t n, Budget& budget) {
  // Nothing repeated any number of times is nothing: return before looping n times over it.
  const bool empty = seq.is_string() ? seq.as_string().empty() : seq.as_list().items.empty();
  if (n < 0 || empty) n = 0;
  if (seq.is_string()) {
    const std::string& s = seq.as_string();
    if (n > 0 && !budget.fits(static_cast<uint64_t>(n) > kMaxStringBytes / s.size()
                                  ? kMaxStringBytes + 1
                                  : s.size() * static_cast<size_t>(n))) {
      return budget.failure();
    }
    std::string out;
    out.reserve(s.size() * static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) out += s;
    return Value::string(std::move(out));
  }
  const ListObj& list = seq.as_list();
  if (n > 0) {
    const uint64_t total = static_cast<uint64_t>(n) > kMaxItems
                               ? kMaxItems + 1
                               : static_cast<uint64_t>(n) * list.items.size();
    if (!budget.items_fit(total) || !budget.spend(total)) return budget.failure();
  }
  std::vector<Value> items;
  for (int64_t i = 0; i < n; ++i) items.insert(items.end(), list.items.begin(), list.items.end());
  return list.is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

}  // namespace

Status undefined_error(const Value& undefined) {
  return Status::invalid_argument(undefined.undefined_hint().empty() ? "value is undefined"
                                                                     : undefined.undefined_hint());
}

Result<Value> binary_op(BinaryOp op, const Value& a, const Value& b, Budget& budget) {
  if (op == BinaryOp::kConcat) {
    std::string out;
    if (!append_str(out, a, budget) || !append_str(out, b, budget)) return budget.failure();
    return Value::string(std::move(out));
  }
  if (a.is_undefined()) return undefined_error(a);
  if (b.is_undefined()) return undefined_error(b);
  if (a.is_numeric() && b.is_numeric()) return arithmetic(op, a, b);
  if (op == BinaryOp::kAdd) {
    if (a.is_string() && b.is_string()) {
      if (!budget.fits(a.as_string().size() + b.as_string().size())) return budget.failure();
      return Value::string(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
      const size_t n = a.as_list().items.size() + b.as_list().items.size();
      if (!budget.items_fit(n) || !budget.spend(n)) return budget.failure();
      std::vector<Value> items = a.as_list().items;
      items.insert(items.end(), b.as_list().items.begin(), b.as_list().items.end());
      return a.as_list().is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
  }
  if (op == BinaryOp::kMul) {
    if ((a.is_string() || a.is_list()) && b.is_integral()) return repeat(a, b.as_int(), budget);
    if (a.is_integral() && (b.is_string() || b.is_list())) return repeat(b, a.as_int(), budget);
  }
  if (op == BinaryOp::kMod && a.is_string()) {
    return Status::invalid_argument("printf-style '%' string formatting is not supported");
  }
  return unsupported(op, a, b);
}

Result<int> compare_order(const Value& a, const Value& b, Budget& budget) {
  if (!budget.spend()) return budget.failure();
  if (a.is_undefined()) return undefined_error(a);
  if (b.is_undefined()) return undefined_error(b);
  if (a.is_numeric() && b.is_numeric()) {
    if (a.is_integral() && b.is_integral()) {
      return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    }
    return a.as_float() < b.as_float() ? -1 : a.as_float() > b.as_float() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list() && a.as_list().is_tuple == b.as_list().is_tuple) {
    const auto& x = a.as_list().items;
    const auto& y = b.as_list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i], budget)) continue;
      if (!budget.ok()) return budget.failure();
      return compare_order(x[i], y[i], budget);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  return Status::invalid_argument(std::string("'<' not supported between instances of '") +
                                  a.type_name() + "' and '" + b.type_name() + "'");
}

Result<bool> compare(CompareOp op, const Value& a, const Value& b, Budget& budget) {
  switch (op) {
    case CompareOp::kEq:
    case CompareOp::kNe: {
      const bool eq = equals(a, b, budget);
      if (!budget.ok()) return budget.failure();
      return op == CompareOp::kEq ? eq : !eq;
    }
    case CompareOp::kIn:
      return contains(b, a, budget);
    case CompareOp::kNotIn: {
      LIFTOFF_ASSIGN_OR_RETURN(bool in, contains(b, a, budget));
      return !in;
    }
    default:
      break;
  }
  LIFTOFF_ASSIGN_OR_RETURN(int order, compare_order(a, b, budget));
  switch (op) {
    case CompareOp::kLt:
      return order < 0;
    case CompareOp::kLe:
      return order <= 0;
    case CompareOp::kGt:
      return order > 0;
    default:
      return order >= 0;
  }
}

Result<bool> contains(const Value& container, const Value& item, Budget& budget) {
  switch (container.type()) {
    case Value::Type::kUndefined:
      return false;
    case Value::Type::kString:
      if (!item.is_string()) {
        return Status::invalid_argument(std::string("'in <string>' requires string as left "
                                                    "operand, not ") +
                                        item.type_name());
      }
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Type::kList:
      for (const Value& v : container.as_list().items) {
        if (equals(v, item, budget)) return true;
        if (!budget.ok()) return budget.failure();
      }
      return false;
    case Value::Type::kDict:
      if (!is_hashable(item)) {
        return Status::invalid_argument(std::string("unhashable type: '") + item.type_name() + "'");
      }
      return container.as_dict().find(item) != nullptr;
    case Value::Type::kNamespace:
      return item.is_string() && container.as_namespace().find(item.as_string()) != nullptr;
    default:
      return Status::invalid_argument(std::string("argument of type '") + container.type_name() +
                                      "' is not iterable");
  }
}

}  // namespace liftoff::tokenizer::jinja
