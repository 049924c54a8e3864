// Shared handler helpers.
#include "liftoff/server/handlers/handler_support.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "liftoff/base/log.h"
#include "liftoff/server/openai/error_json.h"
#include "liftoff/server/openai/json_body.h"

namespace liftoff::server::handlers {

openai::ApiResult<nlohmann::json> json_body(const http::Exchange& exchange) {
  return openai::parse_json_object(exchange.request().body());
}

openai::MaybeError check_model(const ServingContext& ctx, const std::string& requested) {
  if (requested.empty() || requested == ctx.model_id) return std::nullopt;
  return openai::model_not_found(requested);
}

void respond_json(const http::Exchange& exchange, const nlohmann::ordered_json& body,
                  unsigned status) {
  http::Response r;
  r.status = status;
  r.body = openai::dump_json(body);
  exchange.respond(std::move(r));
}

void respond_error(const http::Exchange& exchange, const openai::ApiError& error) {
  http::Response r = openai::error_response(error);
  base::logger("server")->info("request.error req={} http_status={} code={} param={}",
                               exchange.request_id(), r.status, status_token(error.status.code()),
                               error.param.empty() ? "-" : error.param);
  exchange.respond(std::move(r));
}

std::string status_token(StatusCode code) {
  std::string name = status_code_name(code);
  for (char& c : name) {
    if (c == ' ') c = '_';
  }
  return name;
}

uint64_t random_seed() {
  thread_local std::mt19937_64 rng{(static_cast<uint64_t>(std::random_device{}()) << 32) ^
                                   std::random_device{}()};
  return rng();
}

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace liftoff::server::handlers
