// Typed request-field readers with OpenAI-style 400 messages.
#include "liftoff/server/openai/json_fields.h"

#include <cmath>
#include <cstdio>

namespace liftoff::server::openai {
namespace {

ApiError wrong_type(std::string_view key, const char* expected, const nlohmann::json& got) {
  return invalid_field(std::string(key), "'" + std::string(key) + "' must be " + expected +
                                             ", got " + json_type_name(got));
}

std::string range_text(double lo, double hi) {
  return "between " + format_number(lo) + " and " + format_number(hi);
}

}  // namespace

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

const nlohmann::json* field(const nlohmann::json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

MaybeError read_bool(const nlohmann::json& object, std::string_view key, bool* out) {
  const nlohmann::json* v = field(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) return wrong_type(key, "a boolean", *v);
  *out = v->get<bool>();
  return std::nullopt;
}

MaybeError read_string(const nlohmann::json& object, std::string_view key, std::string* out) {
  const nlohmann::json* v = field(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) return wrong_type(key, "a string", *v);
  *out = v->get<std::string>();
  return std::nullopt;
}

MaybeError read_number(const nlohmann::json& object, std::string_view key, double lo, double hi,
                       double* out) {
  const nlohmann::json* v = field(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) return wrong_type(key, "a number", *v);
  const double x = v->get<double>();
  if (!(x >= lo && x <= hi)) {
    return invalid_field(std::string(key), "'" + std::string(key) + "' must be " +
                                               range_text(lo, hi) + ", got " + format_number(x));
  }
  *out = x;
  return std::nullopt;
}

MaybeError read_float(const nlohmann::json& object, std::string_view key, double lo, double hi,
                      float* out) {
  double x = 0;
  if (auto e = read_number(object, key, lo, hi, &x)) return e;
  if (field(object, key) != nullptr) *out = static_cast<float>(x);
  return std::nullopt;
}

MaybeError as_int(const nlohmann::json& value, const std::string& param, int64_t lo, int64_t hi,
                  int64_t* out) {
  int64_t x = 0;
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    x = u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    x = value.get<int64_t>();
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!(std::isfinite(d) && d == std::floor(d))) {
      return invalid_field(param, "'" + param + "' must be an integer, got " + format_number(d));
    }
    // Beyond +-2^63 the value is out of any range we accept; clamp before converting.
    x = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(d);
  } else {
    return invalid_field(param, "'" + param + "' must be an integer, got " + json_type_name(value));
  }
  if (x < lo || x > hi) {
    return invalid_field(
        param, "'" + param + "' must be between " + std::to_string(lo) + " and " +
                   std::to_string(hi) + ", got " +
                   (value.is_number_float() ? format_number(value.get<double>()) : value.dump()));
  }
  *out = x;
  return std::nullopt;
}

MaybeError read_int(const nlohmann::json& object, std::string_view key, int64_t lo, int64_t hi,
                    int64_t* out) {
  const nlohmann::json* v = field(object, key);
  if (v == nullptr) return std::nullopt;
  return as_int(*v, std::string(key), lo, hi, out);
}

}  // namespace liftoff::server::openai
