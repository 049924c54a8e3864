// GGUF reader on the real files in shared/models: every file parses, and the facts MANIFEST.md
// states about them (tensor counts, per-tensor types, hparams, vocab sizes) hold.
#include "liftoff/formats/gguf_reader.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "formats/test_data.h"
#include "liftoff/formats/ggml_type.h"

namespace liftoff::formats {
namespace {

using kernels::DType;

Result<ModelFile> read(const std::string& relative) {
  return read_gguf(testing::model_path(relative));
}

// Tensor count per dtype, plus the dtype of a few named tensors.
std::map<DType, int> count_types(const ModelFile& f) {
  std::map<DType, int> n;
  for (const TensorInfo& t : f.tensors) ++n[t.dtype];
  return n;
}

TEST(GgufTypes, TagMappingMatchesGgml) {
  EXPECT_EQ(dtype_from_ggml_type(0), DType::kF32);
  EXPECT_EQ(dtype_from_ggml_type(1), DType::kF16);
  EXPECT_EQ(dtype_from_ggml_type(2), DType::kQ4_0);
  EXPECT_EQ(dtype_from_ggml_type(3), DType::kQ4_1);
  EXPECT_EQ(dtype_from_ggml_type(6), DType::kQ5_0);
  EXPECT_EQ(dtype_from_ggml_type(7), DType::kQ5_1);
  EXPECT_EQ(dtype_from_ggml_type(8), DType::kQ8_0);
  EXPECT_EQ(dtype_from_ggml_type(12), DType::kQ4_K);
  EXPECT_EQ(dtype_from_ggml_type(13), DType::kQ5_K);
  EXPECT_EQ(dtype_from_ggml_type(14), DType::kQ6_K);
  EXPECT_EQ(dtype_from_ggml_type(15), DType::kQ8_K);
  EXPECT_EQ(dtype_from_ggml_type(30), DType::kBF16);
  for (uint32_t unsupported : {4u, 5u, 9u, 10u, 11u, 16u, 24u, 28u, 31u, 39u, 43u, 1000u}) {
    EXPECT_FALSE(dtype_from_ggml_type(unsupported).has_value()) << unsupported;
  }
  for (int d = 0; d <= static_cast<int>(DType::kQ8_K); ++d) {
    const auto dtype = static_cast<DType>(d);
    EXPECT_EQ(dtype_from_ggml_type(ggml_type_from_dtype(dtype)), dtype);
    EXPECT_EQ(ggml_type_name(ggml_type_from_dtype(dtype)), kernels::dtype_info(dtype).name);
  }
  EXPECT_EQ(ggml_type_name(10), "Q2_K");
  EXPECT_EQ(ggml_type_name(4), "unknown");
}

TEST(GgufReader, StoriesF32) {
  Result<ModelFile> f = read("gguf/stories260K-f32.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->version, 3u);
  EXPECT_EQ(f->alignment, 32u);
  EXPECT_EQ(f->data_offset % 32, 0u);
  ASSERT_EQ(f->tensors.size(), 48u);
  EXPECT_EQ(count_types(*f)[DType::kF32], 48);

  EXPECT_EQ(f->get_string("general.architecture"), "llama");
  EXPECT_EQ(f->get_int("llama.context_length"), 512);
  EXPECT_EQ(f->get_int("llama.embedding_length"), 64);
  EXPECT_EQ(f->get_int("llama.feed_forward_length"), 172);
  EXPECT_EQ(f->get_int("llama.block_count"), 5);
  EXPECT_EQ(f->get_int("llama.attention.head_count"), 8);
  EXPECT_EQ(f->get_int("llama.attention.head_count_kv"), 4);
  EXPECT_EQ(f->get_int("llama.rope.dimension_count"), 8);
  EXPECT_FLOAT_EQ(static_cast<float>(*f->get_float("llama.attention.layer_norm_rms_epsilon")),
                  1e-5f);
  EXPECT_EQ(f->get_int("tokenizer.ggml.seperator_token_id"), 0xFFFFFFFF);

  const MetaArray* tokens = f->get_array("tokenizer.ggml.tokens");
  ASSERT_NE(tokens, nullptr);
  ASSERT_EQ(tokens->size(), 512u);
  EXPECT_EQ(tokens->strings[1], "<s>");
  EXPECT_EQ(tokens->strings[3], "<0x00>");
  EXPECT_EQ(tokens->strings[259], "\xE2\x96\x81t");  // "▁t": SentencePiece word start
  const MetaArray* types = f->get_array("tokenizer.ggml.token_type");
  ASSERT_NE(types, nullptr);
  EXPECT_EQ(types->element_type, GgufType::kInt32);
  EXPECT_EQ(types->ints[0], 2);
  EXPECT_EQ(types->ints[2], 3);
  EXPECT_EQ(types->ints[100], 6);
  EXPECT_EQ(types->ints[300], 1);
  EXPECT_EQ(f->get_array("tokenizer.ggml.scores")->floats.size(), 512u);

  const TensorInfo* emb = f->find_tensor("token_embd.weight");
  ASSERT_NE(emb, nullptr);
  EXPECT_EQ(emb->dims, (std::vector<uint64_t>{64, 512}));
  EXPECT_EQ(emb->n_bytes, 64u * 512 * 4);
  EXPECT_EQ(emb->offset, f->data_offset);
  EXPECT_EQ(emb->data, f->mappings.at(0)->data() + emb->offset);
  EXPECT_EQ(f->find_tensor("blk.4.ffn_down.weight")->dims, (std::vector<uint64_t>{172, 64}));
  EXPECT_EQ(f->find_tensor("blk.0.attn_k.weight")->dims, (std::vector<uint64_t>{64, 32}));
  EXPECT_EQ(f->find_tensor("blk.5.attn_q.weight"), nullptr);
  EXPECT_EQ(f->tensor_bytes(), 260032u * 4 + 64u * 512 * 4);  // params + the output copy
  for (const TensorInfo& t : f->tensors) {
    EXPECT_EQ(t.offset % 32, 0u) << t.name;
    EXPECT_LE(t.offset + t.n_bytes, f->mappings[0]->size()) << t.name;
  }
}

TEST(GgufReader, StoriesF16) {
  Result<ModelFile> f = read("gguf/stories260K-f16.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), 48u);
  auto n = count_types(*f);
  EXPECT_EQ(n[DType::kF16], 37);
  EXPECT_EQ(n[DType::kF32], 11);
  EXPECT_EQ(f->get_int("general.file_type"), 1);
  EXPECT_EQ(f->find_tensor("output_norm.weight")->dtype, DType::kF32);
  EXPECT_EQ(f->find_tensor("blk.0.attn_q.weight")->n_bytes, 64u * 64 * 2);
}

TEST(GgufReader, StoriesQ8_0) {
  Result<ModelFile> f = read("gguf/stories260K-q8_0.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), 48u);
  auto n = count_types(*f);
  EXPECT_EQ(n[DType::kQ8_0], 32);
  EXPECT_EQ(n[DType::kF16], 5);
  EXPECT_EQ(n[DType::kF32], 11);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(f->find_tensor("blk." + std::to_string(i) + ".ffn_down.weight")->dtype, DType::kF16);
  }
  const TensorInfo* out = f->find_tensor("output.weight");
  EXPECT_EQ(out->dtype, DType::kQ8_0);
  EXPECT_EQ(out->ggml_type, 8u);
  EXPECT_EQ(out->n_bytes, 512u * 2 * 34);  // 512 rows of 2 blocks of 34 bytes
}

TEST(GgufReader, StoriesQ4_0) {
  Result<ModelFile> f = read("gguf/stories260K-q4_0.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), 48u);
  auto n = count_types(*f);
  EXPECT_EQ(n[DType::kQ4_0], 31);
  EXPECT_EQ(n[DType::kQ8_0], 1);
  EXPECT_EQ(n[DType::kF16], 5);
  EXPECT_EQ(n[DType::kF32], 11);
  EXPECT_EQ(f->find_tensor("output.weight")->dtype, DType::kQ8_0);
  EXPECT_EQ(f->find_tensor("token_embd.weight")->dtype, DType::kQ4_0);
  EXPECT_EQ(f->find_tensor("blk.2.ffn_down.weight")->dtype, DType::kF16);
  EXPECT_EQ(f->find_tensor("token_embd.weight")->n_bytes, 512u * 2 * 18);
  EXPECT_EQ(f->get_int("general.file_type"), 2);
}

TEST(GgufReader, Aidreams) {
  struct Case {
    const char* file;
    int q8, q4, f16, f32;
  };
  for (const Case& c : {Case{"gguf/aidreams260K-f32.gguf", 0, 0, 0, 39},
                        Case{"gguf/aidreams260K-q8_0.gguf", 26, 0, 4, 9},
                        Case{"gguf/aidreams260K-q4_0.gguf", 1, 25, 4, 9}}) {
    SCOPED_TRACE(c.file);
    Result<ModelFile> f = read(c.file);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    ASSERT_EQ(f->tensors.size(), 39u);
    auto n = count_types(*f);
    EXPECT_EQ(n[DType::kQ8_0], c.q8);
    EXPECT_EQ(n[DType::kQ4_0], c.q4);
    EXPECT_EQ(n[DType::kF16], c.f16);
    EXPECT_EQ(n[DType::kF32], c.f32);
    EXPECT_EQ(f->get_int("llama.context_length"), 128);
    EXPECT_EQ(f->get_int("llama.block_count"), 4);
    EXPECT_EQ(f->get_int("llama.attention.head_count"), 4);
    EXPECT_EQ(f->get_int("llama.attention.head_count_kv"), 4);
  }
}

TEST(GgufReader, VocabOnlyFiles) {
  struct Case {
    const char* file;
    const char* model;
    size_t n_vocab;
  };
  for (const Case& c : {Case{"vocab/ggml-vocab-llama-spm.gguf", "llama", 32000},
                        Case{"vocab/ggml-vocab-gpt-2.gguf", "gpt2", 50257},
                        Case{"vocab/ggml-vocab-phi-3.gguf", "llama", 32064},
                        Case{"vocab/ggml-vocab-deepseek-coder.gguf", "gpt2", 32256},
                        Case{"vocab/ggml-vocab-bert-bge.gguf", "bert", 30522}}) {
    SCOPED_TRACE(c.file);
    Result<ModelFile> f = read(c.file);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    EXPECT_TRUE(f->tensors.empty());
    EXPECT_EQ(f->tensor_bytes(), 0u);
    EXPECT_EQ(f->get_string("tokenizer.ggml.model"), c.model);
    const MetaArray* tokens = f->get_array("tokenizer.ggml.tokens");
    ASSERT_NE(tokens, nullptr);
    EXPECT_EQ(tokens->size(), c.n_vocab);
    EXPECT_EQ(f->get_array("tokenizer.ggml.token_type")->size(), c.n_vocab);
  }
}

TEST(GgufReader, VocabFileDetails) {
  Result<ModelFile> phi = read("vocab/ggml-vocab-phi-3.gguf");
  ASSERT_TRUE(phi.ok()) << phi.status().to_string();
  std::optional<std::string> tmpl = phi->get_string("tokenizer.chat_template");
  ASSERT_TRUE(tmpl.has_value());
  EXPECT_NE(tmpl->find("<|user|>"), std::string::npos);
  EXPECT_EQ(phi->get_bool("tokenizer.ggml.add_bos_token"), true);
  EXPECT_EQ(phi->get_int("tokenizer.ggml.eos_token_id"), 32000);

  Result<ModelFile> gpt2 = read("vocab/ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(gpt2.ok()) << gpt2.status().to_string();
  const MetaArray* merges = gpt2->get_array("tokenizer.ggml.merges");
  ASSERT_NE(merges, nullptr);
  EXPECT_EQ(merges->size(), 50000u);
  EXPECT_EQ(merges->strings[0], "\xC4\xA0 t");  // "Ġ t"

  Result<ModelFile> bert = read("vocab/ggml-vocab-bert-bge.gguf");
  ASSERT_TRUE(bert.ok()) << bert.status().to_string();
  EXPECT_EQ(bert->get_bool("bert.attention.causal"), false);
  EXPECT_NEAR(*bert->get_float("bert.attention.layer_norm_epsilon"), 1e-12, 1e-18);
}

TEST(GgufReader, EveryModelFileParses) {
  for (const char* dir : {"gguf", "vocab"}) {
    const auto folder = testing::models_dir() / dir;
    ASSERT_TRUE(std::filesystem::is_directory(folder)) << "missing test data: " << folder;
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() != ".gguf") continue;
      Result<ModelFile> f = read_gguf(entry.path());
      EXPECT_TRUE(f.ok()) << entry.path() << ": " << f.status().to_string();
      ++n;
    }
    EXPECT_GE(n, 5) << folder;
  }
}

TEST(GgufReader, ParseErrorsNameThePath) {
  testing::TempDir dir;
  const auto path = dir / "bad.gguf";
  testing::write_all(path, {'G', 'G', 'U', 'F', 1, 0, 0, 0});
  Result<ModelFile> f = read_gguf(path);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(f.status().message().find(path.string()), std::string::npos);
  EXPECT_NE(f.status().message().find("version 1"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::formats
