// synthesize_model: lays out a Llama-family (llama, qwen2) GGUF exactly as llama.cpp's converter names
// and shapes it, fills it with synth_weights.h data and the fitted vocabulary, and writes it.
#include "liftoff/tooling/synth.h"

#include <unistd.h>  // access

#include <utility>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/formats/gguf_writer.h"
#include "liftoff/tooling/synth_vocab.h"
#include "liftoff/tooling/synth_vocab_hf_json.h"
#include "liftoff/tooling/synth_weights.h"

namespace liftoff::tooling {
namespace {

using kernels::DType;

// Matrices: N(0, 0.02), the initializer_range of Llama-family configs. With RMS-normed inputs a
// projection's outputs then have stddev 0.02 * sqrt(n_in) (0.48 for n_in 576, 0.9 for 2048), so
// the residual stream grows like a random walk and stays finite over 30+ layers.
constexpr SynthInit kMatrixInit{0.0f, 0.02f};
// RMSNorm gains: near one, as in a trained model, but not exactly one so a kernel that skips the
// gain cannot pass for correct.
constexpr SynthInit kNormInit{1.0f, 0.02f};
// QKV biases (qwen2): large enough that a model which ignored them would give other logits.
constexpr SynthInit kBiasInit{0.0f, 0.5f};

constexpr uint32_t kGgmlQuantizationVersion = 2;  // GGML_QNT_VERSION of the current block layouts

bool is_k_type(DType t) { return t == DType::kQ4_K || t == DType::kQ5_K || t == DType::kQ6_K; }

std::string type_name(DType t) { return std::string(kernels::dtype_info(t).name); }

Status check_preset(const SynthPreset& p) {
  if (p.n_embd <= 0 || p.n_ff <= 0 || p.n_layer <= 0 || p.n_head <= 0 || p.n_head_kv <= 0 ||
      p.n_vocab <= 0 || p.n_ctx <= 0 || p.n_embd % p.n_head != 0 || p.n_head % p.n_head_kv != 0 ||
      (p.n_embd / p.n_head) % 2 != 0) {
    return Status::internal("preset '" + std::string(p.name) + "' has an inconsistent shape");
  }
  return Status::ok();
}

// Fails fast, before minutes of generation, when the file could not be written anyway.
Status check_output_path(const std::filesystem::path& path) {
  if (path.empty()) return Status::invalid_argument("no output file given");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_argument("output " + path.string() + " is a directory");
  }
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::invalid_argument("output folder " + dir.string() + " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return Status::invalid_argument("output folder " + dir.string() + " is not writable");
  }
  return Status::ok();
}

// One tensor of the layout: GGUF dims {n_cols, n_rows} for matrices, {n_cols} for norm gains.
struct TensorPlan {
  std::string name;
  uint64_t n_cols;
  uint64_t n_rows;  // 0 for a 1-D vector (norm gain or bias)
  bool is_bias = false;
};

std::vector<TensorPlan> plan_tensors(const SynthPreset& p) {
  const auto n_embd = static_cast<uint64_t>(p.n_embd);
  const auto n_ff = static_cast<uint64_t>(p.n_ff);
  const uint64_t head_dim = n_embd / p.n_head;
  const uint64_t n_embd_q = head_dim * p.n_head;
  const uint64_t n_embd_kv = head_dim * p.n_head_kv;
  std::vector<TensorPlan> plan = {
      {"token_embd.weight", n_embd, static_cast<uint64_t>(p.n_vocab)},
      {"output_norm.weight", n_embd, 0},
  };
  if (!p.tied_embeddings)
    plan.push_back({"output.weight", n_embd, static_cast<uint64_t>(p.n_vocab)});
  for (int64_t l = 0; l < p.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    plan.push_back({b + "attn_norm.weight", n_embd, 0});
    plan.push_back({b + "attn_q.weight", n_embd, n_embd_q});
    plan.push_back({b + "attn_k.weight", n_embd, n_embd_kv});
    plan.push_back({b + "attn_v.weight", n_embd, n_embd_kv});
    if (p.arch == "qwen2") {
      plan.push_back({b + "attn_q.bias", n_embd_q, 0, true});
      plan.push_back({b + "attn_k.bias", n_embd_kv, 0, true});
      plan.push_back({b + "attn_v.bias", n_embd_kv, 0, true});
    }
    plan.push_back({b + "attn_output.weight", n_embd_q, n_embd});
    plan.push_back({b + "ffn_norm.weight", n_embd, 0});
    plan.push_back({b + "ffn_gate.weight", n_embd, n_ff});
    plan.push_back({b + "ffn_up.weight", n_embd, n_ff});
    plan.push_back({b + "ffn_down.weight", n_ff, n_embd});
  }
  return plan;
}

void set_hparams(formats::GgufWriter& w, const SynthPreset& p, uint32_t file_type, uint64_t seed) {
  const uint32_t head_dim = static_cast<uint32_t>(p.n_embd / p.n_head);
  const std::string arch(p.arch);
  w.set_string("general.architecture", arch);
  w.set_string("general.name", std::string(p.model_name) + " (synthetic)");
  w.set_string("general.description",
               "random weights in the shape of " + std::string(p.model_name) +
                   ", written by liftoff synth --preset " + std::string(p.name) + " --seed " +
                   std::to_string(seed) + "; for benchmarks only");
  w.set_u32("general.file_type", file_type);
  w.set_u32("general.quantization_version", kGgmlQuantizationVersion);
  w.set_u32(arch + ".vocab_size", static_cast<uint32_t>(p.n_vocab));
  w.set_u32(arch + ".context_length", static_cast<uint32_t>(p.n_ctx));
  w.set_u32(arch + ".embedding_length", static_cast<uint32_t>(p.n_embd));
  w.set_u32(arch + ".block_count", static_cast<uint32_t>(p.n_layer));
  w.set_u32(arch + ".feed_forward_length", static_cast<uint32_t>(p.n_ff));
  w.set_u32(arch + ".attention.head_count", static_cast<uint32_t>(p.n_head));
  w.set_u32(arch + ".attention.head_count_kv", static_cast<uint32_t>(p.n_head_kv));
  w.set_u32(arch + ".rope.dimension_count", head_dim);
  w.set_f32(arch + ".rope.freq_base", p.rope_freq_base);
  w.set_f32(arch + ".attention.layer_norm_rms_epsilon", p.rms_eps);
}

}  // namespace

Result<DType> synth_storage_type(DType requested, uint64_t n_cols) {
  const size_t block = kernels::dtype_info(requested).block_elems;
  if (n_cols % block == 0) return requested;
  if (!is_k_type(requested)) {
    return Status::invalid_argument("rows of " + std::to_string(n_cols) +
                                    " weights do not fit the " + type_name(requested) +
                                    " block of " + std::to_string(block));
  }
  const DType fallback = requested == DType::kQ4_K   ? DType::kQ5_0
                         : requested == DType::kQ5_K ? DType::kQ5_1
                                                     : DType::kQ8_0;
  return n_cols % kernels::dtype_info(fallback).block_elems == 0 ? fallback : DType::kF16;
}

Result<uint32_t> llama_file_type(DType dtype) {
  // clang-format off
  switch (dtype) {
    case DType::kF32: return 0u;    // ALL_F32
    case DType::kF16: return 1u;    // MOSTLY_F16
    case DType::kQ4_0: return 2u;   // MOSTLY_Q4_0
    case DType::kQ4_1: return 3u;   // MOSTLY_Q4_1
    case DType::kQ8_0: return 7u;   // MOSTLY_Q8_0
    case DType::kQ5_0: return 8u;   // MOSTLY_Q5_0
    case DType::kQ5_1: return 9u;   // MOSTLY_Q5_1
    case DType::kQ4_K: return 14u;  // MOSTLY_Q4_K_S
    case DType::kQ5_K: return 16u;  // MOSTLY_Q5_K_S
    case DType::kQ6_K: return 18u;  // MOSTLY_Q6_K
    case DType::kBF16: return 32u;  // MOSTLY_BF16
    case DType::kQ8_K: break;
  }
  // clang-format on
  return Status::invalid_argument("type " + type_name(dtype) +
                                  " is an activation format, not a weight-file type");
}

Result<SynthReport> synthesize_model(const SynthOptions& options, base::ThreadPool& pool) {
  SynthReport report;
  LIFTOFF_ASSIGN_OR_RETURN(report.preset, find_synth_preset(options.preset));
  const SynthPreset& p = report.preset;
  LIFTOFF_RETURN_IF_ERROR(check_preset(p));
  LIFTOFF_ASSIGN_OR_RETURN(report.file_type, llama_file_type(options.dtype));
  LIFTOFF_RETURN_IF_ERROR(check_output_path(options.output_path));

  const std::vector<TensorPlan> plan = plan_tensors(p);
  std::vector<DType> types;  // decided up front so a misfit fails before any generation
  for (const TensorPlan& t : plan) {
    if (t.n_rows == 0) {
      types.push_back(DType::kF32);  // 1-D gains and biases stay F32, as llama.cpp keeps them
      continue;
    }
    Result<DType> type = synth_storage_type(options.dtype, t.n_cols);
    if (!type.ok())
      return Status::invalid_argument("tensor '" + t.name + "': " + type.status().message());
    if (*type != options.dtype)
      report.fallbacks.push_back({t.name, t.n_cols, options.dtype, *type});
    types.push_back(*type);
  }

  // A .json vocab is a Hugging Face tokenizer.json; anything else is read as GGUF.
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile vocab_file,
                           options.vocab_path.extension() == ".json"
                               ? vocab_metadata_from_hf_json(options.vocab_path)
                               : formats::read_gguf(options.vocab_path));
  Result<FittedVocab> vocab = fit_vocab(vocab_file, p.n_vocab);
  if (!vocab.ok()) {
    return Status(vocab.status().code(),
                  options.vocab_path.string() + ": " + vocab.status().message());
  }
  report.vocab_notes = vocab->notes;

  formats::GgufWriter writer;
  set_hparams(writer, p, report.file_type, options.seed);
  for (auto& [key, value] : vocab->metadata) writer.set(key, std::move(value));

  for (size_t i = 0; i < plan.size(); ++i) {
    const TensorPlan& t = plan[i];
    const bool is_norm = t.n_rows == 0;
    const uint64_t n_rows = is_norm ? 1 : t.n_rows;
    std::vector<uint8_t> data = synth_tensor_data(options.seed, t.name, t.n_cols, n_rows, types[i],
                                                  t.is_bias  ? kBiasInit
                                                  : is_norm  ? kNormInit
                                                             : kMatrixInit,
                                                  pool);
    report.n_params += t.n_cols * n_rows;
    report.n_tensor_bytes += data.size();
    std::vector<uint64_t> dims = {t.n_cols};
    if (!is_norm) dims.push_back(t.n_rows);
    writer.add_tensor(t.name, std::move(dims), types[i], std::move(data));
  }
  LIFTOFF_RETURN_IF_ERROR(writer.write(options.output_path));
  return report;
}

}  // namespace liftoff::tooling
