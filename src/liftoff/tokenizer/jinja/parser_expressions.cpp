// Expression parsing with jinja2's precedence, loosest first: conditional `x if c else y`, or,
// and, not, comparisons (chained, in, not in), + -, ~, * / // %, **, unary - +, then postfix
// (.attr, [index], [a:b:c], (call)) and filters/tests (`|f(...)`, `is t`), which bind tightest:
// `-x|abs` is `(-x)|abs` and `a + b is string` is `a + (b is string)`.
#include <algorithm>

#include "liftoff/tokenizer/jinja/filters.h"
#include "liftoff/tokenizer/jinja/is_tests.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/parser.h"

namespace liftoff::tokenizer::jinja {
namespace {

ExprPtr make_expr(ExprKind kind, size_t offset) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

ExprPtr make_binary(ExprKind kind, BinaryOp op, ExprPtr lhs, ExprPtr rhs, size_t offset) {
  ExprPtr e = make_expr(kind, offset);
  e->binary_op = op;
  e->children.push_back(std::move(lhs));
  e->children.push_back(std::move(rhs));
  return e;
}

// Counts nesting for the duration of one recursive parse call.
class DepthGuard {
 public:
  explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  bool too_deep() const { return depth_ > kMaxParseDepth; }

 private:
  int& depth_;
};

}  // namespace

Result<ExprPtr> Parser::finish(ExprPtr node) {
  uint32_t height = 0;
  for (const ExprPtr& child : node->children) {
    if (child) height = std::max(height, child->height);
  }
  node->height = height + 1;
  if (node->height > kMaxExprHeight) return map_.error(node->offset, "expression nests too deeply");
  return node;
}

Result<ExprPtr> Parser::parse_expression(bool with_condexpr) {
  return with_condexpr ? parse_condexpr() : parse_or();
}

Result<ExprPtr> Parser::parse_tuple(bool with_condexpr,
                                    std::initializer_list<std::string_view> end_names,
                                    bool explicit_parentheses) {
  const size_t offset = current().offset;
  std::vector<ExprPtr> items;
  bool is_tuple = false;
  for (;;) {
    if (!items.empty()) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    const Token& t = current();
    const bool at_end = t.type == TokenType::kVariableEnd || t.type == TokenType::kBlockEnd ||
                        at_operator(")") ||
                        (t.type == TokenType::kName &&
                         std::find(end_names.begin(), end_names.end(), t.text) != end_names.end());
    if (at_end) break;
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr item, parse_expression(with_condexpr));
    items.push_back(std::move(item));
    if (at_operator(",")) {
      is_tuple = true;
    } else {
      break;
    }
  }
  if (!is_tuple) {
    if (!items.empty()) return std::move(items.front());
    if (!explicit_parentheses)
      return error_here("expected an expression, got " + describe(current()));
  }
  ExprPtr tuple = make_expr(ExprKind::kTuple, offset);
  tuple->children = std::move(items);
  return finish(std::move(tuple));
}

Result<ExprPtr> Parser::parse_condexpr() {
  DepthGuard guard(recursion_depth_);
  if (guard.too_deep()) return error_here("expression nests too deeply");
  const size_t unknown_before = unknown_names_.size();
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr expr, parse_or());
  while (at_name("if")) {
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr condition, parse_or());
    ExprPtr otherwise;
    if (skip_name("else")) {
      LIFTOFF_ASSIGN_OR_RETURN(otherwise, parse_condexpr());
    }
    // Jinja resolves filters and tests under a conditional expression only when evaluated.
    unknown_names_.resize(unknown_before);
    ExprPtr cond = make_expr(ExprKind::kCondExpr, offset);
    cond->children.push_back(std::move(condition));
    cond->children.push_back(std::move(expr));
    cond->children.push_back(std::move(otherwise));
    LIFTOFF_ASSIGN_OR_RETURN(expr, finish(std::move(cond)));
  }
  return expr;
}

Result<ExprPtr> Parser::parse_or() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_and());
  while (at_name("or")) {
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_and());
    LIFTOFF_ASSIGN_OR_RETURN(lhs, finish(make_binary(ExprKind::kOr, BinaryOp::kAdd, std::move(lhs),
                                                     std::move(rhs), offset)));
  }
  return lhs;
}

Result<ExprPtr> Parser::parse_and() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_not());
  while (at_name("and")) {
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_not());
    LIFTOFF_ASSIGN_OR_RETURN(lhs, finish(make_binary(ExprKind::kAnd, BinaryOp::kAdd, std::move(lhs),
                                                     std::move(rhs), offset)));
  }
  return lhs;
}

Result<ExprPtr> Parser::parse_not() {
  if (!at_name("not")) return parse_compare();
  DepthGuard guard(recursion_depth_);
  if (guard.too_deep()) return error_here("expression nests too deeply");
  ExprPtr node = make_expr(ExprKind::kNot, current().offset);
  advance();
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr operand, parse_not());
  node->children.push_back(std::move(operand));
  return finish(std::move(node));
}

Result<ExprPtr> Parser::parse_compare() {
  const size_t offset = current().offset;
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr first, parse_math1());
  ExprPtr cmp = make_expr(ExprKind::kCompare, offset);
  for (;;) {
    static constexpr std::pair<std::string_view, CompareOp> kOps[] = {
        {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<", CompareOp::kLt},
        {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe},
    };
    CompareOp op{};
    bool found = false;
    for (const auto& [spelling, value] : kOps) {
      if (at_operator(spelling)) {
        op = value;
        found = true;
        advance();
        break;
      }
    }
    if (!found && skip_name("in")) {
      op = CompareOp::kIn;
      found = true;
    } else if (!found && at_name("not") && peek().type == TokenType::kName && peek().text == "in") {
      advance();
      advance();
      op = CompareOp::kNotIn;
      found = true;
    }
    if (!found) break;
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr operand, parse_math1());
    cmp->compare_ops.push_back(op);
    cmp->children.push_back(std::move(operand));
  }
  if (cmp->compare_ops.empty()) return first;
  cmp->children.insert(cmp->children.begin(), std::move(first));
  return finish(std::move(cmp));
}

Result<ExprPtr> Parser::parse_math1() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_concat());
  while (at_operator("+") || at_operator("-")) {
    const BinaryOp op = current().text == "+" ? BinaryOp::kAdd : BinaryOp::kSub;
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_concat());
    LIFTOFF_ASSIGN_OR_RETURN(
        lhs, finish(make_binary(ExprKind::kBinary, op, std::move(lhs), std::move(rhs), offset)));
  }
  return lhs;
}

Result<ExprPtr> Parser::parse_concat() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_math2());
  while (at_operator("~")) {
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_math2());
    LIFTOFF_ASSIGN_OR_RETURN(lhs, finish(make_binary(ExprKind::kBinary, BinaryOp::kConcat,
                                                     std::move(lhs), std::move(rhs), offset)));
  }
  return lhs;
}

Result<ExprPtr> Parser::parse_math2() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_pow());
  for (;;) {
    BinaryOp op;
    if (at_operator("*")) {
      op = BinaryOp::kMul;
    } else if (at_operator("/")) {
      op = BinaryOp::kDiv;
    } else if (at_operator("//")) {
      op = BinaryOp::kFloorDiv;
    } else if (at_operator("%")) {
      op = BinaryOp::kMod;
    } else {
      return lhs;
    }
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_pow());
    LIFTOFF_ASSIGN_OR_RETURN(
        lhs, finish(make_binary(ExprKind::kBinary, op, std::move(lhs), std::move(rhs), offset)));
  }
}

Result<ExprPtr> Parser::parse_pow() {
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr lhs, parse_unary(true));
  while (at_operator("**")) {
    const size_t offset = current().offset;
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr rhs, parse_unary(true));
    LIFTOFF_ASSIGN_OR_RETURN(lhs, finish(make_binary(ExprKind::kBinary, BinaryOp::kPow,
                                                     std::move(lhs), std::move(rhs), offset)));
  }
  return lhs;
}

Result<ExprPtr> Parser::parse_unary(bool with_filter) {
  DepthGuard guard(recursion_depth_);
  if (guard.too_deep()) return error_here("expression nests too deeply");
  ExprPtr node;
  if (at_operator("-") || at_operator("+")) {
    node = make_expr(at_operator("-") ? ExprKind::kNegate : ExprKind::kPlus, current().offset);
    advance();
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr operand, parse_unary(false));
    node->children.push_back(std::move(operand));
    LIFTOFF_ASSIGN_OR_RETURN(node, finish(std::move(node)));
  } else {
    LIFTOFF_ASSIGN_OR_RETURN(node, parse_primary());
  }
  LIFTOFF_ASSIGN_OR_RETURN(node, parse_postfix(std::move(node)));
  if (with_filter) return parse_filter_expr(std::move(node));
  return node;
}

Result<ExprPtr> Parser::parse_primary() {
  const Token& t = current();
  const size_t offset = t.offset;
  ExprPtr node;
  switch (t.type) {
    case TokenType::kName: {
      node = make_expr(ExprKind::kLiteral, offset);
      if (t.text == "true" || t.text == "True") {
        node->value = Value::boolean(true);
      } else if (t.text == "false" || t.text == "False") {
        node->value = Value::boolean(false);
      } else if (t.text == "none" || t.text == "None") {
        node->value = Value::none();
      } else {
        node->kind = ExprKind::kName;
        node->name = t.text;
      }
      advance();
      return node;
    }
    case TokenType::kString: {
      // Adjacent literals concatenate, as in Python: "a" "b" is "ab".
      std::string text;
      while (current().type == TokenType::kString) {
        text += current().text;
        advance();
      }
      node = make_expr(ExprKind::kLiteral, offset);
      node->value = Value::string(std::move(text));
      return node;
    }
    case TokenType::kInteger:
    case TokenType::kFloat:
      node = make_expr(ExprKind::kLiteral, offset);
      node->value = t.type == TokenType::kInteger ? Value::integer(t.int_value)
                                                  : Value::number(t.float_value);
      advance();
      return node;
    case TokenType::kOperator:
      if (t.text == "(") {
        advance();
        LIFTOFF_ASSIGN_OR_RETURN(node, parse_tuple(true, {}, true));
        LIFTOFF_RETURN_IF_ERROR(expect_operator(")"));
        return node;
      }
      if (t.text == "[") return parse_list(offset);
      if (t.text == "{") return parse_dict(offset);
      break;
    default:
      break;
  }
  return error_here("unexpected " + describe(t));
}

Result<ExprPtr> Parser::parse_list(size_t offset) {
  advance();  // [
  ExprPtr list = make_expr(ExprKind::kList, offset);
  while (!at_operator("]")) {
    if (!list->children.empty()) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    if (at_operator("]")) break;
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr item, parse_expression());
    list->children.push_back(std::move(item));
  }
  advance();  // ]
  return finish(std::move(list));
}

Result<ExprPtr> Parser::parse_dict(size_t offset) {
  advance();  // {
  ExprPtr dict = make_expr(ExprKind::kDict, offset);
  while (!at_operator("}")) {
    if (!dict->children.empty()) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    if (at_operator("}")) break;
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr key, parse_expression());
    LIFTOFF_RETURN_IF_ERROR(expect_operator(":"));
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
    dict->children.push_back(std::move(key));
    dict->children.push_back(std::move(value));
  }
  advance();  // }
  return finish(std::move(dict));
}

Result<ExprPtr> Parser::parse_postfix(ExprPtr node) {
  for (;;) {
    if (at_operator(".") || at_operator("[")) {
      LIFTOFF_ASSIGN_OR_RETURN(node, parse_subscript(std::move(node)));
    } else if (at_operator("(")) {
      ExprPtr call = make_expr(ExprKind::kCall, current().offset);
      call->children.push_back(std::move(node));
      LIFTOFF_RETURN_IF_ERROR(parse_call_args(*call));
      LIFTOFF_ASSIGN_OR_RETURN(node, finish(std::move(call)));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::parse_filter_expr(ExprPtr node) {
  for (;;) {
    if (at_operator("|")) {
      LIFTOFF_ASSIGN_OR_RETURN(node, parse_filter(std::move(node)));
    } else if (at_name("is")) {
      LIFTOFF_ASSIGN_OR_RETURN(node, parse_test(std::move(node)));
    } else if (at_operator("(")) {
      ExprPtr call = make_expr(ExprKind::kCall, current().offset);
      call->children.push_back(std::move(node));
      LIFTOFF_RETURN_IF_ERROR(parse_call_args(*call));
      LIFTOFF_ASSIGN_OR_RETURN(node, finish(std::move(call)));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::parse_subscript(ExprPtr node) {
  const size_t offset = current().offset;
  if (skip_operator(".")) {
    const Token& t = current();
    if (t.type == TokenType::kName) {
      ExprPtr attr = make_expr(ExprKind::kGetAttr, offset);
      attr->name = t.text;
      attr->children.push_back(std::move(node));
      advance();
      return finish(std::move(attr));
    }
    if (t.type == TokenType::kInteger) {  // x.0 is x[0]
      ExprPtr item = make_expr(ExprKind::kGetItem, offset);
      ExprPtr index = make_expr(ExprKind::kLiteral, t.offset);
      index->value = Value::integer(t.int_value);
      item->children.push_back(std::move(node));
      item->children.push_back(std::move(index));
      advance();
      return finish(std::move(item));
    }
    return error_here("expected an attribute name after '.', got " + describe(t));
  }
  advance();         // [
  ExprPtr parts[3];  // start, stop, step
  bool is_slice = false;
  if (!at_operator(":")) {
    LIFTOFF_ASSIGN_OR_RETURN(parts[0], parse_expression());
  }
  if (skip_operator(":")) {
    is_slice = true;
    if (!at_operator("]") && !at_operator(":")) {
      LIFTOFF_ASSIGN_OR_RETURN(parts[1], parse_expression());
    }
    if (skip_operator(":") && !at_operator("]")) {
      LIFTOFF_ASSIGN_OR_RETURN(parts[2], parse_expression());
    }
  }
  LIFTOFF_RETURN_IF_ERROR(expect_operator("]"));
  ExprPtr result = make_expr(is_slice ? ExprKind::kSlice : ExprKind::kGetItem, offset);
  result->children.push_back(std::move(node));
  result->children.push_back(std::move(parts[0]));
  if (is_slice) {
    result->children.push_back(std::move(parts[1]));
    result->children.push_back(std::move(parts[2]));
  }
  return finish(std::move(result));
}

Status Parser::parse_call_args(Expr& call) {
  LIFTOFF_RETURN_IF_ERROR(expect_operator("("));
  bool first = true;
  while (!at_operator(")")) {
    if (!first) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    first = false;
    if (at_operator(")")) break;
    if (at_operator("*") || at_operator("**")) {
      return error_here("*args and **kwargs in calls are not supported");
    }
    if (current().type == TokenType::kName && peek().type == TokenType::kOperator &&
        peek().text == "=") {
      call.keyword_names.push_back(current().text);
      advance();
      advance();
    } else if (!call.keyword_names.empty()) {
      return error_here("positional argument follows keyword argument");
    }
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr arg, parse_expression());
    call.children.push_back(std::move(arg));
  }
  advance();  // )
  return Status::ok();
}

Result<ExprPtr> Parser::parse_filter(ExprPtr node) {
  advance();  // |
  if (current().type != TokenType::kName) {
    return error_here("expected a filter name, got " + describe(current()));
  }
  ExprPtr filter = make_expr(ExprKind::kFilter, current().offset);
  filter->name = current().text;
  if (!is_known_filter(filter->name) && conditional_depth_ == 0) {
    unknown_names_.emplace_back(filter->offset, "no filter named '" + filter->name + "'");
  }
  advance();
  filter->children.push_back(std::move(node));
  if (at_operator("(")) LIFTOFF_RETURN_IF_ERROR(parse_call_args(*filter));
  return finish(std::move(filter));
}

Result<ExprPtr> Parser::parse_test(ExprPtr node) {
  advance();  // is
  ExprPtr test = make_expr(ExprKind::kTest, current().offset);
  test->negated = skip_name("not");
  if (current().type != TokenType::kName) {
    return error_here("expected a test name, got " + describe(current()));
  }
  test->name = current().text;
  test->offset = current().offset;
  if (!is_known_test(test->name) && conditional_depth_ == 0) {
    unknown_names_.emplace_back(test->offset, "no test named '" + test->name + "'");
  }
  advance();
  test->children.push_back(std::move(node));
  const Token& t = current();
  const bool starts_argument =
      t.type == TokenType::kString || t.type == TokenType::kInteger ||
      t.type == TokenType::kFloat || at_operator("[") || at_operator("{") ||
      (t.type == TokenType::kName && t.text != "else" && t.text != "or" && t.text != "and" &&
       t.text != "if" && t.text != "is" && t.text != "in" && t.text != "not");
  if (at_operator("(")) {
    LIFTOFF_RETURN_IF_ERROR(parse_call_args(*test));
  } else if (starts_argument) {  // `x is divisibleby 3`, `x is sameas none`
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr arg, parse_primary());
    LIFTOFF_ASSIGN_OR_RETURN(arg, parse_postfix(std::move(arg)));
    test->children.push_back(std::move(arg));
  }
  return finish(std::move(test));
}

}  // namespace liftoff::tokenizer::jinja
