// ChatTemplate: renders a list of chat messages into the prompt text a model was trained on.
// Sources, first that exists wins: an override (a built-in name or Jinja source), the model's own
// `tokenizer.chat_template` (a Jinja template, rendered by our Jinja subset), then a built-in
// template picked by recognising the vocabulary's special tokens, then chatml.
// Built-in names: chatml, llama2, llama3, mistral, zephyr, gemma, phi3.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/tokenizer.h"

namespace liftoff::tokenizer {

struct ChatMessage {
  std::string role;     // "system", "user", "assistant", ... (passed through to the template)
  std::string content;  // text parts already joined
};

struct ChatTemplateInputs {
  bool add_generation_prompt = true;  // end with the assistant turn's opening
  std::string bos_token;              // exposed to the template as bos_token
  std::string eos_token;              // and eos_token
};

class ChatTemplateProgram;  // the parsed Jinja template

class ChatTemplate {
 public:
  // Parses Jinja source (origin "override"). kInvalidArgument naming line and column for a
  // syntax error or a construct outside the supported subset.
  static Result<ChatTemplate> parse(std::string_view source);
  // A built-in template; kNotFound listing the known names.
  static Result<ChatTemplate> named(std::string_view name);
  static std::vector<std::string> builtin_names();
  // The template a server uses for this tokenizer: `override_name_or_source` if non-empty (a
  // built-in name, else Jinja source), else the tokenizer's chat_template(), else detection.
  // A model template that does not parse, or fails to render a one-message conversation, is
  // logged as a warning and skipped; an override that does not parse is an error.
  static Result<ChatTemplate> for_tokenizer(const Tokenizer& tokenizer,
                                            std::string_view override_name_or_source = {});

  // Renders the conversation. kInvalidArgument for a template error at render time (for example
  // the template's own raise_exception("Conversation roles must alternate ...")).
  Result<std::string> apply(std::span<const ChatMessage> messages,
                            const ChatTemplateInputs& inputs) const;

  // Where the template came from, for logs: a built-in name, "model" or "override".
  const std::string& origin() const { return origin_; }

 private:
  ChatTemplate(std::shared_ptr<const ChatTemplateProgram> program, std::string origin);
  // The Jinja source of a built-in template, "" for an unknown name (chat_template_builtin.cpp).
  static std::string_view builtin_source(std::string_view name);
  // The built-in template whose special tokens the vocabulary has; chatml if none matches.
  static std::string detect_builtin(const Tokenizer& tokenizer);

  std::shared_ptr<const ChatTemplateProgram> program_;
  std::string origin_;
};

// A rendered conversation as tokens, as chat endpoints tokenize it: special-token text in the
// template ("<|im_start|>") becomes special tokens, and BOS is added unless the template already
// wrote it.
std::vector<int32_t> tokenize_rendered_chat(const Tokenizer& tokenizer, const std::string& text);

}  // namespace liftoff::tokenizer
