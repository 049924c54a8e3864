// Jinja filters (`value|name(args)`): the string and number filters live in filters.cpp, the
// sequence filters in sequence_filters.cpp; this is the one table of names.
#pragma once

#include <string_view>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

using FilterFn = Result<Value> (*)(Interpreter& in, const Value& input, CallArgs& args);

FilterFn find_filter(std::string_view name);  // null if unknown
bool is_known_filter(std::string_view name);

}  // namespace liftoff::tokenizer::jinja
