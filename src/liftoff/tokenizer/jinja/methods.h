// Methods templates call on values: str.strip/split/startswith/format/..., dict.get/items/
// keys/values, list.index/count. Only methods that do not mutate: HF renders in Jinja's
// immutable sandbox, where list.append or dict.update raise.
#pragma once

#include <string>
#include <string_view>

#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// Whether `receiver.name` names one of the supported methods of the receiver's type.
bool has_method(const Value& receiver, std::string_view name);

// `receiver.name` as a callable value; call only when has_method() is true.
Value bind_method(const Value& receiver, const std::string& name);

}  // namespace liftoff::tokenizer::jinja
