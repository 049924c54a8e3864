// ChatTemplate: picks a template (override, the model's own, or a built-in recognised from the
// vocabulary) and renders conversations through the Jinja subset in jinja/. The built-in
// sources live in chat_template_builtin.cpp.
#include "liftoff/tokenizer/chat_template.h"

#include <new>
#include <utility>

#include "liftoff/base/log.h"
#include "liftoff/tokenizer/jinja/template.h"

namespace liftoff::tokenizer {

class ChatTemplateProgram {
 public:
  explicit ChatTemplateProgram(jinja::Template t) : tmpl(std::move(t)) {}
  jinja::Template tmpl;
};

namespace {

// Special-token texts that identify a built-in format, in the order they are tried.
struct Signature {
  std::string_view token;
  std::string_view also;  // a second token that must be present too ("" if none)
  std::string_view name;
};
constexpr Signature kSignatures[] = {
    {"<|im_start|>", "", "chatml"},   {"<|start_header_id|>", "", "llama3"},
    {"<start_of_turn>", "", "gemma"}, {"<|user|>", "<|end|>", "phi3"},
    {"<<SYS>>", "[INST]", "llama2"},  {"[INST]", "", "mistral"},
};

std::string token_text(const Tokenizer& tokenizer, TokenId id) {
  return id >= 0 ? tokenizer.text(id) : std::string();
}

}  // namespace

ChatTemplate::ChatTemplate(std::shared_ptr<const ChatTemplateProgram> program, std::string origin)
    : program_(std::move(program)), origin_(std::move(origin)) {}

Result<ChatTemplate> ChatTemplate::parse(std::string_view source) {
  try {
    LIFTOFF_ASSIGN_OR_RETURN(jinja::Template t, jinja::Template::parse(source));
    return ChatTemplate(std::make_shared<const ChatTemplateProgram>(std::move(t)), "override");
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("chat template: out of memory while parsing");
  }
}

Result<ChatTemplate> ChatTemplate::named(std::string_view name) {
  const std::string_view source = builtin_source(name);
  if (source.empty()) {
    std::string known;
    for (const std::string& n : builtin_names()) known += (known.empty() ? "" : ", ") + n;
    return Status::not_found("no built-in chat template named '" + std::string(name) +
                             "' (known: " + known + ")");
  }
  LIFTOFF_ASSIGN_OR_RETURN(ChatTemplate t, parse(source));
  t.origin_ = std::string(name);
  return t;
}

std::string ChatTemplate::detect_builtin(const Tokenizer& tokenizer) {
  bool found[std::size(kSignatures)][2] = {};
  for (size_t id = 0; id < tokenizer.n_vocab(); ++id) {
    const std::string& text = tokenizer.text(static_cast<TokenId>(id));
    if (text.empty() || text.size() > 24) continue;  // every signature token is short
    for (size_t s = 0; s < std::size(kSignatures); ++s) {
      if (text == kSignatures[s].token) found[s][0] = true;
      if (text == kSignatures[s].also) found[s][1] = true;
    }
  }
  for (size_t s = 0; s < std::size(kSignatures); ++s) {
    if (found[s][0] && (kSignatures[s].also.empty() || found[s][1])) {
      return std::string(kSignatures[s].name);
    }
  }
  return "chatml";
}

Result<ChatTemplate> ChatTemplate::for_tokenizer(const Tokenizer& tokenizer,
                                                 std::string_view override_name_or_source) {
  if (!override_name_or_source.empty()) {
    if (!builtin_source(override_name_or_source).empty()) return named(override_name_or_source);
    return parse(override_name_or_source);  // an override that does not parse is the caller's error
  }
  const std::string& own = tokenizer.chat_template();
  if (!own.empty()) {
    Result<ChatTemplate> parsed = parse(own);
    if (parsed.ok()) {
      // A template that cannot render even one user turn is no better than none: probe it now
      // rather than fail every request later.
      const ChatMessage probe[] = {{"user", "Hello"}};
      ChatTemplateInputs inputs;
      inputs.bos_token = token_text(tokenizer, tokenizer.bos());
      inputs.eos_token = token_text(tokenizer, tokenizer.eos());
      const Result<std::string> rendered = parsed->apply(probe, inputs);
      if (rendered.ok()) {
        parsed->origin_ = "model";
        return parsed;
      }
      parsed = rendered.status();
    }
    const std::string fallback = detect_builtin(tokenizer);
    base::logger("tokenizer")
        ->warn("chat_template.model_unusable error=\"{}\" fallback={}", parsed.status().message(),
               fallback);
    return named(fallback);
  }
  return named(detect_builtin(tokenizer));
}

Result<std::string> ChatTemplate::apply(std::span<const ChatMessage> messages,
                                        const ChatTemplateInputs& inputs) const {
  using jinja::Value;
  try {
    std::vector<Value> list;
    list.reserve(messages.size());
    for (const ChatMessage& m : messages) {
      list.push_back(Value::dict({{Value::string("role"), Value::string(m.role)},
                                  {Value::string("content"), Value::string(m.content)}}));
    }
    // `tools` and `documents` stay undefined: `{% if tools %}` is false, as with no tools.
    const std::vector<std::pair<std::string, Value>> variables = {
        {"messages", Value::list(std::move(list))},
        {"add_generation_prompt", Value::boolean(inputs.add_generation_prompt)},
        {"bos_token", Value::string(inputs.bos_token)},
        {"eos_token", Value::string(inputs.eos_token)},
    };
    return program_->tmpl.render(variables);
  } catch (const std::bad_alloc&) {
    return Status::resource_exhausted("chat template: out of memory while rendering");
  }
}

std::vector<int32_t> tokenize_rendered_chat(const Tokenizer& tokenizer, const std::string& text) {
  std::vector<int32_t> tokens = tokenizer.encode(text, false, true);
  const int32_t bos = tokenizer.bos();
  if (tokenizer.add_bos() && bos >= 0 && !text.starts_with(tokenizer.text(bos))) {
    tokens.insert(tokens.begin(), bos);
  }
  return tokens;
}

}  // namespace liftoff::tokenizer
