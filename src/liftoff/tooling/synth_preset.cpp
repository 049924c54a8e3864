// The preset table. Numbers are the published Hugging Face config.json values of each checkpoint
// (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
// vocab_size, max_position_embeddings, rope_theta, rms_norm_eps, tie_word_embeddings).
#include "liftoff/tooling/synth_preset.h"

#include <string>

namespace liftoff::tooling {
namespace {

constexpr std::string_view kLlamaSpmVocab = "vocab/ggml-vocab-llama-spm.gguf";
// SmolLM's own 49152-token BPE is not in the shared folder; GPT-2's byte-level BPE is the closest
// vocabulary we have (same algorithm and pre-tokenizer family), cut to 49152 tokens.
constexpr std::string_view kGpt2Vocab = "vocab/ggml-vocab-gpt-2.gguf";

// One block of numbers per checkpoint, laid out like the configs it copies.
// clang-format off
constexpr SynthPreset kPresets[] = {
    {.name = "smol-135m",
     .model_name = "SmolLM-135M",
     .n_embd = 576, .n_ff = 1536, .n_layer = 30, .n_head = 9, .n_head_kv = 3,
     .n_vocab = 49152, .n_ctx = 2048,
     .rope_freq_base = 10000.0f, .rms_eps = 1e-5f, .tied_embeddings = true,
     .default_vocab = kGpt2Vocab},
    {.name = "smol-360m",
     .model_name = "SmolLM-360M",
     .n_embd = 960, .n_ff = 2560, .n_layer = 32, .n_head = 15, .n_head_kv = 5,
     .n_vocab = 49152, .n_ctx = 2048,
     .rope_freq_base = 10000.0f, .rms_eps = 1e-5f, .tied_embeddings = true,
     .default_vocab = kGpt2Vocab},
    {.name = "tinyllama-1.1b",
     .model_name = "TinyLlama-1.1B",
     .n_embd = 2048, .n_ff = 5632, .n_layer = 22, .n_head = 32, .n_head_kv = 4,
     .n_vocab = 32000, .n_ctx = 2048,
     .rope_freq_base = 10000.0f, .rms_eps = 1e-5f, .tied_embeddings = false,
     .default_vocab = kLlamaSpmVocab},
    // Llama 3's rope scaling (rope_freqs.weight, factor 32) is left out: it changes the values
    // RoPE produces, not what it costs, and plain RoPE is what both engines load everywhere.
    {.name = "llama-3.2-1b",
     .model_name = "Llama-3.2-1B",
     .n_embd = 2048, .n_ff = 8192, .n_layer = 16, .n_head = 32, .n_head_kv = 8,
     .n_vocab = 128256, .n_ctx = 131072,
     .rope_freq_base = 500000.0f, .rms_eps = 1e-5f, .tied_embeddings = true,
     .default_vocab = "tokenizers/llama3/tokenizer.json"},
    {.name = "qwen2-0.5b",
     .arch = "qwen2", .model_name = "Qwen2.5-0.5B",
     .n_embd = 896, .n_ff = 4864, .n_layer = 24, .n_head = 14, .n_head_kv = 2,
     .n_vocab = 151936, .n_ctx = 32768,
     .rope_freq_base = 1000000.0f, .rms_eps = 1e-6f, .tied_embeddings = true,
     .default_vocab = "tokenizers/qwen3/tokenizer.json"},
    // Test preset: small enough for a unit test, yet ffn_down's rows (256) fit the K-quant block
    // while every other matrix (rows of 64) does not, so both the K path and the fallback run.
    {.name = "test-tiny",
     .model_name = "liftoff test-tiny",
     .n_embd = 64, .n_ff = 256, .n_layer = 2, .n_head = 4, .n_head_kv = 2,
     .n_vocab = 512, .n_ctx = 256,
     .rope_freq_base = 10000.0f, .rms_eps = 1e-5f, .tied_embeddings = false,
     .default_vocab = "gguf/stories260K-f32.gguf", .hidden = true},
    // The same, as qwen2 (QKV biases, NeoX RoPE): checks that architecture end to end.
    {.name = "test-tiny-qwen2",
     .arch = "qwen2", .model_name = "liftoff test-tiny-qwen2",
     .n_embd = 64, .n_ff = 256, .n_layer = 2, .n_head = 4, .n_head_kv = 2,
     .n_vocab = 512, .n_ctx = 256,
     .rope_freq_base = 1000000.0f, .rms_eps = 1e-6f, .tied_embeddings = true,
     .default_vocab = "gguf/stories260K-f32.gguf", .hidden = true},
};
// clang-format on

}  // namespace

std::span<const SynthPreset> synth_presets() { return kPresets; }

Result<SynthPreset> find_synth_preset(std::string_view name) {
  std::string known;
  for (const SynthPreset& p : kPresets) {
    if (p.name == name) return p;
    if (!p.hidden) known += (known.empty() ? "" : ", ") + std::string(p.name);
  }
  return Status::invalid_argument("unknown preset '" + std::string(name) + "' (known: " + known +
                                  ")");
}

}  // namespace liftoff::tooling
