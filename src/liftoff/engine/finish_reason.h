// FinishReason: why a generated sequence ended, as OpenAI's `finish_reason` reports it.
#pragma once

#include <cstdint>
#include <string_view>

namespace liftoff::engine {

enum class FinishReason : uint8_t {
  kStop,    // an end-of-generation token or a stop string (neither is part of the text)
  kLength,  // max_tokens reached, or the context is full
};

inline std::string_view finish_reason_name(FinishReason r) {
  return r == FinishReason::kStop ? "stop" : "length";
}

}  // namespace liftoff::engine
