// The single-sequence generation loop.
#include "liftoff/engine/generate.h"

#include <chrono>
#include <vector>

namespace liftoff::engine {

Result<GenerateResult> generate(SequenceRunner& runner, const tokenizer::Tokenizer& tok,
                                std::span<const int32_t> prompt, const GenerateOptions& options,
                                const GenerateCallbacks& callbacks) {
  if (prompt.empty()) return Status::invalid_argument("the prompt has no tokens");
  if (runner.n_past() != 0) return Status::internal("generate() needs an empty sequence");
  if (static_cast<int64_t>(prompt.size()) >= runner.n_ctx()) {
    return Status::invalid_argument("the prompt has " + std::to_string(prompt.size()) +
                                    " tokens but the context holds " +
                                    std::to_string(runner.n_ctx()) +
                                    " (it must leave room for at least one generated token)");
  }
  const size_t n_vocab = tok.n_vocab();
  LIFTOFF_RETURN_IF_ERROR(options.sampling.validate(n_vocab));
  using clock = std::chrono::steady_clock;
  GenerateResult result;
  result.prompt_tokens = static_cast<int64_t>(prompt.size());

  auto t0 = clock::now();
  LIFTOFF_ASSIGN_OR_RETURN(auto logits_view, runner.eval(prompt));
  result.prompt_seconds = std::chrono::duration<double>(clock::now() - t0).count();

  Sampler sampler(options.sampling, n_vocab);
  tokenizer::StreamingDecoder decoder(tok);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  std::vector<float> logits(logits_view.begin(), logits_view.end());
  auto t1 = clock::now();
  while (static_cast<int64_t>(result.tokens.size()) < options.max_tokens) {
    SampledToken s = sampler.sample(logits, history);
    if (!options.ignore_eos && tok.is_end_of_generation(s.token)) {
      result.finish = FinishReason::kStop;
      break;
    }
    history.push_back(s.token);
    std::string piece = decoder.push(s.token);
    result.text += piece;
    result.tokens.push_back(s);
    if (callbacks.on_text && !piece.empty()) callbacks.on_text(piece);
    if (callbacks.on_token && !callbacks.on_token(result.tokens.back())) {
      result.finish = FinishReason::kStop;
      break;
    }
    if (static_cast<int64_t>(result.tokens.size()) == options.max_tokens) break;
    if (runner.n_past() >= runner.n_ctx()) break;  // context full: finish as kLength
    LIFTOFF_ASSIGN_OR_RETURN(logits_view, runner.eval(std::span<const int32_t>(&s.token, 1)));
    logits.assign(logits_view.begin(), logits_view.end());
  }
  std::string tail = decoder.flush();
  if (!tail.empty()) {
    result.text += tail;
    if (callbacks.on_text) callbacks.on_text(tail);
  }
  result.generate_seconds = std::chrono::duration<double>(clock::now() - t1).count();
  return result;
}

}  // namespace liftoff::engine
