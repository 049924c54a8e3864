// Reading Llama-family hyper-parameters from GGUF metadata, with the defaults llama.cpp applies
// when a key is absent (rope base 10000, rope dims = head_dim, ...).
#include "liftoff/model/hparams.h"

#include <cmath>

namespace liftoff::model {
namespace {

Result<int64_t> required_int(const formats::ModelFile& file, const std::string& key) {
  auto v = file.get_int(key);
  if (!v) return Status::corrupt_data("model metadata is missing integer key '" + key + "'");
  if (*v <= 0) {
    return Status::corrupt_data("model metadata '" + key + "' must be positive, got " +
                                std::to_string(*v));
  }
  return *v;
}

}  // namespace

const char* arch_display_name(Arch arch) {
  switch (arch) {
    case Arch::kLlama: return "llama";
    case Arch::kQwen2: return "qwen2";
  }
  return "unknown";
}

Result<HParams> read_hparams(const formats::ModelFile& file) {
  HParams hp;
  auto arch = file.get_string("general.architecture");
  if (!arch) return Status::corrupt_data("model metadata has no 'general.architecture'");
  hp.arch_name = *arch;
  if (*arch == "llama") {
    hp.arch = Arch::kLlama;
    hp.rope_mode = kernels::RopeMode::kNormal;
  } else if (*arch == "qwen2") {
    hp.arch = Arch::kQwen2;
    hp.rope_mode = kernels::RopeMode::kNeox;
  } else {
    return Status::invalid_argument("unsupported model architecture '" + *arch +
                                    "' (supported: llama, qwen2)");
  }
  hp.name = file.get_string("general.name").value_or("");
  const std::string p = *arch + ".";

  LIFTOFF_ASSIGN_OR_RETURN(hp.n_embd, required_int(file, p + "embedding_length"));
  LIFTOFF_ASSIGN_OR_RETURN(hp.n_ff, required_int(file, p + "feed_forward_length"));
  LIFTOFF_ASSIGN_OR_RETURN(hp.n_layer, required_int(file, p + "block_count"));
  LIFTOFF_ASSIGN_OR_RETURN(hp.n_head, required_int(file, p + "attention.head_count"));
  LIFTOFF_ASSIGN_OR_RETURN(hp.n_ctx_train, required_int(file, p + "context_length"));
  hp.n_head_kv = file.get_int(p + "attention.head_count_kv").value_or(hp.n_head);
  if (hp.n_head_kv <= 0 || hp.n_head % hp.n_head_kv != 0) {
    return Status::corrupt_data("attention.head_count_kv " + std::to_string(hp.n_head_kv) +
                                " must divide attention.head_count " + std::to_string(hp.n_head));
  }
  if (auto key_len = file.get_int(p + "attention.key_length")) {
    hp.head_dim = *key_len;
  } else {
    if (hp.n_embd % hp.n_head != 0) {
      return Status::corrupt_data("embedding_length " + std::to_string(hp.n_embd) +
                                  " is not a multiple of head_count " + std::to_string(hp.n_head));
    }
    hp.head_dim = hp.n_embd / hp.n_head;
  }
  if (auto value_len = file.get_int(p + "attention.value_length"); value_len && *value_len != hp.head_dim) {
    return Status::invalid_argument("attention.value_length != key_length is not supported");
  }
  if (hp.head_dim <= 0 || hp.head_dim % 2 != 0 || hp.head_dim > 1024) {
    return Status::corrupt_data("head dimension " + std::to_string(hp.head_dim) +
                                " must be even and in [2, 1024]");
  }
  hp.n_rot = file.get_int(p + "rope.dimension_count").value_or(hp.head_dim);
  if (hp.n_rot <= 0 || hp.n_rot > hp.head_dim || hp.n_rot % 2 != 0) {
    return Status::corrupt_data("rope.dimension_count " + std::to_string(hp.n_rot) +
                                " must be even and at most the head dimension " +
                                std::to_string(hp.head_dim));
  }
  hp.rms_eps = static_cast<float>(
      file.get_float(p + "attention.layer_norm_rms_epsilon").value_or(1e-5));
  hp.rope_freq_base = static_cast<float>(file.get_float(p + "rope.freq_base").value_or(10000.0));
  if (auto factor = file.get_float(p + "rope.scaling.factor"); factor && *factor > 0) {
    auto type = file.get_string(p + "rope.scaling.type").value_or("linear");
    if (type == "linear") {
      hp.rope_freq_scale = static_cast<float>(1.0 / *factor);
    } else if (type != "none") {
      return Status::invalid_argument("unsupported rope.scaling.type '" + type +
                                      "' (supported: none, linear)");
    }
  }
  if (!(hp.rms_eps > 0) || !std::isfinite(hp.rope_freq_base) || hp.rope_freq_base <= 0) {
    return Status::corrupt_data("rms epsilon and rope.freq_base must be positive");
  }

  // The vocabulary size is the embedding's row count; tokenizer.ggml.tokens must agree.
  const formats::TensorInfo* embd = file.find_tensor("token_embd.weight");
  if (embd == nullptr) return Status::corrupt_data("model has no tensor 'token_embd.weight'");
  if (embd->dims.size() != 2) {
    return Status::corrupt_data("token_embd.weight must be 2-D");
  }
  hp.n_vocab = static_cast<int64_t>(embd->dims[1]);
  return hp;
}

}  // namespace liftoff::model
