#include "liftoff/model/hparams.h"

#include <gtest/gtest.h>

namespace liftoff::model {
namespace {

formats::MetaValue str(const std::string& s) {
  formats::MetaValue v;
  v.type = formats::GgufType::kString;
  v.value = s;
  return v;
}
formats::MetaValue u32(uint64_t x) {
  formats::MetaValue v;
  v.type = formats::GgufType::kUint32;
  v.value = x;
  return v;
}

formats::ModelFile tiny_llama_metadata() {
  formats::ModelFile f;
  f.metadata["general.architecture"] = str("llama");
  f.metadata["llama.embedding_length"] = u32(64);
  f.metadata["llama.feed_forward_length"] = u32(172);
  f.metadata["llama.block_count"] = u32(2);
  f.metadata["llama.attention.head_count"] = u32(8);
  f.metadata["llama.attention.head_count_kv"] = u32(4);
  f.metadata["llama.context_length"] = u32(128);
  formats::TensorInfo embd;
  embd.name = "token_embd.weight";
  embd.dims = {64, 512};
  f.tensors.push_back(embd);
  return f;
}

TEST(HParams, ReadsLlamaWithDefaults) {
  auto hp = read_hparams(tiny_llama_metadata());
  ASSERT_TRUE(hp.ok()) << hp.status().to_string();
  EXPECT_EQ(hp->head_dim, 8);
  EXPECT_EQ(hp->n_rot, 8);
  EXPECT_EQ(hp->n_vocab, 512);
  EXPECT_EQ(hp->kv_dim(), 32);
  EXPECT_FLOAT_EQ(hp->rope_freq_base, 10000.0f);
  EXPECT_EQ(hp->rope_mode, kernels::RopeMode::kNormal);
}

TEST(HParams, UnknownArchitectureIsNamed) {
  auto f = tiny_llama_metadata();
  f.metadata["general.architecture"] = str("mamba");
  auto hp = read_hparams(f);
  ASSERT_FALSE(hp.ok());
  EXPECT_EQ(hp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hp.status().message().find("mamba"), std::string::npos);
}

TEST(HParams, InconsistentHeadsAreCorrupt) {
  auto f = tiny_llama_metadata();
  f.metadata["llama.attention.head_count_kv"] = u32(3);
  EXPECT_EQ(read_hparams(f).status().code(), StatusCode::kCorruptData);
  auto g = tiny_llama_metadata();
  g.metadata.erase("llama.block_count");
  auto hp = read_hparams(g);
  ASSERT_FALSE(hp.ok());
  EXPECT_NE(hp.status().message().find("block_count"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::model
