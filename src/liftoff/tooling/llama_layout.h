// The GGUF layout of a Llama-family model (llama, qwen2) as llama.cpp's converter writes it: the
// <arch>.* hyper-parameter keys and the tensor list with shapes. Shared by `synth` (which fills
// it with random data) and `convert` (which fills it from a checkpoint); no data here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "liftoff/formats/gguf_writer.h"

namespace liftoff::tooling {

struct LlamaShape {
  std::string arch = "llama";  // general.architecture: "llama" or "qwen2" (adds QKV biases)
  int64_t n_vocab = 0;         // rows of token_embd.weight
  int64_t n_ctx = 0;           // training context (<arch>.context_length)
  int64_t n_embd = 0;
  int64_t n_ff = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // 0: n_embd / n_head
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
  bool tied_embeddings = false;  // true: no output.weight

  int64_t head_size() const { return head_dim > 0 ? head_dim : n_embd / n_head; }
};

// One tensor: GGUF dims {n_cols, n_rows} for matrices, {n_cols} for vectors (n_rows == 0).
struct LlamaTensor {
  std::string name;
  uint64_t n_cols = 0;
  uint64_t n_rows = 0;
  bool is_bias = false;
};

// Every tensor the model layer binds for `shape`, in llama.cpp's order.
std::vector<LlamaTensor> llama_tensor_plan(const LlamaShape& shape);

// general.architecture and the <arch>.* keys (context, sizes, heads, rope, rms epsilon; key and
// value length only when the head size is not n_embd / n_head).
void set_llama_hparams(formats::GgufWriter& writer, const LlamaShape& shape);

}  // namespace liftoff::tooling
