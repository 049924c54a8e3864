// convert_model: picks the source reader, lines its tensors up with the GGUF layout (names,
// shapes, the llama Q/K un-permutation), converts each row to the requested type and writes.
#include "liftoff/tooling/convert.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "liftoff/formats/gguf_constants.h"
#include "liftoff/formats/gguf_writer.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/formats/safetensors_reader.h"
#include "liftoff/formats/torch_reader.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/tooling/convert_hf.h"
#include "liftoff/tooling/llama_layout.h"
#include "liftoff/tooling/output_path.h"
#include "liftoff/tooling/synth.h"  // llama_file_type
#include "liftoff/tooling/synth_vocab_hf_json.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;
using formats::GgufType;
using formats::MetaValue;
using kernels::DType;

constexpr uint32_t kGgmlQuantizationVersion = 2;
constexpr int64_t kGgufTokenTypeUnused = 5;

// One output tensor and where its values come from.
struct PlannedTensor {
  std::string name;            // GGUF name
  std::vector<uint64_t> dims;  // GGUF order
  const formats::TensorInfo* src = nullptr;
  int64_t unpermute_heads = 0;  // > 0: undo HF's RoPE row permutation with this many heads
};

struct Source {
  std::vector<formats::ModelFile> files;  // the weight files; `src` pointers point into them
  formats::GgufWriter writer;             // metadata so far; tensors are added by write_model
  std::vector<PlannedTensor> tensors;
  std::string kind;
  std::string arch;
  std::vector<std::string> notes;
};

std::string dims_text(const std::vector<uint64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

bool has_gguf_magic(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  uint32_t magic = 0;
  in.read(reinterpret_cast<char*>(&magic), 4);
  return in.gcount() == 4 && magic == formats::kGgufMagic;
}

Result<Source> llama2c_source(const ConvertOptions& o) {
  Source s;
  s.kind = "llama2.c";
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile file, formats::open_model_file(o.input, o.tokenizer));
  s.files.push_back(std::move(file));
  const formats::ModelFile& f = s.files.front();
  for (const auto& [key, value] : f.metadata) s.writer.set(key, value);
  s.arch = f.get_string("general.architecture").value_or("llama");
  for (const formats::TensorInfo& t : f.tensors) s.tensors.push_back({t.name, t.dims, &t, 0});
  return s;
}

Result<nlohmann::json> read_json_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path.string() + " cannot be opened");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    return Status::corrupt_data(path.string() + " is not valid JSON: " + e.what());
  }
}

// A sharded checkpoint's index: {"weight_map": {"tensor": "shard file", ...}}.
Result<std::map<std::string, std::string>> read_index(const fs::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(nlohmann::json doc, read_json_file(path));
  if (!doc.is_object() || !doc.contains("weight_map") || !doc["weight_map"].is_object()) {
    return Status::corrupt_data(path.string() + " has no \"weight_map\" object");
  }
  std::map<std::string, std::string> map;
  for (const auto& [tensor, file] : doc["weight_map"].items()) {
    if (!file.is_string())
      return Status::corrupt_data(path.string() + ": '" + tensor + "' maps to no file name");
    const std::string name = file.get<std::string>();
    // Shards are plain names in the same folder: no way out of it.
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      return Status::corrupt_data(path.string() + ": shard name '" + name + "' is not a file name");
    }
    map[tensor] = name;
  }
  if (map.empty()) return Status::corrupt_data(path.string() + ": \"weight_map\" is empty");
  return map;
}

// The weight files of a Hugging Face folder, and the index's tensor -> file map if sharded.
Result<std::vector<fs::path>> folder_weights(const fs::path& dir,
                                             std::map<std::string, std::string>& index) {
  std::error_code ec;
  for (const char* name : {"model.safetensors.index.json", "pytorch_model.bin.index.json"}) {
    if (!fs::exists(dir / name, ec)) continue;
    LIFTOFF_ASSIGN_OR_RETURN(index, read_index(dir / name));
    std::set<std::string> shards;
    for (const auto& [tensor, file] : index) shards.insert(file);
    std::vector<fs::path> out;
    for (const std::string& shard : shards) {
      if (!fs::is_regular_file(dir / shard, ec)) {
        return Status::not_found(std::string(name) + " lists shard " + shard +
                                 ", which is not in " + dir.string());
      }
      out.push_back(dir / shard);
    }
    return out;
  }
  std::vector<fs::path> safetensors, torch;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext == ".safetensors") safetensors.push_back(entry.path());
    if ((ext == ".bin" || ext == ".pt" || ext == ".pth") && formats::looks_like_zip(entry.path())) {
      torch.push_back(entry.path());
    }
  }
  std::vector<fs::path>& found = safetensors.empty() ? torch : safetensors;
  if (found.empty()) {
    return Status::not_found("no *.safetensors or torch.save (*.bin, *.pt, *.pth) weights in " +
                             dir.string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

Result<formats::ModelFile> read_weights(const fs::path& path) {
  if (formats::looks_like_zip(path)) return formats::read_torch_checkpoint(path);
  return formats::read_safetensors(path);
}

// tokenizer.json -> tokenizer.* keys, the token list padded to the embedding's n_vocab rows.
Status add_vocab(const fs::path& tokenizer_json, int64_t n_vocab, Source& s) {
  std::error_code ec;
  if (!fs::is_regular_file(tokenizer_json, ec)) {
    return Status::not_found("tokenizer " + tokenizer_json.string() +
                             " not found (pass --tokenizer tokenizer.json)");
  }
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile vocab, vocab_metadata_from_hf_json(tokenizer_json));
  auto tokens = vocab.metadata.find("tokenizer.ggml.tokens");
  auto types = vocab.metadata.find("tokenizer.ggml.token_type");
  if (tokens == vocab.metadata.end() || types == vocab.metadata.end()) {
    return Status::internal("vocab metadata without tokens or token types");
  }
  auto* token_list = std::get<std::shared_ptr<formats::MetaArray>>(tokens->second.value).get();
  auto* type_list = std::get<std::shared_ptr<formats::MetaArray>>(types->second.value).get();
  const auto n_tokens = static_cast<int64_t>(token_list->strings.size());
  if (n_tokens > n_vocab) {
    return Status::invalid_argument(tokenizer_json.string() + " has " + std::to_string(n_tokens) +
                                    " tokens but the model embeds only " + std::to_string(n_vocab));
  }
  if (n_tokens < n_vocab) {  // real checkpoints round the embedding up; llama.cpp pads the same
    for (int64_t id = n_tokens; id < n_vocab; ++id) {
      token_list->strings.push_back("[PAD" + std::to_string(id) + "]");
      type_list->ints.push_back(kGgufTokenTypeUnused);
    }
    s.notes.push_back("vocabulary padded from " + std::to_string(n_tokens) + " to " +
                      std::to_string(n_vocab) + " tokens with unused [PAD<id>] tokens");
  }
  for (auto& [key, value] : vocab.metadata) s.writer.set(key, std::move(value));
  return Status::ok();
}

Result<Source> hf_source(const ConvertOptions& o) {
  std::error_code ec;
  const bool is_folder = fs::is_directory(o.input, ec);
  const fs::path dir = is_folder ? o.input : o.input.parent_path();
  const fs::path config = o.config.empty() ? dir / "config.json" : o.config;
  const fs::path tokenizer = o.tokenizer.empty() ? dir / "tokenizer.json" : o.tokenizer;
  if (!fs::is_regular_file(config, ec)) {
    return Status::not_found("model config " + config.string() +
                             " not found (pass --config config.json)");
  }
  LIFTOFF_ASSIGN_OR_RETURN(HfModelConfig cfg, read_hf_config(config));
  std::map<std::string, std::string> index;
  std::vector<fs::path> weight_files = {o.input};
  if (is_folder) {
    LIFTOFF_ASSIGN_OR_RETURN(weight_files, folder_weights(o.input, index));
  }

  Source s;
  s.arch = cfg.shape.arch;
  for (const fs::path& path : weight_files) {
    LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile f, read_weights(path));
    s.files.push_back(std::move(f));
  }
  const bool torch = formats::looks_like_zip(weight_files.front());
  s.kind = std::string(torch ? "pytorch" : "safetensors") +
           (weight_files.size() > 1 ? " (" + std::to_string(weight_files.size()) + " shards)" : "");

  // GGUF name -> source tensor, checking the index (if any) against where tensors really are.
  std::map<std::string, std::pair<const formats::TensorInfo*, std::string>> by_gguf;
  for (size_t i = 0; i < s.files.size(); ++i) {
    const std::string file_name = weight_files[i].filename().string();
    for (const formats::TensorInfo& t : s.files[i].tensors) {
      if (!index.empty()) {
        auto it = index.find(t.name);
        if (it == index.end() || it->second != file_name) {
          return Status::corrupt_data("tensor '" + t.name + "' is in " + file_name +
                                      " but the index says " +
                                      (it == index.end() ? "nothing about it" : it->second));
        }
        index.erase(it);
      }
      LIFTOFF_ASSIGN_OR_RETURN(std::string name, gguf_tensor_name(t.name));
      if (name.empty()) continue;
      if (name == "output.weight" && cfg.shape.tied_embeddings) {
        s.notes.push_back("lm_head.weight ignored: tie_word_embeddings is true");
        continue;
      }
      if (!by_gguf.emplace(name, std::make_pair(&t, t.name)).second) {
        return Status::corrupt_data("tensor '" + t.name + "' appears twice in the checkpoint");
      }
    }
  }
  if (!index.empty()) {
    return Status::corrupt_data("the index lists tensor '" + index.begin()->first + "' in " +
                                index.begin()->second + ", which does not hold it");
  }

  const LlamaShape& shape = cfg.shape;
  for (const LlamaTensor& t : llama_tensor_plan(shape)) {
    auto it = by_gguf.find(t.name);
    if (it == by_gguf.end()) {
      return Status::corrupt_data("the checkpoint has no tensor for '" + t.name + "' (" +
                                  shape.arch + ", " + std::to_string(shape.n_layer) + " layers" +
                                  (t.name == "output.weight" ? ", tie_word_embeddings false" : "") +
                                  ")");
    }
    std::vector<uint64_t> dims = {t.n_cols};
    if (t.n_rows != 0) dims.push_back(t.n_rows);
    const formats::TensorInfo* src = it->second.first;
    if (src->dims != dims) {
      std::vector<uint64_t> hf_expected(dims.rbegin(), dims.rend());
      std::vector<uint64_t> hf_actual(src->dims.rbegin(), src->dims.rend());
      return Status::corrupt_data("tensor '" + it->second.second + "' has shape " +
                                  dims_text(hf_actual) + " but config.json implies " +
                                  dims_text(hf_expected));
    }
    int64_t heads = 0;
    if (cfg.unpermute_qk && t.name.ends_with("attn_q.weight")) heads = shape.n_head;
    if (cfg.unpermute_qk && t.name.ends_with("attn_k.weight")) heads = shape.n_head_kv;
    s.tensors.push_back({t.name, std::move(dims), src, heads});
    by_gguf.erase(it);
  }
  if (!by_gguf.empty()) {
    return Status::invalid_argument("tensor '" + by_gguf.begin()->second.second +
                                    "' has no place in a " + shape.arch + " model with " +
                                    std::to_string(shape.n_layer) + " layers");
  }

  set_llama_hparams(s.writer, shape);
  s.writer.set_string("general.name", (is_folder ? o.input : dir).filename().string());
  LIFTOFF_RETURN_IF_ERROR(add_vocab(tokenizer, shape.n_vocab, s));
  return s;
}

// The tensor's values as `type` rows, reordering rows first if HF permuted them.
std::vector<uint8_t> convert_tensor(const PlannedTensor& t, DType type) {
  const uint64_t n_cols = t.dims[0];
  uint64_t n_rows = 1;
  for (size_t d = 1; d < t.dims.size(); ++d) n_rows *= t.dims[d];
  const size_t src_row_bytes = kernels::row_bytes(t.src->dtype, n_cols);
  const size_t dst_row_bytes = kernels::row_bytes(type, n_cols);
  std::vector<uint8_t> out(dst_row_bytes * n_rows);
  std::vector<uint8_t> raw(src_row_bytes);  // an aligned copy: source rows may be unaligned
  std::vector<float> values(n_cols);
  const uint64_t head_dim = t.unpermute_heads > 0 ? n_rows / t.unpermute_heads : 0;
  for (uint64_t r = 0; r < n_rows; ++r) {
    uint64_t src_row = r;
    if (head_dim > 0) {  // out row (head, i, j) <- HF row (head, j, i); i < head_dim/2, j < 2
      const uint64_t head = r / head_dim, in_head = r % head_dim;
      src_row = head * head_dim + (in_head % 2) * (head_dim / 2) + in_head / 2;
    }
    std::memcpy(raw.data(), t.src->data + src_row * src_row_bytes, src_row_bytes);
    kernels::dequantize_row(t.src->dtype, raw.data(), values.data(), n_cols);
    kernels::quantize_row(type, values.data(), out.data() + r * dst_row_bytes, n_cols);
  }
  return out;
}

Status write_model(Source& s, const ConvertOptions& o, ConvertReport& report) {
  LIFTOFF_ASSIGN_OR_RETURN(const uint32_t file_type, llama_file_type(o.dtype));
  s.writer.set_u32("general.file_type", file_type);
  s.writer.set_u32("general.quantization_version", kGgmlQuantizationVersion);
  for (const PlannedTensor& t : s.tensors) {
    if (t.src->dtype != DType::kF32 && t.src->dtype != DType::kF16 &&
        t.src->dtype != DType::kBF16) {
      return Status::invalid_argument("source tensor '" + t.name + "' is " +
                                      std::string(kernels::dtype_info(t.src->dtype).name) +
                                      "; only F32, F16 and BF16 sources are converted");
    }
    if (t.dims.size() > 2) {
      return Status::invalid_argument("tensor '" + t.name + "' has more than two dimensions");
    }
    DType type = DType::kF32;  // vectors (norm gains, biases) stay F32, as llama.cpp keeps them
    if (t.dims.size() == 2) {
      type = o.dtype;
      if (t.dims[0] % kernels::dtype_info(type).block_elems != 0) {
        type = DType::kF16;
        report.fallbacks.push_back({t.name, t.dims[0]});
      }
    }
    std::vector<uint8_t> data = convert_tensor(t, type);
    report.n_params += t.src->n_elements();
    report.n_tensor_bytes += data.size();
    ++report.n_tensors;
    s.writer.add_tensor(t.name, t.dims, type, std::move(data));
  }
  return s.writer.write(o.output);
}

}  // namespace

Result<ConvertReport> convert_model(const ConvertOptions& o) {
  if (o.dtype != DType::kF32 && o.dtype != DType::kF16 && o.dtype != DType::kBF16 &&
      o.dtype != DType::kQ8_0) {
    return Status::invalid_argument("convert writes F32, F16, BF16 or Q8_0 weights, not " +
                                    std::string(kernels::dtype_info(o.dtype).name) +
                                    " (quantize the converted file instead)");
  }
  LIFTOFF_RETURN_IF_ERROR(check_output_path(o.output));
  std::error_code ec;
  if (!fs::exists(o.input, ec))
    return Status::not_found("input " + o.input.string() + " not found");
  Result<Source> source = Status::internal("no source");
  if (fs::is_directory(o.input, ec)) {
    source = hf_source(o);
  } else if (has_gguf_magic(o.input)) {
    return Status::invalid_argument(o.input.string() + " is already a GGUF file");
  } else if (formats::looks_like_zip(o.input) || o.input.extension() == ".safetensors") {
    source = hf_source(o);
  } else {
    source = llama2c_source(o);
  }
  if (!source.ok()) return source.status();
  ConvertReport report;
  report.source = source->kind;
  report.arch = source->arch;
  report.notes = source->notes;
  LIFTOFF_RETURN_IF_ERROR(write_model(*source, o, report));
  return report;
}

}  // namespace liftoff::tooling
