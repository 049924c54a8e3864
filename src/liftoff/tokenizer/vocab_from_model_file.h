// Builds a Vocab from GGUF-style metadata (tokenizer.ggml.*), the way llama.cpp's
// llama_vocab::impl::load reads it: per-model-type defaults, then whatever keys the file has.
#pragma once

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"
#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

// The result is finalize()d. Errors (kCorruptData unless noted): a missing or mistyped
// tokenizer.ggml.model / tokens / merges, arrays shorter than the token list, special ids the
// encoder needs outside the vocabulary; kInvalidArgument for tokenizer types or pre-tokenizers
// this build does not implement.
Result<Vocab> vocab_from_model_file(const formats::ModelFile& file);

}  // namespace liftoff::tokenizer
