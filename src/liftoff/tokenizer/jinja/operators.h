// Python semantics of the template operators: arithmetic (+ - * / // % **), `~`, ordering
// (< <= > >=) and `in`. Errors are kInvalidArgument with Python's wording ("unsupported operand
// type(s) for +: 'int' and 'str'"); the interpreter adds the line and column.
#pragma once

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/ast.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// The message for using an undefined value where a real one is needed.
Status undefined_error(const Value& undefined);

Result<Value> binary_op(BinaryOp op, const Value& a, const Value& b, Budget& budget);

// -1, 0 or 1 for Python's ordering of numbers, strings, and lists/tuples (lexicographic);
// kInvalidArgument for types Python cannot order.
Result<int> compare_order(const Value& a, const Value& b, Budget& budget);

// Evaluates `a <op> b` for one link of a comparison chain.
Result<bool> compare(CompareOp op, const Value& a, const Value& b, Budget& budget);

// `item in container`: substring, list element, dict key; false for undefined.
Result<bool> contains(const Value& container, const Value& item, Budget& budget);

}  // namespace liftoff::tokenizer::jinja
