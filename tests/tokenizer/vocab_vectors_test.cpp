// llama.cpp's tokenizer test vectors (test-tokenizer-0): every input of every vocabulary must give
// exactly llama.cpp's ids (add_special = false, parse_special = false).
#include <gtest/gtest.h>

#include <sstream>

#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using testing::models_dir;

struct VectorFile {
  const char* name;
  const char* tokenizer;  // relative to the models dir: a .gguf or a tokenizer.json
  const char* vectors;    // relative path of X.inp / X.out without the extension
};
// gtest prints parameters in failure messages; the name is what identifies one.
void PrintTo(const VectorFile& p, std::ostream* os) { *os << p.name; }

std::string join(const std::vector<TokenId>& ids) {
  std::ostringstream out;
  for (size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i];
  return out.str();
}

class VocabVectors : public ::testing::TestWithParam<VectorFile> {};

TEST_P(VocabVectors, MatchLlamaCpp) {
  const VectorFile& f = GetParam();
  const std::filesystem::path tokenizer_path = models_dir() / f.tokenizer;
  Result<Tokenizer> tok = tokenizer_path.extension() == ".gguf"
                              ? testing::load_gguf_tokenizer(tokenizer_path)
                              : Tokenizer::from_hf_json(tokenizer_path);
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  const std::filesystem::path base = models_dir() / f.vectors;
  auto cases = testing::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  ASSERT_TRUE(cases.ok()) << cases.status().to_string();
  ASSERT_FALSE(cases->empty());

  size_t matched = 0;
  for (const testing::VocabCase& c : *cases) {
    const std::vector<TokenId> ids = tok->encode(c.text, false, false);
    if (ids == c.ids) {
      ++matched;
    } else {
      ADD_FAILURE() << f.name << ": input '" << c.text << "'\n  expected " << join(c.ids)
                    << "\n  got      " << join(ids);
    }
  }
  std::cout << "[ vectors  ] " << f.name << ": " << matched << "/" << cases->size() << " match\n";
}

INSTANTIATE_TEST_SUITE_P(
    All, VocabVectors,
    ::testing::Values(
        VectorFile{"llama_spm", "vocab/ggml-vocab-llama-spm.gguf",
                   "vocab/ggml-vocab-llama-spm.gguf"},
        VectorFile{"gpt_2", "vocab/ggml-vocab-gpt-2.gguf", "vocab/ggml-vocab-gpt-2.gguf"},
        VectorFile{"phi_3", "vocab/ggml-vocab-phi-3.gguf", "vocab/ggml-vocab-phi-3.gguf"},
        VectorFile{"deepseek_coder", "vocab/ggml-vocab-deepseek-coder.gguf",
                   "vocab/ggml-vocab-deepseek-coder.gguf"},
        VectorFile{"bert_bge", "vocab/ggml-vocab-bert-bge.gguf", "vocab/ggml-vocab-bert-bge.gguf"},
        VectorFile{"llama3_json", "tokenizers/llama3/tokenizer.json",
                   "tokenizers/llama3/ggml-vocab-llama-bpe.gguf"},
        VectorFile{"qwen3_json", "tokenizers/qwen3/tokenizer.json",
                   "tokenizers/qwen3/ggml-vocab-qwen2.gguf"}),
    [](const ::testing::TestParamInfo<VectorFile>& info) { return info.param.name; });

}  // namespace
}  // namespace liftoff::tokenizer
