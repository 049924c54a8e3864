// The endpoint handlers, one file each, and the route table that wires them.
#pragma once

#include "liftoff/server/handlers/serving_context.h"
#include "liftoff/server/http/exchange.h"
#include "liftoff/server/http/router.h"

namespace liftoff::server::handlers {

void handle_completions(const ServingContext& ctx, http::Exchange exchange);       // POST
void handle_chat_completions(const ServingContext& ctx, http::Exchange exchange);  // POST
void handle_embeddings(const ServingContext& ctx, http::Exchange exchange);        // POST
void handle_list_models(const ServingContext& ctx, http::Exchange exchange);       // GET
void handle_get_model(const ServingContext& ctx, http::Exchange exchange);         // GET {id}
void handle_health(const ServingContext& ctx, http::Exchange exchange);            // GET: alive
void handle_ready(const ServingContext& ctx, http::Exchange exchange);             // GET: serving
void handle_stats(const ServingContext& ctx, http::Exchange exchange);  // GET: EngineStats

// Registers every route; `ctx` must outlive the router.
void add_routes(http::Router& router, const ServingContext& ctx);

}  // namespace liftoff::server::handlers
