// `liftoff inspect`: what a model file is (architecture, shape, tensor type mix, tokenizer, chat
// template, special tokens) and what running it costs (weights + KV cache + scratch for a given
// context and parallelism, at the KV type and block size the engine uses). Reads metadata and the
// tensor table only; no weights are touched, so it is fast on any size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tooling {

struct InspectOptions {
  int64_t n_ctx = 0;       // tokens per sequence for the memory plan; 0: the trained context
  int64_t n_parallel = 1;  // sequences served at once (serve --parallel)
  int64_t n_threads = 0;   // compute threads (attention scratch); 0: physical cores
};

struct TypeUsage {
  uint64_t n_tensors = 0;
  uint64_t n_bytes = 0;
  uint64_t n_elements = 0;
};

struct SpecialToken {
  std::string role;  // "bos", "eos", "unk", "pad", "eot", "sep", ...
  int64_t id = 0;
  std::string text;  // the vocabulary entry, "" when the id is out of range
};

// Bytes of RAM to run the model, as liftoff allocates it.
struct MemoryPlan {
  int64_t n_ctx = 0;
  int64_t n_parallel = 0;
  int64_t kv_block_size = 0;   // token slots per KV block (engine default)
  int64_t kv_blocks = 0;       // ceil(n_ctx / block) * n_parallel
  uint64_t weights_bytes = 0;  // tensor data (memory-mapped from the file)
  uint64_t kv_bytes = 0;       // 2 (K, V) * n_layer * kv_blocks * block * kv_dim * 2 (f16)
  uint64_t scratch_bytes = 0;  // activations of one max-size batch + logits + attention scores
  int64_t scratch_batch_tokens = 0;  // the batch size the scratch estimate assumes
  uint64_t total_bytes() const { return weights_bytes + kv_bytes + scratch_bytes; }
};

struct InspectReport {
  std::filesystem::path path;
  uint64_t file_bytes = 0;
  uint32_t gguf_version = 0;  // 0 for a llama2.c checkpoint
  std::string architecture;
  std::string name;
  std::optional<int64_t> file_type;  // general.file_type
  std::string file_type_name;        // "Q4_K_M", "" if unknown
  uint64_t n_params = 0;             // sum of every tensor's elements
  uint64_t n_tensors = 0;
  std::map<std::string, TypeUsage> types;  // by DType name

  // From the hyper-parameters; empty when the architecture is not one liftoff runs.
  std::string hparams_error;
  int64_t n_ctx_train = 0, n_embd = 0, n_ff = 0, n_layer = 0, n_head = 0, n_head_kv = 0,
          head_dim = 0, n_rot = 0;
  float rope_freq_base = 0, rope_freq_scale = 0;
  std::string rope_mode;  // "normal" or "neox"

  int64_t n_vocab = 0;
  std::string tokenizer_model;  // tokenizer.ggml.model ("llama", "gpt2", ...)
  std::string tokenizer_pre;    // tokenizer.ggml.pre
  std::vector<SpecialToken> special_tokens;
  bool has_chat_template = false;
  std::string chat_template_first_line;
  size_t chat_template_bytes = 0;

  std::optional<MemoryPlan> memory;  // absent when the hyper-parameters could not be read
};

// The KV cache bytes liftoff allocates for n_parallel sequences of n_ctx tokens: whole blocks of
// block_size slots, f16 keys and values in every layer.
uint64_t kv_cache_bytes(int64_t n_layer, int64_t kv_dim, int64_t n_ctx, int64_t n_parallel,
                        int64_t block_size);

// Errors: kNotFound (no file), kCorruptData (not a readable model file), kInvalidArgument (bad
// options).
Result<InspectReport> inspect_model(const std::filesystem::path& path,
                                    const InspectOptions& options);

// One JSON object with every field above (sizes in bytes).
nlohmann::json inspect_json(const InspectReport& report);

// llama.cpp's name of a general.file_type value ("Q4_K_M"), "" if unknown.
std::string llama_file_type_name(int64_t file_type);

}  // namespace liftoff::tooling
