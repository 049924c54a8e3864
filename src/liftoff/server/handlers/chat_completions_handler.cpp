// POST /v1/chat/completions: messages rendered with the model's chat template -> chat.completion.
#include <nlohmann/json.hpp>

#include "liftoff/server/handlers/generation_call.h"
#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/openai/chat_format.h"
#include "liftoff/server/openai/chat_request.h"
#include "liftoff/tokenizer/chat_template.h"

namespace liftoff::server::handlers {

void handle_chat_completions(const ServingContext& ctx, http::Exchange exchange) {
  auto body = json_body(exchange);
  if (!body.ok()) return respond_error(exchange, body.error());
  auto req = openai::parse_chat_request(body.value(), ctx.limits);
  if (!req.ok()) return respond_error(exchange, req.error());
  const openai::GenerationParams& params = req.value().params;
  if (auto e = check_model(ctx, params.model)) return respond_error(exchange, *e);

  const tokenizer::Tokenizer& tok = *ctx.tokenizer;
  tokenizer::ChatTemplateInputs inputs;
  inputs.add_generation_prompt = true;
  if (tok.bos() >= 0) inputs.bos_token = tok.text(tok.bos());
  if (tok.eos() >= 0) inputs.eos_token = tok.text(tok.eos());
  auto rendered = ctx.chat_template->apply(req.value().messages, inputs);
  if (!rendered.ok()) {
    return respond_error(exchange, openai::ApiError{rendered.status(), "messages", ""});
  }
  GenerationPlan plan = make_plan(params, "chat.completions");
  plan.prompts.push_back(tokenizer::tokenize_rendered_chat(tok, *rendered));
  run_generation(
      ctx, std::move(exchange), std::move(plan),
      std::make_unique<openai::ChatFormat>(make_format_options(ctx, params, "chatcmpl-")));
}

}  // namespace liftoff::server::handlers
