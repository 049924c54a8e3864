// llama_tensor_plan / set_llama_hparams: llama.cpp's tensor names and metadata keys.
#include "liftoff/tooling/llama_layout.h"

namespace liftoff::tooling {

std::vector<LlamaTensor> llama_tensor_plan(const LlamaShape& p) {
  const auto n_embd = static_cast<uint64_t>(p.n_embd);
  const auto n_ff = static_cast<uint64_t>(p.n_ff);
  const auto head_dim = static_cast<uint64_t>(p.head_size());
  const uint64_t n_embd_q = head_dim * p.n_head;
  const uint64_t n_embd_kv = head_dim * p.n_head_kv;
  std::vector<LlamaTensor> plan = {
      {"token_embd.weight", n_embd, static_cast<uint64_t>(p.n_vocab)},
      {"output_norm.weight", n_embd, 0},
  };
  if (!p.tied_embeddings) {
    plan.push_back({"output.weight", n_embd, static_cast<uint64_t>(p.n_vocab)});
  }
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

void set_llama_hparams(formats::GgufWriter& w, const LlamaShape& p) {
  const auto head_dim = static_cast<uint32_t>(p.head_size());
  const std::string& arch = p.arch;
  w.set_string("general.architecture", arch);
  w.set_u32(arch + ".vocab_size", static_cast<uint32_t>(p.n_vocab));
  w.set_u32(arch + ".context_length", static_cast<uint32_t>(p.n_ctx));
  w.set_u32(arch + ".embedding_length", static_cast<uint32_t>(p.n_embd));
  w.set_u32(arch + ".block_count", static_cast<uint32_t>(p.n_layer));
  w.set_u32(arch + ".feed_forward_length", static_cast<uint32_t>(p.n_ff));
  w.set_u32(arch + ".attention.head_count", static_cast<uint32_t>(p.n_head));
  w.set_u32(arch + ".attention.head_count_kv", static_cast<uint32_t>(p.n_head_kv));
  if (p.head_dim > 0 && p.head_dim * p.n_head != p.n_embd) {
    w.set_u32(arch + ".attention.key_length", head_dim);
    w.set_u32(arch + ".attention.value_length", head_dim);
  }
  w.set_u32(arch + ".rope.dimension_count", head_dim);
  w.set_f32(arch + ".rope.freq_base", p.rope_freq_base);
  w.set_f32(arch + ".attention.layer_norm_rms_epsilon", p.rms_eps);
}

}  // namespace liftoff::tooling
