// Tokenizer: text <-> token ids for a model's vocabulary, built from GGUF metadata
// (tokenizer.ggml.*) or a Hugging Face tokenizer.json. Algorithms: SentencePiece-style (scores,
// byte fallback), byte-level BPE (merges + pre-tokenizer regex) and WordPiece. Immutable after
// construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::tokenizer {

using TokenId = int32_t;

enum class TokenKind : uint8_t {  // GGUF tokenizer.ggml.token_type values
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

class TokenizerImpl;

class Tokenizer {
 public:
  static Result<Tokenizer> from_model_file(const formats::ModelFile& file);
  // tokenizer.json (+ tokenizer_config.json beside it, if present, for add_bos/eos/chat template).
  static Result<Tokenizer> from_hf_json(const std::filesystem::path& tokenizer_json);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // add_special: prepend BOS (and append EOS) when the vocabulary asks for it (add_bos/add_eos).
  // parse_special: text like "<s>" or "<|im_start|>" becomes its special token; otherwise it is
  // tokenized as plain text. Matches llama.cpp's llama_tokenize.
  std::vector<TokenId> encode(std::string_view text, bool add_special, bool parse_special) const;

  // The raw bytes of one token (byte-fallback tokens give their byte; "▁" becomes ' ';
  // byte-level BPE pieces are mapped back to bytes). Control tokens give "" unless
  // render_special, then their text (e.g. "<|im_end|>").
  std::string token_to_piece(TokenId id, bool render_special = false) const;

  // Concatenated pieces, with SentencePiece's leading space of the first token removed when
  // the vocabulary adds one (as llama.cpp's detokenize does).
  std::string decode(std::span<const TokenId> ids, bool render_special = false) const;

  size_t n_vocab() const;
  TokenId bos() const;   // -1 if the vocabulary has none
  TokenId eos() const;   // -1 if none
  bool add_bos() const;
  // End of generation: EOS, EOT (<|eot_id|>, <|im_end|>, <|end|>, ...).
  bool is_end_of_generation(TokenId id) const;
  TokenKind kind(TokenId id) const;
  const std::string& text(TokenId id) const;  // the vocabulary entry as stored
  // tokenizer.chat_template or the json's chat_template, "" if none.
  const std::string& chat_template() const;

 private:
  explicit Tokenizer(std::unique_ptr<TokenizerImpl> impl);
  std::unique_ptr<TokenizerImpl> impl_;
};

// Turns a stream of token ids into text without ever emitting an incomplete UTF-8 sequence:
// bytes of a multi-byte character split over several tokens are held until complete.
class StreamingDecoder {
 public:
  explicit StreamingDecoder(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}
  // Text that became complete with this token (possibly "").
  std::string push(TokenId id);
  // Whatever is held back at the end of the stream (invalid bytes become U+FFFD).
  std::string flush();

 private:
  const Tokenizer* tokenizer_;
  std::string pending_;
  bool first_ = true;
};

}  // namespace liftoff::tokenizer
