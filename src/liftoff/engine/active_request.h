// The engine loop's private state for one submitted request and its choices. Only the loop
// thread touches these (the cancel flag aside), so nothing here is synchronised.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "liftoff/engine/request.h"
#include "liftoff/engine/sampler.h"
#include "liftoff/engine/sequence.h"
#include "liftoff/engine/stop_matcher.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::engine {

struct ActiveRequest;

// One generated sequence of a request: the scheduler sees its Sequence part.
struct Choice : Sequence {
  Choice(ActiveRequest& owner, int32_t choice_index, const SamplingParams& params, size_t n_vocab,
         const tokenizer::Tokenizer& tok, std::vector<std::string> stops)
      : request(&owner), index(choice_index), sampler(params, n_vocab), decoder(tok),
        stop(std::move(stops)) {}

  ActiveRequest* request;
  int32_t index;
  Sampler sampler;
  tokenizer::StreamingDecoder decoder;
  StopMatcher stop;
  int64_t n_generated = 0;
  bool finished = false;
  ChoiceDelta delta;       // what the next update carries for this choice
  bool has_delta = false;
};

struct ActiveRequest {
  RequestRecord record;
  UpdateSink sink;
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  bool is_embedding = false;
  int64_t prompt_len = 0;
  int64_t max_tokens = -1;
  bool ignore_eos = false;
  int32_t n_choices = 1;
  SamplingParams sampling;          // choice i uses seed + i
  std::vector<std::string> stops;
  bool forked = false;              // choices 1..n-1 exist
  std::vector<std::unique_ptr<Choice>> choices;
  int32_t n_finished = 0;
  std::vector<double> embedding_sum;  // [n_embd], embeddings only
  bool progressed = false;          // an update is due at the end of this step
  bool done = false;
};

}  // namespace liftoff::engine
