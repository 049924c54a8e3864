// Regex table per tokenizer.ggml.pre value, following llama.cpp's llm_tokenizer_bpe (which keeps
// its own adapted copies of each model's tokenizer.json regexes).
#include "liftoff/tokenizer/pre_tokenizer_presets.h"

#include <algorithm>

namespace liftoff::tokenizer {

namespace {

constexpr std::string_view kHfContractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
constexpr std::string_view kContractions =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

const std::string kGpt2 =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const std::string kLlama3 =
    std::string(kContractions) +
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";
const std::string kQwen2 =
    std::string(kContractions) +
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";
const std::string kQwen35 =
    std::string(kContractions) +
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kPoro = " ?[^(\\s|.,!?…。，、।۔،)]+";
const std::string kTekken =
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|"
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kGpt4o =
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+" +
    std::string(kContractions) +
    "?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])(["
    "^A-Z]))*" +
    std::string(kContractions) +
    "?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const std::string kDeepseek3Words =
    "[!\"#$%&'()*+,\\-./"
    ":;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+|"
    " ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
const std::string kSeedCoder =
    std::string(kContractions) +
    "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";
const std::string kBailing =
    "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";

struct PresetRow {
  std::vector<std::string_view> names;  // a vector: an initializer_list member would dangle
  std::vector<std::string> regexes;
  bool clean_spaces;
  bool ignore_merges;
  bool add_bos;
  bool no_bos;
};

const std::vector<PresetRow>& presets() {
  static const std::vector<PresetRow> kPresets = {
      {{"default"},
       {"[\\p{P}\\$\\+<=>\\^~\\|]+", kGpt2, "\\p{N}+", "[0-9][0-9][0-9]"},
       true,
       false,
       false,
       false},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
        "jina-v5-nano"},
       {kLlama3},
       true,
       true,
       true,
       false},
      {{"dbrx", "smaug-bpe"}, {kLlama3}, true, false, false, false},
      {{"chatglm-bpe", "glm4"}, {kLlama3}, true, false, false, true},
      {{"deepseek-llm"},
       {"[\r\n]",
        "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-"
        "ᏽᲐ-"
        "ᲺᲽ-"
        "Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-"
        "ℴℹℼ-"
        "ℿⅅ-"
        "ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-"
        "𐓻𐲀-"
        "𐲲𐳀-"
        "𐳲𑢠-𑣟𞤀-𞥃]+",
        "\\s?[!-/:-~！-／：-～‘-‟　-。]+", "\\s+$", "[一-龥ࠀ-一가-퟿]+", "\\p{N}+"},
       false,
       false,
       false,
       false},
      {{"deepseek-coder"},
       {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"},
       false,
       false,
       false,
       false},
      {{"deepseek-v3", "hunyuan-dense", "joyai-llm"},
       {"\\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", kDeepseek3Words},
       false,
       false,
       false,
       false},
      {{"falcon"},
       {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, "[0-9][0-9][0-9]"},
       true,
       false,
       false,
       false},
      {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
        "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt",
        "olmo", "jais"},
       {kGpt2},
       true,
       false,
       false,
       false},
      {{"trillion", "granite-docling"}, {kGpt2}, false, false, false, false},
      {{"starcoder", "refact", "codeshell", "exaone", "minerva-7b"},
       {"\\p{N}", kGpt2},
       true,
       false,
       false,
       false},
      {{"command-r", "smollm"}, {"\\p{N}", kGpt2}, false, false, false, false},
      {{"mellum2"}, {"\\p{N}", kGpt2}, true, false, false, false},
      {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"},
       {kQwen2},
       false,
       false,
       false,
       false},
      {{"stablelm2", "megrez"}, {kQwen2}, true, false, false, false},
      {{"qwen35"}, {kQwen35}, false, false, false, false},
      {{"poro-chat"}, {kPoro}, false, false, false, false},
      {{"bloom", "gpt3-finnish"}, {kPoro}, true, false, false, false},
      {{"viking"}, {kPoro, "\\p{N}"}, false, false, false, false},
      {{"tekken"}, {kTekken}, false, true, true, false},
      {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"},
       {kGpt4o},
       false,
       false,
       false,
       false},
      {{"superbpe"}, {"\\p{N}+", "(?=(\\d{3})+(?!\\d))"}, false, false, false, false},
      {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailing}, false, false, false, false},
      {{"seed-coder"}, {kSeedCoder}, false, false, false, false},
  };
  return kPresets;
}

PreTokenizerPreset to_preset(const PresetRow& row, std::string_view name) {
  return PreTokenizerPreset{std::string(name), row.regexes, row.clean_spaces,
                            row.ignore_merges, row.add_bos, row.no_bos};
}

}  // namespace

Result<PreTokenizerPreset> preset_for_name(std::string_view pre) {
  if (pre.empty()) pre = "default";
  for (const PresetRow& row : presets()) {
    if (std::find(row.names.begin(), row.names.end(), pre) != row.names.end()) {
      return to_preset(row, pre);
    }
  }
  return Status::invalid_argument("tokenizer: unknown pre-tokenizer type '" + std::string(pre) +
                                  "' (tokenizer.ggml.pre)");
}

std::optional<PreTokenizerPreset> preset_for_regexes(const std::vector<std::string>& regexes) {
  for (const PresetRow& row : presets()) {
    if (row.regexes == regexes) return to_preset(row, *row.names.begin());
  }
  return std::nullopt;
}

std::string adapt_hf_regex(std::string regex) {
  for (size_t pos = regex.find(kHfContractions); pos != std::string::npos;
       pos = regex.find(kHfContractions, pos + kContractions.size())) {
    regex.replace(pos, kHfContractions.size(), kContractions);
  }
  return regex;
}

}  // namespace liftoff::tokenizer
