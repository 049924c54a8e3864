// tokenizer.json (+ tokenizer_config.json) -> Vocab, mirroring what convert_hf_to_gguf.py writes
// for a byte-level BPE model: vocab and added tokens by id (gaps become unused "[PAD<id>]"),
// added tokens CONTROL if special (or special-looking) else USER_DEFINED, the pre-tokenizer's
// Split regexes, and the llama.cpp preset those regexes correspond to.
#include "liftoff/tokenizer/vocab_from_hf_json.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "liftoff/tokenizer/hf_json_reader.h"
#include "liftoff/tokenizer/pre_tokenizer_presets.h"

namespace liftoff::tokenizer {

namespace {

using nlohmann::json;

Result<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found("tokenizer file " + path.string() + " cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<json> read_json(const std::filesystem::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(std::string text, read_text(path));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Status::corrupt_data(path.string() + " is not valid JSON: " + e.what());
  }
}

Status bad(const std::string& where, const std::string& what) {
  return Status::corrupt_data("tokenizer.json " + where + ": " + what);
}

// Text of a token reference in tokenizer_config.json: "text" or {"content": "text", ...}.
std::optional<std::string> token_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) {
    return v["content"].get<std::string>();
  }
  return std::nullopt;
}

// convert_hf_to_gguf.py's does_token_look_special: added tokens that some models forget to mark.
bool looks_special(const std::string& t) {
  const auto wrapped = [&](std::string_view open, std::string_view close) {
    return t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
           t.compare(t.size() - close.size(), close.size(), close) == 0;
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<｜", "｜>") || wrapped("<unused", ">");
}

std::string quote_regex(const std::string& literal) {
  std::string out = "\\Q";
  for (size_t pos = 0;;) {  // "\E" inside a \Q...\E block must be split out
    const size_t hit = literal.find("\\E", pos);
    if (hit == std::string::npos) {
      out += literal.substr(pos);
      break;
    }
    out += literal.substr(pos, hit - pos) + "\\E\\\\E\\Q";
    pos = hit + 2;
  }
  return out + "\\E";
}

// Collects the split regexes of a pre_tokenizer tree; notes whether a ByteLevel step exists.
Status collect_pre_tokenizer(const json& node, std::vector<std::string>& regexes,
                             bool& byte_level) {
  if (node.is_null()) return Status::ok();
  if (!node.is_object() || !node.contains("type") || !node["type"].is_string()) {
    return bad("pre_tokenizer", "expected an object with a \"type\"");
  }
  const std::string type = node["type"].get<std::string>();
  if (type == "Sequence") {
    if (!node.contains("pretokenizers") || !node["pretokenizers"].is_array()) {
      return bad("pre_tokenizer", "Sequence without a \"pretokenizers\" array");
    }
    for (const json& child : node["pretokenizers"]) {
      LIFTOFF_RETURN_IF_ERROR(collect_pre_tokenizer(child, regexes, byte_level));
    }
    return Status::ok();
  }
  if (type == "ByteLevel") {
    byte_level = true;
    const json use_regex = node.value("use_regex", json(true));
    if (!use_regex.is_boolean()) return bad("pre_tokenizer", "ByteLevel.use_regex is not a bool");
    // HF's ByteLevel regex is GPT-2's plus a final "|\s+"; whitespace that alternative would
    // take ends up as a piece of its own without it too, so llama.cpp's shorter form is used.
    if (use_regex.get<bool>()) {
      regexes.push_back(preset_for_name("gpt-2").value().regexes.front());
    }
    return Status::ok();
  }
  if (type == "Digits") {
    const json individual = node.value("individual_digits", json(false));
    regexes.push_back(individual.is_boolean() && individual.get<bool>() ? "\\p{N}" : "\\p{N}+");
    return Status::ok();
  }
  if (type == "Split") {
    const json pattern = node.value("pattern", json());
    const json behavior_value = node.value("behavior", json(""));
    const std::string behavior =
        behavior_value.is_string() ? behavior_value.get<std::string>() : behavior_value.dump();
    if (behavior != "Isolated" || node.value("invert", json(false)) != json(false)) {
      return Status::invalid_argument("tokenizer.json pre_tokenizer: Split with behavior '" +
                                      behavior + "' is not supported (only Isolated)");
    }
    if (pattern.is_object() && pattern.contains("Regex") && pattern["Regex"].is_string()) {
      regexes.push_back(adapt_hf_regex(pattern["Regex"].get<std::string>()));
    } else if (pattern.is_object() && pattern.contains("String") && pattern["String"].is_string()) {
      regexes.push_back(quote_regex(pattern["String"].get<std::string>()));
    } else {
      return bad("pre_tokenizer", "Split without a Regex or String pattern");
    }
    return Status::ok();
  }
  return Status::invalid_argument("tokenizer.json pre_tokenizer type '" + type +
                                  "' is not supported");
}

Status check_normalizer(const json& node) {
  if (node.is_null()) return Status::ok();
  const std::string type = node.value("type", std::string());
  // llama.cpp does not normalise byte-level BPE input either; NFC changes nothing for text that
  // is already composed, which is all the test vectors contain.
  if (type == "NFC") return Status::ok();
  if (type == "Sequence" && node.contains("normalizers") && node["normalizers"].is_array()) {
    for (const json& child : node["normalizers"]) LIFTOFF_RETURN_IF_ERROR(check_normalizer(child));
    return Status::ok();
  }
  return Status::invalid_argument("tokenizer.json normalizer '" + type + "' is not supported");
}

struct Entry {
  std::string text;
  TokenKind kind = TokenKind::kNormal;
  bool set = false;
  bool lstrip = false;
  bool rstrip = false;
};

Status read_entries(const HfTokenizerJson& doc, std::vector<Entry>& entries) {
  if (!doc.has_vocab) return bad("model.vocab", "missing");
  const json& root = doc.rest;
  const json& added = root.contains("added_tokens") ? root["added_tokens"] : json::array();
  if (!added.is_array()) return bad("added_tokens", "expected an array");

  constexpr int64_t kMaxTokens = 1 << 24;  // far above any real vocabulary; bounds the allocation
  const auto place = [&](std::string text, int64_t id, const std::string& where,
                         Entry** out) -> Status {
    if (id < 0 || id >= kMaxTokens) {
      return bad(where, "id " + std::to_string(id) + " is out of range");
    }
    if (static_cast<size_t>(id) >= entries.size()) entries.resize(id + 1);
    *out = &entries[id];
    (*out)->text = std::move(text);
    (*out)->set = true;
    return Status::ok();
  };
  for (const auto& [text, id] : doc.vocab) {
    Entry* e = nullptr;
    LIFTOFF_RETURN_IF_ERROR(place(text, id, "model.vocab['" + text + "']", &e));
  }
  for (const json& a : added) {
    if (!a.is_object() || !a.contains("content") || !a["content"].is_string()) {
      return bad("added_tokens", "entry without a string \"content\"");
    }
    const std::string text = a["content"].get<std::string>();
    const std::string where = "added_tokens '" + text + "'";
    if (!a.contains("id") || !a["id"].is_number_integer())
      return bad(where, "id is not an integer");
    Entry* e = nullptr;
    LIFTOFF_RETURN_IF_ERROR(place(text, a["id"].get<int64_t>(), where, &e));
    const bool special = a.value("special", json(false)) == json(true);
    e->kind = (special || looks_special(text)) ? TokenKind::kControl : TokenKind::kUserDefined;
    e->lstrip = a.value("lstrip", json(false)) == json(true);
    e->rstrip = a.value("rstrip", json(false)) == json(true);
  }
  if (entries.empty()) return bad("model.vocab", "is empty");
  return Status::ok();
}

// tokenizer_config.json: special token names, add_*_token, clean-up flag, chat template.
Status apply_config(const std::filesystem::path& dir, Vocab& vocab) {
  const std::filesystem::path config_path = dir / "tokenizer_config.json";
  std::error_code ec;
  if (std::filesystem::exists(config_path, ec)) {
    LIFTOFF_ASSIGN_OR_RETURN(json config, read_json(config_path));
    if (!config.is_object()) {
      return Status::corrupt_data(config_path.string() + ": expected a JSON object");
    }
    const auto id_of = [&](const char* key, TokenId& id) -> Status {
      if (!config.contains(key) || config[key].is_null()) return Status::ok();
      const std::optional<std::string> text = token_text(config[key]);
      if (!text) return Status::corrupt_data(config_path.string() + ": '" + key + "' is not text");
      const TokenId found = vocab.find(*text);
      if (found == -1) {
        return Status::corrupt_data(config_path.string() + ": " + key + " '" + *text +
                                    "' is not in the vocabulary");
      }
      id = found;
      return Status::ok();
    };
    LIFTOFF_RETURN_IF_ERROR(id_of("bos_token", vocab.bos));
    LIFTOFF_RETURN_IF_ERROR(id_of("eos_token", vocab.eos));
    LIFTOFF_RETURN_IF_ERROR(id_of("unk_token", vocab.unk));
    LIFTOFF_RETURN_IF_ERROR(id_of("pad_token", vocab.pad));
    const auto flag = [&](const char* key, bool& out) -> Status {
      if (!config.contains(key) || config[key].is_null()) return Status::ok();
      if (!config[key].is_boolean()) {
        return Status::corrupt_data(config_path.string() + ": '" + key + "' is not a bool");
      }
      out = config[key].get<bool>();
      return Status::ok();
    };
    LIFTOFF_RETURN_IF_ERROR(flag("add_bos_token", vocab.add_bos));
    LIFTOFF_RETURN_IF_ERROR(flag("add_eos_token", vocab.add_eos));
    LIFTOFF_RETURN_IF_ERROR(flag("clean_up_tokenization_spaces", vocab.clean_spaces));
    if (config.contains("chat_template")) {
      const json& t = config["chat_template"];
      if (t.is_string()) {
        vocab.chat_template = t.get<std::string>();
      } else if (t.is_array()) {  // [{"name": "default", "template": "..."}, ...]
        for (const json& named : t) {
          if (named.is_object() && named.value("template", json()).is_string() &&
              (vocab.chat_template.empty() || named.value("name", json()) == json("default"))) {
            vocab.chat_template = named["template"].get<std::string>();
          }
        }
      } else if (!t.is_null()) {
        return Status::corrupt_data(config_path.string() + ": 'chat_template' is not text");
      }
    }
  }
  // Newer checkpoints keep the template in a file of its own.
  const std::filesystem::path jinja = dir / "chat_template.jinja";
  if (vocab.chat_template.empty() && std::filesystem::exists(jinja, ec)) {
    std::ifstream in(jinja, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    vocab.chat_template = text.str();
  }
  return Status::ok();
}

Result<Vocab> build(const std::filesystem::path& path, HfTokenizerJson& doc) {
  const json& root = doc.rest;
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object()) {
    return bad("model", "missing or not an object");
  }
  const json& model = root["model"];
  const json type = model.value("type", json("BPE"));
  if (type != json("BPE")) {
    return Status::invalid_argument("tokenizer.json model type " + type.dump() +
                                    " is not supported (byte-level BPE is)");
  }
  LIFTOFF_RETURN_IF_ERROR(check_normalizer(root.value("normalizer", json())));

  Vocab vocab;
  vocab.type = VocabType::kBpe;
  std::vector<std::string> regexes;
  bool byte_level = false;
  LIFTOFF_RETURN_IF_ERROR(
      collect_pre_tokenizer(root.value("pre_tokenizer", json()), regexes, byte_level));
  if (!byte_level) {
    return Status::invalid_argument(
        "tokenizer.json has no ByteLevel pre-tokenizer; only byte-level BPE is supported");
  }
  if (std::optional<PreTokenizerPreset> preset = preset_for_regexes(regexes)) {
    vocab.pre = preset->name;
    vocab.clean_spaces = preset->clean_spaces;
    vocab.ignore_merges = preset->ignore_merges;
    vocab.add_bos = preset->add_bos;
  } else {
    vocab.pre = "custom";
    vocab.clean_spaces = true;
  }
  vocab.pre_regexes = std::move(regexes);
  const json ignore_merges = model.value("ignore_merges", json());
  if (ignore_merges.is_boolean()) vocab.ignore_merges = ignore_merges.get<bool>();

  std::vector<Entry> entries;
  LIFTOFF_RETURN_IF_ERROR(read_entries(doc, entries));
  vocab.reserve(entries.size());
  for (size_t id = 0; id < entries.size(); ++id) {
    Entry& e = entries[id];
    if (!e.set) {
      vocab.add_token("[PAD" + std::to_string(id) + "]", 0.0f, TokenKind::kUnused);
      continue;
    }
    vocab.add_token(std::move(e.text), 0.0f, e.kind);
    if (e.lstrip) vocab.tokens[id].attr |= kAttrLstrip;
    if (e.rstrip) vocab.tokens[id].attr |= kAttrRstrip;
  }
  if (!doc.has_merges) return bad("model.merges", "missing");
  vocab.merges = std::move(doc.merges);
  LIFTOFF_RETURN_IF_ERROR(apply_config(path.parent_path(), vocab));
  LIFTOFF_RETURN_IF_ERROR(vocab.finalize("", ""));
  return vocab;
}

}  // namespace

Result<Vocab> vocab_from_hf_json(const std::filesystem::path& tokenizer_json) {
  LIFTOFF_ASSIGN_OR_RETURN(std::string text, read_text(tokenizer_json));
  LIFTOFF_ASSIGN_OR_RETURN(HfTokenizerJson doc,
                           parse_hf_tokenizer_json(text, tokenizer_json.string()));
  text = std::string();  // the document is parsed; free the 10 MB before building the vocab
  try {
    return build(tokenizer_json, doc);
  } catch (const json::exception& e) {  // a shape the checks above did not anticipate
    return Status::corrupt_data(tokenizer_json.string() + ": " + e.what());
  }
}

}  // namespace liftoff::tokenizer
