// Chat completion bodies and stream chunks.
#include "liftoff/server/openai/chat_format.h"

#include "liftoff/server/openai/logprobs_format.h"

namespace liftoff::server::openai {
nlohmann::ordered_json ChatFormat::response(std::span<const ChoiceResult> choices,
                                            const Usage& usage) const {
  nlohmann::ordered_json out_choices = nlohmann::ordered_json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    const ChoiceResult& c = choices[i];
    out_choices.push_back(
        {{"index", i},
         {"message", {{"role", "assistant"}, {"content", c.text}}},
         {"logprobs", options_.logprobs
                          ? chat_logprobs(c.tokens, options_.top_logprobs, options_.piece)
                          : nlohmann::ordered_json(nullptr)},
         {"finish_reason", finish_json(c.finish)}});
  }
  return {
      {"id", options_.id},       {"object", "chat.completion"},       {"created", options_.created},
      {"model", options_.model}, {"choices", std::move(out_choices)}, {"usage", usage_json(usage)}};
}

nlohmann::ordered_json ChatFormat::chunk(int32_t index, nlohmann::ordered_json delta,
                                         nlohmann::ordered_json logprobs,
                                         nlohmann::ordered_json finish_reason) const {
  nlohmann::ordered_json c = chunk_head(chunk_object());
  c["choices"] = nlohmann::ordered_json::array({{{"index", index},
                                                 {"delta", std::move(delta)},
                                                 {"logprobs", std::move(logprobs)},
                                                 {"finish_reason", std::move(finish_reason)}}});
  return c;
}

std::vector<nlohmann::ordered_json> ChatFormat::stream_start(int32_t n_choices) const {
  std::vector<nlohmann::ordered_json> out;
  for (int32_t i = 0; i < n_choices; ++i) {
    out.push_back(chunk(i, {{"role", "assistant"}, {"content", ""}}, nullptr, nullptr));
  }
  return out;
}

std::vector<nlohmann::ordered_json> ChatFormat::stream_delta(const engine::ChoiceDelta& delta) {
  std::vector<nlohmann::ordered_json> out;
  const bool show_tokens = options_.logprobs && !delta.tokens.empty();
  if (!delta.text.empty() || show_tokens) {
    out.push_back(chunk(delta.index, {{"content", delta.text}},
                        show_tokens
                            ? chat_logprobs(delta.tokens, options_.top_logprobs, options_.piece)
                            : nlohmann::ordered_json(nullptr),
                        nullptr));
  }
  if (delta.finish) {
    out.push_back(
        chunk(delta.index, nlohmann::ordered_json::object(), nullptr, finish_json(delta.finish)));
  }
  return out;
}

}  // namespace liftoff::server::openai
