// Jinja tests, the `x is name` predicates: defined, none, string, number, mapping, iterable,
// sequence, even, odd, divisibleby, eq, in, ... with jinja2's definitions (a bool is a number
// but not an integer; undefined is iterable).
#pragma once

#include <string_view>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// `args` holds the test's arguments after the tested value (`x is divisibleby 3`).
using TestFn = Result<bool> (*)(Interpreter& in, const Value& value, CallArgs& args);

TestFn find_test(std::string_view name);  // null if unknown
bool is_known_test(std::string_view name);

}  // namespace liftoff::tokenizer::jinja
