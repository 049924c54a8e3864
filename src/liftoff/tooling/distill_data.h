// Distillation data: a teacher model's completions of a list of prompts with the top-k log
// probabilities of every generated token, one JSON line per prompt. Input JSONL lines are
// {"prompt": "..."} (tokenized with BOS, special tokens parsed) or {"messages": [{"role",
// "content"}]} (rendered with the model's chat template). Output lines follow OpenAI's chat
// logprobs shape:
//   {"index", "prompt", ["messages"], "prompt_token_ids", "completion", "token_ids",
//    "finish_reason": "stop"|"length",
//    "logprobs": {"content": [{"token", "id", "bytes", "logprob",
//                              "top_logprobs": [{"token", "id", "bytes", "logprob"}, ...]}]}}
// with token ids added; logprobs are natural-log softmax of the raw logits (before temperature).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/model/model.h"
#include "liftoff/tokenizer/chat_template.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tooling {

struct DistillPrompt {
  int64_t line = 0;                              // 1-based line in the input
  std::string prompt;                            // {"prompt"} text, or "" with messages
  std::vector<tokenizer::ChatMessage> messages;  // {"messages"}, else empty
};

// Parses JSONL; blank lines are skipped. kInvalidArgument "line N: ..." for a line that is not a
// JSON object with a string "prompt" or a non-empty "messages" array of {role, content} strings.
Result<std::vector<DistillPrompt>> parse_distill_prompts(std::string_view jsonl);

struct DistillOptions {
  int64_t max_tokens = 128;
  int32_t top_k = 20;        // top logprobs per token, 1..20
  float temperature = 0.0f;  // 0 = greedy; otherwise plain sampling from softmax(logits / T)
  uint64_t seed = 0;         // prompt i is sampled with seed + i
  int64_t n_ctx = 0;         // 0: the model's training context, at most 4096
};

// Generates every prompt and writes OUT (temp file + rename: no half-written output).
// `on_done` (optional) is called after each prompt with its index. Errors: a prompt that does not
// fit the context (naming its line), a chat template error, I/O.
Status write_distill_data(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const std::vector<DistillPrompt>& prompts, const DistillOptions& options,
                          base::ThreadPool& pool, const std::filesystem::path& out,
                          const std::function<void(size_t)>& on_done = {});

}  // namespace liftoff::tooling
