// CompletionFormat: text_completion responses and stream events for /v1/completions.
#pragma once

#include <map>

#include "liftoff/server/openai/generation_format.h"
#include "liftoff/server/openai/logprobs_format.h"

namespace liftoff::server::openai {

class CompletionFormat final : public GenerationFormat {
 public:
  using GenerationFormat::GenerationFormat;

  // {id, object: "text_completion", created, model, choices: [{index, text, logprobs,
  // finish_reason}], usage}
  nlohmann::ordered_json response(std::span<const ChoiceResult> choices,
                                  const Usage& usage) const override;
  std::vector<nlohmann::ordered_json> stream_start(int32_t n_choices) const override { return {}; }
  // One event with the delta's text (and logprobs), carrying finish_reason on the last one.
  std::vector<nlohmann::ordered_json> stream_delta(const engine::ChoiceDelta& delta) override;

 protected:
  const char* chunk_object() const override { return "text_completion"; }

 private:
  std::map<int32_t, LegacyLogprobs> stream_logprobs_;  // per choice index: running text_offset
};

}  // namespace liftoff::server::openai
