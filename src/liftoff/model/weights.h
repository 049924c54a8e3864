// ModelWeights: every tensor of a Llama-family model bound by name and checked for shape and
// type. Matrices point into the mapping (zero-copy); the small per-channel vectors (norms,
// biases) are converted to owned float arrays once, whatever their stored type.
#pragma once

#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"
#include "liftoff/kernels/matmul.h"
#include "liftoff/model/hparams.h"

namespace liftoff::model {

struct LayerWeights {
  std::vector<float> attn_norm;  // [n_embd]
  kernels::WeightMatrix wq;      // [q_dim rows, n_embd cols]
  kernels::WeightMatrix wk;      // [kv_dim, n_embd]
  kernels::WeightMatrix wv;      // [kv_dim, n_embd]
  kernels::WeightMatrix wo;      // [n_embd, q_dim]
  std::vector<float> bq, bk, bv; // [q_dim], [kv_dim], [kv_dim]; empty unless the arch has them
  std::vector<float> ffn_norm;   // [n_embd]
  kernels::WeightMatrix w_gate;  // [n_ff, n_embd]
  kernels::WeightMatrix w_up;    // [n_ff, n_embd]
  kernels::WeightMatrix w_down;  // [n_embd, n_ff]
};

struct ModelWeights {
  kernels::WeightMatrix token_embd;  // [n_vocab, n_embd]; rows are looked up, not multiplied
  std::vector<float> output_norm;    // [n_embd]
  kernels::WeightMatrix output;      // [n_vocab, n_embd]; == token_embd when tied
  bool tied_embeddings = false;
  std::vector<LayerWeights> layers;
};

// Binds all tensors; errors name the tensor and the expected vs found shape or type.
Result<ModelWeights> bind_weights(const formats::ModelFile& file, const HParams& hp);

}  // namespace liftoff::model
