// vocab_metadata_from_hf_json: tokenizer::Vocab -> GGUF tokenizer.* keys.
#include "liftoff/tooling/synth_vocab_hf_json.h"

#include <memory>
#include <string>
#include <utility>

#include "liftoff/tokenizer/vocab_from_hf_json.h"

namespace liftoff::tooling {
namespace {

using formats::GgufType;
using formats::MetaArray;
using formats::MetaValue;

MetaValue array_value(GgufType element_type, auto fill) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = element_type;
  fill(*a);
  return MetaValue{GgufType::kArray, std::move(a)};
}

}  // namespace

Result<formats::ModelFile> vocab_metadata_from_hf_json(const std::filesystem::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(tokenizer::Vocab vocab, tokenizer::vocab_from_hf_json(path));
  if (vocab.type != tokenizer::VocabType::kBpe) {
    return Status::invalid_argument(path.string() +
                                    ": only byte-level BPE tokenizers are supported");
  }
  formats::ModelFile file;
  auto& meta = file.metadata;
  meta["tokenizer.ggml.model"] = MetaValue{GgufType::kString, std::string("gpt2")};
  meta["tokenizer.ggml.pre"] = MetaValue{GgufType::kString, vocab.pre};
  meta["tokenizer.ggml.tokens"] = array_value(GgufType::kString, [&](MetaArray& a) {
    a.strings.reserve(vocab.tokens.size());
    for (const tokenizer::TokenData& t : vocab.tokens) a.strings.push_back(t.text);
  });
  meta["tokenizer.ggml.token_type"] = array_value(GgufType::kInt32, [&](MetaArray& a) {
    a.ints.reserve(vocab.tokens.size());
    for (const tokenizer::TokenData& t : vocab.tokens) a.ints.push_back(static_cast<int>(t.kind));
  });
  meta["tokenizer.ggml.merges"] = array_value(GgufType::kString, [&](MetaArray& a) {
    a.strings.reserve(vocab.merges.size());
    for (const auto& [left, right] : vocab.merges) a.strings.push_back(left + " " + right);
  });
  // The ids the tokenizer files name; EOT/EOM/FIM are derived from token texts at load, by
  // llama.cpp and liftoff alike, so they are not written (nor does the converter write them).
  const std::pair<const char*, tokenizer::TokenId> ids[] = {
      {"tokenizer.ggml.bos_token_id", vocab.bos},
      {"tokenizer.ggml.eos_token_id", vocab.eos},
      {"tokenizer.ggml.unknown_token_id", vocab.unk},
      {"tokenizer.ggml.seperator_token_id", vocab.sep},
      {"tokenizer.ggml.padding_token_id", vocab.pad}};
  for (const auto& [key, id] : ids) {
    if (id >= 0) meta[key] = MetaValue{GgufType::kUint32, static_cast<uint64_t>(id)};
  }
  meta["tokenizer.ggml.add_bos_token"] = MetaValue{GgufType::kBool, vocab.add_bos};
  if (!vocab.chat_template.empty()) {
    meta["tokenizer.chat_template"] = MetaValue{GgufType::kString, vocab.chat_template};
  }
  return file;
}

}  // namespace liftoff::tooling
