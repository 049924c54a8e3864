// open_model_file: one entry point for every model source a user can point -m at. Detects the
// format from the file's first bytes (GGUF magic, else a llama2.c checkpoint header).
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

// `tokenizer` is only used for llama2.c checkpoints; when empty, "tok<vocab>.bin" and then
// "tokenizer.bin" beside the checkpoint are tried, and the error says to pass one if neither
// exists.
Result<ModelFile> open_model_file(const std::filesystem::path& path,
                                  const std::filesystem::path& tokenizer = {});

}  // namespace liftoff::formats
