// Model facts and the memory plan of `liftoff inspect`, from metadata and the tensor table.
#include "liftoff/tooling/inspect.h"

#include <algorithm>
#include <array>
#include <system_error>
#include <utility>

#include "liftoff/base/thread_pool.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/model/hparams.h"

namespace liftoff::tooling {
namespace {

// The engine's defaults (engine/engine_loop.h EngineConfig): KV block size and the tokens one
// forward pass takes (the chunked-prefill budget), which sizes the activation buffers.
constexpr int64_t kKvBlockSize = 16;
constexpr int64_t kMaxBatchTokens = 512;

// ForwardPass's f32 buffers for a batch of t tokens (model/forward_pass.h): x, xn, proj,
// out_hidden [t, n_embd]; q, attn [t, q_dim]; k, v [t, kv_dim]; gate, up [t, n_ff]; plus the
// kernels' workspace (activations converted for the matmul, at most f32 of the widest input),
// logits for one row per sequence, and per thread the attention scores of one KV head's group
// of query heads.
uint64_t scratch_bytes(const model::HParams& hp, int64_t t, int64_t n_ctx, int64_t n_parallel,
                       int64_t n_threads) {
  const int64_t per_token = 4 * hp.n_embd + 2 * hp.q_dim() + 2 * hp.kv_dim() + 2 * hp.n_ff +
                            std::max({hp.n_embd, hp.n_ff, hp.q_dim()});
  const int64_t group = hp.n_head / hp.n_head_kv;
  const int64_t floats = t * per_token + n_parallel * hp.n_vocab + n_threads * group * n_ctx;
  return static_cast<uint64_t>(floats) * sizeof(float);
}

std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  constexpr size_t kMax = 100;
  if (line.size() > kMax) line = line.substr(0, kMax) + "...";
  return line;
}

}  // namespace

uint64_t kv_cache_bytes(int64_t n_layer, int64_t kv_dim, int64_t n_ctx, int64_t n_parallel,
                        int64_t block_size) {
  const int64_t blocks = (n_ctx + block_size - 1) / block_size * n_parallel;
  return 2ull * static_cast<uint64_t>(n_layer) * static_cast<uint64_t>(blocks) *
         static_cast<uint64_t>(block_size) * static_cast<uint64_t>(kv_dim) * sizeof(uint16_t);
}

std::string llama_file_type_name(int64_t file_type) {
  // llama.cpp's LLAMA_FTYPE_* values (include/llama.h); gaps are retired types.
  static const std::array<std::pair<int64_t, const char*>, 22> kNames = {{
      {0, "F32"},     {1, "F16"},      {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},
      {8, "Q5_0"},    {9, "Q5_1"},     {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"},
      {13, "Q3_K_L"}, {14, "Q4_K_S"},  {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},
      {18, "Q6_K"},   {19, "IQ2_XXS"}, {20, "IQ2_XS"}, {21, "Q2_K_S"}, {25, "IQ4_NL"},
      {30, "IQ4_XS"}, {32, "BF16"},
  }};
  for (const auto& [value, name] : kNames) {
    if (value == file_type) return name;
  }
  return "";
}

Result<InspectReport> inspect_model(const std::filesystem::path& path,
                                    const InspectOptions& options) {
  if (options.n_ctx < 0) return Status::invalid_argument("--ctx must be positive");
  if (options.n_parallel < 1) return Status::invalid_argument("--parallel must be at least 1");
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile file, formats::open_model_file(path));

  InspectReport r;
  r.path = path;
  std::error_code ec;
  r.file_bytes = std::filesystem::file_size(path, ec);
  r.gguf_version = file.version;
  r.architecture = file.get_string("general.architecture").value_or("");
  r.name = file.get_string("general.name").value_or("");
  r.file_type = file.get_int("general.file_type");
  if (r.file_type) r.file_type_name = llama_file_type_name(*r.file_type);
  r.n_tensors = file.tensors.size();
  for (const formats::TensorInfo& t : file.tensors) {
    r.n_params += t.n_elements();
    TypeUsage& u = r.types[std::string(kernels::dtype_info(t.dtype).name)];
    ++u.n_tensors;
    u.n_bytes += t.n_bytes;
    u.n_elements += t.n_elements();
  }

  // Tokenizer.
  const formats::MetaArray* tokens = file.get_array("tokenizer.ggml.tokens");
  r.n_vocab = tokens ? static_cast<int64_t>(tokens->size()) : 0;
  r.tokenizer_model = file.get_string("tokenizer.ggml.model").value_or("");
  r.tokenizer_pre = file.get_string("tokenizer.ggml.pre").value_or("");
  for (const char* role : {"bos", "eos", "eot", "eom", "unknown", "separator", "padding", "mask"}) {
    const std::optional<int64_t> id =
        file.get_int(std::string("tokenizer.ggml.") + role + "_token_id");
    // llama.cpp writes -1 (as uint32 4294967295) for "no such token".
    if (!id || *id < 0 || *id == 0xFFFFFFFF) continue;
    SpecialToken s{role, *id, ""};
    if (tokens && *id >= 0 && static_cast<size_t>(*id) < tokens->strings.size()) {
      s.text = tokens->strings[static_cast<size_t>(*id)];
    }
    r.special_tokens.push_back(std::move(s));
  }
  if (std::optional<std::string> tmpl = file.get_string("tokenizer.chat_template")) {
    r.has_chat_template = true;
    r.chat_template_bytes = tmpl->size();
    r.chat_template_first_line = first_line(*tmpl);
  }

  // Shape and memory plan, for architectures liftoff runs.
  Result<model::HParams> hp = model::read_hparams(file);
  if (!hp.ok()) {
    r.hparams_error = hp.status().message();
    return r;
  }
  r.n_ctx_train = hp->n_ctx_train;
  r.n_embd = hp->n_embd;
  r.n_ff = hp->n_ff;
  r.n_layer = hp->n_layer;
  r.n_head = hp->n_head;
  r.n_head_kv = hp->n_head_kv;
  r.head_dim = hp->head_dim;
  r.n_rot = hp->n_rot;
  r.rope_freq_base = hp->rope_freq_base;
  r.rope_freq_scale = hp->rope_freq_scale;
  r.rope_mode = hp->rope_mode == kernels::RopeMode::kNeox ? "neox" : "normal";
  if (r.n_vocab == 0) r.n_vocab = hp->n_vocab;

  MemoryPlan m;
  m.n_ctx = options.n_ctx > 0 ? options.n_ctx : hp->n_ctx_train;
  if (m.n_ctx <= 0) return Status::invalid_argument("the model has no trained context; pass --ctx");
  m.n_parallel = options.n_parallel;
  m.kv_block_size = kKvBlockSize;
  m.kv_blocks = (m.n_ctx + kKvBlockSize - 1) / kKvBlockSize * m.n_parallel;
  m.weights_bytes = file.tensor_bytes();
  m.kv_bytes = kv_cache_bytes(hp->n_layer, hp->kv_dim(), m.n_ctx, m.n_parallel, kKvBlockSize);
  m.scratch_batch_tokens = kMaxBatchTokens;
  const int64_t n_threads = options.n_threads > 0
                                ? options.n_threads
                                : static_cast<int64_t>(base::ThreadPool::default_threads());
  m.scratch_bytes = scratch_bytes(*hp, kMaxBatchTokens, m.n_ctx, m.n_parallel, n_threads);
  r.memory = m;
  return r;
}

nlohmann::json inspect_json(const InspectReport& r) {
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [name, u] : r.types) {
    types[name] = {{"tensors", u.n_tensors}, {"bytes", u.n_bytes}, {"elements", u.n_elements}};
  }
  nlohmann::json specials = nlohmann::json::array();
  for (const SpecialToken& s : r.special_tokens) {
    specials.push_back({{"role", s.role}, {"id", s.id}, {"text", s.text}});
  }
  nlohmann::json j = {
      {"path", r.path.string()},
      {"file_bytes", r.file_bytes},
      {"gguf_version", r.gguf_version},
      {"architecture", r.architecture},
      {"name", r.name},
      {"file_type", r.file_type ? nlohmann::json(*r.file_type) : nlohmann::json()},
      {"file_type_name", r.file_type_name},
      {"n_params", r.n_params},
      {"n_tensors", r.n_tensors},
      {"tensor_types", types},
      {"tokenizer",
       {{"model", r.tokenizer_model},
        {"pre", r.tokenizer_pre},
        {"n_vocab", r.n_vocab},
        {"special_tokens", specials}}},
      {"chat_template",
       {{"present", r.has_chat_template},
        {"bytes", r.chat_template_bytes},
        {"first_line", r.chat_template_first_line}}},
  };
  if (!r.hparams_error.empty()) {
    j["hparams_error"] = r.hparams_error;
  } else {
    j["hparams"] = {
        {"n_ctx_train", r.n_ctx_train}, {"n_embd", r.n_embd}, {"n_ff", r.n_ff},
        {"n_layer", r.n_layer},         {"n_head", r.n_head}, {"n_head_kv", r.n_head_kv},
        {"head_dim", r.head_dim}};
    j["rope"] = {{"n_rot", r.n_rot},
                 {"freq_base", r.rope_freq_base},
                 {"freq_scale", r.rope_freq_scale},
                 {"mode", r.rope_mode}};
  }
  if (r.memory) {
    const MemoryPlan& m = *r.memory;
    j["memory"] = {{"n_ctx", m.n_ctx},
                   {"n_parallel", m.n_parallel},
                   {"kv_type", "F16"},
                   {"kv_block_size", m.kv_block_size},
                   {"kv_blocks", m.kv_blocks},
                   {"weights_bytes", m.weights_bytes},
                   {"kv_cache_bytes", m.kv_bytes},
                   {"scratch_bytes", m.scratch_bytes},
                   {"scratch_batch_tokens", m.scratch_batch_tokens},
                   {"total_ram_bytes", m.total_bytes()},
                   {"gpu", "none: liftoff runs on the CPU"}};
  }
  return j;
}

}  // namespace liftoff::tooling
