// HParams: the shape and numeric constants of a Llama-family model, read from GGUF metadata
// ("<arch>.embedding_length", ...). Pure data; validated once at load.
#pragma once

#include <cstdint>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"
#include "liftoff/kernels/elementwise.h"

namespace liftoff::model {

enum class Arch : uint8_t {
  kLlama,  // llama, incl. tied embeddings and GQA (also TinyLlama, SmolLM, Mistral-style)
  kQwen2,  // llama + QKV bias + NeoX RoPE
};

struct HParams {
  Arch arch = Arch::kLlama;
  std::string arch_name;      // general.architecture as written in the file
  std::string name;           // general.name, if any
  int64_t n_vocab = 0;
  int64_t n_ctx_train = 0;    // context length the model was trained with
  int64_t n_embd = 0;
  int64_t n_ff = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;       // n_embd / n_head unless attention.key_length says otherwise
  int64_t n_rot = 0;          // rotary dims per head (rope.dimension_count)
  float rms_eps = 1e-5f;
  float rope_freq_base = 10000.0f;
  float rope_freq_scale = 1.0f;
  kernels::RopeMode rope_mode = kernels::RopeMode::kNormal;

  int64_t q_dim() const { return n_head * head_dim; }
  int64_t kv_dim() const { return n_head_kv * head_dim; }
};

// Reads and validates hyper-parameters. kInvalidArgument for an unknown architecture (naming it
// and the supported ones), kCorruptData for missing or inconsistent keys.
Result<HParams> read_hparams(const formats::ModelFile& file);

const char* arch_display_name(Arch arch);

}  // namespace liftoff::model
