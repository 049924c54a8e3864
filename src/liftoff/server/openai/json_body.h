// Request bodies in and response bodies out: JSON parsing that cannot be driven into deep
// recursion, and dumping that survives invalid UTF-8 (token pieces can be partial characters).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::openai {

// Deepest nesting of arrays/objects a request may have; real requests need 4 or 5.
inline constexpr int kMaxJsonDepth = 64;

// Parses a request body that must be a JSON object. 400 for invalid JSON, nesting deeper than
// kMaxJsonDepth, or a top-level value that is not an object. Never throws.
ApiResult<nlohmann::json> parse_json_object(std::string_view body);

// `f` as the double with the same shortest decimal form, so -0.1f is written as -0.1 and not
// -0.10000000149011612 (logprobs and embeddings are float32).
double json_float(float f);

// Compact JSON; invalid UTF-8 in strings becomes U+FFFD instead of an exception. Responses are
// built as ordered_json so fields appear in OpenAI's order (id, object, created, ...).
std::string dump_json(const nlohmann::json& value);
std::string dump_json(const nlohmann::ordered_json& value);

}  // namespace liftoff::server::openai
