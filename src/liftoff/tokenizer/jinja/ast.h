// The syntax tree of a parsed template: expressions (Expr) and statements (Node). Plain data,
// built by the parser and walked read-only by the interpreter; every node keeps the byte offset
// of its source so runtime errors can name a line and column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

enum class ExprKind : uint8_t {
  kLiteral,   // value
  kName,      // name
  kList,      // children: items
  kTuple,     // children: items
  kDict,      // children: key0, value0, key1, value1, ...
  kGetAttr,   // children: [object]; name: the attribute
  kGetItem,   // children: [object, index]
  kSlice,     // children: [object, start, stop, step], absent parts null
  kCall,      // children: [callee, args...]; keyword_names name the trailing args
  kFilter,    // children: [operand, args...]; name: the filter; keyword_names as for kCall
  kTest,      // children: [operand, args...]; name: the test; negated for `is not`
  kNot,       // children: [operand]
  kNegate,    // children: [operand]
  kPlus,      // children: [operand]
  kBinary,    // children: [lhs, rhs]; binary_op
  kAnd,       // children: [lhs, rhs]
  kOr,        // children: [lhs, rhs]
  kCompare,   // children: [first, operands...]; compare_ops[i] joins children[i], children[i+1]
  kCondExpr,  // children: [condition, then, else (null: undefined)]
};

enum class BinaryOp : uint8_t { kAdd, kSub, kMul, kDiv, kFloorDiv, kMod, kPow, kConcat };
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  size_t offset = 0;
  uint32_t height = 1;  // 1 + the tallest child: bounds the interpreter's recursion
  Value value;
  std::string name;
  BinaryOp binary_op = BinaryOp::kAdd;
  bool negated = false;
  std::vector<CompareOp> compare_ops;
  std::vector<ExprPtr> children;
  std::vector<std::string> keyword_names;
};

// `x`, `a, b` (unpacking) or `ns.attr` (namespace attribute).
struct AssignTarget {
  std::vector<std::string> names;
  bool unpack = false;    // a tuple target, even with one name: `a, = ...`
  std::string attribute;  // non-empty: names[0].attribute
};

enum class NodeKind : uint8_t {
  kText,      // text
  kOutput,    // exprs: [value]
  kIf,        // exprs: one condition per branch; bodies: one per condition, then else if any
  kFor,       // targets[0] in exprs[0] (if exprs[1]); bodies: [body, else]
  kSet,       // targets[0] = exprs[0]
  kSetBlock,  // targets[0] = rendered bodies[0]
  kMacro,     // name(params = exprs defaults, null when none); bodies: [body]
  kWith,      // targets[i] = exprs[i] in a new scope; bodies: [body]
  kScope,     // bodies[0] rendered as is ({% generation %}, HF's assistant-mask marker)
  kBreak,
  kContinue,
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  NodeKind kind = NodeKind::kText;
  size_t offset = 0;
  std::string text;  // kText: data; kMacro: the macro's name
  std::vector<ExprPtr> exprs;
  std::vector<Body> bodies;
  std::vector<AssignTarget> targets;
  std::vector<std::string> params;  // kMacro
  bool uses_loop = false;           // kFor: the body reads `loop` (else it is not built)
};

}  // namespace liftoff::tokenizer::jinja
