// /v1/completions request fields.
#include "liftoff/server/openai/completion_request.h"

#include <nlohmann/json.hpp>

#include "liftoff/server/openai/json_fields.h"

namespace liftoff::server::openai {
namespace {

// Prompts per request; each becomes its own engine request.
constexpr size_t kMaxPrompts = 256;

MaybeError reject_unsupported(const nlohmann::json& body, int32_t n) {
  if (field(body, "best_of") != nullptr) {
    int64_t best_of = 0;
    LIFTOFF_TRY_FIELD(read_int(body, "best_of", 1, 1 << 20, &best_of));
    if (best_of != n) {
      return invalid_field("best_of", "'best_of' other than n is not supported by this server");
    }
  }
  bool echo = false;
  LIFTOFF_TRY_FIELD(read_bool(body, "echo", &echo));
  if (echo) return invalid_field("echo", "'echo' is not supported by this server");
  std::string suffix;
  LIFTOFF_TRY_FIELD(read_string(body, "suffix", &suffix));
  if (!suffix.empty()) return invalid_field("suffix", "'suffix' is not supported by this server");
  return std::nullopt;
}

}  // namespace

ApiResult<CompletionRequest> parse_completion_request(const nlohmann::json& body,
                                                      const ParseLimits& limits) {
  CompletionRequest req;
  const nlohmann::json* prompt = field(body, "prompt");
  if (prompt == nullptr) return invalid_field("prompt", "'prompt' is required");
  auto prompts =
      read_prompt_inputs(*prompt, "prompt", PromptInputRules{limits.n_vocab, kMaxPrompts, true});
  if (!prompts.ok()) return prompts.error();
  req.prompts = std::move(prompts.value());

  auto params = read_generation_params(body, Endpoint::kCompletions, limits);
  if (!params.ok()) return params.error();
  req.params = std::move(params.value());
  LIFTOFF_TRY_FIELD(reject_unsupported(body, req.params.n));
  return req;
}

}  // namespace liftoff::server::openai
