#include "test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../test_data.h"  // the shared data locations
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::tokenizer::testing {

std::filesystem::path models_dir() { return liftoff::testing::models_dir(); }

std::filesystem::path reference_dir() { return liftoff::testing::reference_dir(); }

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("test data missing: " + path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

size_t valid_utf8_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 < 0x80) {
      n = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      n = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      n = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (size_t k = 1; k < n; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += n;
  }
  return i;
}

Result<Tokenizer> load_gguf_tokenizer(const std::filesystem::path& gguf) {
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile file, formats::read_gguf(gguf));
  return Tokenizer::from_model_file(file);
}

Result<std::vector<VocabCase>> read_vocab_cases(const std::filesystem::path& inp,
                                                const std::filesystem::path& out) {
  LIFTOFF_ASSIGN_OR_RETURN(std::string raw, read_file(inp));
  LIFTOFF_ASSIGN_OR_RETURN(std::string expected, read_file(out));
  // Split exactly as test-tokenizer-0 does: the file ends with the separator, which yields no
  // trailing empty case; inputs keep every other byte (leading/trailing whitespace included).
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (size_t pos = 0; pos < raw.size();) {
    const size_t next = raw.find(sep, pos);
    if (next == std::string::npos) {
      inputs.push_back(raw.substr(pos));
      break;
    }
    inputs.push_back(raw.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::vector<std::string> lines;
  std::istringstream lines_in(expected);
  for (std::string line; std::getline(lines_in, line);) lines.push_back(line);
  if (inputs.size() != lines.size()) {
    return Status::corrupt_data(inp.string() + " has " + std::to_string(inputs.size()) +
                                " inputs but " + out.string() + " has " +
                                std::to_string(lines.size()) + " lines");
  }
  std::vector<VocabCase> cases;
  for (size_t i = 0; i < inputs.size(); ++i) {
    VocabCase c{inputs[i], {}};
    std::istringstream ids(lines[i]);
    for (long id; ids >> id;) c.ids.push_back(static_cast<TokenId>(id));
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace liftoff::tokenizer::testing
