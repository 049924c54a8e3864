// The load-test run, start to end.
#include "liftoff/tooling/loadtest.h"

#include <string>
#include <vector>

#include "liftoff/formats/open_model.h"
#include "liftoff/tokenizer/tokenizer.h"
#include "liftoff/tooling/loadtest_prompts.h"
#include "liftoff/tooling/loadtest_request.h"
#include "liftoff/tooling/loadtest_runner.h"
#include "liftoff/tooling/loadtest_token_prompts.h"
#include "liftoff/tooling/loadtest_url.h"

namespace liftoff::tooling {
namespace {

Status validate(const LoadtestOptions& o) {
  auto at_least = [](const char* name, int64_t value, int64_t min) -> Status {
    if (value >= min) return Status::ok();
    return Status::invalid_argument(std::string(name) + " must be at least " + std::to_string(min) +
                                    ", got " + std::to_string(value));
  };
  LIFTOFF_RETURN_IF_ERROR(at_least("--concurrency", o.concurrency, 1));
  LIFTOFF_RETURN_IF_ERROR(at_least("--requests", o.requests, 1));
  LIFTOFF_RETURN_IF_ERROR(at_least("--warmup", o.warmup, 0));
  LIFTOFF_RETURN_IF_ERROR(at_least("--prompt-tokens", o.prompt_tokens, 1));
  LIFTOFF_RETURN_IF_ERROR(at_least("--shared-prefix", o.shared_prefix, 0));
  LIFTOFF_RETURN_IF_ERROR(at_least("--max-tokens", o.max_tokens, 1));
  if (o.shared_prefix > o.prompt_tokens) {
    return Status::invalid_argument("--shared-prefix " + std::to_string(o.shared_prefix) +
                                    " is longer than --prompt-tokens " +
                                    std::to_string(o.prompt_tokens));
  }
  if (!(o.timeout_s > 0)) {
    return Status::invalid_argument("--timeout must be positive, got " +
                                    std::to_string(o.timeout_s));
  }
  if (!(o.temperature >= 0)) {
    return Status::invalid_argument("--temperature must be >= 0, got " +
                                    std::to_string(o.temperature));
  }
  return Status::ok();
}

// The prompts of all requests, warm-up first: word prompts, or exact-length token prompts when a
// tokenizer is given.
Result<std::vector<Prompt>> make_prompts(const LoadtestOptions& o, size_t n) {
  const PromptSpec spec{o.prompt_tokens, o.shared_prefix, o.seed};
  std::vector<Prompt> prompts;
  prompts.reserve(n);
  if (o.tokenizer_model.empty()) {
    for (size_t i = 0; i < n; ++i) prompts.push_back(make_word_prompt(spec, i));
    return prompts;
  }
  LIFTOFF_ASSIGN_OR_RETURN(auto file, formats::open_model_file(o.tokenizer_model));
  LIFTOFF_ASSIGN_OR_RETURN(auto tok, tokenizer::Tokenizer::from_model_file(file));
  LIFTOFF_ASSIGN_OR_RETURN(auto builder, TokenPromptBuilder::create(tok));
  for (size_t i = 0; i < n; ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(Prompt p, builder.make(spec, i));
    prompts.push_back(std::move(p));
  }
  return prompts;
}

}  // namespace

Result<LoadtestResult> run_loadtest(const LoadtestOptions& o) {
  LIFTOFF_RETURN_IF_ERROR(validate(o));
  LIFTOFF_ASSIGN_OR_RETURN(ServerUrl url, parse_server_url(o.url));
  // Prompts are made before the server is contacted, so a bad --tokenizer-model fails fast, and
  // before the clock starts, so making them never competes with the responses being timed.
  LIFTOFF_ASSIGN_OR_RETURN(auto prompts,
                           make_prompts(o, static_cast<size_t>(o.warmup + o.requests)));
  RunnerConfig config;
  config.api_key = o.api_key;
  config.stream = o.stream;
  config.chat = o.chat;
  config.concurrency = o.concurrency;
  config.timeout = std::chrono::duration<double>(o.timeout_s);
  LIFTOFF_ASSIGN_OR_RETURN(auto runner, LoadRunner::create(url, config));

  LoadtestResult result;
  result.url = url.to_string();
  result.model = o.model;
  if (result.model.empty()) {
    LIFTOFF_ASSIGN_OR_RETURN(result.model, runner->fetch_first_model_id());
  }

  RequestShape shape;
  shape.model = result.model;
  shape.max_tokens = o.max_tokens;
  shape.temperature = o.temperature;
  shape.stream = o.stream;
  shape.chat = o.chat;
  shape.ignore_eos = o.ignore_eos;
  std::vector<std::string> bodies;
  bodies.reserve(prompts.size());
  for (const Prompt& p : prompts) bodies.push_back(build_request_body(shape, p));

  const std::string suffix(endpoint_suffix(o.chat));
  const auto warmup = static_cast<size_t>(o.warmup);
  if (warmup > 0) runner->run(suffix, std::span<const std::string>(bodies).first(warmup));
  RunResult measured = runner->run(suffix, std::span<const std::string>(bodies).subspan(warmup));
  result.summary = summarize_records(measured.records, measured.duration_s, o.stream);
  result.n_connections = runner->n_connects();
  return result;
}

}  // namespace liftoff::tooling
