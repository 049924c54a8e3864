// Exact-length prompts from a tokenizer's own word tokens.
#include "liftoff/tooling/loadtest_token_prompts.h"

#include <random>

namespace liftoff::tooling {
namespace {

constexpr size_t kMinWordTokens = 16;

bool is_word_piece(const std::string& piece) {
  if (piece.size() < 3 || piece.size() > 13 || piece[0] != ' ') return false;
  for (size_t i = 1; i < piece.size(); ++i) {
    if (piece[i] < 'a' || piece[i] > 'z') return false;
  }
  return true;
}

std::mt19937_64 make_rng(uint64_t seed, uint64_t stream) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32)};
  return std::mt19937_64(seq);
}

// Marks the PRNG stream of the shared prefix; request indices never reach it.
constexpr uint64_t kSharedStream = ~uint64_t{0};

// Each step adds or removes one piece, which changes the count by one token nearly always; this
// bounds the rare back-and-forth where it does not.
constexpr int kMaxExtraSteps = 64;

}  // namespace

Result<TokenPromptBuilder> TokenPromptBuilder::create(const tokenizer::Tokenizer& tok) {
  // The context word keeps SentencePiece's dummy-prefix space off the piece being checked.
  const std::vector<tokenizer::TokenId> context = tok.encode("a", false, false);
  std::vector<std::string> pieces;
  for (size_t id = 0; id < tok.n_vocab(); ++id) {
    const auto token = static_cast<tokenizer::TokenId>(id);
    if (tok.kind(token) != tokenizer::TokenKind::kNormal) continue;
    std::string piece = tok.token_to_piece(token);
    if (!is_word_piece(piece)) continue;
    const auto ids = tok.encode("a" + piece, false, false);
    if (ids.size() != context.size() + 1 || ids.back() != token) continue;
    pieces.push_back(std::move(piece));
  }
  if (pieces.size() < kMinWordTokens) {
    return Status::invalid_argument("the tokenizer has " + std::to_string(pieces.size()) +
                                    " whole-word tokens; exact-length prompts need at least " +
                                    std::to_string(kMinWordTokens));
  }
  return TokenPromptBuilder(tok, std::move(pieces));
}

size_t TokenPromptBuilder::count(const std::string& text) const {
  return tok_->encode(text, false, false).size();
}

Result<Prompt> TokenPromptBuilder::make(const PromptSpec& spec, uint64_t index) const {
  const uint64_t n = pieces_.size();
  std::uniform_int_distribution<uint64_t> pick(0, n - 1);
  // Pieces start with a space; a part's text drops the first one, and Prompt::text() puts a
  // single space back between the parts.
  auto text_of = [](const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += p;
    return s.empty() ? s : s.substr(1);
  };
  // Grows or shrinks `parts` until `measure(text)` is `target`.
  auto fit = [&](std::vector<std::string>& parts, size_t target, std::mt19937_64& rng,
                 auto&& measure) -> Status {
    for (int step = 0; step < static_cast<int>(target) + kMaxExtraSteps; ++step) {
      const size_t have = measure(text_of(parts));
      if (have == target) return Status::ok();
      if (have > target && !parts.empty()) {
        parts.pop_back();
      } else {
        parts.push_back(pieces_[pick(rng)]);
      }
    }
    return Status::internal("could not build a prompt of exactly " + std::to_string(target) +
                            " tokens");
  };

  std::vector<std::string> shared;
  if (spec.n_shared > 0) {
    auto rng = make_rng(spec.seed, kSharedStream);
    for (int64_t i = 0; i < spec.n_shared; ++i) shared.push_back(pieces_[pick(rng)]);
    LIFTOFF_RETURN_IF_ERROR(fit(shared, static_cast<size_t>(spec.n_shared), rng,
                                [this](const std::string& t) { return count(t); }));
  }
  Prompt prompt;
  prompt.shared = text_of(shared);

  std::vector<std::string> unique;
  const uint64_t x = index + spec.seed % (n * n);
  const int64_t n_unique = spec.n_words - spec.n_shared;
  if (n_unique > 0) unique.push_back(pieces_[x % n]);
  if (n_unique > 1) unique.push_back(pieces_[(x / n) % n]);
  auto rng = make_rng(spec.seed, index);
  while (static_cast<int64_t>(unique.size()) < n_unique) unique.push_back(pieces_[pick(rng)]);
  if (n_unique > 0) {
    // The unique part is measured in context: what matters is the whole prompt's length.
    LIFTOFF_RETURN_IF_ERROR(
        fit(unique, static_cast<size_t>(spec.n_words), rng, [&](const std::string& t) {
          return count(prompt.shared.empty() ? t : prompt.shared + " " + t);
        }));
  }
  prompt.unique = text_of(unique);
  return prompt;
}

}  // namespace liftoff::tooling
