// GenerationCall: runs one /v1/completions or /v1/chat/completions request against the engine.
// Submits one engine request per prompt, then either streams each update as SSE events or
// collects the choices and answers once. A client that goes away cancels every engine request.
// Engine updates arrive on the engine thread and are posted to the connection's strand; all
// state here is touched on that strand only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "liftoff/engine/request.h"
#include "liftoff/server/handlers/serving_context.h"
#include "liftoff/server/http/exchange.h"
#include "liftoff/server/openai/generation_format.h"
#include "liftoff/server/openai/generation_params.h"

namespace liftoff::server::handlers {

struct GenerationPlan {
  std::vector<std::vector<int32_t>> prompts;  // tokenized; choices of prompt i are i*n .. i*n+n-1
  engine::GenerationRequest request;          // everything but the prompt (sampling is seeded)
  bool stream = false;
  std::string route;   // "completions", "chat.completions"
  std::string caller;  // the OpenAI `user`
};

// The plan for `params` (prompts left empty): the engine request with the seed drawn if the
// client gave none, and the caller.
GenerationPlan make_plan(const openai::GenerationParams& params, std::string route);

// Response ids ("<prefix><24 random characters>"), creation time, model and logprob options.
openai::FormatOptions make_format_options(const ServingContext& ctx,
                                          const openai::GenerationParams& params,
                                          std::string_view id_prefix);

// Starts the call on the exchange's strand; the exchange is answered (or abandoned, if the
// client leaves) when every engine request has finished.
void run_generation(const ServingContext& ctx, http::Exchange exchange, GenerationPlan plan,
                    std::unique_ptr<openai::GenerationFormat> format);

// Writes `request.done req=... route=... status=... prompt_tokens=... cached_tokens=...
// completion_tokens=... ttft_ms=... total_ms=...` for a finished engine request.
void log_request_done(const engine::RequestRecord& record, std::string_view status);

}  // namespace liftoff::server::handlers
