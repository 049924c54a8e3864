// synthesize_model: lays out a Llama-family (llama, qwen2) GGUF exactly as llama.cpp's converter names
// and shapes it, fills it with synth_weights.h data and the fitted vocabulary, and writes it.
#include "liftoff/tooling/synth.h"

#include <utility>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/formats/gguf_writer.h"
#include "liftoff/tooling/llama_layout.h"
#include "liftoff/tooling/output_path.h"
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

LlamaShape shape_of(const SynthPreset& p) {
  LlamaShape s;
  s.arch = std::string(p.arch);
  s.n_vocab = p.n_vocab;
  s.n_ctx = p.n_ctx;
  s.n_embd = p.n_embd;
  s.n_ff = p.n_ff;
  s.n_layer = p.n_layer;
  s.n_head = p.n_head;
  s.n_head_kv = p.n_head_kv;
  s.rope_freq_base = p.rope_freq_base;
  s.rms_eps = p.rms_eps;
  s.tied_embeddings = p.tied_embeddings;
  return s;
}

void set_hparams(formats::GgufWriter& w, const SynthPreset& p, uint32_t file_type, uint64_t seed) {
  set_llama_hparams(w, shape_of(p));
  w.set_string("general.name", std::string(p.model_name) + " (synthetic)");
  w.set_string("general.description",
               "random weights in the shape of " + std::string(p.model_name) +
                   ", written by liftoff synth --preset " + std::string(p.name) + " --seed " +
                   std::to_string(seed) + "; for benchmarks only");
  w.set_u32("general.file_type", file_type);
  w.set_u32("general.quantization_version", kGgmlQuantizationVersion);
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

  const std::vector<LlamaTensor> plan = llama_tensor_plan(shape_of(p));
  std::vector<DType> types;  // decided up front so a misfit fails before any generation
  for (const LlamaTensor& t : plan) {
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
    const LlamaTensor& t = plan[i];
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
