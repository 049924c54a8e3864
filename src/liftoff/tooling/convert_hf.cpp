// config.json parsing and the Hugging Face -> GGUF tensor name table.
#include "liftoff/tooling/convert_hf.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace liftoff::tooling {
namespace {

using nlohmann::json;

class ConfigReader {
 public:
  ConfigReader(const json& doc, std::string source) : doc_(doc), source_(std::move(source)) {}

  Result<int64_t> positive_int(const char* key) const {
    if (!doc_.contains(key)) return missing(key);
    const json& v = doc_[key];
    if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > (int64_t{1} << 31)) {
      return Status::corrupt_data(source_ + ": '" + key + "' must be a positive integer, got " +
                                  v.dump());
    }
    return v.get<int64_t>();
  }
  Result<int64_t> positive_int_or(const char* key, int64_t fallback) const {
    if (!doc_.contains(key) || doc_[key].is_null()) return fallback;
    return positive_int(key);
  }
  Result<double> positive_float_or(const char* key, std::optional<double> fallback) const {
    if (!doc_.contains(key) || doc_[key].is_null()) {
      if (fallback) return *fallback;
      return missing(key);
    }
    const json& v = doc_[key];
    if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>())) {
      return Status::corrupt_data(source_ + ": '" + key + "' must be a positive number, got " +
                                  v.dump());
    }
    return v.get<double>();
  }
  Result<bool> bool_or(const char* key, bool fallback) const {
    if (!doc_.contains(key) || doc_[key].is_null()) return fallback;
    if (!doc_[key].is_boolean()) {
      return Status::corrupt_data(source_ + ": '" + key + "' must be true or false");
    }
    return doc_[key].get<bool>();
  }

 private:
  Status missing(const char* key) const {
    return Status::corrupt_data(source_ + " has no '" + key + "'");
  }
  const json& doc_;
  std::string source_;
};

}  // namespace

Result<HfModelConfig> read_hf_config(const std::filesystem::path& config_json) {
  const std::string source = config_json.string();
  std::ifstream in(config_json, std::ios::binary);
  if (!in) return Status::not_found("model config " + source + " cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text.str());
  } catch (const json::exception& e) {
    return Status::corrupt_data(source + " is not valid JSON: " + e.what());
  }
  if (!doc.is_object()) return Status::corrupt_data(source + " is not a JSON object");

  HfModelConfig out;
  const json archs = doc.value("architectures", json());
  if (!archs.is_array() || archs.size() != 1 || !archs[0].is_string()) {
    return Status::corrupt_data(source + ": 'architectures' must list exactly one class name");
  }
  out.architecture = archs[0].get<std::string>();
  LlamaShape& s = out.shape;
  if (out.architecture == "LlamaForCausalLM") {
    s.arch = "llama";
    out.unpermute_qk = true;
  } else if (out.architecture == "Qwen2ForCausalLM") {
    s.arch = "qwen2";
  } else {
    return Status::invalid_argument(source + ": architecture '" + out.architecture +
                                    "' is not supported (LlamaForCausalLM, Qwen2ForCausalLM are)");
  }

  const ConfigReader c(doc, source);
  LIFTOFF_ASSIGN_OR_RETURN(s.n_embd, c.positive_int("hidden_size"));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_ff, c.positive_int("intermediate_size"));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_layer, c.positive_int("num_hidden_layers"));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_head, c.positive_int("num_attention_heads"));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_head_kv, c.positive_int_or("num_key_value_heads", s.n_head));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_vocab, c.positive_int("vocab_size"));
  LIFTOFF_ASSIGN_OR_RETURN(s.n_ctx, c.positive_int("max_position_embeddings"));
  LIFTOFF_ASSIGN_OR_RETURN(const double eps, c.positive_float_or("rms_norm_eps", std::nullopt));
  LIFTOFF_ASSIGN_OR_RETURN(const double theta, c.positive_float_or("rope_theta", 10000.0));
  s.rms_eps = static_cast<float>(eps);
  s.rope_freq_base = static_cast<float>(theta);
  // Both transformers config classes default to untied embeddings.
  LIFTOFF_ASSIGN_OR_RETURN(s.tied_embeddings, c.bool_or("tie_word_embeddings", false));
  if (s.n_embd % s.n_head != 0 && !doc.contains("head_dim")) {
    return Status::corrupt_data(source + ": hidden_size " + std::to_string(s.n_embd) +
                                " is not a multiple of num_attention_heads " +
                                std::to_string(s.n_head));
  }
  LIFTOFF_ASSIGN_OR_RETURN(s.head_dim, c.positive_int_or("head_dim", s.n_embd / s.n_head));
  if (s.n_head % s.n_head_kv != 0) {
    return Status::corrupt_data(source + ": num_key_value_heads " + std::to_string(s.n_head_kv) +
                                " does not divide num_attention_heads " + std::to_string(s.n_head));
  }
  if (s.head_dim % 2 != 0) {
    return Status::corrupt_data(source + ": head size " + std::to_string(s.head_dim) +
                                " is odd; RoPE needs pairs");
  }
  if (doc.contains("rope_scaling") && !doc["rope_scaling"].is_null()) {
    return Status::invalid_argument(source + ": rope_scaling " + doc["rope_scaling"].dump() +
                                    " is not supported");
  }
  LIFTOFF_ASSIGN_OR_RETURN(const bool attention_bias, c.bool_or("attention_bias", false));
  LIFTOFF_ASSIGN_OR_RETURN(const bool mlp_bias, c.bool_or("mlp_bias", false));
  if (attention_bias || mlp_bias) {
    return Status::invalid_argument(source + ": attention_bias / mlp_bias are not supported");
  }
  const std::string act = doc.value("hidden_act", json("silu")).is_string()
                              ? doc.value("hidden_act", std::string("silu"))
                              : std::string("?");
  if (act != "silu") {
    return Status::invalid_argument(source + ": hidden_act '" + act +
                                    "' is not supported (silu is)");
  }
  return out;
}

Result<std::string> gguf_tensor_name(const std::string& hf) {
  static const std::pair<const char*, const char*> kGlobal[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"},
  };
  for (const auto& [from, to] : kGlobal) {
    if (hf == from) return std::string(to);
  }
  static const std::pair<const char*, const char*> kLayer[] = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
  };
  const std::string prefix = "model.layers.";
  if (hf.compare(0, prefix.size(), prefix) == 0) {
    const size_t dot = hf.find('.', prefix.size());
    const std::string index = hf.substr(prefix.size(), dot - prefix.size());
    const bool numeric = !index.empty() && index.size() < 7 &&
                         index.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && dot != std::string::npos) {
      const std::string rest = hf.substr(dot + 1);
      if (rest == "self_attn.rotary_emb.inv_freq") return std::string();  // recomputed at load
      for (const auto& [from, to] : kLayer) {
        if (rest == from) return "blk." + std::to_string(std::stoi(index)) + "." + to;
      }
    }
  }
  return Status::invalid_argument("tensor '" + hf + "' is not part of a Llama/Qwen2 model");
}

}  // namespace liftoff::tooling
