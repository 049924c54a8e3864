// ChatTemplate: the built-in templates (exact prompt text per family), template selection for a
// tokenizer (override, the model's own, detection from special tokens, chatml), and errors.
#include "liftoff/tokenizer/chat_template.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "liftoff/base/log.h"
#include "test_data.h"

namespace liftoff::tokenizer {
namespace {

using formats::GgufType;
using formats::MetaArray;
using formats::MetaValue;
using formats::ModelFile;

struct Turn {
  std::vector<ChatMessage> messages;
  bool add_generation_prompt;
  std::string expected;
};

const std::vector<ChatMessage> kSystemChat = {
    {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Bye"}};
const std::vector<ChatMessage> kUserOnly = {{"user", "Hi"}};

std::string render(const ChatTemplate& t, const std::vector<ChatMessage>& messages,
                   bool add_generation_prompt, const std::string& bos, const std::string& eos) {
  ChatTemplateInputs inputs;
  inputs.add_generation_prompt = add_generation_prompt;
  inputs.bos_token = bos;
  inputs.eos_token = eos;
  Result<std::string> out = t.apply(messages, inputs);
  return out.ok() ? *out : "ERROR: " + out.status().message();
}

void expect_builtin(const std::string& name, const std::string& bos, const std::string& eos,
                    const std::vector<Turn>& table) {
  Result<ChatTemplate> t = ChatTemplate::named(name);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->origin(), name);
  for (const Turn& turn : table) {
    EXPECT_EQ(render(*t, turn.messages, turn.add_generation_prompt, bos, eos), turn.expected)
        << name << " with " << turn.messages.size() << " messages";
  }
}

TEST(ChatTemplateBuiltins, Chatml) {
  expect_builtin("chatml", "", "<|im_end|>",
                 {{kSystemChat, true,
                   "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                   "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n"
                   "<|im_start|>assistant\n"},
                  {kUserOnly, false, "<|im_start|>user\nHi<|im_end|>\n"}});
}

TEST(ChatTemplateBuiltins, Llama2) {
  expect_builtin("llama2", "<s>", "</s>",
                 {{kSystemChat, true,
                   "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s>"
                   "<s>[INST] Bye [/INST]"},
                  {kUserOnly, false, "<s>[INST] Hi [/INST]"},
                  {{{"user", "  padded  "}}, true, "<s>[INST] padded [/INST]"}});
}

TEST(ChatTemplateBuiltins, Llama3) {
  expect_builtin(
      "llama3", "<|begin_of_text|>", "<|eot_id|>",
      {{kSystemChat, true,
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"},
       {kUserOnly, false,
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"}});
}

TEST(ChatTemplateBuiltins, Mistral) {
  expect_builtin(
      "mistral", "<s>", "</s>",
      {{kSystemChat, true, "<s>[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] Bye [/INST]"},
       {kUserOnly, false, "<s>[INST] Hi [/INST]"}});
}

TEST(ChatTemplateBuiltins, Zephyr) {
  expect_builtin("zephyr", "<s>", "</s>",
                 {{kSystemChat, true,
                   "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n"
                   "<|user|>\nBye</s>\n<|assistant|>\n"},
                  {kUserOnly, false, "<|user|>\nHi</s>\n"}});
  // Without an eos_token the turns still end with </s>.
  Result<ChatTemplate> t = ChatTemplate::named("zephyr");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(render(*t, kUserOnly, true, "", ""), "<|user|>\nHi</s>\n<|assistant|>\n");
}

TEST(ChatTemplateBuiltins, Gemma) {
  expect_builtin("gemma", "<bos>", "<eos>",
                 {{kSystemChat, true,
                   "<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n"
                   "<start_of_turn>model\nHello!<end_of_turn>\n"
                   "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n"},
                  {kUserOnly, false, "<bos><start_of_turn>user\nHi<end_of_turn>\n"}});
}

TEST(ChatTemplateBuiltins, Phi3) {
  expect_builtin("phi3", "<s>", "<|endoftext|>",
                 {{kSystemChat, true,
                   "<s><|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n"
                   "<|assistant|>\nHello!<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n"},
                  {kUserOnly, false, "<s><|user|>\nHi<|end|>\n"}});
}

TEST(ChatTemplate, BuiltinNamesAndUnknownName) {
  EXPECT_EQ(ChatTemplate::builtin_names(),
            (std::vector<std::string>{"chatml", "llama2", "llama3", "mistral", "zephyr", "gemma",
                                      "phi3"}));
  Result<ChatTemplate> t = ChatTemplate::named("vicuna");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("vicuna"), std::string::npos);
  EXPECT_NE(t.status().message().find("chatml, llama2, llama3"), std::string::npos);
}

TEST(ChatTemplate, RolesNotAlternatingAreTheTemplatesError) {
  const std::vector<std::vector<ChatMessage>> bad = {
      {{"user", "One"}, {"user", "Two"}},
      {{"assistant", "First"}},
      {{"system", "S"}, {"user", "U"}, {"user", "U again"}},
  };
  for (const char* name : {"llama2", "mistral"}) {
    Result<ChatTemplate> t = ChatTemplate::named(name);
    ASSERT_TRUE(t.ok());
    for (const auto& messages : bad) {
      Result<std::string> out = t->apply(messages, ChatTemplateInputs{});
      ASSERT_FALSE(out.ok()) << name << " rendered " << *out;
      EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(out.status().message().find("Conversation roles must alternate"), std::string::npos)
          << out.status().message();
    }
  }
}

TEST(ChatTemplate, MessageTextIsNeverInterpreted) {
  Result<ChatTemplate> t = ChatTemplate::named("chatml");
  ASSERT_TRUE(t.ok());
  const std::vector<ChatMessage> messages = {
      {"user", "{{ bos_token }}{% for m in messages %}x{% endfor %}{# c #}{%- raw %}"}};
  EXPECT_EQ(render(*t, messages, false, "<s>", "</s>"),
            "<|im_start|>user\n{{ bos_token }}{% for m in messages %}x{% endfor %}{# c #}"
            "{%- raw %}<|im_end|>\n");
}

TEST(ChatTemplate, TemplateSeesMessagesTokensAndFlags) {
  Result<ChatTemplate> t = ChatTemplate::parse(
      "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ messages|length }}|"
      "{{ messages[0].role }}={{ messages[0]['content'] }}|{{ tools is defined }}|"
      "{{ documents is defined }}|{{ messages[0].tool_calls is defined }}");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->origin(), "override");
  EXPECT_EQ(render(*t, kUserOnly, true, "<s>", "</s>"),
            "<s>|</s>|True|1|user=Hi|False|False|False");
  EXPECT_EQ(render(*t, kUserOnly, false, "", ""), "||False|1|user=Hi|False|False|False");
}

TEST(ChatTemplate, ParseErrorsNameLineAndColumn) {
  Result<ChatTemplate> t =
      ChatTemplate::parse("{% for m in messages %}\n{{ m.content }\n{% endfor %}");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("line 2, column 14: unexpected '}'"), std::string::npos)
      << t.status().message();
}

// A tiny SPM vocabulary holding `extra` tokens as control tokens, and a chat template if given.
Result<Tokenizer> synthetic_tokenizer(const std::vector<std::string>& extra,
                                      const std::string& chat_template = "") {
  auto tokens = std::make_shared<MetaArray>();
  tokens->element_type = GgufType::kString;
  tokens->strings = {"<unk>", "<s>", "</s>",
                     "\xe2\x96\x81"
                     "a",
                     "b"};
  auto scores = std::make_shared<MetaArray>();
  scores->element_type = GgufType::kFloat32;
  scores->floats = {0, 0, 0, -1, -2};
  auto types = std::make_shared<MetaArray>();
  types->element_type = GgufType::kInt32;
  types->ints = {2, 3, 3, 1, 1};
  for (const std::string& t : extra) {
    tokens->strings.push_back(t);
    scores->floats.push_back(0);
    types->ints.push_back(3);
  }
  ModelFile f;
  f.metadata["tokenizer.ggml.model"] = MetaValue{GgufType::kString, std::string("llama")};
  f.metadata["tokenizer.ggml.tokens"] = MetaValue{GgufType::kArray, tokens};
  f.metadata["tokenizer.ggml.scores"] = MetaValue{GgufType::kArray, scores};
  f.metadata["tokenizer.ggml.token_type"] = MetaValue{GgufType::kArray, types};
  f.metadata["tokenizer.ggml.bos_token_id"] = MetaValue{GgufType::kUint32, uint64_t{1}};
  f.metadata["tokenizer.ggml.eos_token_id"] = MetaValue{GgufType::kUint32, uint64_t{2}};
  if (!chat_template.empty()) {
    f.metadata["tokenizer.chat_template"] = MetaValue{GgufType::kString, chat_template};
  }
  return Tokenizer::from_model_file(f);
}

std::string chosen(const Result<Tokenizer>& tok, std::string_view override_name_or_source = {}) {
  if (!tok.ok()) return "TOKENIZER ERROR: " + tok.status().message();
  Result<ChatTemplate> t = ChatTemplate::for_tokenizer(*tok, override_name_or_source);
  return t.ok() ? t->origin() : "ERROR: " + t.status().message();
}

TEST(ChatTemplateForTokenizer, DetectsTheFamilyFromSpecialTokens) {
  EXPECT_EQ(chosen(synthetic_tokenizer({"<|im_start|>", "<|im_end|>"})), "chatml");
  EXPECT_EQ(chosen(synthetic_tokenizer({"<|start_header_id|>", "<|eot_id|>"})), "llama3");
  EXPECT_EQ(chosen(synthetic_tokenizer({"<start_of_turn>", "<end_of_turn>"})), "gemma");
  EXPECT_EQ(chosen(synthetic_tokenizer({"<|user|>", "<|end|>", "<|assistant|>"})), "phi3");
  EXPECT_EQ(chosen(synthetic_tokenizer({"[INST]", "[/INST]"})), "mistral");
  EXPECT_EQ(chosen(synthetic_tokenizer({"[INST]", "[/INST]", "<<SYS>>"})), "llama2");
  // <|user|> without <|end|> is not Phi-3; nothing recognised falls back to chatml.
  EXPECT_EQ(chosen(synthetic_tokenizer({"<|user|>"})), "chatml");
  EXPECT_EQ(chosen(synthetic_tokenizer({})), "chatml");
}

TEST(ChatTemplateForTokenizer, ModelTemplateWinsOverDetection) {
  Result<Tokenizer> tok =
      synthetic_tokenizer({"<|im_start|>"}, "{% for m in messages %}[{{ m.content }}]{% endfor %}");
  ASSERT_TRUE(tok.ok()) << tok.status().to_string();
  Result<ChatTemplate> t = ChatTemplate::for_tokenizer(*tok);
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->origin(), "model");
  EXPECT_EQ(render(*t, kSystemChat, true, "", ""), "[Be brief.][Hi][Hello!][Bye]");
}

TEST(ChatTemplateForTokenizer, OverrideWinsOverTheModel) {
  Result<Tokenizer> tok = synthetic_tokenizer({"<|im_start|>"}, "{{ 'model' }}");
  EXPECT_EQ(chosen(tok, "gemma"), "gemma");
  EXPECT_EQ(chosen(tok, "{{ messages[0].content }}!"), "override");
  Result<ChatTemplate> t = ChatTemplate::for_tokenizer(*tok, "{{ messages[0].content }}!");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(render(*t, kUserOnly, true, "", ""), "Hi!");
  // An override that is neither a built-in nor valid Jinja is the caller's error, not a fallback.
  EXPECT_NE(chosen(tok, "{% if %}").find("ERROR: chat template: line 1"), std::string::npos);
}

TEST(ChatTemplateForTokenizer, UnusableModelTemplateFallsBackWithAWarning) {
  auto sink_stream = std::make_shared<std::ostringstream>();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*sink_stream);
  auto log = base::logger("tokenizer");
  log->sinks().push_back(sink);
  // A syntax error, and a template that fails on every conversation.
  EXPECT_EQ(chosen(synthetic_tokenizer({"<start_of_turn>"}, "{% for %}")), "gemma");
  EXPECT_EQ(chosen(synthetic_tokenizer({}, "{{ raise_exception('no') }}")), "chatml");
  log->sinks().pop_back();
  const std::string logged = sink_stream->str();
  EXPECT_NE(logged.find("chat_template.model_unusable"), std::string::npos) << logged;
  EXPECT_NE(logged.find("fallback=gemma"), std::string::npos) << logged;
  EXPECT_NE(logged.find("fallback=chatml"), std::string::npos) << logged;
}

TEST(ChatTemplateForTokenizer, SharedVocabsWithoutTemplateGetChatml) {
  for (const char* name : {"ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf"}) {
    const auto path = testing::models_dir() / "vocab" / name;
    Result<Tokenizer> tok = testing::load_gguf_tokenizer(path);
    ASSERT_TRUE(tok.ok()) << path << ": " << tok.status().to_string();
    EXPECT_EQ(tok->chat_template(), "");
    EXPECT_EQ(chosen(tok), "chatml") << name;
  }
}

}  // namespace
}  // namespace liftoff::tokenizer
