// Structured pruning of a Llama-family model: removes the least important FFN neurons (rows of
// ffn_gate/ffn_up, columns of ffn_down) and whole KV-head groups (a kv head with its query heads,
// so n_head / n_head_kv stays an integer) and writes a smaller GGUF. The same number of units
// goes from every layer, so feed_forward_length and the head counts stay scalars (liftoff's
// hparams have no per-layer arrays). Head pruning is for the llama architecture only: llama.cpp's
// qwen2 loader requires head_count x head_dim == embedding_length. Importance: prune_importance.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/model/model.h"
#include "liftoff/tooling/prune_importance.h"

namespace liftoff::tooling {

enum class PruneMethod : uint8_t { kMagnitude, kActivation };

struct PruneOptions {
  double ffn_fraction = 0.0;   // of feed_forward_length, in [0, 1)
  double head_fraction = 0.0;  // of the KV-head groups, in [0, 1)
  PruneMethod method = PruneMethod::kMagnitude;
};

// Which units survive, per layer (indices ascending, so kept units keep their order).
struct PrunePlan {
  int64_t n_ff = 0;                                 // kept neurons per layer
  int64_t n_head = 0;                               // kept query heads per layer
  int64_t n_head_kv = 0;                            // kept KV heads per layer
  std::vector<std::vector<int64_t>> ffn_keep;       // [n_layer][n_ff]
  std::vector<std::vector<int64_t>> kv_group_keep;  // [n_layer][n_head_kv]
  std::vector<std::string> notes;  // e.g. rounding of the neuron count to a quant block
};

// Parses "magnitude" / "activation".
std::optional<PruneMethod> prune_method_from_name(const std::string& name);

// How many of n units a fraction removes: round(fraction * n), at least 1 when fraction > 0.
// kInvalidArgument for a fraction outside [0, 1) or one that would remove every unit.
Result<int64_t> units_to_remove(double fraction, int64_t n, const std::string& what);

// Scores every unit and keeps the most important. `stats` is required for kActivation (from
// collect_activation_stats on the same model) and ignored otherwise. kInvalidArgument for bad
// fractions and for head pruning of a non-llama model.
Result<PrunePlan> plan_pruning(const model::Model& model, const PruneOptions& options,
                               const ActivationStats* stats);

struct PruneOutput {
  uint64_t bytes = 0;                  // of the written file
  std::vector<std::string> fallbacks;  // "blk.0.ffn_down.weight: Q4_0 -> F16 (row of 129)"
};

// Writes the pruned model to `out` (a GGUF; temp file + rename). Row-sliced tensors keep their
// bytes; column-sliced ones (ffn_down, attn_output) are dequantized, sliced and requantized to
// their type when the new row length is a multiple of its block, else written as F16. Metadata is
// copied with feed_forward_length, head_count, head_count_kv (and key/value_length when heads
// change) updated.
Result<PruneOutput> write_pruned_model(const model::Model& model, const PrunePlan& plan,
                                       const std::filesystem::path& out);

}  // namespace liftoff::tooling
