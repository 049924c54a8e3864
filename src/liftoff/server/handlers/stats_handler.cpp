// GET /stats: the engine's latest EngineStats snapshot as JSON (for operators and tests).
#include <nlohmann/json.hpp>

#include "liftoff/server/handlers/handler_support.h"
#include "liftoff/server/handlers/handlers.h"

namespace liftoff::server::handlers {

void handle_stats(const ServingContext& ctx, http::Exchange exchange) {
  const engine::EngineStats s = ctx.engine->stats();
  respond_json(exchange, {{"running", s.running},
                          {"waiting", s.waiting},
                          {"kv_blocks_total", s.kv_blocks_total},
                          {"kv_blocks_used", s.kv_blocks_used},
                          {"kv_blocks_cached", s.kv_blocks_cached},
                          {"prefix_cache_queries", s.prefix_cache_queries},
                          {"prefix_cache_hits", s.prefix_cache_hits},
                          {"preemptions", s.preemptions},
                          {"steps", s.steps},
                          {"prompt_tokens", s.prompt_tokens},
                          {"generated_tokens", s.generated_tokens},
                          {"requests_finished", s.requests_finished}});
}

}  // namespace liftoff::server::handlers
