// ChatFormat: chat.completion responses and chat.completion.chunk events.
#pragma once

#include "liftoff/server/openai/generation_format.h"

namespace liftoff::server::openai {

class ChatFormat final : public GenerationFormat {
 public:
  using GenerationFormat::GenerationFormat;

  // {id, object: "chat.completion", created, model, choices: [{index, message: {role, content},
  // logprobs, finish_reason}], usage}
  nlohmann::ordered_json response(std::span<const ChoiceResult> choices,
                                  const Usage& usage) const override;
  // One {delta: {role: "assistant", content: ""}} chunk per choice.
  std::vector<nlohmann::ordered_json> stream_start(int32_t n_choices) const override;
  // A content chunk if the delta has text (or tokens with logprobs asked for), then a chunk
  // with an empty delta and the finish_reason when the choice ends.
  std::vector<nlohmann::ordered_json> stream_delta(const engine::ChoiceDelta& delta) override;

 protected:
  const char* chunk_object() const override { return "chat.completion.chunk"; }

 private:
  nlohmann::ordered_json chunk(int32_t index, nlohmann::ordered_json delta,
                               nlohmann::ordered_json logprobs,
                               nlohmann::ordered_json finish_reason) const;
};

}  // namespace liftoff::server::openai
