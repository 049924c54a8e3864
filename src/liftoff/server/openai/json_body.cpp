// JSON body parsing (depth-limited, exception-free) and tolerant dumping.
#include "liftoff/server/openai/json_body.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace liftoff::server::openai {
namespace {

// The nesting depth of `text` as JSON, ignoring brackets inside strings; stops counting past
// `limit`. Malformed text is left for the parser to reject.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

ApiResult<nlohmann::json> parse_json_object(std::string_view body) {
  if (nesting_depth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return invalid_field(
        "", "request body nests JSON deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  // allow_exceptions=false: a parse error yields a `discarded` value instead of throwing.
  nlohmann::json parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded()) {
    return invalid_field("", body.empty() ? "request body is empty; expected a JSON object"
                                          : "request body is not valid JSON");
  }
  if (!parsed.is_object()) return invalid_field("", "request body must be a JSON object");
  return parsed;
}

double json_float(float f) {
  if (!std::isfinite(f)) return f;  // nlohmann writes these as null
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, f).ptr;
  double d = f;
  std::from_chars(buf, end, d);
  return d;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dump_json(const nlohmann::ordered_json& value) {
  return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace liftoff::server::openai
