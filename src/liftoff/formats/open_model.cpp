// Format detection by magic bytes, and llama2.c tokenizer discovery.
#include "liftoff/formats/open_model.h"

#include <cstdio>
#include <cstring>
#include <fstream>

#include "liftoff/formats/gguf_reader.h"
#include "liftoff/formats/llama2c_reader.h"

namespace liftoff::formats {

Result<ModelFile> open_model_file(const std::filesystem::path& path,
                                  const std::filesystem::path& tokenizer) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Status::not_found("model file not found: " + path.string());
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalid_argument(path.string() + " is a directory, not a model file");
  }
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) return read_gguf(path);
  if (std::filesystem::file_size(path, ec) < 28) {
    return Status::corrupt_data(path.string() +
                                " is neither a GGUF file (no 'GGUF' magic) nor a llama2.c "
                                "checkpoint (shorter than its 28-byte header)");
  }
  // Not GGUF: accept it as a llama2.c checkpoint only if its 7-int header is plausible, so that
  // a text file or a JSON gets "not a model" instead of a confusing tokenizer hint.
  int32_t header[7] = {};
  in.seekg(0);
  in.read(reinterpret_cast<char*>(header), sizeof(header));
  const int32_t dim = header[0], hidden = header[1], layers = header[2], heads = header[3],
                kv_heads = header[4], seq_len = header[6];
  const int64_t vocab = header[5] < 0 ? -static_cast<int64_t>(header[5]) : header[5];
  const bool plausible = dim > 0 && dim <= (1 << 16) && hidden > 0 && hidden <= (1 << 18) &&
                         layers > 0 && layers <= 1024 && heads > 0 && heads <= dim &&
                         dim % heads == 0 && kv_heads > 0 && kv_heads <= heads &&
                         vocab > 0 && vocab <= (1 << 22) && seq_len > 0 && seq_len <= (1 << 22);
  if (!plausible) {
    return Status::corrupt_data(path.string() +
                                " is neither a GGUF file (no 'GGUF' magic) nor a llama2.c "
                                "checkpoint (its first 28 bytes are not a plausible header)");
  }
  std::filesystem::path tok = tokenizer;
  if (tok.empty()) {
    const auto dir = path.parent_path();
    for (const auto& candidate :
         {dir / ("tok" + std::to_string(vocab) + ".bin"), dir / "tokenizer.bin"}) {
      if (std::filesystem::exists(candidate, ec)) {
        tok = candidate;
        break;
      }
    }
    if (tok.empty()) {
      return Status::invalid_argument(
          path.string() + " looks like a llama2.c checkpoint, which needs its tokenizer: pass "
                          "--tokenizer (none found beside it as tok" +
          std::to_string(vocab) + ".bin or tokenizer.bin)");
    }
  }
  return read_llama2c(path, tok);
}

}  // namespace liftoff::formats
