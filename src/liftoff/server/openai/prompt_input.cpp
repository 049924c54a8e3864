// The four shapes of a prompt/input field.
#include "liftoff/server/openai/prompt_input.h"

#include <nlohmann/json.hpp>

#include "liftoff/server/openai/json_fields.h"

namespace liftoff::server::openai {
namespace {

std::string at(const std::string& param, size_t i) { return param + "[" + std::to_string(i) + "]"; }

ApiResult<PromptInput> read_token_array(const nlohmann::json& array, const std::string& param,
                                        size_t n_vocab) {
  if (array.empty()) return invalid_field(param, "'" + param + "' must not be empty");
  PromptInput in;
  in.is_tokens = true;
  in.tokens.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    int64_t id = 0;
    if (auto e = as_int(array[i], at(param, i), 0, static_cast<int64_t>(n_vocab) - 1, &id)) {
      e->param = param;
      return *e;
    }
    in.tokens.push_back(static_cast<int32_t>(id));
  }
  return in;
}

ApiResult<PromptInput> read_text(const nlohmann::json& value, const std::string& param,
                                 const PromptInputRules& rules) {
  PromptInput in;
  in.text = value.get<std::string>();
  if (in.text.empty() && !rules.allow_empty_text) {
    return invalid_field(param, "'" + param + "' must not be an empty string");
  }
  return in;
}

}  // namespace

ApiResult<std::vector<PromptInput>> read_prompt_inputs(const nlohmann::json& value,
                                                       const std::string& param,
                                                       const PromptInputRules& rules) {
  const std::string expected =
      "'" + param +
      "' must be a string, an array of strings, an array of token ids, or an array "
      "of token-id arrays";
  std::vector<PromptInput> out;
  if (value.is_string()) {
    auto in = read_text(value, param, rules);
    if (!in.ok()) return in.error();
    out.push_back(std::move(in.value()));
    return out;
  }
  if (!value.is_array()) return invalid_field(param, expected + ", got " + json_type_name(value));
  if (value.empty()) return invalid_field(param, "'" + param + "' must not be an empty array");
  if (value.front().is_number()) {  // one prompt given as token ids
    auto in = read_token_array(value, param, rules.n_vocab);
    if (!in.ok()) return in.error();
    out.push_back(std::move(in.value()));
    return out;
  }
  if (value.size() > rules.max_inputs) {
    return invalid_field(param, "'" + param + "' may hold at most " +
                                    std::to_string(rules.max_inputs) + " inputs, got " +
                                    std::to_string(value.size()));
  }
  const bool strings = value.front().is_string();
  for (size_t i = 0; i < value.size(); ++i) {
    const auto& item = value[i];
    ApiResult<PromptInput> in = PromptInput{};
    if (strings && item.is_string()) {
      in = read_text(item, at(param, i), rules);
    } else if (!strings && item.is_array()) {
      in = read_token_array(item, at(param, i), rules.n_vocab);
    } else {
      return invalid_field(param, expected + " (all elements of one kind); element " +
                                      std::to_string(i) + " is " + json_type_name(item));
    }
    if (!in.ok()) return in.error();
    out.push_back(std::move(in.value()));
  }
  return out;
}

}  // namespace liftoff::server::openai
