// The global functions every template sees: range, namespace, dict, raise_exception (HF's: the
// template's own error, e.g. "Conversation roles must alternate") and strftime_now (HF's: the
// current local time, used by Llama 3.1-style templates for "Today Date").
#pragma once

#include <string_view>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// The global called `name`, or null. The values are immutable and shared by all renders.
const Value* find_global(std::string_view name);

// Whether `v` may be stored in a namespace attribute: no namespace inside it (so values never
// form a cycle) and no deeper than kMaxNamespaceValueDepth.
Status check_namespace_value(const Value& v);

// The prefix every error carrying its own position or wording starts with; the interpreter adds
// a line and column to messages without it.
inline constexpr std::string_view kErrorPrefix = "chat template: ";

}  // namespace liftoff::tokenizer::jinja
