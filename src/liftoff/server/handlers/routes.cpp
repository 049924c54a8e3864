// The route table: every endpoint the server answers.
#include "liftoff/server/handlers/handlers.h"

namespace liftoff::server::handlers {

void add_routes(http::Router& router, const ServingContext& ctx) {
  const ServingContext* c = &ctx;
  auto bind = [c](void (*handler)(const ServingContext&, http::Exchange)) {
    return [c, handler](http::Exchange exchange) { handler(*c, std::move(exchange)); };
  };
  router.add("POST", "/v1/completions", bind(handle_completions));
  router.add("POST", "/v1/chat/completions", bind(handle_chat_completions));
  router.add("POST", "/v1/embeddings", bind(handle_embeddings));
  router.add("GET", "/v1/models", bind(handle_list_models));
  router.add("GET", "/v1/models/{id}", bind(handle_get_model));
  router.add("GET", "/health", bind(handle_health));
  router.add("GET", "/ready", bind(handle_ready));
  router.add("GET", "/stats", bind(handle_stats));
}

}  // namespace liftoff::server::handlers
