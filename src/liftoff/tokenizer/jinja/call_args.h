// Binding a call's arguments to named parameters, for filters, tests, methods and globals
// written in C++: `join(d='', attribute=None)` accepts join(', ') and join(attribute='x').
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// One value per parameter, in order; a parameter not passed is undefined. kInvalidArgument
// naming `function` for too many positional arguments, an unknown keyword or a parameter given
// twice.
Result<std::vector<Value>> bind_args(const CallArgs& args,
                                     std::initializer_list<std::string_view> params,
                                     std::string_view function);

// Python-style keyword-or-positional integer argument: `fallback` when undefined or none,
// kInvalidArgument when not an int.
Result<int64_t> int_arg(const Value& v, int64_t fallback, std::string_view what);

}  // namespace liftoff::tokenizer::jinja
