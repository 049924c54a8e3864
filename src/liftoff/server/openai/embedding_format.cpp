// Embedding list responses and their base64 encoding.
#include "liftoff/server/openai/embedding_format.h"

#include <bit>
#include <cstring>

#include "liftoff/server/openai/json_body.h"

namespace liftoff::server::openai {

std::string base64_floats(std::span<const float> values) {
  static_assert(std::endian::native == std::endian::little, "float bytes are sent as on x86/arm");
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  const size_t n = values.size_bytes();
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    const uint32_t b0 = bytes[i];
    const uint32_t b1 = i + 1 < n ? bytes[i + 1] : 0;
    const uint32_t b2 = i + 2 < n ? bytes[i + 2] : 0;
    const uint32_t triple = (b0 << 16) | (b1 << 8) | b2;
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(triple >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[triple & 63] : '=';
  }
  return out;
}

nlohmann::ordered_json embedding_response(const std::vector<std::vector<float>>& embeddings,
                                          bool base64, const std::string& model,
                                          int64_t prompt_tokens) {
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (size_t i = 0; i < embeddings.size(); ++i) {
    nlohmann::ordered_json embedding;
    if (base64) {
      embedding = base64_floats(embeddings[i]);
    } else {
      embedding = nlohmann::ordered_json::array();
      for (float v : embeddings[i]) embedding.push_back(json_float(v));
    }
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  return {{"object", "list"},
          {"data", std::move(data)},
          {"model", model},
          {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}};
}

}  // namespace liftoff::server::openai
