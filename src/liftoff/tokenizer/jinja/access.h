// Reading from values the way Jinja's sandbox does: `x.name` prefers a method and falls back to
// the key, `x['name']` prefers the key and falls back to a method; a missing key, attribute or
// index gives undefined (an error only once it is used), and anything read from undefined is an
// error. Also slicing and the items a for loop visits.
#pragma once

#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

Result<Value> get_attribute(const Value& object, const std::string& name);
Result<Value> get_item(const Value& object, const Value& key);
// object[start:stop:step] on a list, tuple or string; none/undefined parts take the defaults.
Result<Value> get_slice(const Value& object, const Value& start, const Value& stop,
                        const Value& step, Budget& budget);
// List and tuple items, dict keys, a string's characters; nothing for undefined.
Result<std::vector<Value>> iterate(const Value& v, Budget& budget);

}  // namespace liftoff::tokenizer::jinja
