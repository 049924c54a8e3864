// POST /v1/completions: prompts (text or token ids) -> text_completion.
#include <nlohmann/json.hpp>

#include "liftoff/server/handlers/generation_call.h"
#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/openai/completion_format.h"
#include "liftoff/server/openai/completion_request.h"

namespace liftoff::server::handlers {

void handle_completions(const ServingContext& ctx, http::Exchange exchange) {
  auto body = json_body(exchange);
  if (!body.ok()) return respond_error(exchange, body.error());
  auto req = openai::parse_completion_request(body.value(), ctx.limits);
  if (!req.ok()) return respond_error(exchange, req.error());
  if (auto e = check_model(ctx, req.value().params.model)) return respond_error(exchange, *e);

  const openai::GenerationParams& params = req.value().params;
  GenerationPlan plan = make_plan(params, "completions");
  for (openai::PromptInput& p : req.value().prompts) {
    // Text prompts get the model's BOS and may spell special tokens, as in llama.cpp's server.
    plan.prompts.push_back(p.is_tokens ? std::move(p.tokens)
                                       : ctx.tokenizer->encode(p.text, true, true));
  }
  run_generation(
      ctx, std::move(exchange), std::move(plan),
      std::make_unique<openai::CompletionFormat>(make_format_options(ctx, params, "cmpl-")));
}

}  // namespace liftoff::server::handlers
