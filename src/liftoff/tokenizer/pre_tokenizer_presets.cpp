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

enum PresetFlags : unsigned {
  kCleanSpaces = 1u << 0,
  kIgnoreMerges = 1u << 1,
  kAddBos = 1u << 2,
  kNoBos = 1u << 3,
};

struct PresetRow {
  std::vector<std::string_view> names;  // a vector: an initializer_list member would dangle
  std::vector<std::string> regexes;
  unsigned flags;  // PresetFlags
};

const std::vector<PresetRow>& presets() {
  static const std::vector<PresetRow> kPresets = {
      {{"default"},
       {"[\\p{P}\\$\\+<=>\\^~\\|]+", kGpt2, "\\p{N}+", "[0-9][0-9][0-9]"},
       kCleanSpaces},
      {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
        "jina-v5-nano"},
       {kLlama3},
       kCleanSpaces | kIgnoreMerges | kAddBos},
      {{"dbrx", "smaug-bpe"}, {kLlama3}, kCleanSpaces},
      {{"chatglm-bpe", "glm4"}, {kLlama3}, kCleanSpaces | kNoBos},
      // clang-format off
      {{"deepseek-llm"},
       {"[\r\n]",
        "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-ώᾀ-ᾴᾶ-ᾼιῂ-ῄῆ-ῌῐ-ΐῖ-Ίῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤΩℨK-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
        "\\s?[!-/:-~！-／：-～‘-‟　-。]+", "\\s+$", "[一-龥ࠀ-一가-퟿]+", "\\p{N}+"}, 0},
      // clang-format on
      {{"deepseek-coder"},
       {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"},
       0},
      {{"deepseek-v3", "hunyuan-dense", "joyai-llm"},
       {"\\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", kDeepseek3Words},
       0},
      {{"falcon"}, {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, "[0-9][0-9][0-9]"}, kCleanSpaces},
      {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
        "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt",
        "olmo", "jais"},
       {kGpt2},
       kCleanSpaces},
      {{"trillion", "granite-docling"}, {kGpt2}, 0},
      {{"starcoder", "refact", "codeshell", "exaone", "minerva-7b"},
       {"\\p{N}", kGpt2},
       kCleanSpaces},
      {{"command-r", "smollm"}, {"\\p{N}", kGpt2}, 0},
      {{"mellum2"}, {"\\p{N}", kGpt2}, kCleanSpaces},
      {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2"},
       {kQwen2},
       0},
      {{"stablelm2", "megrez"}, {kQwen2}, kCleanSpaces},
      {{"qwen35"}, {kQwen35}, 0},
      {{"poro-chat"}, {kPoro}, 0},
      {{"bloom", "gpt3-finnish"}, {kPoro}, kCleanSpaces},
      {{"viking"}, {kPoro, "\\p{N}"}, 0},
      {{"tekken"}, {kTekken}, kIgnoreMerges | kAddBos},
      {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"}, {kGpt4o}, 0},
      {{"superbpe"}, {"\\p{N}+", "(?=(\\d{3})+(?!\\d))"}, 0},
      {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailing}, 0},
      {{"seed-coder"}, {kSeedCoder}, 0},
      // clang-format off
      {{"minicpm5"},
       {"\\p{N}{1,3}",
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
       kCleanSpaces | kIgnoreMerges},
      {{"jais-2"},
       {"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}"},
       kCleanSpaces},
      {{"exaone-moe"},
       {"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: \\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+"},
       kCleanSpaces},
      {{"chameleon"},
       {"<sentinel:[0-9]+>",
        "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z",
        "([\\t\\n]|    |  )",
        "\\p{N}",
        "[\\p{P}!-/:-@\\[-`{-~]",
        "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"},
       kAddBos},
      {{"granite-embed-multi-97m"},
       {"[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))*((?=[\\p{L}\\p{M}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))+((?=[\\p{L}\\p{M}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
       kIgnoreMerges},
      {{"laguna"},
       {"[^\\n]+|[\\n]+",
        "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
       0},
      // clang-format on
  };
  return kPresets;
}

PreTokenizerPreset to_preset(const PresetRow& row, std::string_view name) {
  return PreTokenizerPreset{std::string(name),
                            row.regexes,
                            (row.flags & kCleanSpaces) != 0,
                            (row.flags & kIgnoreMerges) != 0,
                            (row.flags & kAddBos) != 0,
                            (row.flags & kNoBos) != 0};
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

std::vector<std::string_view> known_pre_tokenizers() {
  std::vector<std::string_view> names;
  for (const PresetRow& row : presets())
    names.insert(names.end(), row.names.begin(), row.names.end());
  return names;
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
