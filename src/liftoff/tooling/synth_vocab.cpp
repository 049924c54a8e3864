// fit_vocab: cut or pad a tokenizer's token list (and everything indexed by token id) to a
// model's vocabulary size. The source file is only read.
#include "liftoff/tooling/synth_vocab.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_set>

namespace liftoff::tooling {
namespace {

using formats::GgufType;
using formats::MetaArray;
using formats::MetaValue;

constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";
constexpr const char* kMergesKey = "tokenizer.ggml.merges";
constexpr int64_t kTokenTypeControl = 3;  // llama.cpp's LLAMA_TOKEN_TYPE_CONTROL

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// tokenizer.ggml.bos_token_id, ...; their value is a token id, or -1 / 0xFFFFFFFF for "none".
bool is_special_id_key(const std::string& key) {
  return starts_with(key, "tokenizer.ggml.") && ends_with(key, "_token_id");
}

MetaValue array_value(std::shared_ptr<MetaArray> a) {
  return MetaValue{GgufType::kArray, std::move(a)};
}

// The per-token arrays the fitter rewrites; elements are indexed by token id.
struct TokenArrays {
  std::vector<std::string> tokens;
  const MetaArray* scores = nullptr;
  const MetaArray* types = nullptr;
};

Result<TokenArrays> read_token_arrays(const formats::ModelFile& source) {
  TokenArrays t;
  const MetaArray* tokens = source.get_array(kTokensKey);
  if (tokens == nullptr || tokens->element_type != GgufType::kString || tokens->strings.empty()) {
    return Status::corrupt_data(std::string("vocab file has no '") + kTokensKey + "' string array");
  }
  t.tokens = tokens->strings;
  for (const char* key : {kScoresKey, kTypesKey}) {
    const MetaArray* a = source.get_array(key);
    if (a == nullptr) continue;
    if (a->size() != t.tokens.size()) {
      return Status::corrupt_data(std::string("vocab file's '") + key + "' has " +
                                  std::to_string(a->size()) + " entries but there are " +
                                  std::to_string(t.tokens.size()) + " tokens");
    }
    (key == std::string(kScoresKey) ? t.scores : t.types) = a;
  }
  return t;
}

}  // namespace

Result<FittedVocab> fit_vocab(const formats::ModelFile& source, int64_t n_vocab) {
  if (n_vocab < 1) return Status::invalid_argument("vocabulary size must be positive");
  LIFTOFF_ASSIGN_OR_RETURN(TokenArrays src, read_token_arrays(source));
  const auto n_src = static_cast<int64_t>(src.tokens.size());
  const auto n = static_cast<size_t>(n_vocab);

  FittedVocab out;
  out.n_source_tokens = n_src;
  std::map<std::string, MetaValue> meta;  // sorted, so the output order is stable
  for (const auto& [key, value] : source.metadata) {
    if (starts_with(key, "tokenizer.")) meta[key] = value;
  }
  if (n_src == n_vocab) {
    out.metadata.assign(meta.begin(), meta.end());
    return out;
  }

  // new_from_old[i] = which source token id ends up at id i (-1: a padding token).
  std::vector<int64_t> new_from_old(n, -1);
  for (size_t i = 0; i < n && static_cast<int64_t>(i) < n_src; ++i) new_from_old[i] = i;

  if (n_src > n_vocab) {
    // Special ids past the cut move onto the last slots that no kept special id uses.
    std::unordered_set<int64_t> kept_special;
    std::vector<int64_t> moved;
    for (const auto& [key, value] : meta) {
      if (!is_special_id_key(key)) continue;
      const std::optional<int64_t> id = value.as_int();
      if (!id || *id < 0 || *id >= n_src) continue;  // "none" (-1 / 0xFFFFFFFF) or invalid
      if (*id < n_vocab) {
        kept_special.insert(*id);
      } else if (std::find(moved.begin(), moved.end(), *id) == moved.end()) {
        moved.push_back(*id);
      }
    }
    std::sort(moved.rbegin(), moved.rend());
    std::map<int64_t, int64_t> new_id_of;  // moved source id -> new id
    int64_t slot = n_vocab - 1;
    for (int64_t old_id : moved) {
      while (slot >= 0 && kept_special.count(slot) != 0) --slot;
      if (slot < 0) return Status::invalid_argument("vocabulary too small for its special tokens");
      out.notes.push_back("special token " + std::to_string(old_id) + " '" + src.tokens[old_id] +
                          "' moved to id " + std::to_string(slot) + " (replacing '" +
                          src.tokens[slot] + "')");
      new_from_old[slot] = old_id;
      new_id_of[old_id] = slot--;
    }
    for (auto& [key, value] : meta) {
      if (!is_special_id_key(key)) continue;
      const std::optional<int64_t> id = value.as_int();
      if (!id) continue;
      if (auto it = new_id_of.find(*id); it != new_id_of.end()) {
        value = MetaValue{GgufType::kUint32, static_cast<uint64_t>(it->second)};
      }
    }
    out.notes.insert(out.notes.begin(), "vocabulary cut from " + std::to_string(n_src) + " to " +
                                            std::to_string(n_vocab) + " tokens");
  } else {
    out.notes.push_back("vocabulary padded from " + std::to_string(n_src) + " to " +
                        std::to_string(n_vocab) + " tokens with control tokens <|synth_pad_N|>");
  }

  auto tokens = std::make_shared<MetaArray>();
  tokens->element_type = GgufType::kString;
  tokens->strings.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    tokens->strings.push_back(new_from_old[i] >= 0 ? src.tokens[new_from_old[i]]
                                                   : "<|synth_pad_" + std::to_string(i) + "|>");
  }
  if (src.scores != nullptr) {
    auto scores = std::make_shared<MetaArray>();
    scores->element_type = src.scores->element_type;
    for (size_t i = 0; i < n; ++i) {
      scores->floats.push_back(new_from_old[i] >= 0 ? src.scores->floats[new_from_old[i]] : 0.0);
    }
    meta[kScoresKey] = array_value(std::move(scores));
  }
  if (src.types != nullptr) {
    auto types = std::make_shared<MetaArray>();
    types->element_type = src.types->element_type;
    for (size_t i = 0; i < n; ++i) {
      types->ints.push_back(new_from_old[i] >= 0 ? src.types->ints[new_from_old[i]]
                                                 : kTokenTypeControl);
    }
    meta[kTypesKey] = array_value(std::move(types));
  }

  if (const MetaArray* merges = source.get_array(kMergesKey);
      merges != nullptr && merges->element_type == GgufType::kString) {
    // Padding adds no mergeable text, so only a cut can orphan a merge.
    std::unordered_set<std::string_view> vocab(tokens->strings.begin(), tokens->strings.end());
    auto kept = std::make_shared<MetaArray>();
    kept->element_type = GgufType::kString;
    for (const std::string& m : merges->strings) {
      const size_t space = m.find(' ', 1);  // a part may itself be a lone space-like symbol
      if (space == std::string::npos) continue;
      const std::string_view left(m.data(), space);
      const std::string_view right(m.data() + space + 1, m.size() - space - 1);
      if (vocab.count(left) != 0 && vocab.count(right) != 0 &&
          vocab.count(std::string(left) + std::string(right)) != 0) {
        kept->strings.push_back(m);
      }
    }
    if (kept->strings.size() != merges->strings.size()) {
      out.notes.push_back("kept " + std::to_string(kept->strings.size()) + " of " +
                          std::to_string(merges->strings.size()) +
                          " merges (those whose parts and result are still tokens)");
    }
    meta[kMergesKey] = array_value(std::move(kept));
  }
  meta[kTokensKey] = array_value(std::move(tokens));
  out.metadata.assign(meta.begin(), meta.end());
  return out;
}

}  // namespace liftoff::tooling
