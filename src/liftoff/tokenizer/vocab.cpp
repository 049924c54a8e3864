// Vocab finalisation: the special-token bookkeeping llama.cpp does after reading a vocabulary
// (llama_vocab::impl::load), so that ids, end-of-generation and special-token splitting match it.
#include "liftoff/tokenizer/vocab.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

#include "liftoff/base/log.h"

namespace liftoff::tokenizer {

namespace {

bool contains_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  for (std::string_view p : parts) {
    if (s.find(p) != std::string_view::npos) return true;
  }
  return false;
}

bool is_one_of(std::string_view s, std::span<const std::string_view> options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

// Texts llama.cpp recognises as the EOT / FIM tokens when the file does not name them.
constexpr std::string_view kEotTexts[] = {
    "<|eot_id|>",        "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
    "<|end_of_text|>",   "<EOT>",      "_<EOT>",  "[EOT]",         "<｜end▁of▁sentence｜>",
    "<end_of_utterance>"};
constexpr std::string_view kFimPreTexts[] = {"<|fim_prefix|>",  "<fim-prefix>", "<fim_prefix>",
                                             "<｜fim▁begin｜>", "<PRE>",        "▁<PRE>",
                                             "<|code_prefix|>", "<|prefix|>"};
constexpr std::string_view kFimSufTexts[] = {"<|fim_suffix|>",  "<fim-suffix>", "<fim_suffix>",
                                             "<｜fim▁hole｜>",  "<SUF>",        "▁<SUF>",
                                             "<|code_suffix|>", "<|suffix|>"};
constexpr std::string_view kFimMidTexts[] = {"<|fim_middle|>",  "<fim-middle>", "<fim_middle>",
                                             "<｜fim▁end｜>",   "<MID>",        "▁<MID>",
                                             "<|code_middle|>", "<|middle|>"};
constexpr std::string_view kFimPadTexts[] = {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
                                             "[PAD]"};
constexpr std::string_view kFimRepTexts[] = {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>",
                                             "<REPO>", "<reponame>"};
constexpr std::string_view kFimSepTexts[] = {"<|file_sep|>"};
// Texts that end generation whatever the file says.
constexpr std::string_view kEogTexts[] = {"<|eot_id|>",
                                          "<|im_end|>",
                                          "<|end|>",
                                          "<|return|>",
                                          "<|call|>",
                                          "<|flush|>",
                                          "<|calls|>",
                                          "<end_of_turn>",
                                          "<|endoftext|>",
                                          "</s>",
                                          "<|eom_id|>",
                                          "<EOT>",
                                          "_<EOT>",
                                          "[EOT]",
                                          "[EOS]",
                                          "<|end_of_text|>",
                                          "<end_of_utterance>",
                                          "<eos>",
                                          "<turn|>",
                                          "<|tool_response>",
                                          "<｜end▁of▁sentence｜>",
                                          "[e~["};

}  // namespace

uint32_t attr_from_kind(TokenKind kind) {
  switch (kind) {
    case TokenKind::kUnknown:
      return kAttrUnknown;
    case TokenKind::kUnused:
      return kAttrUnused;
    case TokenKind::kNormal:
      return kAttrNormal;
    case TokenKind::kControl:
      return kAttrControl;
    case TokenKind::kUserDefined:
      return kAttrUserDefined;
    case TokenKind::kByte:
      return kAttrByte;
    case TokenKind::kUndefined:
      return kAttrUndefined;
  }
  return kAttrUndefined;
}

void Vocab::add_token(std::string text, float score, TokenKind kind) {
  const auto id = static_cast<TokenId>(tokens.size());
  if (text.empty()) text = "[EMPTY_" + std::to_string(id) + "]";
  max_token_len = std::max(max_token_len, text.size());
  tokens.push_back(TokenData{std::move(text), score, attr_from_kind(kind), kind});
  token_to_id.insert(tokens.back().text, id, text_of());
}

Status Vocab::finalize(std::string_view model_name, std::string_view architecture) {
  const std::array<std::pair<const char*, TokenId*>, 6> required = {
      {{"bos", &bos}, {"eos", &eos}, {"eot", &eot}, {"eom", &eom}, {"unk", &unk}, {"sep", &sep}}};
  for (const auto& [name, id] : required) {
    if (*id < -1 || *id >= static_cast<TokenId>(tokens.size())) {
      return Status::corrupt_data(std::string("tokenizer: ") + name + " token id " +
                                  std::to_string(*id) + " is outside the vocabulary of " +
                                  std::to_string(tokens.size()) + " tokens");
    }
  }
  // Ids that only describe the vocabulary are dropped rather than failing the load; real files
  // carry e.g. a padding id equal to n_vocab.
  for (TokenId* id : {&pad, &mask, &fim_pre, &fim_suf, &fim_mid, &fim_pad, &fim_rep, &fim_sep}) {
    if (!has(*id)) *id = -1;
  }

  // Walk each distinct text once (the id it maps to), in id order so that ties resolve the same
  // way on every run; llama.cpp walks its hash map, whose order is unspecified.
  std::vector<TokenId> distinct;
  distinct.reserve(tokens.size());
  for (TokenId id = 0; id < static_cast<TokenId>(tokens.size()); ++id) {
    if (find(tokens[id].text) == id) distinct.push_back(id);
  }
  const auto mark_control = [&](TokenId id) { tokens[id].attr |= kAttrControl; };
  const auto detect = [&](TokenId& slot, std::span<const std::string_view> texts) {
    if (slot != -1) return;
    for (TokenId id : distinct) {
      if (is_one_of(tokens[id].text, texts)) {
        slot = id;
        mark_control(id);
        return;
      }
    }
  };
  detect(eot, kEotTexts);
  constexpr std::string_view kEomTexts[] = {"<|eom_id|>"};
  detect(eom, kEomTexts);
  detect(fim_pre, kFimPreTexts);
  detect(fim_suf, kFimSufTexts);
  detect(fim_mid, kFimMidTexts);
  detect(fim_pad, kFimPadTexts);
  detect(fim_rep, kFimRepTexts);
  detect(fim_sep, kFimSepTexts);

  for (TokenId id : distinct) {
    TokenData& t = tokens[id];
    if ((t.attr & kAttrControl) && t.text.find("unused") != std::string::npos) {
      t.attr |= kAttrUnused;
    }
  }

  eog_ids.clear();
  for (TokenId id : {fim_pad, fim_rep, fim_sep}) {
    if (id != -1) eog_ids.insert(id);
  }
  for (TokenId id : distinct) {
    if (is_one_of(tokens[id].text, kEogTexts)) {
      eog_ids.insert(id);
      mark_control(id);
    }
  }
  // gpt-oss renders these structural tokens as text, so they must not be control tokens.
  for (TokenId id : distinct) {
    if (is_one_of(tokens[id].text, {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"})) {
      tokens[id].attr = kAttrUserDefined;
    }
  }
  for (TokenId id : {eos, eot, eom}) {
    if (id != -1) eog_ids.insert(id);
  }
  // Harmony-style vocabularies (o200k_harmony, solar-open) use <|end|> between messages of one
  // turn; there it must not stop generation.
  {
    bool has_return = false, has_call = false, has_flush = false;
    TokenId end_id = -1;
    for (TokenId id : eog_ids) {
      const std::string& text = tokens[id].text;
      if (text == "<|return|>") has_return = true;
      if (text == "<|call|>" || text == "<|calls|>") has_call = true;
      if (text == "<|flush|>") has_flush = true;
      if (text == "<|end|>") end_id = id;
    }
    if (end_id != -1 && has_call && (has_return || has_flush)) {
      eog_ids.erase(end_id);
      tokens[end_id].attr = kAttrUserDefined;
    }
  }
  // Gemma 4 uses </s> inside tool responses.
  {
    TokenId s_id = -1;
    bool has_tool_response = false;
    for (TokenId id : eog_ids) {
      if (tokens[id].text == "<|tool_response>") has_tool_response = true;
      if (tokens[id].text == "</s>") s_id = id;
    }
    if (has_tool_response && s_id != -1) {
      eog_ids.erase(s_id);
      tokens[s_id].attr = kAttrNormal;
    }
  }

  special_tokens.clear();
  for (TokenId id = 0; id < static_cast<TokenId>(tokens.size()); ++id) {
    if (tokens[id].attr & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
      special_tokens.push_back(id);
    }
  }
  // Longest first, so "<|im_end|>" is split out before a shorter token that is its prefix.
  std::stable_sort(special_tokens.begin(), special_tokens.end(), [&](TokenId a, TokenId b) {
    return tokens[a].text.size() > tokens[b].text.size();
  });

  // Per-model attributes GGUF files do not carry; llama.cpp keys them on names.
  std::string name(model_name);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto set_attr = [&](std::string_view text, uint32_t attr, bool on) {
    const TokenId id = find(text);
    if (id == -1) return;
    tokens[id].attr = on ? (tokens[id].attr | attr) : (tokens[id].attr & ~attr);
  };
  if (contains_any(pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"}) ||
      contains_any(architecture, {"nomic-bert-moe", "jina-bert-v3"})) {
    set_attr("<mask>", kAttrLstrip, true);
  } else if (contains_any(name, {"phi-3", "phi3"})) {
    for (TokenId id : special_tokens) tokens[id].attr |= kAttrRstrip;
    set_attr("</s>", kAttrRstrip, true);
    for (std::string_view text : {"<unk>", "<s>", "<|endoftext|>"}) {
      set_attr(text, kAttrRstrip, false);
    }
  } else if (contains_any(name, {"modern-bert"})) {
    set_attr("[MASK]", kAttrLstrip, true);
  }
  base::logger("tokenizer")
      ->debug("vocab.finalize n_vocab={} special={} eog={}", tokens.size(), special_tokens.size(),
              eog_ids.size());
  return Status::ok();
}

}  // namespace liftoff::tokenizer
