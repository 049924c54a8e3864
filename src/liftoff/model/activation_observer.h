// ActivationObserver: an optional hook through which the forward pass shows intermediate
// activations to tooling that gathers statistics (activation-aware pruning). Serving never sets
// one; the forward pass then pays one null check per layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace liftoff::model {

class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;

  // Attention output per head, before attn_output: [n_tokens, q_dim] (head h at h * head_dim).
  virtual void on_attention_heads(int64_t layer, std::span<const float> heads, size_t n_tokens) {}

  // FFN intermediate silu(gate x) * (up x), before ffn_down: [n_tokens, n_ff].
  virtual void on_ffn_hidden(int64_t layer, std::span<const float> hidden, size_t n_tokens) {}
};

}  // namespace liftoff::model
