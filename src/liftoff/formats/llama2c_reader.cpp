// llama2.c checkpoint + tokenizer -> ModelFile, named exactly as llama.cpp's
// convert-llama2c-to-ggml names its GGUF output. Weights stay in the checkpoint's mapping; the
// vocabulary is copied into metadata because it has to be rewritten (▁ for spaces, <s> ...).
#include "liftoff/formats/llama2c_reader.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "liftoff/base/byte_reader.h"
#include "liftoff/base/mapped_file.h"
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

using base::ByteReader;
using base::with_thousands;

// The legacy (v0) header, in file order.
struct Llama2cConfig {
  int32_t dim = 0;
  int32_t hidden_dim = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t vocab_size = 0;  // negative: the classifier is a separate matrix at the end
  int32_t seq_len = 0;
};
constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);

// Special ids and token types as convert-llama2c-to-ggml (and llama.cpp's llama_token_type) fix
// them.
constexpr uint32_t kUnkId = 0;
constexpr uint32_t kBosId = 1;
constexpr uint32_t kEosId = 2;
constexpr uint32_t kNoTokenId = 0xFFFFFFFF;  // LLAMA_TOKEN_NULL written as u32
constexpr int64_t kTokenNormal = 1;
constexpr int64_t kTokenUnknown = 2;
constexpr int64_t kTokenControl = 3;
constexpr int64_t kTokenByte = 6;
constexpr float kRmsEps = 1e-5f;  // llama2.c run.c hard-codes it; the converter writes it as f32

std::string describe(const Llama2cConfig& c) {
  return "dim " + std::to_string(c.dim) + ", hidden_dim " + std::to_string(c.hidden_dim) +
         ", n_layers " + std::to_string(c.n_layers) + ", n_heads " + std::to_string(c.n_heads) +
         ", n_kv_heads " + std::to_string(c.n_kv_heads) + ", vocab_size " +
         std::to_string(c.vocab_size) + ", seq_len " + std::to_string(c.seq_len);
}

Status validate(const Llama2cConfig& c) {
  const auto bad = [&](const std::string& why) {
    return Status::corrupt_data("llama2.c header (" + describe(c) + "): " + why);
  };
  const std::pair<const char*, int32_t> positive[] = {
      {"dim", c.dim},         {"hidden_dim", c.hidden_dim}, {"n_layers", c.n_layers},
      {"n_heads", c.n_heads}, {"n_kv_heads", c.n_kv_heads}, {"seq_len", c.seq_len}};
  for (const auto& [name, value] : positive) {
    if (value <= 0) return bad(std::string(name) + " must be positive");
  }
  // |vocab_size| >= 3: ids 0, 1, 2 are <unk>, <s>, </s>. INT32_MIN has no absolute value.
  if (c.vocab_size == std::numeric_limits<int32_t>::min() || std::abs(c.vocab_size) < 3) {
    return bad("|vocab_size| must be at least 3");
  }
  if (c.dim % c.n_heads != 0) return bad("dim is not a multiple of n_heads");
  if (c.n_kv_heads > c.n_heads || c.n_heads % c.n_kv_heads != 0) {
    return bad("n_heads is not a multiple of n_kv_heads");
  }
  if ((c.dim / c.n_heads) % 2 != 0) return bad("head size is odd (RoPE rotates pairs)");
  return Status::ok();
}

// Byte offsets of each array in the checkpoint, in file order. All fit in uint64 because the
// total is checked against the file size, and each term is a product of at most three int32s
// computed in 128 bits first.
struct Layout {
  uint64_t token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis, wcls,
      end;
};

Result<Layout> compute_layout(const Llama2cConfig& c, uint64_t file_size) {
  using U = unsigned __int128;
  const U dim = c.dim, hidden = c.hidden_dim, layers = c.n_layers, seq = c.seq_len;
  const U vocab = static_cast<U>(std::abs(c.vocab_size));
  const U kv_dim = dim * static_cast<U>(c.n_kv_heads) / static_cast<U>(c.n_heads);
  const U head_size = dim / static_cast<U>(c.n_heads);
  const U f = sizeof(float);
  U at = kHeaderBytes;
  U offsets[13];
  const U sizes[13] = {
      vocab * dim * f,                         // token_embedding [vocab][dim]
      layers * dim * f,                        // rms_att [L][dim]
      layers * dim * dim * f,                  // wq [L][dim][dim]
      layers * kv_dim * dim * f,               // wk [L][kv_dim][dim]
      layers * kv_dim * dim * f,               // wv [L][kv_dim][dim]
      layers * dim * dim * f,                  // wo [L][dim][dim]
      layers * dim * f,                        // rms_ffn [L][dim]
      layers * hidden * dim * f,               // w1 [L][hidden][dim]
      layers * dim * hidden * f,               // w2 [L][dim][hidden]
      layers * hidden * dim * f,               // w3 [L][hidden][dim]
      dim * f,                                 // rms_final [dim]
      2 * (seq * head_size / 2) * f,           // freq_cis_real + freq_cis_imag, unused
      c.vocab_size < 0 ? vocab * dim * f : 0,  // wcls [vocab][dim] if not shared
  };
  for (int i = 0; i < 13; ++i) {
    offsets[i] = at;
    at += sizes[i];
  }
  if (at != file_size) {
    const std::string implied = at > std::numeric_limits<uint64_t>::max()
                                    ? std::string("more than 2^64")
                                    : with_thousands(static_cast<uint64_t>(at));
    return Status::corrupt_data("llama2.c header (" + describe(c) + ") implies a file of " +
                                implied + " bytes but the file has " + with_thousands(file_size) +
                                " bytes");
  }
  Layout l;
  uint64_t* fields[] = {
      &l.token_embedding, &l.rms_att,  &l.wq,  &l.wk, &l.wv, &l.wo, &l.rms_ffn, &l.w1, &l.w2, &l.w3,
      &l.rms_final,       &l.freq_cis, &l.wcls};
  for (int i = 0; i < 13; ++i) *fields[i] = static_cast<uint64_t>(offsets[i]);
  l.end = static_cast<uint64_t>(at);
  return l;
}

Result<Llama2cConfig> read_header(ByteReader& r) {
  Llama2cConfig c;
  int32_t* fields[] = {&c.dim,        &c.hidden_dim, &c.n_layers, &c.n_heads,
                       &c.n_kv_heads, &c.vocab_size, &c.seq_len};
  const char* names[] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                         "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(*fields[i],
                             r.read<int32_t>(std::string("llama2.c header ") + names[i]));
  }
  return c;
}

// convert-llama2c-to-ggml recognises byte tokens with sscanf("<0x%02hhX>"): "<0x" then a hex digit.
bool looks_like_byte_token(const std::string& text) {
  return text.size() >= 4 && text.compare(0, 3, "<0x") == 0 &&
         std::isxdigit(static_cast<unsigned char>(text[3]));
}

// SentencePiece marks word starts with U+2581; llama2.c's export stored it as a plain space.
std::string restore_spaces(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == ' ') {
      out += "\xE2\x96\x81";
    } else {
      out += ch;
    }
  }
  return out;
}

MetaValue u32(uint64_t v) { return MetaValue{GgufType::kUint32, v}; }
MetaValue str(std::string s) { return MetaValue{GgufType::kString, std::move(s)}; }

Status read_vocab(std::span<const uint8_t> bytes, uint32_t n_vocab, ModelFile& file) {
  ByteReader r(bytes);
  LIFTOFF_ASSIGN_OR_RETURN(int32_t max_token_length,
                           r.read<int32_t>("llama2.c tokenizer max_token_length"));
  if (max_token_length < 0) {
    return Status::corrupt_data("llama2.c tokenizer max_token_length is negative (" +
                                std::to_string(max_token_length) + ") at byte 0");
  }
  // Each token needs at least a score and a length: refuse before reserving for a bad vocab.
  if (static_cast<uint64_t>(n_vocab) * 8 > r.remaining()) {
    return Status::corrupt_data("llama2.c tokenizer has " + with_thousands(r.size()) +
                                " bytes, too few for the checkpoint's " + with_thousands(n_vocab) +
                                " tokens");
  }
  auto tokens = std::make_shared<MetaArray>();
  auto scores = std::make_shared<MetaArray>();
  auto types = std::make_shared<MetaArray>();
  tokens->element_type = GgufType::kString;
  scores->element_type = GgufType::kFloat32;
  types->element_type = GgufType::kInt32;
  tokens->strings.reserve(n_vocab);
  scores->floats.reserve(n_vocab);
  types->ints.reserve(n_vocab);

  for (uint32_t id = 0; id < n_vocab; ++id) {
    const std::string what = "llama2.c tokenizer token " + std::to_string(id);
    LIFTOFF_ASSIGN_OR_RETURN(float score, r.read<float>(what + " score"));
    const size_t len_at = r.offset();
    LIFTOFF_ASSIGN_OR_RETURN(int32_t len, r.read<int32_t>(what + " length"));
    if (len < 0) {
      return Status::corrupt_data(what + " has negative length " + std::to_string(len) +
                                  " at byte " + with_thousands(len_at));
    }
    LIFTOFF_ASSIGN_OR_RETURN(std::string text, r.read_string(static_cast<size_t>(len), what));

    int64_t type = kTokenNormal;
    if (id == kUnkId) {
      text = "<unk>";
      type = kTokenUnknown;
    } else if (id == kBosId) {
      text = "<s>";  // llama2.c stores "\n<s>\n"
      type = kTokenControl;
    } else if (id == kEosId) {
      text = "</s>";
      type = kTokenControl;
    } else if (text.empty()) {
      type = kTokenControl;
    } else if (looks_like_byte_token(text)) {
      type = kTokenByte;
    }
    tokens->strings.push_back(restore_spaces(text));
    scores->floats.push_back(score);
    types->ints.push_back(type);
  }
  if (r.remaining() != 0) {
    // Most likely the wrong tokenizer (e.g. the 32k Llama 2 vocab with a 512-token model).
    return Status::corrupt_data("llama2.c tokenizer has " + with_thousands(r.remaining()) +
                                " bytes left after byte " + with_thousands(r.offset()) +
                                ", the end of the checkpoint's " + with_thousands(n_vocab) +
                                " tokens: it does not belong to this checkpoint");
  }

  auto& m = file.metadata;
  m["tokenizer.ggml.tokens"] = MetaValue{GgufType::kArray, std::move(tokens)};
  m["tokenizer.ggml.scores"] = MetaValue{GgufType::kArray, std::move(scores)};
  m["tokenizer.ggml.token_type"] = MetaValue{GgufType::kArray, std::move(types)};
  m["tokenizer.ggml.model"] = str("llama");
  m["tokenizer.ggml.unknown_token_id"] = u32(kUnkId);
  m["tokenizer.ggml.bos_token_id"] = u32(kBosId);
  m["tokenizer.ggml.eos_token_id"] = u32(kEosId);
  // Spelled "seperator" as llama.cpp spells the key.
  m["tokenizer.ggml.seperator_token_id"] = u32(kNoTokenId);
  m["tokenizer.ggml.padding_token_id"] = u32(kNoTokenId);
  return Status::ok();
}

void set_hparams(const Llama2cConfig& c, ModelFile& file) {
  auto& m = file.metadata;
  m["general.architecture"] = str("llama");
  m["general.name"] = str("llama");
  // The converter hard-codes 128 here; the model's real context is its seq_len.
  m["llama.context_length"] = u32(static_cast<uint32_t>(c.seq_len));
  m["llama.embedding_length"] = u32(static_cast<uint32_t>(c.dim));
  m["llama.feed_forward_length"] = u32(static_cast<uint32_t>(c.hidden_dim));
  m["llama.attention.head_count"] = u32(static_cast<uint32_t>(c.n_heads));
  m["llama.attention.head_count_kv"] = u32(static_cast<uint32_t>(c.n_kv_heads));
  m["llama.block_count"] = u32(static_cast<uint32_t>(c.n_layers));
  // run.c rotates the whole head. (The converter writes min(64, head size), equal for every
  // published llama2.c model, whose heads are at most 64 wide.)
  m["llama.rope.dimension_count"] = u32(static_cast<uint32_t>(c.dim / c.n_heads));
  m["llama.attention.layer_norm_rms_epsilon"] =
      MetaValue{GgufType::kFloat32, static_cast<double>(kRmsEps)};
}

void add_tensors(const Llama2cConfig& c, const Layout& l, std::span<const uint8_t> bytes,
                 ModelFile& file) {
  const uint64_t dim = c.dim, hidden = c.hidden_dim;
  const uint64_t vocab = static_cast<uint64_t>(std::abs(c.vocab_size));
  const uint64_t kv_dim = dim * static_cast<uint64_t>(c.n_kv_heads) / c.n_heads;
  const auto add = [&](std::string name, std::vector<uint64_t> dims, uint64_t offset) {
    TensorInfo t;
    t.name = std::move(name);
    t.dims = std::move(dims);
    t.ggml_type = ggml_type_from_dtype(kernels::DType::kF32);
    t.dtype = kernels::DType::kF32;
    t.offset = offset;
    t.n_bytes = t.n_elements() * sizeof(float);
    t.data = bytes.data() + offset;
    file.tensors.push_back(std::move(t));
  };
  // GGUF dims are the C array dims reversed: [rows][cols] -> {cols, rows}. Same order as the
  // converter writes them.
  add("token_embd.weight", {dim, vocab}, l.token_embedding);
  add("output_norm.weight", {dim}, l.rms_final);
  // A shared classifier is the embedding itself: point at the same bytes, no copy.
  add("output.weight", {dim, vocab}, c.vocab_size < 0 ? l.wcls : l.token_embedding);
  const uint64_t f = sizeof(float);
  for (uint64_t i = 0; i < static_cast<uint64_t>(c.n_layers); ++i) {
    const std::string blk = "blk." + std::to_string(i) + ".";
    add(blk + "attn_q.weight", {dim, dim}, l.wq + i * dim * dim * f);
    add(blk + "attn_k.weight", {dim, kv_dim}, l.wk + i * kv_dim * dim * f);
    add(blk + "attn_v.weight", {dim, kv_dim}, l.wv + i * kv_dim * dim * f);
    add(blk + "attn_output.weight", {dim, dim}, l.wo + i * dim * dim * f);
    add(blk + "attn_norm.weight", {dim}, l.rms_att + i * dim * f);
    add(blk + "ffn_gate.weight", {dim, hidden}, l.w1 + i * hidden * dim * f);
    add(blk + "ffn_down.weight", {hidden, dim}, l.w2 + i * dim * hidden * f);
    add(blk + "ffn_up.weight", {dim, hidden}, l.w3 + i * hidden * dim * f);
    add(blk + "ffn_norm.weight", {dim}, l.rms_ffn + i * dim * f);
  }
}

Status with_path(const Status& s, const std::filesystem::path& path) {
  return Status(s.code(), path.string() + ": " + s.message());
}

}  // namespace

Result<ModelFile> read_llama2c(const std::filesystem::path& checkpoint,
                               const std::filesystem::path& tokenizer) {
  LIFTOFF_ASSIGN_OR_RETURN(base::MappedFile ckpt_file, base::MappedFile::open(checkpoint));
  // shared_ptr: the model layer may keep the weights mapped after this ModelFile is gone.
  auto ckpt = std::make_shared<base::MappedFile>(std::move(ckpt_file));
  LIFTOFF_ASSIGN_OR_RETURN(base::MappedFile tok, base::MappedFile::open(tokenizer));

  ByteReader r(ckpt->bytes());
  Result<Llama2cConfig> config = read_header(r);
  if (!config.ok()) return with_path(config.status(), checkpoint);
  if (Status s = validate(*config); !s.is_ok()) return with_path(s, checkpoint);
  Result<Layout> layout = compute_layout(*config, ckpt->size());
  if (!layout.ok()) return with_path(layout.status(), checkpoint);

  ModelFile file;
  file.version = 0;
  file.alignment = sizeof(float);  // the weights follow a 28-byte header: only 4-byte aligned
  file.data_offset = kHeaderBytes;
  const auto n_vocab = static_cast<uint32_t>(std::abs(config->vocab_size));
  if (Status s = read_vocab(tok.bytes(), n_vocab, file); !s.is_ok()) return with_path(s, tokenizer);
  set_hparams(*config, file);
  add_tensors(*config, *layout, ckpt->bytes(), file);
  file.mappings.push_back(std::move(ckpt));
  return file;
}

}  // namespace liftoff::formats
