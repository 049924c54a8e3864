// Which type each tensor of a model gets when it is quantized: the recipe (llama-quantize's
// per-tensor conventions, so our files are comparable with its files and load in llama.cpp), the
// --keep overrides and the fallbacks for rows a block does not divide. Pure decisions on a tensor
// table; reading and writing tensor data is quantize.h's job.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"
#include "liftoff/kernels/dtype.h"

namespace liftoff::tooling {

// A quantization mix as llama-quantize names it. Q4_K and Q5_K mean the "_M" mixes, as in
// llama-quantize, where they are aliases for Q4_K_M and Q5_K_M.
struct QuantRecipe {
  std::string_view name;           // "Q4_K_M"
  kernels::DType base;             // the type of most matrices
  uint32_t file_type;              // general.file_type (llama.cpp's LLAMA_FTYPE_*)
  bool more_bits_attn_v_ffn_down;  // _M: some attn_v / ffn_down layers get Q6_K
  bool small_k;                    // Q4_K_S: first attn_v / ffn_down layers get Q5_K
};

// "q4_0", "Q4_K", "q5_k_m", ... -> recipe; nullopt for an unknown name.
std::optional<QuantRecipe> find_quant_recipe(std::string_view name);
// The accepted --type names, comma separated, for help and error messages.
std::string quant_recipe_names();

// --keep TYPE:name1,name2: the listed tensors are stored in `type` instead.
struct KeepRule {
  kernels::DType type;
  std::vector<std::string> patterns;
};

// Parses "f16:output,token_embd". kInvalidArgument for a missing ':', an unknown type or an
// empty name.
Result<KeepRule> parse_keep_rule(std::string_view text);

// Whether a --keep pattern names this tensor: the name without its ".weight"/".bias" suffix
// equals the pattern, or starts with "pattern." or ends with ".pattern" (so "output" matches
// output.weight but not blk.0.attn_output.weight, and "ffn_down" matches every layer's).
bool keep_pattern_matches(std::string_view pattern, std::string_view tensor_name);

enum class TypeReason : uint8_t {
  kNotAMatrix,  // norms, biases, 1-D tensors: copied unchanged
  kRecipe,      // the recipe's base type
  kOutput,      // output.weight (or token_embd when tied): Q6_K, or Q8_0 (llama.cpp's choice)
  kMoreBits,    // the recipe's upgrade of some attn_v / ffn_down layers
  kKept,        // a --keep rule
};

struct TensorQuantPlan {
  std::string name;
  std::vector<uint64_t> dims;
  kernels::DType from;  // the input's type
  kernels::DType to;    // what is written
  TypeReason reason = TypeReason::kRecipe;
  // Set when `to` is a fallback: the type the recipe wanted, whose block does not divide the row.
  std::optional<kernels::DType> wanted;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

// Decides every tensor's type, in file order. Rules:
// - only tensors with >= 2 dims whose name ends in "weight" and that are not norms
//   ("_norm.weight") are quantized; everything else is copied as is;
// - output.weight (token_embd.weight when the model has no output.weight, i.e. tied embeddings)
//   gets Q8_0 for the Q8_0 recipe or when the base block does not divide its rows, else Q6_K;
// - Q4_K_M / Q5_K_M give attn_v (also a fused attn_qkv) and ffn_down Q6_K on llama.cpp's "more
//   bits" layers (the first and last eighth and every third in between); Q4_K_S gives the first
//   four attn_v and the first eighth of ffn_down Q5_K;
// - --keep rules win over all of that (the last matching rule applies);
// - a type whose block does not divide the row falls back: Q4_K -> Q5_0, Q5_K -> Q5_1,
//   Q6_K -> Q8_0 (llama.cpp's fallbacks), and any 32-block type, or a fallback that still does not
//   fit, -> F16 (llama-quantize stops with an error there; F16 is what the shared files use).
// kInvalidArgument if a --keep pattern matches no tensor, a --keep type does not fit a matched
// row, or an input tensor has a type liftoff cannot read.
Result<std::vector<TensorQuantPlan>> plan_quantization(const formats::ModelFile& file,
                                                       const QuantRecipe& recipe,
                                                       const std::vector<KeepRule>& keep);

std::string_view type_reason_name(TypeReason reason);

}  // namespace liftoff::tooling
