// What a caller hands the engine loop and what it gets back. The server turns an HTTP request
// into a GenerationRequest or EmbeddingRequest plus a RequestRecord, submits it, and receives
// RequestUpdates through its UpdateSink. Nothing here knows about HTTP or JSON.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/engine/finish_reason.h"
#include "liftoff/engine/sampler.h"

namespace liftoff::engine {

using SteadyTime = std::chrono::steady_clock::time_point;

// The per-request record carried from the HTTP layer through the engine and back: the seam for
// usage accounting, rate limits, logs and metrics. The caller fills id, caller and received; the
// engine fills the rest and returns the completed record with the request's last update.
struct RequestRecord {
  std::string id;          // unique; returned to the client as x-request-id
  std::string caller;      // who asked (API key id, OpenAI `user`); "" when anonymous
  std::string route;       // e.g. "chat.completions", for whoever reads the record
  SteadyTime received{};   // HTTP request fully read
  SteadyTime queued{};     // accepted by the engine
  SteadyTime first_token{};  // first generated token sampled (any choice); unset for embeddings
  SteadyTime finished{};   // last update sent
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;      // prompt tokens whose KV came from the prefix cache
  int64_t completion_tokens = 0;  // sampled tokens over all choices (end-of-generation included)
  std::optional<FinishReason> finish;  // of choice 0 (the request's for n == 1)
};

struct GenerationRequest {
  std::vector<int32_t> prompt;  // already tokenized (chat template applied, BOS added)
  SamplingParams sampling;      // choice i samples with seed sampling.seed + i
  int64_t max_tokens = -1;      // -1: until the context is full
  std::vector<std::string> stop;  // stop strings; the text ends before the first match
  bool ignore_eos = false;
  int32_t n = 1;                // choices; they share the prompt's KV blocks
};

struct EmbeddingRequest {
  std::vector<int32_t> tokens;  // one input; the server submits one request per input
};

// Progress of one choice since its previous delta. Text never splits a UTF-8 character and
// never contains (a prefix of) a stop string that may still complete: such text is held back
// until it is ruled out. `tokens` are the sampled tokens whose text is released by this delta.
struct ChoiceDelta {
  int32_t index = 0;
  std::string text;
  std::vector<SampledToken> tokens;
  std::optional<FinishReason> finish;  // set on the choice's last delta
};

struct RequestUpdate {
  std::vector<ChoiceDelta> choices;  // choices that progressed (in index order)
  bool done = false;                 // last update of the request: every choice has finished,
                                     // or `error` is set
  Status error;                      // why the request failed (done is then true)
  RequestRecord record;              // complete on the last update (token counts, times)
  std::vector<float> embedding;      // embedding requests, last update: L2-normalised mean of
                                     // the final-norm hidden states over all input tokens
};

// Called on the engine loop thread, in order, once per step in which the request progressed.
// It must return quickly and never block (post the update to your own executor).
using UpdateSink = std::function<void(RequestUpdate&&)>;

}  // namespace liftoff::engine
