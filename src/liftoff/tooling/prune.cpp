// Structured pruning: planning (scores -> kept units) and writing the sliced GGUF.
#include "liftoff/tooling/prune.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "liftoff/formats/gguf_writer.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::tooling {
namespace {

using kernels::DType;

// Expands kept unit indices into kept row (or column) indices, `width` rows per unit.
std::vector<int64_t> expand(const std::vector<int64_t>& units, int64_t width) {
  std::vector<int64_t> out;
  out.reserve(units.size() * static_cast<size_t>(width));
  for (int64_t u : units) {
    for (int64_t i = 0; i < width; ++i) out.push_back(u * width + i);
  }
  return out;
}

struct SlicedTensor {
  std::vector<uint64_t> dims;
  DType dtype;
  std::vector<uint8_t> data;
};

// Keeps whole rows (dims[1] indices) of a 2-D tensor: bytes are copied, the type is unchanged.
SlicedTensor select_rows(const formats::TensorInfo& t, const std::vector<int64_t>& rows) {
  const size_t row_bytes = kernels::row_bytes(t.dtype, t.dims[0]);
  SlicedTensor out{
      {t.dims[0], rows.size()}, t.dtype, std::vector<uint8_t>(rows.size() * row_bytes)};
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out.data.data() + i * row_bytes, t.data + rows[i] * row_bytes, row_bytes);
  }
  return out;
}

// Keeps columns (dims[0] indices) of a 2-D tensor: dequantize, gather, requantize to the
// same type when the new row length is a multiple of its block, else F16 (noted in `fallbacks`).
SlicedTensor select_columns(const formats::TensorInfo& t, const std::vector<int64_t>& cols,
                            std::vector<std::string>& fallbacks) {
  const size_t n_in = t.dims[0], n_out = cols.size();
  const size_t n_rows = t.dims.size() > 1 ? t.dims[1] : 1;
  DType type = t.dtype;
  if (n_out % kernels::dtype_info(type).block_elems != 0) {
    type = DType::kF16;
    fallbacks.push_back(t.name + ": " + std::string(kernels::dtype_info(t.dtype).name) +
                        " -> F16 (row of " + std::to_string(n_out) + " is not a multiple of " +
                        std::to_string(kernels::dtype_info(t.dtype).block_elems) + ")");
  }
  std::vector<uint64_t> dims = t.dims;
  dims[0] = n_out;
  const size_t in_row_bytes = kernels::row_bytes(t.dtype, n_in);
  const size_t out_row_bytes = kernels::row_bytes(type, n_out);
  SlicedTensor out{dims, type, std::vector<uint8_t>(n_rows * out_row_bytes)};
  std::vector<float> row(n_in), kept(n_out);
  for (size_t r = 0; r < n_rows; ++r) {
    kernels::dequantize_row(t.dtype, t.data + r * in_row_bytes, row.data(), n_in);
    for (size_t i = 0; i < n_out; ++i) kept[i] = row[static_cast<size_t>(cols[i])];
    kernels::quantize_row(type, kept.data(), out.data.data() + r * out_row_bytes, n_out);
  }
  return out;
}

// "blk.12.ffn_up.weight" -> (12, "ffn_up.weight"); -1 for tensors outside the blocks.
std::pair<int64_t, std::string> split_block_name(const std::string& name) {
  if (name.rfind("blk.", 0) != 0) return {-1, name};
  const size_t dot = name.find('.', 4);
  if (dot == std::string::npos) return {-1, name};
  try {
    return {std::stoll(name.substr(4, dot - 4)), name.substr(dot + 1)};
  } catch (...) {
    return {-1, name};
  }
}

// An integer metadata value with the same GGUF type as `old` (uint32 if there is none).
formats::MetaValue int_like(const formats::MetaValue* old, int64_t v) {
  formats::GgufType type = old != nullptr ? old->type : formats::GgufType::kUint32;
  switch (type) {
    case formats::GgufType::kInt8:
    case formats::GgufType::kInt16:
    case formats::GgufType::kInt32:
    case formats::GgufType::kInt64:
      return {type, static_cast<int64_t>(v)};
    default:
      return {type, static_cast<uint64_t>(v)};
  }
}

}  // namespace

std::optional<PruneMethod> prune_method_from_name(const std::string& name) {
  if (name == "magnitude") return PruneMethod::kMagnitude;
  if (name == "activation") return PruneMethod::kActivation;
  return std::nullopt;
}

Result<int64_t> units_to_remove(double fraction, int64_t n, const std::string& what) {
  char shown[32];
  std::snprintf(shown, sizeof shown, "%g", fraction);
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    return Status::invalid_argument("the " + what + " fraction must be in [0, 1), got " + shown);
  }
  int64_t remove = std::llround(fraction * static_cast<double>(n));
  if (fraction > 0.0 && remove == 0) remove = 1;
  if (remove >= n) {
    return Status::invalid_argument("pruning " + std::string(shown) + " of " + std::to_string(n) +
                                    " " + what + " would remove all of them");
  }
  return remove;
}

Result<PrunePlan> plan_pruning(const model::Model& model, const PruneOptions& options,
                               const ActivationStats* stats) {
  const model::HParams& hp = model.hparams();
  const auto& layers = model.weights().layers;
  LIFTOFF_ASSIGN_OR_RETURN(int64_t ff_remove,
                           units_to_remove(options.ffn_fraction, hp.n_ff, "FFN neurons"));
  LIFTOFF_ASSIGN_OR_RETURN(int64_t group_remove,
                           units_to_remove(options.head_fraction, hp.n_head_kv, "KV head groups"));
  if (group_remove > 0 && hp.arch != model::Arch::kLlama) {
    // llama.cpp's loaders for the other architectures (qwen2) size attn_q as n_embd x n_embd, so
    // a file with fewer heads would load in liftoff but not in llama.cpp.
    return Status::invalid_argument(std::string("head pruning supports the llama architecture "
                                                "only (llama.cpp's ") +
                                    model::arch_display_name(hp.arch) +
                                    " loader needs head_count x head_dim == embedding_length)");
  }
  const bool activation = options.method == PruneMethod::kActivation;
  if (activation &&
      (stats == nullptr || stats->ffn_mean_abs.size() != layers.size() || stats->n_tokens == 0)) {
    return Status::invalid_argument("activation pruning needs calibration statistics (--calib)");
  }
  PrunePlan plan;
  plan.n_ff = hp.n_ff - ff_remove;
  // A quantized ffn_down keeps its type only if its new row length is a whole number of blocks.
  const size_t block = kernels::dtype_info(layers[0].w_down.type).block_elems;
  if (ff_remove > 0 && block > 1 && plan.n_ff % static_cast<int64_t>(block) != 0) {
    const int64_t b = static_cast<int64_t>(block);
    const int64_t rounded = std::max<int64_t>(b, (plan.n_ff + b / 2) / b * b);
    if (rounded < hp.n_ff) {
      plan.notes.push_back("kept FFN neurons rounded from " + std::to_string(plan.n_ff) + " to " +
                           std::to_string(rounded) + " (a multiple of the " +
                           std::to_string(block) + "-element blocks of ffn_down)");
      plan.n_ff = rounded;
    }
  }
  plan.n_head_kv = hp.n_head_kv - group_remove;
  plan.n_head = plan.n_head_kv * (hp.n_head / hp.n_head_kv);
  for (size_t l = 0; l < layers.size(); ++l) {
    const model::LayerWeights& w = layers[l];
    if (plan.n_ff == hp.n_ff) {
      plan.ffn_keep.emplace_back(static_cast<size_t>(hp.n_ff));
      std::iota(plan.ffn_keep.back().begin(), plan.ffn_keep.back().end(), 0);
    } else {
      const FloatMatrix down = to_float(w.w_down);
      const std::vector<double> scores =
          activation ? ffn_activation_importance(stats->ffn_mean_abs[l], down)
                     : ffn_magnitude_importance(to_float(w.w_gate), to_float(w.w_up), down);
      plan.ffn_keep.push_back(keep_most_important(scores, plan.n_ff));
    }
    if (plan.n_head_kv == hp.n_head_kv) {
      plan.kv_group_keep.emplace_back(static_cast<size_t>(hp.n_head_kv));
      std::iota(plan.kv_group_keep.back().begin(), plan.kv_group_keep.back().end(), 0);
    } else {
      const FloatMatrix wo = to_float(w.wo);
      const std::vector<double> scores =
          activation ? head_group_activation_importance(stats->head_mean_norm[l], wo, hp.n_head,
                                                        hp.n_head_kv, hp.head_dim)
                     : head_group_magnitude_importance(to_float(w.wv), wo, hp.n_head, hp.n_head_kv,
                                                       hp.head_dim);
      plan.kv_group_keep.push_back(keep_most_important(scores, plan.n_head_kv));
    }
  }
  return plan;
}

Result<PruneOutput> write_pruned_model(const model::Model& model, const PrunePlan& plan,
                                       const std::filesystem::path& out) {
  const model::HParams& hp = model.hparams();
  const formats::ModelFile& file = model.file();
  const std::string p = hp.arch_name + ".";
  const bool ffn_changed = plan.n_ff != hp.n_ff;
  const bool heads_changed = plan.n_head_kv != hp.n_head_kv;
  if (plan.ffn_keep.size() != static_cast<size_t>(hp.n_layer) ||
      plan.kv_group_keep.size() != static_cast<size_t>(hp.n_layer)) {
    return Status::invalid_argument("prune plan does not cover every layer");
  }

  formats::GgufWriter writer;
  for (const auto& [key, value] : file.metadata) {
    if (value.as_array() != nullptr &&
        (key == p + "feed_forward_length" || key == p + "attention.head_count" ||
         key == p + "attention.head_count_kv")) {
      return Status::invalid_argument("per-layer '" + key + "' arrays are not supported");
    }
    writer.set(key, value);
  }
  if (ffn_changed) {
    writer.set(p + "feed_forward_length",
               int_like(file.find(p + "feed_forward_length"), plan.n_ff));
  }
  if (heads_changed) {
    writer.set(p + "attention.head_count",
               int_like(file.find(p + "attention.head_count"), plan.n_head));
    writer.set(p + "attention.head_count_kv",
               int_like(file.find(p + "attention.head_count_kv"), plan.n_head_kv));
    // head_dim was n_embd / n_head; with fewer heads it has to be stated.
    for (const char* k : {"attention.key_length", "attention.value_length"}) {
      if (file.find(p + k) == nullptr) writer.set(p + k, int_like(nullptr, hp.head_dim));
    }
  }

  PruneOutput result;
  const int64_t q_per_kv = hp.n_head / hp.n_head_kv;
  for (const formats::TensorInfo& t : file.tensors) {
    const auto [layer, suffix] = split_block_name(t.name);
    std::optional<SlicedTensor> sliced;
    if (layer >= 0 && layer < hp.n_layer) {
      const auto& ffn_keep = plan.ffn_keep[static_cast<size_t>(layer)];
      const auto& groups = plan.kv_group_keep[static_cast<size_t>(layer)];
      if (ffn_changed) {
        if (suffix == "ffn_gate.weight" || suffix == "ffn_up.weight") {
          sliced = select_rows(t, ffn_keep);
        } else if (suffix == "ffn_down.weight") {
          sliced = select_columns(t, ffn_keep, result.fallbacks);
        }
      }
      if (heads_changed) {
        // Query heads of group g are g * q_per_kv .. (g + 1) * q_per_kv - 1 (as the forward pass
        // maps them), each head_dim rows of attn_q.
        const std::vector<int64_t> q_rows = expand(expand(groups, q_per_kv), hp.head_dim);
        const std::vector<int64_t> kv_rows = expand(groups, hp.head_dim);
        if (suffix == "attn_q.weight") sliced = select_rows(t, q_rows);
        if (suffix == "attn_k.weight" || suffix == "attn_v.weight")
          sliced = select_rows(t, kv_rows);
        if (suffix == "attn_output.weight") sliced = select_columns(t, q_rows, result.fallbacks);
      }
    }
    if (sliced) {
      writer.add_tensor(t.name, std::move(sliced->dims), sliced->dtype, std::move(sliced->data));
    } else {
      writer.add_tensor(t.name, t.dims, t.dtype, std::vector<uint8_t>(t.data, t.data + t.n_bytes));
    }
  }
  LIFTOFF_RETURN_IF_ERROR(writer.write(out));
  std::error_code ec;
  result.bytes = std::filesystem::file_size(out, ec);
  return result;
}

}  // namespace liftoff::tooling
