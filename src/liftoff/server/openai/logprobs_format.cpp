// Logprob objects for chat and legacy completions.
#include "liftoff/server/openai/logprobs_format.h"

#include <algorithm>
#include <string>

#include "liftoff/server/openai/json_body.h"

namespace liftoff::server::openai {
namespace {

nlohmann::ordered_json bytes_of(const std::string& s) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (unsigned char c : s) out.push_back(static_cast<int>(c));
  return out;
}

// Characters in `s`: bytes that do not continue a UTF-8 sequence.
int64_t code_points(const std::string& s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

}  // namespace

nlohmann::ordered_json chat_logprobs(std::span<const engine::SampledToken> tokens, int32_t top,
                                     const TokenPiece& piece) {
  nlohmann::ordered_json content = nlohmann::ordered_json::array();
  for (const auto& t : tokens) {
    const std::string text = piece(t.token);
    nlohmann::ordered_json alternatives = nlohmann::ordered_json::array();
    const size_t n_top = std::min(t.top.size(), static_cast<size_t>(std::max(top, 0)));
    for (size_t i = 0; i < n_top; ++i) {
      const std::string alt = piece(t.top[i].token);
      alternatives.push_back(
          {{"token", alt}, {"logprob", json_float(t.top[i].logprob)}, {"bytes", bytes_of(alt)}});
    }
    content.push_back({{"token", text},
                       {"logprob", json_float(t.logprob)},
                       {"bytes", bytes_of(text)},
                       {"top_logprobs", std::move(alternatives)}});
  }
  return {{"content", std::move(content)}};
}

nlohmann::ordered_json LegacyLogprobs::format(std::span<const engine::SampledToken> tokens,
                                              int32_t top, const TokenPiece& piece) {
  nlohmann::ordered_json texts = nlohmann::ordered_json::array(),
                         logprobs = nlohmann::ordered_json::array(),
                         tops = nlohmann::ordered_json::array(),
                         offsets = nlohmann::ordered_json::array();
  for (const auto& t : tokens) {
    const std::string text = piece(t.token);
    texts.push_back(text);
    logprobs.push_back(json_float(t.logprob));
    nlohmann::ordered_json alternatives = nlohmann::ordered_json::object();
    const size_t n_top = std::min(t.top.size(), static_cast<size_t>(std::max(top, 0)));
    for (size_t i = 0; i < n_top; ++i) {
      const std::string alt = piece(t.top[i].token);
      if (!alternatives.contains(alt)) alternatives[alt] = json_float(t.top[i].logprob);
    }
    if (!alternatives.contains(text)) alternatives[text] = json_float(t.logprob);
    tops.push_back(std::move(alternatives));
    offsets.push_back(offset_);
    offset_ += code_points(text);
  }
  return {{"tokens", std::move(texts)},
          {"token_logprobs", std::move(logprobs)},
          {"top_logprobs", std::move(tops)},
          {"text_offset", std::move(offsets)}};
}

}  // namespace liftoff::server::openai
