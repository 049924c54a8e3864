// A Hugging Face tokenizer.json presented as the tokenizer.* GGUF metadata that llama.cpp's
// convert_hf_to_gguf.py would write for it, so a synthetic model can carry a vocabulary that
// exists only in that form (Llama 3's). Parsing is the tokenizer layer's; this only re-encodes.
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::tooling {

// A ModelFile with no tensors whose metadata holds tokenizer.ggml.{model, pre, tokens,
// token_type, merges}, the special ids the tokenizer files name, add_bos_token and
// tokenizer.chat_template. Errors: those of tokenizer::vocab_from_hf_json.
Result<formats::ModelFile> vocab_metadata_from_hf_json(const std::filesystem::path& path);

}  // namespace liftoff::tooling
