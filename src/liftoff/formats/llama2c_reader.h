// llama2.c checkpoints (legacy v0 .bin: 7 x int32 header, then float32 weights) and llama2.c
// tokenizer .bin files, presented as a ModelFile with llama.cpp's GGUF key and tensor names
// ("llama.embedding_length", "blk.0.attn_q.weight", "tokenizer.ggml.tokens", ...), exactly as
// llama.cpp's convert-llama2c-to-ggml would name them. Weights stay in the mapping (F32).
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

// `tokenizer` is the llama2.c tokenizer .bin that belongs to the checkpoint. Errors name the
// field and byte offset (a header that does not match the file size, negative dimensions, ...).
Result<ModelFile> read_llama2c(const std::filesystem::path& checkpoint,
                               const std::filesystem::path& tokenizer);

}  // namespace liftoff::formats
