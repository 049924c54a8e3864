// llama2.c reader: the real checkpoints must equal llama.cpp's own conversions of them (same
// metadata, tensor names, shapes and bytes); synthetic files cover the unshared classifier and
// every kind of bad header or tokenizer.
#include "liftoff/formats/llama2c_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/test_data.h"
#include "liftoff/base/byte_reader.h"  // with_thousands
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

void expect_same_value(const std::string& key, const MetaValue& got, const MetaValue& want) {
  EXPECT_EQ(got.type, want.type) << key;
  if (const MetaArray* w = want.as_array()) {
    const MetaArray* g = got.as_array();
    ASSERT_NE(g, nullptr) << key;
    EXPECT_EQ(g->element_type, w->element_type) << key;
    EXPECT_EQ(g->strings, w->strings) << key;
    EXPECT_EQ(g->ints, w->ints) << key;
    EXPECT_EQ(g->floats, w->floats) << key;
  } else {
    EXPECT_EQ(got.value, want.value) << key;
  }
}

// `got` must have exactly `want`'s metadata and tensors (in order), with identical weight bytes.
void expect_same_model(const ModelFile& got, const ModelFile& want) {
  for (const auto& [key, value] : want.metadata) {
    const MetaValue* g = got.find(key);
    ASSERT_NE(g, nullptr) << "missing key " << key;
    expect_same_value(key, *g, value);
  }
  for (const auto& [key, value] : got.metadata) {
    EXPECT_NE(want.find(key), nullptr) << "extra key " << key;
  }
  ASSERT_EQ(got.tensors.size(), want.tensors.size());
  for (size_t i = 0; i < want.tensors.size(); ++i) {
    const TensorInfo& g = got.tensors[i];
    const TensorInfo& w = want.tensors[i];
    SCOPED_TRACE(w.name);
    EXPECT_EQ(g.name, w.name);
    EXPECT_EQ(g.dims, w.dims);
    EXPECT_EQ(g.dtype, w.dtype);
    EXPECT_EQ(g.ggml_type, w.ggml_type);
    ASSERT_EQ(g.n_bytes, w.n_bytes);
    EXPECT_EQ(std::memcmp(g.data, w.data, w.n_bytes), 0);
  }
}

TEST(Llama2cReader, Stories260KEqualsLlamaCppConversion) {
  Result<ModelFile> ours = read_llama2c(testing::model_path("llama2c/stories260K.bin"),
                                        testing::model_path("llama2c/tok512.bin"));
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();
  Result<ModelFile> ref = read_gguf(testing::model_path("gguf/stories260K-f32.gguf"));
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  expect_same_model(*ours, *ref);

  EXPECT_EQ(ours->version, 0u);
  ASSERT_EQ(ours->mappings.size(), 1u);
  // The shared classifier is the embedding, not a copy.
  EXPECT_EQ(ours->find_tensor("output.weight")->data, ours->find_tensor("token_embd.weight")->data);
  EXPECT_EQ(ours->find_tensor("token_embd.weight")->offset, 28u);
  EXPECT_EQ(ours->find_tensor("token_embd.weight")->data, ours->mappings[0]->data() + 28);
}

TEST(Llama2cReader, Aidreams260KEqualsLlamaCppConversion) {
  Result<ModelFile> ours = read_llama2c(testing::model_path("llama2c/aidreams260K.bin"),
                                        testing::model_path("llama2c/aidreams-tok512.bin"));
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();
  Result<ModelFile> ref = read_gguf(testing::model_path("gguf/aidreams260K-f32.gguf"));
  ASSERT_TRUE(ref.ok()) << ref.status().to_string();
  expect_same_model(*ours, *ref);
}

TEST(Llama2cReader, WrongTokenizerIsRejected) {
  // The 32k Llama 2 vocab does not belong to the 512-token model.
  Result<ModelFile> f = read_llama2c(testing::model_path("llama2c/stories260K.bin"),
                                     testing::model_path("llama2c/tokenizer.bin"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(f.status().message().find("does not belong"), std::string::npos)
      << f.status().message();
  EXPECT_NE(f.status().message().find("tokenizer.bin"), std::string::npos);
}

TEST(Llama2cReader, MissingFilesAreNotFound) {
  const auto ckpt = testing::model_path("llama2c/stories260K.bin");
  const auto tok = testing::model_path("llama2c/tok512.bin");
  EXPECT_EQ(read_llama2c("/nonexistent/model.bin", tok).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(read_llama2c(ckpt, "/nonexistent/tok.bin").status().code(), StatusCode::kNotFound);
}

// A tiny synthetic model: dim 8, hidden 16, 2 layers, 2 heads, 1 kv head, seq 4.
struct Synthetic {
  int32_t header[7] = {8, 16, 2, 2, 1, 5, 4};
  bool append_wcls = false;

  uint64_t n_floats() const {
    const uint64_t dim = header[0], hidden = header[1], layers = header[2];
    const uint64_t vocab = static_cast<uint64_t>(std::abs(header[5]));
    const uint64_t kv_dim = dim * header[4] / header[3], head = dim / header[3];
    uint64_t n = vocab * dim +
                 layers * (2 * dim + 2 * dim * dim + 2 * kv_dim * dim + 3 * hidden * dim) + dim +
                 header[6] * head;
    return append_wcls ? n + vocab * dim : n;
  }
  std::vector<uint8_t> checkpoint() const {
    std::vector<uint8_t> b(sizeof(header) + n_floats() * 4);
    std::memcpy(b.data(), header, sizeof(header));
    for (uint64_t i = 0; i < n_floats(); ++i) {
      const float x = static_cast<float>(i);
      std::memcpy(b.data() + sizeof(header) + i * 4, &x, 4);
    }
    return b;
  }
};

std::vector<uint8_t> tokenizer(const std::vector<std::string>& tokens) {
  std::vector<uint8_t> b;
  const auto put = [&](const void* p, size_t n) {
    b.insert(b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  };
  const int32_t max_len = 8;
  put(&max_len, 4);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const float score = -static_cast<float>(i);
    const int32_t len = static_cast<int32_t>(tokens[i].size());
    put(&score, 4);
    put(&len, 4);
    put(tokens[i].data(), tokens[i].size());
  }
  return b;
}

const std::vector<std::string> kTokens = {"<unk>", "\n<s>\n", "\n</s>\n", "<0x41>", " hi"};

class Llama2cSynthetic : public ::testing::Test {
 protected:
  Result<ModelFile> read(const std::vector<uint8_t>& ckpt, const std::vector<uint8_t>& tok) {
    testing::write_all(dir_ / "m.bin", ckpt);
    testing::write_all(dir_ / "t.bin", tok);
    return read_llama2c(dir_ / "m.bin", dir_ / "t.bin");
  }
  void expect_error(const std::vector<uint8_t>& ckpt, const std::vector<uint8_t>& tok,
                    const std::string& needle) {
    Result<ModelFile> f = read(ckpt, tok);
    ASSERT_FALSE(f.ok()) << "expected an error mentioning '" << needle << "'";
    EXPECT_EQ(f.status().code(), StatusCode::kCorruptData) << f.status().to_string();
    EXPECT_NE(f.status().message().find(needle), std::string::npos) << f.status().message();
  }
  testing::TempDir dir_;
};

TEST_F(Llama2cSynthetic, SharedClassifierAndVocab) {
  Synthetic s;
  Result<ModelFile> f = read(s.checkpoint(), tokenizer(kTokens));
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->tensors.size(), 3u + 2 * 9);
  EXPECT_EQ(f->get_int("llama.rope.dimension_count"), 4);
  EXPECT_EQ(f->get_int("llama.context_length"), 4);
  EXPECT_EQ(f->find_tensor("blk.1.attn_k.weight")->dims, (std::vector<uint64_t>{8, 4}));
  EXPECT_EQ(f->find_tensor("blk.1.ffn_down.weight")->dims, (std::vector<uint64_t>{16, 8}));
  EXPECT_EQ(f->find_tensor("output.weight")->offset, 28u);

  const MetaArray* tokens = f->get_array("tokenizer.ggml.tokens");
  ASSERT_NE(tokens, nullptr);
  EXPECT_EQ(tokens->strings,
            (std::vector<std::string>{"<unk>", "<s>", "</s>", "<0x41>", "\xE2\x96\x81hi"}));
  EXPECT_EQ(f->get_array("tokenizer.ggml.token_type")->ints, (std::vector<int64_t>{2, 3, 3, 6, 1}));
  EXPECT_EQ(f->get_array("tokenizer.ggml.scores")->floats,
            (std::vector<double>{0, -1, -2, -3, -4}));

  // Every tensor lies inside the file, and consecutive arrays follow each other.
  for (const TensorInfo& t : f->tensors) {
    EXPECT_LE(t.offset + t.n_bytes, f->mappings[0]->size()) << t.name;
  }
  const TensorInfo* q1 = f->find_tensor("blk.1.attn_q.weight");
  float first;
  std::memcpy(&first, q1->data, 4);
  // token_embedding (5*8) + rms_att (2*8) + wq of layer 0 (8*8) floats precede it.
  EXPECT_EQ(first, 40.0f + 16.0f + 64.0f);
}

TEST_F(Llama2cSynthetic, UnsharedClassifierIsTheTrailingMatrix) {
  Synthetic s;
  s.header[5] = -5;
  s.append_wcls = true;
  const std::vector<uint8_t> ckpt = s.checkpoint();
  Result<ModelFile> f = read(ckpt, tokenizer(kTokens));
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  const TensorInfo* out = f->find_tensor("output.weight");
  EXPECT_EQ(out->dims, (std::vector<uint64_t>{8, 5}));
  EXPECT_EQ(out->offset + out->n_bytes, ckpt.size());
  EXPECT_NE(out->data, f->find_tensor("token_embd.weight")->data);
}

TEST_F(Llama2cSynthetic, BadHeaders) {
  const auto tok = tokenizer(kTokens);
  {
    Synthetic s;
    std::vector<uint8_t> b = s.checkpoint();
    b.resize(10);
    expect_error(b, tok, "n_layers");  // the third header field is cut off
  }
  {
    Synthetic s;
    std::vector<uint8_t> b = s.checkpoint();
    b.push_back(0);
    expect_error(b, tok,
                 "implies a file of " + base::with_thousands(b.size() - 1) +
                     " bytes but the file has " + base::with_thousands(b.size()));
  }
  {
    Synthetic s;
    std::vector<uint8_t> b = s.checkpoint();
    b.resize(b.size() - 4);
    expect_error(b, tok, "but the file has " + base::with_thousands(b.size()) + " bytes");
  }
  const struct {
    int field;
    int32_t value;
    const char* needle;
  } cases[] = {
      {0, 0, "dim must be positive"},
      {1, -1, "hidden_dim must be positive"},
      {2, 0, "n_layers must be positive"},
      {3, 0, "n_heads must be positive"},
      {4, -4, "n_kv_heads must be positive"},
      {6, 0, "seq_len must be positive"},
      {5, 0, "vocab_size"},
      {5, INT32_MIN, "vocab_size"},
      {3, 3, "dim is not a multiple of n_heads"},
      {4, 3, "n_kv_heads"},
      {3, 8, "head size is odd"},
      {0, 1 << 30, "implies a file of"},  // huge sizes must not overflow
      {1, INT32_MAX, "implies a file of"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.needle);
    Synthetic s;
    s.header[c.field] = c.value;
    std::vector<uint8_t> b = Synthetic().checkpoint();
    std::memcpy(b.data(), s.header, sizeof(s.header));
    expect_error(b, tok, c.needle);
  }
}

TEST_F(Llama2cSynthetic, BadTokenizers) {
  const std::vector<uint8_t> ckpt = Synthetic().checkpoint();
  std::vector<uint8_t> tok = tokenizer(kTokens);
  expect_error(ckpt, std::vector<uint8_t>(tok.begin(), tok.begin() + 2), "max_token_length");
  expect_error(ckpt, std::vector<uint8_t>(tok.begin(), tok.end() - 1), "token 4");
  expect_error(ckpt, tokenizer({"a", "b", "c"}), "too few");
  std::vector<std::string> six = kTokens;
  six.push_back("x");
  expect_error(ckpt, tokenizer(six), "does not belong");

  std::vector<uint8_t> negative = tok;
  const int32_t minus_one = -1;
  std::memcpy(negative.data() + 4 + 4, &minus_one, 4);  // token 0's length
  expect_error(ckpt, negative, "negative length");
  std::vector<uint8_t> huge = tok;
  const int32_t big = INT32_MAX;
  std::memcpy(huge.data() + 4 + 4, &big, 4);
  expect_error(ckpt, huge, "token 0");
  std::memcpy(huge.data(), &minus_one, 4);
  expect_error(ckpt, huge, "max_token_length is negative");
}

TEST_F(Llama2cSynthetic, EveryTruncationFails) {
  const std::vector<uint8_t> ckpt = Synthetic().checkpoint();
  const std::vector<uint8_t> tok = tokenizer(kTokens);
  for (size_t n = 0; n < ckpt.size(); n += (n < 64 ? 1 : 61)) {
    SCOPED_TRACE(n);
    Result<ModelFile> f = read(std::vector<uint8_t>(ckpt.begin(), ckpt.begin() + n), tok);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), StatusCode::kCorruptData);
  }
  for (size_t n = 0; n < tok.size(); ++n) {
    SCOPED_TRACE(n);
    Result<ModelFile> f = read(ckpt, std::vector<uint8_t>(tok.begin(), tok.begin() + n));
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status().code(), StatusCode::kCorruptData);
  }
}

}  // namespace
}  // namespace liftoff::formats
