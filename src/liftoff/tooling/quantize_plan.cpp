// The per-tensor type decisions of `liftoff quantize`. The recipe rules restate llama.cpp's
// llama_tensor_get_type for the llama family (dense models) in our own terms; the numbers
// (which layers get more bits, which type falls back to which) are its conventions, kept so that
// a file from us and one from llama-quantize can be compared tensor by tensor.
#include "liftoff/tooling/quantize_plan.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "liftoff/kernels/dtype.h"

namespace liftoff::tooling {
namespace {

using kernels::DType;

// clang-format off
constexpr std::array<QuantRecipe, 10> kRecipes = {{
    // name      base          ftype  _M     _S
    {"Q8_0",   DType::kQ8_0,  7,  false, false},
    {"Q4_0",   DType::kQ4_0,  2,  false, false},
    {"Q4_1",   DType::kQ4_1,  3,  false, false},
    {"Q5_0",   DType::kQ5_0,  8,  false, false},
    {"Q5_1",   DType::kQ5_1,  9,  false, false},
    {"Q4_K_S", DType::kQ4_K, 14,  false, true},
    {"Q4_K_M", DType::kQ4_K, 15,  true,  false},
    {"Q5_K_S", DType::kQ5_K, 16,  false, false},
    {"Q5_K_M", DType::kQ5_K, 17,  true,  false},
    {"Q6_K",   DType::kQ6_K, 18,  false, false},
}};
// clang-format on

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view type_name(DType t) { return kernels::dtype_info(t).name; }

bool block_fits(DType type, uint64_t row) {
  return row % kernels::dtype_info(type).block_elems == 0;
}

// llama.cpp's "use more bits" layers: the first and last eighth, and every third one between.
bool use_more_bits(int64_t i, int64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

bool is_quantizable_matrix(const formats::TensorInfo& t) {
  if (t.dims.size() < 2) return false;
  const std::string_view name = t.name;
  if (!ends_with(name, "weight")) return false;
  if (name.find("_norm.weight") != std::string_view::npos) return false;
  // Small or position-indexed tables llama.cpp never quantizes either.
  if (name.find("ffn_gate_inp.weight") != std::string_view::npos) return false;
  if (name == "position_embd.weight" || name == "token_types.weight") return false;
  return true;
}

// The matrices llama.cpp treats as attn_v (its "more bits" candidates among attention weights).
bool is_attn_v_like(std::string_view name) {
  return name.find("attn_v.weight") != std::string_view::npos ||
         name.find("attn_qkv.weight") != std::string_view::npos ||
         name.find("attn_kv_b.weight") != std::string_view::npos;
}

bool is_ffn_down_matrix(const formats::TensorInfo& t) {
  return t.name.find("ffn_down") != std::string::npos && is_quantizable_matrix(t);
}

// The type the recipe's block cannot hold falls back to one with 32-element blocks, then to F16.
DType fallback_for(DType wanted, uint64_t row) {
  DType next = DType::kF16;
  if (wanted == DType::kQ4_K) next = DType::kQ5_0;
  if (wanted == DType::kQ5_K) next = DType::kQ5_1;
  if (wanted == DType::kQ6_K) next = DType::kQ8_0;
  return block_fits(next, row) ? next : DType::kF16;
}

}  // namespace

std::optional<QuantRecipe> find_quant_recipe(std::string_view name) {
  std::string n = upper(name);
  if (n == "Q4_K") n = "Q4_K_M";
  if (n == "Q5_K") n = "Q5_K_M";
  for (const QuantRecipe& r : kRecipes) {
    if (r.name == n) return r;
  }
  return std::nullopt;
}

std::string quant_recipe_names() {
  return "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K (= Q4_K_M), Q4_K_S, Q5_K (= Q5_K_M), Q5_K_S, Q6_K";
}

Result<KeepRule> parse_keep_rule(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return Status::invalid_argument("--keep '" + std::string(text) +
                                    "': expected TYPE:name1,name2 (e.g. f16:output,token_embd)");
  }
  const std::string_view type_name_text = text.substr(0, colon);
  const std::optional<DType> type = kernels::dtype_from_name(type_name_text);
  if (!type || *type == DType::kQ8_K) {
    return Status::invalid_argument("--keep '" + std::string(text) + "': unknown type '" +
                                    std::string(type_name_text) + "'");
  }
  KeepRule rule{*type, {}};
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (item.empty()) {
      return Status::invalid_argument("--keep '" + std::string(text) + "': empty tensor name");
    }
    rule.patterns.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return rule;
}

bool keep_pattern_matches(std::string_view pattern, std::string_view tensor_name) {
  const auto strip = [](std::string_view s) {
    if (ends_with(s, ".weight"))
      s.remove_suffix(7);
    else if (ends_with(s, ".bias"))
      s.remove_suffix(5);
    return s;
  };
  const std::string_view base = strip(tensor_name);
  pattern = strip(pattern);
  if (pattern.empty() || pattern.size() > base.size()) return false;
  if (base == pattern) return true;
  if (base.substr(0, pattern.size()) == pattern && base[pattern.size()] == '.') return true;
  return base.substr(base.size() - pattern.size()) == pattern &&
         base[base.size() - pattern.size() - 1] == '.';
}

std::string_view type_reason_name(TypeReason reason) {
  switch (reason) {
    case TypeReason::kNotAMatrix:
      return "copied";
    case TypeReason::kRecipe:
      return "recipe";
    case TypeReason::kOutput:
      return "output";
    case TypeReason::kMoreBits:
      return "more bits";
    case TypeReason::kKept:
      return "--keep";
  }
  return "?";
}

Result<std::vector<TensorQuantPlan>> plan_quantization(const formats::ModelFile& file,
                                                       const QuantRecipe& recipe,
                                                       const std::vector<KeepRule>& keep) {
  // Layer counters as llama.cpp keeps them: attn_v-like matrices (attn_v, fused attn_qkv,
  // attn_kv_b) and ffn_down are numbered in file order; the ffn_down count is the layer count.
  int64_t n_attn_v = 0;
  int64_t n_ffn_down = 0;
  bool has_output = false;
  for (const formats::TensorInfo& t : file.tensors) {
    if (is_attn_v_like(t.name)) ++n_attn_v;
    if (is_ffn_down_matrix(t)) ++n_ffn_down;
    if (t.name == "output.weight") has_output = true;
  }
  if (const std::optional<std::string> arch = file.get_string("general.architecture")) {
    if (const std::optional<int64_t> n_layer = file.get_int(*arch + ".block_count")) {
      n_ffn_down = *n_layer;
    }
  }
  std::vector<size_t> keep_matches(keep.size(), 0);
  int64_t i_attn_v = 0;
  int64_t i_ffn_down = 0;

  std::vector<TensorQuantPlan> plan;
  plan.reserve(file.tensors.size());
  for (const formats::TensorInfo& t : file.tensors) {
    TensorQuantPlan p;
    p.name = t.name;
    p.dims = t.dims;
    p.from = t.dtype;
    p.to = t.dtype;
    p.bytes_in = t.n_bytes;
    const uint64_t row = t.dims.empty() ? 1 : t.dims[0];
    const uint64_t n_rows = row == 0 ? 0 : t.n_elements() / row;

    if (!is_quantizable_matrix(t)) {
      p.reason = TypeReason::kNotAMatrix;
    } else {
      DType type = recipe.base;
      p.reason = TypeReason::kRecipe;
      const bool is_output =
          t.name == "output.weight" || (!has_output && t.name == "token_embd.weight");
      const bool is_attn_v = is_attn_v_like(t.name);
      const bool is_ffn_down = is_ffn_down_matrix(t);
      if (is_output) {
        type = recipe.base == DType::kQ8_0 || !block_fits(recipe.base, row) ? DType::kQ8_0
                                                                            : DType::kQ6_K;
        p.reason = TypeReason::kOutput;
      } else if (is_attn_v || is_ffn_down) {
        const int64_t i = is_attn_v ? i_attn_v++ : i_ffn_down++;
        const int64_t n = is_attn_v ? n_attn_v : n_ffn_down;
        if (recipe.more_bits_attn_v_ffn_down && use_more_bits(i, n)) {
          type = DType::kQ6_K;
          p.reason = TypeReason::kMoreBits;
        } else if (recipe.small_k && (is_attn_v ? i < 4 : i < n / 8)) {
          type = DType::kQ5_K;
          p.reason = TypeReason::kMoreBits;
        }
      }

      bool kept = false;
      for (size_t k = 0; k < keep.size(); ++k) {
        for (const std::string& pattern : keep[k].patterns) {
          if (!keep_pattern_matches(pattern, t.name)) continue;
          ++keep_matches[k];
          type = keep[k].type;
          kept = true;
        }
      }
      if (kept) {
        if (!block_fits(type, row)) {
          return Status::invalid_argument(
              "--keep: tensor '" + t.name + "' has rows of " + std::to_string(row) + ", which " +
              std::string(type_name(type)) + " blocks of " +
              std::to_string(kernels::dtype_info(type).block_elems) + " do not divide");
        }
        p.reason = TypeReason::kKept;
      } else if (!block_fits(type, row)) {
        p.wanted = type;
        type = fallback_for(type, row);
      }
      p.to = type;
    }
    p.bytes_out = p.to == p.from ? t.n_bytes : kernels::row_bytes(p.to, row) * n_rows;
    plan.push_back(std::move(p));
  }

  for (size_t k = 0; k < keep.size(); ++k) {
    if (keep_matches[k] == 0) {
      std::string names;
      for (const std::string& s : keep[k].patterns) names += (names.empty() ? "" : ",") + s;
      return Status::invalid_argument("--keep " + std::string(type_name(keep[k].type)) + ":" +
                                      names + " matches no weight matrix of the model");
    }
  }
  return plan;
}

}  // namespace liftoff::tooling
