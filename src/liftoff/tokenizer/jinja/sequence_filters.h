// The filters that work on sequences: join, first, last, length, list, reverse, items, map,
// select/reject(attr), sort, dictsort, unique, min, max, sum. Registered by filters.cpp.
#pragma once

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja::sequence_filters {

Result<Value> join(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> first(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> last(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> length(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> list(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> reverse(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> items(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> map(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> select(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> reject(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> selectattr(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> rejectattr(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> sort(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> dictsort(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> unique(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> min(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> max(Interpreter& in, const Value& v, CallArgs& args);
Result<Value> sum(Interpreter& in, const Value& v, CallArgs& args);

}  // namespace liftoff::tokenizer::jinja::sequence_filters
