// The built-in chat templates, written as Jinja sources so they run through the same
// interpreter as a model's own template. Each reproduces its model family's prompt format;
// tests/tokenizer/chat_template_cases.py reads them from this file to render the expected
// outputs with jinja2, so keep each entry a name followed by a jinja-delimited raw string.
#include <algorithm>

#include "liftoff/tokenizer/chat_template.h"

namespace liftoff::tokenizer {
namespace {

struct BuiltinTemplate {
  std::string_view name;
  std::string_view source;
};

constexpr BuiltinTemplate kBuiltins[] = {
    {"chatml", R"jinja(
{#- ChatML (Qwen, Yi, OpenHermes, ...): every turn is <|im_start|>role\n...<|im_end|>\n. -#}
{%- for message in messages %}
    {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
{%- endif %}
)jinja"},

    {"llama2", R"jinja(
{#- Llama 2 chat: each user turn is <s>[INST] ... [/INST], each answer is followed by </s>;
    a system prompt goes inside the first [INST] between <<SYS>> markers. -#}
{%- if messages and messages[0].role == 'system' %}
    {%- set system = messages[0].content %}
    {%- set turns = messages[1:] %}
{%- else %}
    {%- set system = none %}
    {%- set turns = messages %}
{%- endif %}
{%- for message in turns %}
    {%- set user_expected = loop.index0 % 2 == 0 %}
    {%- if (message.role == 'user') != user_expected %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message.role == 'user' %}
        {%- set text = message.content | trim %}
        {%- if loop.first and system is not none %}
            {%- set text = '<<SYS>>\n' + system | trim + '\n<</SYS>>\n\n' + text %}
        {%- endif %}
        {{- bos_token + '[INST] ' + text + ' [/INST]' }}
    {%- elif message.role == 'assistant' %}
        {{- ' ' + message.content | trim + ' ' + eos_token }}
    {%- endif %}
{%- endfor %}
)jinja"},

    {"llama3", R"jinja(
{#- Llama 3 instruct: <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|> per turn. -#}
{{- bos_token }}
{%- for message in messages %}
    {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\n\n' + message.content | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
{%- endif %}
)jinja"},

    {"mistral", R"jinja(
{#- Mistral instruct: <s>[INST] ... [/INST] answer</s>[INST] ... [/INST]; a system prompt is
    put in front of the first user message. -#}
{{- bos_token }}
{%- if messages and messages[0].role == 'system' %}
    {%- set system = messages[0].content %}
    {%- set turns = messages[1:] %}
{%- else %}
    {%- set system = none %}
    {%- set turns = messages %}
{%- endif %}
{%- for message in turns %}
    {%- set user_expected = loop.index0 % 2 == 0 %}
    {%- if (message.role == 'user') != user_expected %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {%- if message.role == 'user' %}
        {%- if loop.first and system is not none %}
            {{- '[INST] ' + system + '\n\n' + message.content + ' [/INST]' }}
        {%- else %}
            {{- '[INST] ' + message.content + ' [/INST]' }}
        {%- endif %}
    {%- elif message.role == 'assistant' %}
        {{- ' ' + message.content + eos_token }}
    {%- endif %}
{%- endfor %}
)jinja"},

    {"zephyr", R"jinja(
{#- Zephyr: <|role|>\n...</s>\n per turn, the answer opened with <|assistant|>\n. -#}
{%- set end = eos_token if eos_token else '</s>' %}
{%- for message in messages %}
    {{- '<|' + message.role + '|>\n' + message.content + end + '\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|assistant|>\n' }}
{%- endif %}
)jinja"},

    {"gemma", R"jinja(
{#- Gemma: <start_of_turn>user|model\n...<end_of_turn>\n; the assistant role is called model and
    a system prompt, which Gemma has no turn for, opens the first user turn. -#}
{{- bos_token }}
{%- if messages and messages[0].role == 'system' %}
    {%- set system = messages[0].content | trim + '\n\n' %}
    {%- set turns = messages[1:] %}
{%- else %}
    {%- set system = '' %}
    {%- set turns = messages %}
{%- endif %}
{%- for message in turns %}
    {%- set role = 'model' if message.role == 'assistant' else message.role %}
    {%- set prefix = system if loop.first else '' %}
    {{- '<start_of_turn>' + role + '\n' + prefix + message.content | trim + '<end_of_turn>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<start_of_turn>model\n' }}
{%- endif %}
)jinja"},

    {"phi3", R"jinja(
{#- Phi-3: <|role|>\n...<|end|>\n per turn, the answer opened with <|assistant|>\n. -#}
{{- bos_token }}
{%- for message in messages %}
    {{- '<|' + message.role + '|>\n' + message.content + '<|end|>\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|assistant|>\n' }}
{%- endif %}
)jinja"},
};

}  // namespace

std::vector<std::string> ChatTemplate::builtin_names() {
  std::vector<std::string> names;
  for (const BuiltinTemplate& t : kBuiltins) names.emplace_back(t.name);
  return names;
}

std::string_view ChatTemplate::builtin_source(std::string_view name) {
  const auto it = std::find_if(std::begin(kBuiltins), std::end(kBuiltins),
                               [&](const BuiltinTemplate& t) { return t.name == name; });
  return it == std::end(kBuiltins) ? std::string_view() : it->source;
}

}  // namespace liftoff::tokenizer
