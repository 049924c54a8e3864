// GenerationFormat: how a generation endpoint's results look on the wire. The handler's call
// logic (submit, collect, stream) is shared; ChatFormat and CompletionFormat differ only here.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "liftoff/engine/finish_reason.h"
#include "liftoff/engine/request.h"
#include "liftoff/engine/sampler.h"

namespace liftoff::server::openai {

// The text of one token as logprobs report it (tokenizer.token_to_piece; control tokens "").
using TokenPiece = std::function<std::string(int32_t)>;

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;  // of prompt_tokens, served from the prefix cache
};

nlohmann::ordered_json usage_json(const Usage& usage);
// "stop" / "length", or null while the choice is still running.
nlohmann::ordered_json finish_json(const std::optional<engine::FinishReason>& finish);

struct FormatOptions {
  std::string id;       // "chatcmpl-..." / "cmpl-..."
  int64_t created = 0;  // Unix seconds
  std::string model;
  bool logprobs = false;
  int32_t top_logprobs = 0;
  bool include_usage = false;  // streams: "usage": null on every chunk, then a usage chunk
  TokenPiece piece;
};

// One choice of a non-streamed answer, accumulated from its deltas.
struct ChoiceResult {
  std::string text;
  std::vector<engine::SampledToken> tokens;  // kept only when logprobs are asked for
  std::optional<engine::FinishReason> finish;
};

class GenerationFormat {
 public:
  explicit GenerationFormat(FormatOptions options) : options_(std::move(options)) {}
  virtual ~GenerationFormat() = default;

  const FormatOptions& options() const { return options_; }

  // The complete non-streamed response; choices[i] has index i.
  virtual nlohmann::ordered_json response(std::span<const ChoiceResult> choices,
                                          const Usage& usage) const = 0;

  // Streaming: each returned object is one SSE event's data.
  // Events sent before any token (chat: one role delta per choice).
  virtual std::vector<nlohmann::ordered_json> stream_start(int32_t n_choices) const = 0;
  // Events for one choice's delta (empty if it carries nothing to show). Not const: legacy
  // logprobs carry a running text offset per choice.
  virtual std::vector<nlohmann::ordered_json> stream_delta(const engine::ChoiceDelta& delta) = 0;
  // The final usage event (choices: []), sent when include_usage is set.
  nlohmann::ordered_json usage_chunk(const Usage& usage) const;

 protected:
  // "chat.completion.chunk" or "text_completion".
  virtual const char* chunk_object() const = 0;
  // {"id", "object", "created", "model"} (+ "usage": null when include_usage).
  nlohmann::ordered_json chunk_head(const char* object) const;
  FormatOptions options_;
};

}  // namespace liftoff::server::openai
