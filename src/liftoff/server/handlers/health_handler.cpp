// GET /health (the process answers) and GET /ready (the model is loaded and the server is not
// draining: load balancers stop sending traffic when this turns 503).
#include <nlohmann/json.hpp>

#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"
#include "liftoff/server/openai/error_json.h"

namespace liftoff::server::handlers {

void handle_health(const ServingContext&, http::Exchange exchange) {
  respond_json(exchange, {{"status", "ok"}});
}

void handle_ready(const ServingContext& ctx, http::Exchange exchange) {
  if (ctx.connections != nullptr && ctx.connections->draining.load()) {
    return exchange.respond(
        openai::render_http_error({http::HttpErrorKind::kShuttingDown, "", ""}));
  }
  respond_json(exchange, {{"status", "ready"}, {"model", ctx.model_id}});
}

}  // namespace liftoff::server::handlers
