// SynthPreset: the exact shape of a real checkpoint (hyper-parameters and which vocabulary it
// uses), so `liftoff synth` can write a same-shaped GGUF with random weights. No weights here.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "liftoff/base/status.h"

namespace liftoff::tooling {

struct SynthPreset {
  std::string_view name;            // what --preset takes: "smol-135m"
  std::string_view arch = "llama";  // general.architecture: "llama" or "qwen2" (adds QKV biases)
  std::string_view model_name;  // the checkpoint it mimics: "SmolLM-135M"
  int64_t n_embd = 0;
  int64_t n_ff = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t n_vocab = 0;  // rows of token_embd.weight; the vocabulary is fitted to this
  int64_t n_ctx = 0;    // training context (llama.context_length)
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied_embeddings = false;  // true: no output.weight, the logits reuse token_embd.weight
  // Vocab-only (or any) GGUF whose tokenizer.* metadata is copied, or a tokenizer.json, relative
  // to the shared models folder; the CLI resolves it, --vocab overrides it.
  std::string_view default_vocab;
  bool hidden = false;  // test-only presets, not listed in --help
};

// All presets, hidden ones included, in display order.
std::span<const SynthPreset> synth_presets();

// The preset called `name`. Error kInvalidArgument listing the visible preset names.
Result<SynthPreset> find_synth_preset(std::string_view name);

}  // namespace liftoff::tooling
