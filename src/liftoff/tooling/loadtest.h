// `liftoff loadtest`: measures any OpenAI-compatible server (liftoff serve, llama.cpp's
// llama-server, vLLM) under C concurrent clients. This file is the whole run: validate options,
// find the model, build prompts, warm up, measure, summarise. Printing is loadtest_report.
#pragma once

#include <cstdint>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/tooling/loadtest_summary.h"

namespace liftoff::tooling {

struct LoadtestOptions {
  std::string url;      // http://host:port/prefix, e.g. http://127.0.0.1:8080/v1
  std::string model;    // "" = the first id from GET {url}/models
  std::string api_key;  // "" = no Authorization header
  int64_t concurrency = 1;
  int64_t requests = 100;  // measured requests
  int64_t warmup = 0;      // requests sent first and not counted
  // Prompt length in words of about one token each or, with tokenizer_model, in exact tokens.
  int64_t prompt_tokens = 128;
  int64_t shared_prefix = 0;    // leading words (tokens) identical in every request
  std::string tokenizer_model;  // GGUF (or llama2.c checkpoint) whose tokenizer sizes prompts
  int64_t max_tokens = 128;
  double temperature = 0;
  bool stream = false;
  bool chat = false;
  bool ignore_eos = true;
  double timeout_s = 600;  // per request
  uint64_t seed = 0;       // prompts are a function of (seed, request index)
};

struct LoadtestResult {
  std::string url;    // normalised
  std::string model;  // as sent
  LoadtestSummary summary;
  int64_t n_connections = 0;  // TCP connections opened (warm-up included); C when keep-alive held
};

// Runs the warm-up and the measured requests. Errors only for what prevents a run: invalid
// options, an unusable URL or host, no model to name. Failed requests are in the summary instead.
Result<LoadtestResult> run_loadtest(const LoadtestOptions& options);

}  // namespace liftoff::tooling
