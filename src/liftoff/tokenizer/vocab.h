// Vocab: everything a tokenizer knows about its vocabulary, whatever file it came from — token
// texts, scores and attributes, special ids, encoder flags, merges and pre-tokenizer regexes.
// Built by vocab_from_model_file (GGUF metadata) or vocab_from_hf_json, then finalize()d;
// immutable afterwards. Encoding lives in the *_encoder files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/token_index.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tokenizer {

enum class VocabType : uint8_t {
  kSpm,  // SentencePiece BPE over scores with byte fallback (tokenizer.ggml.model "llama")
  kBpe,  // byte-level BPE over merge ranks ("gpt2")
  kWpm,  // WordPiece, greedy longest match ("bert")
};

// Token attributes as llama.cpp keeps them: a bit set, because the model-specific fix-ups add
// flags (control, lstrip, rstrip) on top of the kind stored in the file.
enum TokenAttr : uint32_t {
  kAttrUndefined = 1u << 0,
  kAttrUnknown = 1u << 1,
  kAttrUnused = 1u << 2,
  kAttrNormal = 1u << 3,
  kAttrControl = 1u << 4,
  kAttrUserDefined = 1u << 5,
  kAttrByte = 1u << 6,
  kAttrLstrip = 1u << 7,  // swallow whitespace to the left when splitting out this token
  kAttrRstrip = 1u << 8,  // ... and to the right
};

uint32_t attr_from_kind(TokenKind kind);

struct TokenData {
  std::string text;
  float score = 0.0f;
  uint32_t attr = kAttrNormal;
  TokenKind kind = TokenKind::kNormal;  // as stored in the file
};

struct Vocab {
  VocabType type = VocabType::kSpm;
  std::string pre;  // pre-tokenizer name (tokenizer.ggml.pre, or the preset a json matched)

  std::vector<TokenData> tokens;  // [n_vocab]
  TokenIndex token_to_id;         // text -> id; a duplicated text maps to its last id
  size_t max_token_len = 0;       // bytes, of the longest token text

  TokenId bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1, mask = -1;
  TokenId fim_pre = -1, fim_suf = -1, fim_mid = -1, fim_pad = -1, fim_rep = -1, fim_sep = -1;

  bool add_bos = false;
  bool add_eos = false;
  bool add_sep = false;
  bool add_space_prefix = false;    // SPM: prepend ' ' to text that follows a special token/start
  bool escape_whitespaces = false;  // replace ' ' with U+2581 before encoding
  bool clean_spaces = false;        // decode: drop spaces before ?!., and around contractions
  bool ignore_merges = false;       // BPE: a pre-token that is a whole vocab entry is taken as is
  bool byte_encode = true;          // BPE: map bytes to GPT-2's alphabet before merging
  bool lowercase = true;            // WordPiece normaliser
  bool strip_accents = true;        // WordPiece normaliser (NFD, then drop marks)

  std::vector<std::string> pre_regexes;  // BPE: applied in order, each splitting the last's pieces
  // BPE: rank = index. Released once the tokenizer has built its rank table from it.
  std::vector<std::pair<std::string, std::string>> merges;

  std::string chat_template;

  // Filled by finalize().
  std::unordered_set<TokenId> eog_ids;
  std::vector<TokenId> special_tokens;  // control/user-defined/unknown ids, longest text first

  size_t size() const { return tokens.size(); }
  // Accessor the index uses to read token texts back.
  auto text_of() const {
    return [this](TokenId id) -> std::string_view { return tokens[id].text; };
  }
  TokenId find(std::string_view text) const { return token_to_id.find(text, text_of()); }
  // Sizes tokens and index for `n` tokens.
  void reserve(size_t n) {
    tokens.reserve(n);
    token_to_id.reserve(n, text_of());
  }
  bool has(TokenId id) const { return id >= 0 && static_cast<size_t>(id) < tokens.size(); }

  // Appends a token (empty text becomes "[EMPTY_<id>]", as llama.cpp does).
  void add_token(std::string text, float score, TokenKind kind);

  // Validates the special ids and derives what llama.cpp derives at load: EOT/EOM/FIM ids from
  // well-known texts, the end-of-generation set, unused control tokens, the special-token list
  // used to split text, and the per-model lstrip/rstrip fix-ups (`model_name` is general.name).
  // `architecture` is general.architecture. Errors: a special id the encoder relies on (bos, eos,
  // eot, eom, unk, sep) outside the vocabulary.
  Status finalize(std::string_view model_name, std::string_view architecture);
};

}  // namespace liftoff::tokenizer
