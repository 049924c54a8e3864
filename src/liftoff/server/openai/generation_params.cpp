// Shared generation fields with OpenAI's names, defaults and ranges; extensions that vLLM and
// llama.cpp accept (top_k, min_p, repetition_penalty, ignore_eos) are read here too.
#include "liftoff/server/openai/generation_params.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "liftoff/server/openai/json_fields.h"

namespace liftoff::server::openai {
namespace {

constexpr int64_t kMaxTokensLimit = int64_t{1} << 31;

ApiError unsupported(const std::string& param, const std::string& what) {
  return invalid_field(param, what + " is not supported by this server");
}

MaybeError read_stop(const nlohmann::json& body, std::vector<std::string>* out) {
  const nlohmann::json* v = field(body, "stop");
  if (v == nullptr) return std::nullopt;
  std::vector<std::string> stops;
  if (v->is_string()) {
    stops.push_back(v->get<std::string>());
  } else if (v->is_array()) {
    if (v->size() > kMaxStopStrings) {
      return invalid_field("stop", "'stop' may hold at most " + std::to_string(kMaxStopStrings) +
                                       " strings, got " + std::to_string(v->size()));
    }
    for (size_t i = 0; i < v->size(); ++i) {
      const auto& s = (*v)[i];
      if (!s.is_string()) {
        return invalid_field(
            "stop", "'stop[" + std::to_string(i) + "]' must be a string, got " + json_type_name(s));
      }
      stops.push_back(s.get<std::string>());
    }
  } else {
    return invalid_field(
        "stop", "'stop' must be a string or an array of strings, got " + json_type_name(*v));
  }
  // An empty stop string would end every completion before it starts; it means "no stop".
  std::erase_if(stops, [](const std::string& s) { return s.empty(); });
  *out = std::move(stops);
  return std::nullopt;
}

MaybeError read_logit_bias(const nlohmann::json& body, size_t n_vocab,
                           std::vector<std::pair<int32_t, float>>* out) {
  const nlohmann::json* v = field(body, "logit_bias");
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) {
    return invalid_field("logit_bias",
                         "'logit_bias' must be an object mapping token ids to "
                         "biases, got " +
                             json_type_name(*v));
  }
  std::vector<std::pair<int32_t, float>> biases;
  for (const auto& [key, bias] : v->items()) {
    int64_t id = -1;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec != std::errc() || end != key.data() + key.size() || id < 0 ||
        static_cast<uint64_t>(id) >= n_vocab) {
      return invalid_field("logit_bias", "'logit_bias' key '" + key + "' is not a token id (0 to " +
                                             std::to_string(n_vocab - 1) + ")");
    }
    if (!bias.is_number() || !(bias.get<double>() >= -100.0 && bias.get<double>() <= 100.0)) {
      return invalid_field("logit_bias", "'logit_bias' value for token " + key +
                                             " must be a number between -100 and 100");
    }
    biases.emplace_back(static_cast<int32_t>(id), bias.get<float>());
  }
  *out = std::move(biases);
  return std::nullopt;
}

MaybeError read_stream_options(const nlohmann::json& body, bool stream, bool* include_usage) {
  const nlohmann::json* v = field(body, "stream_options");
  if (v == nullptr) return std::nullopt;
  if (!stream) {
    return invalid_field("stream_options",
                         "'stream_options' is only allowed when 'stream' is true");
  }
  if (!v->is_object()) {
    return invalid_field("stream_options",
                         "'stream_options' must be an object, got " + json_type_name(*v));
  }
  if (auto e = read_bool(*v, "include_usage", include_usage)) {
    e->param = "stream_options.include_usage";
    return e;
  }
  return std::nullopt;
}

MaybeError read_logprobs(const nlohmann::json& body, Endpoint endpoint, GenerationParams* p) {
  if (endpoint == Endpoint::kCompletions) {
    // Legacy: an integer 0..5, the number of alternatives (the sampled token always comes too).
    int64_t n = -1;
    LIFTOFF_TRY_FIELD(read_int(body, "logprobs", 0, 5, &n));
    if (n >= 0) {
      p->logprobs = true;
      p->top_logprobs = static_cast<int32_t>(n);
    }
    return std::nullopt;
  }
  LIFTOFF_TRY_FIELD(read_bool(body, "logprobs", &p->logprobs));
  int64_t top = -1;
  LIFTOFF_TRY_FIELD(read_int(body, "top_logprobs", 0, 20, &top));
  if (top >= 0) {
    if (!p->logprobs) {
      return invalid_field("top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
    }
    p->top_logprobs = static_cast<int32_t>(top);
  }
  return std::nullopt;
}

MaybeError reject_unsupported(const nlohmann::json& body) {
  for (const char* key : {"tools", "functions"}) {
    const nlohmann::json* v = field(body, key);
    if (v != nullptr && !(v->is_array() && v->empty())) {
      return unsupported(key, std::string("'") + key + "' (tool and function calling)");
    }
  }
  if (const nlohmann::json* v = field(body, "response_format")) {
    std::string type;
    if (v->is_object()) {
      if (const nlohmann::json* t = field(*v, "type"); t != nullptr && t->is_string()) {
        type = t->get<std::string>();
      }
    }
    if (type != "text") {
      return unsupported("response_format", "'response_format' other than {\"type\": \"text\"}");
    }
  }
  return std::nullopt;
}

}  // namespace

ApiResult<GenerationParams> read_generation_params(const nlohmann::json& body, Endpoint endpoint,
                                                   const ParseLimits& limits) {
  GenerationParams p;
  // OpenAI's defaults: temperature 1, top_p 1, no top-k or min-p, no penalties.
  p.sampling.temperature = 1.0f;
  p.sampling.top_p = 1.0f;
  p.sampling.top_k = 0;
  p.sampling.min_p = 0.0f;
  p.sampling.repetition_penalty = 1.0f;
  p.sampling.frequency_penalty = 0.0f;
  p.sampling.presence_penalty = 0.0f;
  p.sampling.penalty_last_n = kPenaltyWindow;

  if (const nlohmann::json* m = field(body, "model"); m != nullptr && !m->is_string()) {
    return invalid_field("model", "'model' must be a string, got " + json_type_name(*m));
  }
  LIFTOFF_TRY_FIELD(read_string(body, "model", &p.model));
  LIFTOFF_TRY_FIELD(read_float(body, "temperature", 0.0, 2.0, &p.sampling.temperature));
  LIFTOFF_TRY_FIELD(read_float(body, "top_p", 0.0, 1.0, &p.sampling.top_p));
  // OpenAI accepts top_p = 0 (keep only the most likely token); the sampler wants a positive
  // mass, and the smallest one keeps exactly the top token.
  if (p.sampling.top_p == 0.0f) p.sampling.top_p = std::numeric_limits<float>::min();
  int64_t top_k = 0;
  LIFTOFF_TRY_FIELD(read_int(body, "top_k", -1, std::numeric_limits<int32_t>::max(), &top_k));
  p.sampling.top_k = static_cast<int32_t>(top_k);  // -1 and 0 both mean "off"
  LIFTOFF_TRY_FIELD(read_float(body, "min_p", 0.0, 1.0, &p.sampling.min_p));
  LIFTOFF_TRY_FIELD(
      read_float(body, "repetition_penalty", 0.0, 100.0, &p.sampling.repetition_penalty));
  if (!(p.sampling.repetition_penalty > 0.0f)) {
    return invalid_field("repetition_penalty", "'repetition_penalty' must be greater than 0");
  }
  LIFTOFF_TRY_FIELD(
      read_float(body, "frequency_penalty", -2.0, 2.0, &p.sampling.frequency_penalty));
  LIFTOFF_TRY_FIELD(read_float(body, "presence_penalty", -2.0, 2.0, &p.sampling.presence_penalty));
  LIFTOFF_TRY_FIELD(read_logit_bias(body, limits.n_vocab, &p.sampling.logit_bias));

  if (field(body, "seed") != nullptr) {
    int64_t seed = 0;
    LIFTOFF_TRY_FIELD(read_int(body, "seed", std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max(), &seed));
    p.seed = seed;
  }

  int64_t max_tokens = -1;
  LIFTOFF_TRY_FIELD(read_int(body, "max_tokens", 1, kMaxTokensLimit, &max_tokens));
  if (endpoint == Endpoint::kChatCompletions) {
    LIFTOFF_TRY_FIELD(read_int(body, "max_completion_tokens", 1, kMaxTokensLimit, &max_tokens));
  }
  p.max_tokens = max_tokens;

  LIFTOFF_TRY_FIELD(read_stop(body, &p.stop));
  LIFTOFF_TRY_FIELD(read_bool(body, "ignore_eos", &p.ignore_eos));
  int64_t n = 1;
  LIFTOFF_TRY_FIELD(read_int(body, "n", 1, limits.max_n, &n));
  p.n = static_cast<int32_t>(n);
  LIFTOFF_TRY_FIELD(read_bool(body, "stream", &p.stream));
  LIFTOFF_TRY_FIELD(read_stream_options(body, p.stream, &p.include_usage));
  LIFTOFF_TRY_FIELD(read_string(body, "user", &p.user));
  LIFTOFF_TRY_FIELD(read_logprobs(body, endpoint, &p));
  p.sampling.n_top_logprobs = p.top_logprobs;
  LIFTOFF_TRY_FIELD(reject_unsupported(body));
  return p;
}

}  // namespace liftoff::server::openai
