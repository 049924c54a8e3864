// Typed readers for request fields. Every reader treats an absent key and a JSON null alike
// (the output keeps its default), rejects a value of the wrong type or outside its range with a
// 400 naming the field, and leaves `out` untouched on error.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::openai {

// The value of `key`, or nullptr when it is absent or null.
const nlohmann::json* field(const nlohmann::json& object, std::string_view key);

// "a string", "an integer", "an array", ... for messages.
std::string json_type_name(const nlohmann::json& value);

MaybeError read_bool(const nlohmann::json& object, std::string_view key, bool* out);
MaybeError read_string(const nlohmann::json& object, std::string_view key, std::string* out);
// A finite number in [lo, hi].
MaybeError read_number(const nlohmann::json& object, std::string_view key, double lo, double hi,
                       double* out);
MaybeError read_float(const nlohmann::json& object, std::string_view key, double lo, double hi,
                      float* out);
// An integer in [lo, hi] (a float with an integral value counts).
MaybeError read_int(const nlohmann::json& object, std::string_view key, int64_t lo, int64_t hi,
                    int64_t* out);
// `value` as an integer in [lo, hi]; `param` names it in the error.
MaybeError as_int(const nlohmann::json& value, const std::string& param, int64_t lo, int64_t hi,
                  int64_t* out);

// Compact number for messages: 2, 0.5, 1e+20.
std::string format_number(double v);

}  // namespace liftoff::server::openai
