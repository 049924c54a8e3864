// Statements and whitespace handling of the Jinja subset: trim_blocks + lstrip_blocks (HF's
// settings), `-` whitespace control, comments, raw blocks, if/for/set/namespace/macro/with,
// loop variables and loop controls. Expected strings are jinja2 3.1's output.
#include <gtest/gtest.h>

#include "jinja_test_util.h"

namespace liftoff::tokenizer::jinja {
namespace {

using testing::Json;
using testing::render_or_error;

struct Case {
  const char* source;
  const char* expected;
};

const Json& context() {
  static const Json vars = Json::parse(R"({
    "x": 3, "l": [3, 1, 2], "d": {"b": 1, "a": 2},
    "messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1"},
                 {"role": "assistant", "content": "A"}, {"role": "user", "content": "U2"}]
  })");
  return vars;
}

void run_table(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(render_or_error(c.source, context()), c.expected) << "template: " << c.source;
  }
}

TEST(JinjaWhitespace, TrimBlocksAndLstripBlocks) {
  run_table({
      // A block tag alone on its line leaves nothing behind: no indent, no newline.
      {"a\n  {% if true %}\n    b\n  {% endif %}\nc", "a\n    b\nc"},
      {"{% for m in messages %}\n  {% if m.role == 'user' %}\n    U: {{ m.content }}\n  {% endif "
       "%}\n"
       "{% endfor %}",
       "    U: U1\n    U: U2\n"},
      // Expression tags are not blocks: their line keeps its indent and newline.
      {"  {{ x }}\n  {{ x }}", "  3\n  3"},
      // Text before a tag on the same line is not whitespace-only, so it stays.
      {"{% if true %}  {{ x }}  {% endif %}", "  3  "},
      {"\t{% if true %}tab{% endif %}", "tab"},
      // Comments count as blocks for both rules.
      {"  {# c #}\na {# c #}\nb", "a b"},
      // {%+ disables lstrip, +%} disables trim.
      {"  {%+ if true %}x{% endif +%}\ny", "  x\ny"},
      {"{% if true %}a{% endif %}\n\n\n{% if true %}b{% endif %}", "a\n\nb"},
  });
}

TEST(JinjaWhitespace, MinusStripsEverySpaceOnItsSide) {
  run_table({
      {"a\n  {%- if true -%}\n    b\n  {%- endif %}\nc", "abc"},
      {"c  {{- ' d ' -}}  e", "c d e"},
      {"{%- set y = 1 -%}\n\n  {{- y -}}\n\nafter", "1after"},
      {"x  {%- if true %} y {% endif -%}  z", "x y z"},
      {"  {#- c -#}  \nword", "word"},
      {"{{- 'a' }}\n{{ 'b' -}}\n", "a\nb"},
  });
}

TEST(JinjaWhitespace, RawBlocksAndCommentsAreNotInterpreted) {
  run_table({
      {"{% raw %}{{ not interpreted }} {% if %}{% endraw %}|{# {{ x }} #}x",
       "{{ not interpreted }} {% if %}|x"},
      {"{% raw -%}   raw  {{ x }}  {%- endraw %}|", "raw  {{ x }}|"},
      {"  {% raw %}\n  r\n  {% endraw %}\nend", "\n  r\nend"},
      {"{{ '{{ x }}' }}|{{ '{% if %}' }}", "{{ x }}|{% if %}"},
  });
}

TEST(JinjaWhitespace, NewlinesAreNormalisedAndOneTrailingNewlineDropped) {
  run_table({
      {"a\r\nb\rc\n", "a\nb\nc"},
      {"a\n\n", "a\n"},
      {"{{ x\n}}{%\nif true\n%}y{%\nendif\n%}", "3y"},
  });
}

TEST(JinjaStatements, IfElifElse) {
  run_table({
      {"{% if x is odd %}odd{% elif x is even %}even{% else %}no{% endif %}", "odd"},
      {"{% if x > 5 %}a{% elif x > 2 %}b{% else %}c{% endif %}", "b"},
      {"{% if nothing %}a{% elif none %}b{% else %}c{% endif %}", "c"},
      {"{% if l %}[{{ l|length }}]{% endif %}{% if [] %}never{% endif %}", "[3]"},
  });
}

TEST(JinjaStatements, ForLoopVariables) {
  run_table({
      {"{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ "
       "loop.revindex0 }}"
       "{{ loop.first|int }}{{ loop.last|int }}{{ loop.length }};{% endfor %}",
       "1043104;2132004;3221004;4310014;"},
      {"{% for x in [1, 2, 3] %}{{ loop.previtem }}-{{ loop.nextitem }}-{{ loop.cycle('a', 'b') }} "
       "{% endfor %}",
       "-2-a 1-3-b 2--a "},
      {"{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.role "
       "}}"
       "{% if not loop.last %},{% endif %}{% endfor %}",
       "1/3:user,2/3:assistant,3/3:user"},
      {"{% for m in messages[::-1] %}{{ m.role[0] }}{% endfor %}", "uaus"},
      {"{% for x in [] %}a{% else %}empty{% endfor %}|{% for x in l if x > 5 %}a{% else %}none{% "
       "endfor %}",
       "empty|none"},
      {"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for a, b in [[1, 2], [3, 4]] "
       "%}{{ a * b }}{% endfor %}",
       "b=1;a=2;212"},
      {"{% for c in 'héy' %}{{ c }},{% endfor %}{% for k in d %}{{ k }}{% endfor %}{% for i in "
       "nothing %}x{% endfor %}",
       "h,é,y,ba"},
      {"{% for i in range(2) %}{% for j in range(2) %}{{ loop.index }}{% endfor %}{{ loop.index }} "
       "{% endfor %}",
       "121 122 "},
      {"{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break "
       "%}{% endif %}"
       "{{ i }}{% endfor %}",
       "02"},
  });
}

TEST(JinjaStatements, SetScopingFollowsJinja) {
  run_table({
      // A set inside a loop lasts one iteration and never leaks out.
      {"{% set y = 1 %}{% for i in range(2) %}{{ y }}{% set y = 2 %}{{ y }}{% endfor %}{{ y }}",
       "12121"},
      {"{% for i in range(3) %}{% if i == 1 %}{% set z = 5 %}{% endif %}{{ z }},{% endfor %}",
       ",5,,"},
      // if does not open a scope.
      {"{% if true %}{% set z = 1 %}{% endif %}{{ z }}", "1"},
      {"{% set a, b = [1, 2] %}{{ b }}{{ a }}|{% set c, e = 'xy' %}{{ e }}{{ c }}", "21|yx"},
      {"{% set block %}inner {{ x }}{% endset %}[{{ block }}]", "[inner 3]"},
      {"{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", "3[]"},
  });
}

TEST(JinjaStatements, NamespaceCarriesStateOutOfLoops) {
  run_table({
      {"{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'user' %}"
       "{% set ns.found = true %}{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ "
       "ns.n }}",
       "True 2"},
      {"{%- set ns = namespace(items=[]) %}{% for m in messages %}{% set ns.items = ns.items + "
       "[m.role] %}"
       "{% endfor %}{{ ns.items }}",
       "['system', 'user', 'assistant', 'user']"},
      {"{% set ns = namespace(last=messages|length - 1) %}{% for m in messages[::-1] %}"
       "{% set i = (messages|length - 1) - loop.index0 %}{% if m.role == 'user' and ns.last == 3 %}"
       "{% set ns.last = i - 10 %}{% endif %}{% endfor %}{{ ns.last }}",
       "-7"},
  });
}

TEST(JinjaStatements, Macros) {
  run_table({
      {"{%- macro greet(name, greeting='Hello') -%}\n{{ greeting }}, {{ name }}!\n{%- endmacro "
       "-%}\n"
       "{{ greet('Bob') }} {{ greet('Al', greeting='Hi') }} {{ greet(name='Z') }}",
       "Hello, Bob! Hi, Al! Hello, Z!"},
      {"{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}",
       "54321"},
      {"{% macro f() %}x{{ x }}{% endmacro %}{% set g = f %}{{ g() }}{{ f is callable }}",
       "x3True"},
      {"{% macro m(a) %}[{{ a }}|{{ b }}]{% endmacro %}{% for b in [1] %}{{ m(2) }}{% endfor %}",
       "[2|]"},
  });
}

TEST(JinjaStatements, GenerationBlockRendersItsBody) {
  // HF's {% generation %} only marks assistant text for training masks.
  run_table({{"{% generation %}A{{ x }}{% endgeneration %}", "A3"}});
}

}  // namespace
}  // namespace liftoff::tokenizer::jinja
