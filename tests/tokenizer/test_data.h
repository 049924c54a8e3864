// Shared test helpers: where the models and reference outputs live (LIFTOFF_MODELS_DIR /
// LIFTOFF_REFERENCE_DIR, else the build's defaults), and loaders that fail with the path.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tokenizer::testing {

std::filesystem::path models_dir();
std::filesystem::path reference_dir();

// The whole file; kNotFound naming the path if it cannot be read.
Result<std::string> read_file(const std::filesystem::path& path);

// Length of the longest prefix of `s` that is strictly valid UTF-8 (no overlongs, surrogates or
// code points past U+10FFFF); s.size() when all of it is.
size_t valid_utf8_prefix(std::string_view s);

Result<Tokenizer> load_gguf_tokenizer(const std::filesystem::path& gguf);

// llama.cpp's test-tokenizer-0 format: inputs separated by "\n__ggml_vocab_test__\n" in X.inp,
// one line of space-separated ids per input in X.out.
struct VocabCase {
  std::string text;
  std::vector<TokenId> ids;
};
Result<std::vector<VocabCase>> read_vocab_cases(const std::filesystem::path& inp,
                                                const std::filesystem::path& out);

}  // namespace liftoff::tokenizer::testing
