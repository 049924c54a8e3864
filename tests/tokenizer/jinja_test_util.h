// Helpers for the Jinja and chat-template tests: template values from JSON, and one-call
// parse + render.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/template.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja::testing {

using Json = nlohmann::ordered_json;  // keeps key order, as Python dicts do

inline Value from_json(const Json& j) {
  if (j.is_null()) return Value::none();
  if (j.is_boolean()) return Value::boolean(j.get<bool>());
  if (j.is_number_integer()) return Value::integer(j.get<int64_t>());
  if (j.is_number()) return Value::number(j.get<double>());
  if (j.is_string()) return Value::string(j.get<std::string>());
  if (j.is_array()) {
    std::vector<Value> items;
    for (const Json& e : j) items.push_back(from_json(e));
    return Value::list(std::move(items));
  }
  std::vector<std::pair<Value, Value>> entries;
  for (const auto& [k, v] : j.items()) entries.emplace_back(Value::string(k), from_json(v));
  return Value::dict(std::move(entries));
}

// Parses and renders `source` with the members of the JSON object `variables` as context.
inline Result<std::string> render(std::string_view source, const Json& variables = Json::object()) {
  LIFTOFF_ASSIGN_OR_RETURN(Template t, Template::parse(source));
  std::vector<std::pair<std::string, Value>> vars;
  for (const auto& [k, v] : variables.items()) vars.emplace_back(k, from_json(v));
  return t.render(vars);
}

// The rendered text, or "ERROR: <message>" so that a failing EXPECT_EQ shows why.
inline std::string render_or_error(std::string_view source,
                                   const Json& variables = Json::object()) {
  Result<std::string> r = render(source, variables);
  return r.ok() ? *r : "ERROR: " + r.status().message();
}

}  // namespace liftoff::tokenizer::jinja::testing
