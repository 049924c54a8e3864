// GET /v1/models and GET /v1/models/{id}: the one model this server serves.
#include <nlohmann/json.hpp>

#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/openai/error_json.h"

namespace liftoff::server::handlers {
namespace {

nlohmann::ordered_json model_object(const ServingContext& ctx) {
  return {{"id", ctx.model_id},
          {"object", "model"},
          {"created", ctx.model_created},
          {"owned_by", "liftoff"},
          // vLLM's extension: the context length a request may fill.
          {"max_model_len", ctx.engine->n_ctx()}};
}

}  // namespace

void handle_list_models(const ServingContext& ctx, http::Exchange exchange) {
  respond_json(exchange,
               {{"object", "list"}, {"data", nlohmann::ordered_json::array({model_object(ctx)})}});
}

void handle_get_model(const ServingContext& ctx, http::Exchange exchange) {
  const std::string& id = exchange.params().at(0);
  if (id != ctx.model_id) return respond_error(exchange, openai::model_not_found(id));
  respond_json(exchange, model_object(ctx));
}

}  // namespace liftoff::server::handlers
