// Splitting text around special-token texts before the encoder sees it ("<|im_start|>user" ->
// [<|im_start|>] + "user"), as llama.cpp's tokenizer_st_partition does: longest tokens first,
// user-defined tokens always, control/unknown ones only when parsing special tokens, with the
// whitespace next to an lstrip/rstrip token dropped.
#pragma once

#include <string_view>
#include <vector>

#include "liftoff/tokenizer/vocab.h"

namespace liftoff::tokenizer {

// Either a special token or a run of raw text [offset, offset + length) of the input.
struct Fragment {
  TokenId token = -1;  // -1: raw text
  size_t offset = 0;
  size_t length = 0;
};

std::vector<Fragment> partition_special(const Vocab& vocab, std::string_view text,
                                        bool parse_special);

}  // namespace liftoff::tokenizer
