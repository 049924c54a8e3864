// Completion bodies and stream events.
#include "liftoff/server/openai/completion_format.h"

namespace liftoff::server::openai {
nlohmann::ordered_json CompletionFormat::response(std::span<const ChoiceResult> choices,
                                                  const Usage& usage) const {
  nlohmann::ordered_json out_choices = nlohmann::ordered_json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceResult& c = choices[i];
    nlohmann::ordered_json logprobs = nullptr;
    if (options_.logprobs) {
      logprobs = LegacyLogprobs().format(c.tokens, options_.top_logprobs, options_.piece);
    }
    out_choices.push_back({{"index", i},
                           {"text", c.text},
                           {"logprobs", std::move(logprobs)},
                           {"finish_reason", finish_json(c.finish)}});
  }
  return {
      {"id", options_.id},       {"object", "text_completion"},       {"created", options_.created},
      {"model", options_.model}, {"choices", std::move(out_choices)}, {"usage", usage_json(usage)}};
}

std::vector<nlohmann::ordered_json> CompletionFormat::stream_delta(
    const engine::ChoiceDelta& delta) {
  const bool show_tokens = options_.logprobs && !delta.tokens.empty();
  if (delta.text.empty() && !show_tokens && !delta.finish) return {};
  nlohmann::ordered_json logprobs = nullptr;
  if (show_tokens) {
    logprobs =
        stream_logprobs_[delta.index].format(delta.tokens, options_.top_logprobs, options_.piece);
  }
  nlohmann::ordered_json c = chunk_head(chunk_object());
  c["choices"] = nlohmann::ordered_json::array({{{"index", delta.index},
                                                 {"text", delta.text},
                                                 {"logprobs", std::move(logprobs)},
                                                 {"finish_reason", finish_json(delta.finish)}}});
  return {std::move(c)};
}

}  // namespace liftoff::server::openai
