// generate: the single-sequence generation loop (evaluate prompt, then sample -> detokenize ->
// evaluate, until an end-of-generation token or the token limit). Used by `liftoff run` and the
// golden tests; the serving engine loop interleaves many sequences instead.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/engine/finish_reason.h"
#include "liftoff/engine/sampler.h"
#include "liftoff/engine/sequence_runner.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::engine {

struct GenerateOptions {
  int64_t max_tokens = 128;
  SamplingParams sampling;
  bool ignore_eos = false;  // keep going past end-of-generation tokens
};

struct GenerateResult {
  std::vector<SampledToken> tokens;  // generated tokens (an end-of-generation token excluded)
  std::string text;
  FinishReason finish = FinishReason::kLength;
  int64_t prompt_tokens = 0;
  double prompt_seconds = 0;
  double generate_seconds = 0;  // sampling + decoding of all generated tokens
};

// on_token: each generated token; return false to stop early (finish = kStop).
// on_text: each non-empty piece of text as it becomes complete UTF-8 (incl. the final flush).
struct GenerateCallbacks {
  std::function<bool(const SampledToken&)> on_token;
  std::function<void(std::string_view)> on_text;
};

// The runner must be empty (n_past == 0). Errors: prompt empty or longer than the context.
Result<GenerateResult> generate(SequenceRunner& runner, const tokenizer::Tokenizer& tok,
                                std::span<const int32_t> prompt, const GenerateOptions& options,
                                const GenerateCallbacks& callbacks = {});

}  // namespace liftoff::engine
