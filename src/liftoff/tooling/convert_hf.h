// Hugging Face checkpoints (Llama / Qwen2 style) for `liftoff convert`: config.json -> the GGUF
// layout, and Hugging Face tensor names -> GGUF names, as llama.cpp's convert_hf_to_gguf.py maps
// them. Reading the weight files themselves is formats/' job (safetensors, torch).
#pragma once

#include <filesystem>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/tooling/llama_layout.h"

namespace liftoff::tooling {

struct HfModelConfig {
  LlamaShape shape;
  // Llama checkpoints store q_proj/k_proj with the rows of each head permuted for HF's
  // rotate-half RoPE; GGUF's llama arch wants the original (interleaved pairs) order back.
  bool unpermute_qk = false;
  std::string architecture;  // the config's, e.g. "LlamaForCausalLM"
};

// Reads config.json. Supported architectures: LlamaForCausalLM (-> llama), Qwen2ForCausalLM
// (-> qwen2). Errors name the file and key: kNotFound (no file), kCorruptData (not JSON, a key
// missing or of the wrong type, inconsistent sizes), kInvalidArgument (another architecture,
// rope_scaling, attention biases on llama).
Result<HfModelConfig> read_hf_config(const std::filesystem::path& config_json);

// The GGUF name of Hugging Face tensor `hf_name` ("model.layers.3.self_attn.q_proj.weight" ->
// "blk.3.attn_q.weight"), "" for a tensor GGUF does not keep (rotary_emb.inv_freq), or
// kInvalidArgument naming a tensor this converter does not know.
Result<std::string> gguf_tensor_name(const std::string& hf_name);

}  // namespace liftoff::tooling
