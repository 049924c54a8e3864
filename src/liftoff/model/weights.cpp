// Binding GGUF tensors to the Llama-family weight struct, with shape and type validation.
#include "liftoff/model/weights.h"

#include <string>

#include "liftoff/kernels/quantize.h"

namespace liftoff::model {
namespace {

std::string dims_to_string(const std::vector<uint64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

class Binder {
 public:
  explicit Binder(const formats::ModelFile& file) : file_(file) {}

  Result<const formats::TensorInfo*> find(const std::string& name, std::vector<uint64_t> dims) {
    const formats::TensorInfo* t = file_.find_tensor(name);
    if (t == nullptr) return Status::corrupt_data("model is missing tensor '" + name + "'");
    if (t->dims != dims) {
      return Status::corrupt_data("tensor '" + name + "' has shape " + dims_to_string(t->dims) +
                                  ", expected " + dims_to_string(dims));
    }
    return t;
  }

  // A [rows, cols] matrix (GGUF dims {cols, rows}).
  Result<kernels::WeightMatrix> matrix(const std::string& name, int64_t rows, int64_t cols) {
    LIFTOFF_ASSIGN_OR_RETURN(const formats::TensorInfo* t,
                             find(name, {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)}));
    if (t->dtype == kernels::DType::kQ8_K) {
      return Status::invalid_argument("tensor '" + name +
                                      "' is Q8_K, which is an activation-only type");
    }
    return kernels::WeightMatrix{t->dtype, t->data, static_cast<size_t>(rows),
                                 static_cast<size_t>(cols)};
  }

  // A vector of n values, converted to float.
  Result<std::vector<float>> vector(const std::string& name, int64_t n) {
    LIFTOFF_ASSIGN_OR_RETURN(const formats::TensorInfo* t, find(name, {static_cast<uint64_t>(n)}));
    std::vector<float> out(static_cast<size_t>(n));
    kernels::dequantize_row(t->dtype, t->data, out.data(), out.size());
    return out;
  }

  bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

 private:
  const formats::ModelFile& file_;
};

}  // namespace

Result<ModelWeights> bind_weights(const formats::ModelFile& file, const HParams& hp) {
  Binder b(file);
  ModelWeights w;
  LIFTOFF_ASSIGN_OR_RETURN(w.token_embd, b.matrix("token_embd.weight", hp.n_vocab, hp.n_embd));
  LIFTOFF_ASSIGN_OR_RETURN(w.output_norm, b.vector("output_norm.weight", hp.n_embd));
  if (b.has("output.weight")) {
    LIFTOFF_ASSIGN_OR_RETURN(w.output, b.matrix("output.weight", hp.n_vocab, hp.n_embd));
  } else {
    w.output = w.token_embd;
    w.tied_embeddings = true;
  }
  const bool qkv_bias = hp.arch == Arch::kQwen2;
  w.layers.resize(static_cast<size_t>(hp.n_layer));
  for (int64_t i = 0; i < hp.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& l = w.layers[static_cast<size_t>(i)];
    LIFTOFF_ASSIGN_OR_RETURN(l.attn_norm, b.vector(p + "attn_norm.weight", hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.wq, b.matrix(p + "attn_q.weight", hp.q_dim(), hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.wk, b.matrix(p + "attn_k.weight", hp.kv_dim(), hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.wv, b.matrix(p + "attn_v.weight", hp.kv_dim(), hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.wo, b.matrix(p + "attn_output.weight", hp.n_embd, hp.q_dim()));
    if (qkv_bias) {
      LIFTOFF_ASSIGN_OR_RETURN(l.bq, b.vector(p + "attn_q.bias", hp.q_dim()));
      LIFTOFF_ASSIGN_OR_RETURN(l.bk, b.vector(p + "attn_k.bias", hp.kv_dim()));
      LIFTOFF_ASSIGN_OR_RETURN(l.bv, b.vector(p + "attn_v.bias", hp.kv_dim()));
    }
    LIFTOFF_ASSIGN_OR_RETURN(l.ffn_norm, b.vector(p + "ffn_norm.weight", hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.w_gate, b.matrix(p + "ffn_gate.weight", hp.n_ff, hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.w_up, b.matrix(p + "ffn_up.weight", hp.n_ff, hp.n_embd));
    LIFTOFF_ASSIGN_OR_RETURN(l.w_down, b.matrix(p + "ffn_down.weight", hp.n_embd, hp.n_ff));
  }
  return w;
}

}  // namespace liftoff::model
