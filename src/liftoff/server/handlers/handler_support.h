// Small pieces every endpoint handler uses: body parsing, model check, JSON and error replies
// (errors are logged by status and param, never by message, which may quote the request).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "liftoff/server/handlers/serving_context.h"
#include "liftoff/server/http/exchange.h"
#include "liftoff/server/openai/api_error.h"

namespace liftoff::server::handlers {

// The request body as a JSON object, or the 400 to send.
openai::ApiResult<nlohmann::json> json_body(const http::Exchange& exchange);

// OK for "" (absent: the served model) and for the served id; else 404 model_not_found.
openai::MaybeError check_model(const ServingContext& ctx, const std::string& requested);

void respond_json(const http::Exchange& exchange, const nlohmann::ordered_json& body,
                  unsigned status = 200);
void respond_error(const http::Exchange& exchange, const openai::ApiError& error);

// The status code as one log token: "invalid_argument", "resource_exhausted", ...
std::string status_token(StatusCode code);

// A seed for a request that did not give one.
uint64_t random_seed();

// Unix seconds now, for `created`.
int64_t unix_seconds();

}  // namespace liftoff::server::handlers
