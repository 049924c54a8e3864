// Builds a Vocab from a Hugging Face tokenizer.json (byte-level BPE models) plus, when it sits
// beside it, tokenizer_config.json (BOS/EOS names, add_bos_token, chat template). The result
// tokenizes like llama.cpp does on the GGUF convert_hf_to_gguf.py would make from the same files.
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

// The result is finalize()d. Errors: kNotFound (no such file), kCorruptData (not JSON, a field
// missing or of the wrong type, ids out of range), kInvalidArgument (a model type, normalizer or
// pre-tokenizer step this build does not implement).
Result<Vocab> vocab_from_hf_json(const std::filesystem::path& tokenizer_json);

}  // namespace liftoff::tokenizer
