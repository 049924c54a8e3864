// GGUF metadata -> Vocab. Every key is type-checked; a wrong type is an error naming the key,
// never a crash or a silent default.
#include "liftoff/tokenizer/vocab_from_model_file.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "liftoff/tokenizer/pre_tokenizer_presets.h"

namespace liftoff::tokenizer {

namespace {

using formats::GgufType;
using formats::MetaArray;
using formats::MetaValue;
using formats::ModelFile;

const char* type_name(GgufType type) {
  switch (type) {
    case GgufType::kString:
      return "string";
    case GgufType::kArray:
      return "array";
    case GgufType::kBool:
      return "bool";
    case GgufType::kFloat32:
    case GgufType::kFloat64:
      return "float";
    default:
      return "integer";
  }
}

Status wrong_type(const std::string& key, const char* expected, const MetaValue& v) {
  return Status::corrupt_data("tokenizer metadata '" + key + "': expected " + expected +
                              ", found " + type_name(v.type));
}

Result<std::optional<std::string>> optional_string(const ModelFile& file, const std::string& key) {
  const MetaValue* v = file.find(key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->as_string() == nullptr) return wrong_type(key, "a string", *v);
  return std::optional<std::string>(*v->as_string());
}

Status read_bool(const ModelFile& file, const std::string& key, bool& out) {
  const MetaValue* v = file.find(key);
  if (v == nullptr) return Status::ok();
  if (!v->as_bool()) return wrong_type(key, "a bool", *v);
  out = *v->as_bool();
  return Status::ok();
}

Result<const MetaArray*> optional_array(const ModelFile& file, const std::string& key,
                                        bool want_strings, bool want_floats, size_t min_size) {
  const MetaValue* v = file.find(key);
  if (v == nullptr) return static_cast<const MetaArray*>(nullptr);
  const MetaArray* a = v->as_array();
  const char* expected = want_strings  ? "an array of strings"
                         : want_floats ? "an array of floats"
                                       : "an array of integers";
  if (a == nullptr) return wrong_type(key, expected, *v);
  const bool is_string = a->element_type == GgufType::kString;
  const bool is_float =
      a->element_type == GgufType::kFloat32 || a->element_type == GgufType::kFloat64;
  const bool is_int = !is_string && !is_float && a->element_type != GgufType::kBool &&
                      a->element_type != GgufType::kArray;
  if ((want_strings && !is_string) || (want_floats && !is_float) ||
      (!want_strings && !want_floats && !is_int)) {
    return Status::corrupt_data("tokenizer metadata '" + key + "': expected " + expected +
                                ", found an array of " + type_name(a->element_type));
  }
  if (a->size() < min_size) {
    return Status::corrupt_data("tokenizer metadata '" + key + "': " + std::to_string(a->size()) +
                                " entries for " + std::to_string(min_size) + " tokens");
  }
  return a;
}

// A special id key: absent keeps `id`; the "none" value (-1, or 0xFFFFFFFF as uint32) keeps it
// too, as llama.cpp does; anything else must be an integer, range-checked in finalize().
Status read_special_id(const ModelFile& file, const std::string& key, TokenId& id) {
  const MetaValue* v = file.find(key);
  if (v == nullptr) return Status::ok();
  const std::optional<int64_t> value = v->as_int();
  if (!value) return wrong_type(key, "an integer", *v);
  if (*value == -1 || *value == 0xFFFFFFFFll) return Status::ok();
  if (*value < 0 || *value > INT32_MAX) {
    return Status::corrupt_data("tokenizer metadata '" + key + "': token id " +
                                std::to_string(*value) + " is out of range");
  }
  id = static_cast<TokenId>(*value);
  return Status::ok();
}

}  // namespace

Result<Vocab> vocab_from_model_file(const ModelFile& file) {
  const std::string kPrefix = "tokenizer.ggml.";
  Vocab vocab;
  LIFTOFF_ASSIGN_OR_RETURN(std::optional<std::string> model,
                           optional_string(file, kPrefix + "model"));
  if (!model) return Status::corrupt_data("tokenizer metadata 'tokenizer.ggml.model' is missing");
  LIFTOFF_ASSIGN_OR_RETURN(std::optional<std::string> pre, optional_string(file, kPrefix + "pre"));

  if (*model == "llama") {
    vocab.type = VocabType::kSpm;
    vocab.bos = 1;
    vocab.eos = 2;
    vocab.unk = 0;
    vocab.add_space_prefix = true;
    vocab.escape_whitespaces = true;
    vocab.add_bos = true;
  } else if (*model == "bert") {
    vocab.type = VocabType::kWpm;
    vocab.bos = 101;
    vocab.unk = 100;
    vocab.sep = 102;
    vocab.pad = 0;
    vocab.mask = 103;
    vocab.add_bos = true;
    vocab.add_sep = true;
    vocab.clean_spaces = true;
  } else if (*model == "gpt2") {
    vocab.type = VocabType::kBpe;
    LIFTOFF_ASSIGN_OR_RETURN(PreTokenizerPreset preset, preset_for_name(pre.value_or("")));
    vocab.pre = preset.name;
    vocab.pre_regexes = preset.regexes;
    vocab.clean_spaces = preset.clean_spaces;
    vocab.ignore_merges = preset.ignore_merges;
    vocab.add_bos = preset.add_bos;
    // llama.cpp's defaults for gpt2-type vocabularies; files normally name their own.
    vocab.bos = preset.no_bos ? -1 : 11;
    vocab.eos = 11;
  } else {
    return Status::invalid_argument("tokenizer: tokenizer.ggml.model '" + *model +
                                    "' is not supported (llama, gpt2 and bert are)");
  }
  if (vocab.type != VocabType::kBpe) vocab.pre = pre.value_or("default");
  LIFTOFF_RETURN_IF_ERROR(read_bool(file, kPrefix + "add_space_prefix", vocab.add_space_prefix));

  LIFTOFF_ASSIGN_OR_RETURN(const MetaArray* texts,
                           optional_array(file, kPrefix + "tokens", true, false, 0));
  if (texts == nullptr) {
    return Status::corrupt_data("tokenizer metadata 'tokenizer.ggml.tokens' is missing");
  }
  const size_t n_tokens = texts->strings.size();
  if (n_tokens == 0 || n_tokens > static_cast<size_t>(INT32_MAX)) {
    return Status::corrupt_data("tokenizer metadata 'tokenizer.ggml.tokens' has " +
                                std::to_string(n_tokens) + " entries");
  }
  LIFTOFF_ASSIGN_OR_RETURN(const MetaArray* scores,
                           optional_array(file, kPrefix + "scores", false, true, n_tokens));
  LIFTOFF_ASSIGN_OR_RETURN(const MetaArray* types,
                           optional_array(file, kPrefix + "token_type", false, false, n_tokens));
  vocab.reserve(n_tokens);
  for (size_t i = 0; i < n_tokens; ++i) {
    TokenKind kind = TokenKind::kNormal;
    if (types != nullptr) {
      const int64_t t = types->ints[i];
      kind = (t >= 0 && t <= 6) ? static_cast<TokenKind>(t) : TokenKind::kUndefined;
    }
    const float score = scores != nullptr ? static_cast<float>(scores->floats[i]) : 0.0f;
    vocab.add_token(texts->strings[i], score, kind);
  }

  if (vocab.type == VocabType::kBpe) {
    LIFTOFF_ASSIGN_OR_RETURN(const MetaArray* merges,
                             optional_array(file, kPrefix + "merges", true, false, 0));
    if (merges == nullptr) {
      return Status::corrupt_data("tokenizer metadata 'tokenizer.ggml.merges' is missing");
    }
    vocab.merges.reserve(merges->strings.size());
    for (const std::string& merge : merges->strings) {
      // "left right"; the search starts at 1 so a left half that is itself " " still works.
      const size_t space = merge.find(' ', 1);
      if (space == std::string::npos) {
        vocab.merges.emplace_back();  // keeps later ranks aligned; never matches
      } else {
        vocab.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
      }
    }
  }

  // Defaults outside this vocabulary are dropped, as llama.cpp does, before the file's own ids.
  for (TokenId* id : {&vocab.bos, &vocab.eos, &vocab.unk, &vocab.sep, &vocab.pad, &vocab.mask}) {
    if (!vocab.has(*id)) *id = -1;
  }
  const std::array<std::pair<const char*, TokenId*>, 17> ids = {{
      {"bos_token_id", &vocab.bos},
      {"eos_token_id", &vocab.eos},
      {"eot_token_id", &vocab.eot},
      {"eom_token_id", &vocab.eom},
      {"unknown_token_id", &vocab.unk},
      {"seperator_token_id", &vocab.sep},
      {"padding_token_id", &vocab.pad},
      {"mask_token_id", &vocab.mask},
      {"fim_pre_token_id", &vocab.fim_pre},
      {"fim_suf_token_id", &vocab.fim_suf},
      {"fim_mid_token_id", &vocab.fim_mid},
      {"fim_pad_token_id", &vocab.fim_pad},
      {"fim_rep_token_id", &vocab.fim_rep},
      {"fim_sep_token_id", &vocab.fim_sep},
      {"prefix_token_id", &vocab.fim_pre},
      {"suffix_token_id", &vocab.fim_suf},
      {"middle_token_id", &vocab.fim_mid},
  }};
  for (const auto& [key, id] : ids) {
    LIFTOFF_RETURN_IF_ERROR(read_special_id(file, kPrefix + key, *id));
  }
  LIFTOFF_RETURN_IF_ERROR(read_bool(file, kPrefix + "add_bos_token", vocab.add_bos));
  LIFTOFF_RETURN_IF_ERROR(read_bool(file, kPrefix + "add_eos_token", vocab.add_eos));
  LIFTOFF_RETURN_IF_ERROR(read_bool(file, kPrefix + "add_sep_token", vocab.add_sep));
  // One key switches both BERT options; the accents key, if present, then overrides.
  LIFTOFF_RETURN_IF_ERROR(read_bool(file, kPrefix + "normalizer.lowercase", vocab.lowercase));
  vocab.strip_accents = vocab.lowercase;
  LIFTOFF_RETURN_IF_ERROR(
      read_bool(file, kPrefix + "normalizer.strip_accents", vocab.strip_accents));

  LIFTOFF_ASSIGN_OR_RETURN(std::optional<std::string> chat_template,
                           optional_string(file, "tokenizer.chat_template"));
  vocab.chat_template = chat_template.value_or("");
  LIFTOFF_ASSIGN_OR_RETURN(std::optional<std::string> name, optional_string(file, "general.name"));
  LIFTOFF_ASSIGN_OR_RETURN(std::optional<std::string> arch,
                           optional_string(file, "general.architecture"));
  LIFTOFF_RETURN_IF_ERROR(vocab.finalize(name.value_or(""), arch.value_or("")));
  return vocab;
}

}  // namespace liftoff::tokenizer
