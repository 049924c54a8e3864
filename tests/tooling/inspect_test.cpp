// liftoff inspect on the shared models: parameter count against the tensor table, type mix,
// tokenizer facts, the KV-cache formula worked by hand for stories260K, the JSON object, and the
// errors for a missing or corrupt file.
#include "liftoff/tooling/inspect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "liftoff/formats/gguf_reader.h"
#include "test_data.h"

namespace liftoff::tooling {
namespace {

namespace fs = std::filesystem;

fs::path shared_model(const std::string& name) {
  const fs::path p = testing::models_dir() / "gguf" / name;
  EXPECT_TRUE(fs::exists(p)) << "missing shared test model " << p;
  return p;
}

TEST(Inspect, Stories260KFacts) {
  const fs::path path = shared_model("stories260K-f32.gguf");
  Result<InspectReport> r = inspect_model(path, {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();

  Result<formats::ModelFile> file = formats::read_gguf(path);
  ASSERT_TRUE(file.ok());
  uint64_t n_elements = 0;
  for (const formats::TensorInfo& t : file->tensors) n_elements += t.n_elements();
  EXPECT_EQ(r->n_params, n_elements);
  EXPECT_GT(r->n_params, 250'000u);  // "260K"
  EXPECT_LT(r->n_params, 300'000u);
  EXPECT_EQ(r->n_tensors, file->tensors.size());
  EXPECT_EQ(r->file_bytes, fs::file_size(path));
  ASSERT_EQ(r->types.size(), 1u);  // an all-F32 file
  EXPECT_EQ(r->types.at("F32").n_tensors, file->tensors.size());
  EXPECT_EQ(r->types.at("F32").n_bytes, 4 * n_elements);

  EXPECT_EQ(r->architecture, "llama");
  EXPECT_EQ(r->n_ctx_train, 512);
  EXPECT_EQ(r->n_layer, 5);
  EXPECT_EQ(r->n_embd, 64);
  EXPECT_EQ(r->n_head, 8);
  EXPECT_EQ(r->n_head_kv, 4);
  EXPECT_EQ(r->head_dim, 8);
  EXPECT_EQ(r->rope_mode, "normal");
  EXPECT_EQ(r->n_vocab, 512);
  EXPECT_EQ(r->tokenizer_model, "llama");
  EXPECT_FALSE(r->has_chat_template);
  bool saw_bos = false;
  for (const SpecialToken& s : r->special_tokens) {
    if (s.role == "bos") {
      saw_bos = true;
      EXPECT_EQ(s.id, 1);
      EXPECT_EQ(s.text, "<s>");
    }
  }
  EXPECT_TRUE(saw_bos);

  // KV by hand: ctx 512 = 32 blocks of 16 slots; K and V, 5 layers, kv_dim 4 * 8 = 32, f16:
  // 2 * 5 * 32 * 16 * 32 * 2 = 327,680 bytes.
  ASSERT_TRUE(r->memory.has_value());
  EXPECT_EQ(r->memory->n_ctx, 512);
  EXPECT_EQ(r->memory->kv_blocks, 32);
  EXPECT_EQ(r->memory->kv_bytes, 327'680u);
  EXPECT_EQ(r->memory->weights_bytes, 4 * n_elements);
  EXPECT_GT(r->memory->scratch_bytes, 0u);
  EXPECT_EQ(r->memory->total_bytes(),
            r->memory->weights_bytes + r->memory->kv_bytes + r->memory->scratch_bytes);
}

TEST(Inspect, ContextAndParallelScaleTheKvCache) {
  InspectOptions o;
  o.n_ctx = 100;  // 7 blocks of 16 (the last one partly used, but allocated whole)
  o.n_parallel = 3;
  Result<InspectReport> r = inspect_model(shared_model("stories260K-f32.gguf"), o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->memory->kv_blocks, 21);
  EXPECT_EQ(r->memory->kv_bytes, 2u * 5 * 21 * 16 * 32 * 2);  // 215,040
  EXPECT_EQ(kv_cache_bytes(5, 32, 100, 3, 16), 215'040u);
  EXPECT_EQ(kv_cache_bytes(5, 32, 96, 1, 16), 2u * 5 * 6 * 16 * 32 * 2);

  o.n_parallel = 0;
  EXPECT_EQ(inspect_model(shared_model("stories260K-f32.gguf"), o).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Inspect, QuantizedFileTypeMixAndJson) {
  Result<InspectReport> r = inspect_model(shared_model("stories260K-q4_0.gguf"), {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  // MANIFEST section 5: 31 x Q4_0, output Q8_0, 5 x F16 (ffn_down), 11 x F32 (norms).
  EXPECT_EQ(r->types.at("Q4_0").n_tensors, 31u);
  EXPECT_EQ(r->types.at("Q8_0").n_tensors, 1u);
  EXPECT_EQ(r->types.at("F16").n_tensors, 5u);
  EXPECT_EQ(r->types.at("F32").n_tensors, 11u);
  EXPECT_EQ(r->file_type, 2);
  EXPECT_EQ(r->file_type_name, "Q4_0");

  const nlohmann::json j = nlohmann::json::parse(inspect_json(*r).dump());
  EXPECT_EQ(j["architecture"], "llama");
  EXPECT_EQ(j["n_params"].get<uint64_t>(), r->n_params);
  EXPECT_EQ(j["tensor_types"]["Q4_0"]["tensors"], 31);
  EXPECT_EQ(j["hparams"]["n_ctx_train"], 512);
  EXPECT_EQ(j["tokenizer"]["n_vocab"], 512);
  EXPECT_EQ(j["memory"]["kv_cache_bytes"], 327'680);
  EXPECT_EQ(j["memory"]["kv_type"], "F16");
  EXPECT_EQ(j["memory"]["total_ram_bytes"].get<uint64_t>(), r->memory->total_bytes());
  EXPECT_FALSE(j["chat_template"]["present"].get<bool>());
}

TEST(Inspect, AidreamsTrainedContextIs128) {
  Result<InspectReport> r = inspect_model(shared_model("aidreams260K-f32.gguf"), {});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->n_ctx_train, 128);
  EXPECT_EQ(r->memory->n_ctx, 128);
  EXPECT_EQ(r->memory->kv_bytes,
            kv_cache_bytes(r->n_layer, r->n_head_kv * r->head_dim, 128, 1, 16));
}

TEST(Inspect, MissingAndCorruptFiles) {
  const fs::path dir =
      fs::temp_directory_path() / ("liftoff_inspect_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(inspect_model(dir / "nope.gguf", {}).status().code(), StatusCode::kNotFound);

  const std::string bytes = testing::read_file(shared_model("stories260K-f32.gguf"));
  {
    std::ofstream cut(dir / "cut.gguf", std::ios::binary);
    cut.write(bytes.data(), 4000);  // inside the metadata
  }
  Result<InspectReport> r = inspect_model(dir / "cut.gguf", {});
  EXPECT_EQ(r.status().code(), StatusCode::kCorruptData) << r.status().to_string();
  {
    std::ofstream junk(dir / "junk.gguf", std::ios::binary);
    junk << "GGUF but not really, just some text that ends too soon";
  }
  EXPECT_FALSE(inspect_model(dir / "junk.gguf", {}).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace liftoff::tooling
