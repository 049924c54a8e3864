// The expression language of the Jinja subset: literals, operators and their precedence,
// attribute/item/slice access, tests, filters and methods. Every expected string here is what
// jinja2 3.1 renders for the same template (checked with python3-jinja2).
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

// Variables every case can use.
const Json& context() {
  static const Json vars = Json::parse(R"({
    "x": 3, "s": " Hello World ", "l": [3, 1, 2],
    "d": {"b": 1, "a": [1, 2.5, null, true]},
    "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Hi {{ x }} é"},
                 {"role": "assistant", "content": "<think>r</think>\n\nOk"},
                 {"role": "user", "content": "Bye"}]
  })");
  return vars;
}

void run_table(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(render_or_error(c.source, context()), c.expected) << "template: " << c.source;
  }
}

TEST(JinjaExpressions, LiteralsPrintLikePython) {
  run_table({
      {"{{ 'single' }}{{ \"double\" }}", "singledouble"},
      {"{{ 'a\\nb\\t\\x41\\u00e9\\\\' }}", "a\nb\tAé\\"},
      {"{{ 'it''s' }}|{{ \"a\" \"b\" }}", "its|ab"},
      {"{{ 42 }}|{{ -7 }}|{{ 1_000 }}|{{ 0x1F }}|{{ 0o17 }}|{{ 0b101 }}", "42|-7|1000|31|15|5"},
      {"{{ 1.5 }}|{{ 1.0 }}|{{ 1e20 }}|{{ 1e-5 }}|{{ 0.0001 }}|{{ 100000000000000000.0 }}",
       "1.5|1.0|1e+20|1e-05|0.0001|1e+17"},
      {"{{ true }}|{{ False }}|{{ none }}|{{ None }}", "True|False|None|None"},
      {"{{ [1, 'a', none, true, 1.0] }}", "[1, 'a', None, True, 1.0]"},
      {"{{ (1, 2) }}|{{ (1,) }}|{{ () }}", "(1, 2)|(1,)|()"},
      {"{{ {'a': 1, 'b': [2]} }}|{{ {'a': 1, 'a': 2} }}", "{'a': 1, 'b': [2]}|{'a': 2}"},
      {"{{ [\"it's\", 'say \"hi\"', '\\n'] }}", "[\"it's\", 'say \"hi\"', '\\n']"},
      {"{{ d }}", "{'b': 1, 'a': [1, 2.5, None, True]}"},
  });
}

TEST(JinjaExpressions, ArithmeticFollowsPython) {
  run_table({
      {"{{ 1 + 2 }}|{{ 10 - 2 - 3 }}|{{ 2 * 3 + 4 }}|{{ 2 + 3 * 4 }}", "3|5|10|14"},
      {"{{ 10 / 4 }}|{{ 4 / 2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|{{ -7 % 3 }}|{{ 7 % -3 }}",
       "2.5|2.0|3|-4|2|-2"},
      {"{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ 2 ** 3 ** 2 }}|{{ (-2) ** 2 }}", "1024|0.5|64|4"},
      {"{{ 0.1 + 0.2 }}|{{ 5 // 2.0 }}|{{ -5 % 2.5 }}|{{ 1 + true }}",
       "0.30000000000000004|2.0|0.0|2"},
      {"{{ 'a' + 'b' }}|{{ 'ab' * 3 }}|{{ 2 * 'x' }}|{{ [1] + [2] }}|{{ [0] * 2 }}",
       "ab|ababab|xx|[1, 2]|[0, 0]"},
      {"{{ 'a' ~ 1 ~ none ~ nothing ~ [1] }}|{{ (1 + 2) ~ 3 }}|{{ 1 ~ 2 * 3 }}", "a1None[1]|33|16"},
      {"{{ -x }}|{{ +x }}|{{ -2|abs }}", "-3|3|2"},
      {"{{ 9223372036854775807 }}|{{ 2 ** 62 }}", "9223372036854775807|4611686018427387904"},
  });
}

TEST(JinjaExpressions, LogicAndComparisons) {
  run_table({
      {"{{ 1 < x < 5 }}|{{ 1 < x > 5 }}|{{ x == 3.0 }}|{{ true == 1 }}|{{ (1, 2) == [1, 2] }}",
       "True|False|True|True|False"},
      {"{{ 'a' < 'b' }}|{{ [1, 2] < [1, 3] }}|{{ 'B' < 'a' }}|{{ none == none }}",
       "True|True|True|True"},
      {"{{ x > 2 and 'yes' }}|{{ x < 2 or 'no' }}|{{ 0 or '' }}|{{ not x }}|{{ not not x }}",
       "yes|no||False|True"},
      {"{{ 'Hi' in messages[1].content }}|{{ 'zz' not in s }}|{{ 'a' in d }}|{{ 3 in l }}",
       "True|True|True|True"},
      {"{{ 'a' in nothing }}|{{ nothing == also_nothing }}", "False|True"},
      {"{{ 'a' if x > 2 else 'b' }}|{{ 'a' if x < 2 }}|{{ 1 if none else 2 if false else 3 }}",
       "a||3"},
      {"{{ not 1 == 2 }}|{{ not none is none }}|{{ x is defined and x > 1 }}", "True|False|True"},
  });
}

TEST(JinjaExpressions, AttributesItemsAndSlices) {
  run_table({
      {"{{ messages[0].role }}|{{ messages[0]['role'] }}|{{ messages.0.role }}|{{ d.a.1 }}",
       "system|system|system|2.5"},
      {"{{ messages[-1].content }}|{{ l[5] }}|{{ d.zz }}|{{ 'abc'[-1] }}|{{ 'x'[5] }}", "Bye|||c|"},
      {"{{ l[0:2] }}{{ l[-2:] }}{{ l[:-1] }}{{ l[::2] }}{{ l[5:] }}{{ l[::-1] }}{{ l[-10:10] }}",
       "[3, 1][1, 2][3, 1][3, 2][][2, 1, 3][3, 1, 2]"},
      {"{% for m in messages[1:3] %}{{ m.role }} {% endfor %}", "user assistant "},
      {"{{ 'héllo'[::-1] }}|{{ 'héllo'[1:3] }}|{{ 'héllo'[1] }}", "olléh|él|é"},
      {"{{ d.get('a') }}|{{ d.get('zz', 'dflt') }}|{{ d.get('zz') }}|{{ d['get'] is callable }}",
       "[1, 2.5, None, True]|dflt|None|True"},
      {"{{ d.items()|list }}|{{ d.keys()|list }}|{{ d.values()|list }}",
       "[('b', 1), ('a', [1, 2.5, None, True])]|['b', 'a']|[1, [1, 2.5, None, True]]"},
  });
}

TEST(JinjaExpressions, Tests) {
  run_table({
      {"{{ x is defined }}{{ y is defined }}{{ y is undefined }}{{ none is none }}",
       "TrueFalseTrueTrue"},
      {"{{ x is number }}{{ true is number }}{{ true is integer }}{{ 1.5 is float }}",
       "TrueTrueFalseTrue"},
      {"{{ s is string }}{{ d is mapping }}{{ l is iterable }}{{ 3 is iterable }}{{ 'a' is "
       "sequence }}",
       "TrueTrueTrueFalseTrue"},
      {"{{ true is boolean }}{{ 1 is boolean }}{{ true is true }}{{ 1 is true }}{{ false is false "
       "}}",
       "TrueFalseTrueFalseTrue"},
      {"{{ x is odd }}{{ x is even }}{{ 4 is divisibleby 2 }}{{ 4 is divisibleby(3) }}",
       "TrueFalseTrueFalse"},
      {"{{ x is not none }}{{ x is eq 3 }}{{ x is ne 3 }}{{ x is gt 2 }}{{ x is in [1, 3] }}",
       "TrueTrueFalseTrueTrue"},
      {"{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ 'Abc' is lower }}{{ range is callable }}",
       "TrueTrueFalseTrue"},
  });
}

TEST(JinjaExpressions, StringFilters) {
  run_table({
      {"{{ s|trim }}|{{ 'xxaxx'|trim('x') }}|{{ ' \\t\\n hi \\u3000'|trim }}", "Hello World|a|hi"},
      {"{{ s|upper }}|{{ s|lower }}|{{ 'hELLO wORLD'|capitalize }}",
       " HELLO WORLD | hello world |Hello world"},
      {"{{ 'hello world-foo(bar'|title }}|{{ \"they're bill's\"|title }}",
       "Hello World-Foo(Bar|They're Bill's"},
      {"{{ 'ÉCOLE'|lower }}|{{ 'straße'|upper }}|{{ 'émile'|capitalize }}", "école|STRASSE|Émile"},
      {"{{ s|replace('l', 'L') }}|{{ s|replace('l', 'L', 1) }}", " HeLLo WorLd | HeLlo World "},
      {"{{ s|length }}|{{ 'héllo'|length }}|{{ l|count }}|{{ d|length }}|{{ nothing|length }}",
       "13|5|3|2|0"},
      {"{{ 3|string }}|{{ none|string }}|{{ '<a&b>'|e }}|{{ 'x'|safe }}",
       "3|None|&lt;a&amp;b&gt;|x"},
      {"{{ 'line1\\nline2'|indent(2) }}|{{ 'a\\n\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, "
       "blank=true) }}",
       "line1\n  line2|  a\n\n  b|a\n  \n  b"},
  });
}

TEST(JinjaExpressions, NumberAndDefaultFilters) {
  run_table({
      {"{{ '12'|int + 1 }}|{{ '1.5'|int }}|{{ 'x'|int }}|{{ 'x'|int(7) }}|{{ 2.7|int }}|{{ "
       "true|int }}",
       "13|1|0|7|2|1"},
      {"{{ '3'|float }}|{{ 'z'|float }}|{{ 2|float }}", "3.0|0.0|2.0"},
      {"{{ 2.567|round(1) }}|{{ 2.5|round }}|{{ 3.5|round }}|{{ 2.1|round(method='ceil') }}",
       "2.6|2.0|4.0|3.0"},
      {"{{ y|default('D') }}|{{ ''|default('D') }}|{{ ''|default('D', true) }}|{{ none|d('D') "
       "}}|{{ x|d }}",
       "D||D|None|3"},
  });
}

TEST(JinjaExpressions, SequenceFilters) {
  run_table({
      {"{{ l|sort }}|{{ l|sort(reverse=true) }}|{{ ['b', 'A', 'a']|sort }}|{{ ['b', "
       "'A']|sort(case_sensitive=true) }}",
       "[1, 2, 3]|[3, 2, 1]|['A', 'a', 'b']|['A', 'b']"},
      {"{{ [{'n': 2}, {'n': 1}]|sort(attribute='n') }}", "[{'n': 1}, {'n': 2}]"},
      {"{{ l|first }}|{{ l|last }}|{{ 'abc'|first }}|{{ 'abc'|last }}|{{ []|first }}|",
       "3|2|a|c||"},
      {"{{ l|join(', ') }}|{{ l|join }}|{{ messages|join('/', attribute='role') }}",
       "3, 1, 2|312|system/user/assistant/user"},
      {"{{ l|reverse|list }}|{{ 'abc'|reverse }}|{{ 'xy'|list }}|{{ {'a': 1}|list }}",
       "[2, 1, 3]|cba|['x', 'y']|['a']"},
      {"{{ l|sum }}|{{ l|sum(start=10) }}|{{ l|min }}|{{ l|max }}|{{ ['b', 'A']|max }}",
       "6|16|1|3|b"},
      {"{{ [1, 2, 2, 'a', 'A']|unique|list }}|{{ d|items|list }}|{{ d|dictsort }}",
       "[1, 2, 'a']|[('b', 1), ('a', [1, 2.5, None, True])]|[('a', [1, 2.5, None, True]), ('b', "
       "1)]"},
      {"{{ messages|map(attribute='role')|join(',') }}|{{ l|map('string')|join('-') }}",
       "system,user,assistant,user|3-1-2"},
      {"{{ messages|map(attribute='nope', default='D')|list }}", "['D', 'D', 'D', 'D']"},
      {"{{ messages|selectattr('role', 'equalto', 'user')|list|length }}|"
       "{{ messages|rejectattr('role', 'eq', 'user')|map(attribute='role')|list }}",
       "2|['system', 'assistant']"},
      {"{{ l|select('odd')|list }}|{{ l|reject('odd')|list }}|{{ [0, 1, '', 'a', none]|select|list "
       "}}|"
       "{{ l|select('>', 1)|list }}",
       "[3, 1]|[2]|[1, 'a']|[3, 2]"},
  });
}

TEST(JinjaExpressions, ToJsonIsHuggingFacesJsonDumps) {
  run_table({
      {"{{ d|tojson }}", "{\"b\": 1, \"a\": [1, 2.5, null, true]}"},
      {"{{ d|tojson(indent=2) }}",
       "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2.5,\n    null,\n    true\n  ]\n}"},
      {"{{ d|tojson(sort_keys=true) }}", "{\"a\": [1, 2.5, null, true], \"b\": 1}"},
      {"{{ messages[1]|tojson }}", "{\"role\": \"user\", \"content\": \"Hi {{ x }} é\"}"},
      {"{{ 'é\\n\"\\\\\\t\\u0001<>&'|tojson }}", "\"é\\n\\\"\\\\\\t\\u0001<>&\""},
      {"{{ 'é😀'|tojson(ensure_ascii=true) }}", "\"\\u00e9\\ud83d\\ude00\""},
      {"{{ [1, 2]|tojson(separators=(',', ':')) }}|{{ []|tojson(indent=2) }}|{{ {}|tojson }}",
       "[1,2]|[]|{}"},
      {"{{ 1.0|tojson }}|{{ 1e100|tojson }}|{{ 0.1|tojson }}|{{ none|tojson }}",
       "1.0|1e+100|0.1|null"},
  });
}

TEST(JinjaExpressions, StringMethods) {
  run_table({
      {"{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxhixx'.strip('x') }}",
       "Hello World|Hello World | Hello World|hi"},
      {"{{ s.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a b c'.split(' ', 1) }}|{{ 'a b c'.rsplit(' "
       "', 1) }}",
       "['Hello', 'World']|['a', 'b', '', 'c']|['a', 'b c']|['a b', 'c']"},
      {"{{ '  a  b  '.split(None, 1) }}|{{ '  a  b  '.rsplit(None, 1) }}|{{ ''.split(',') }}|{{ "
       "''.split() }}",
       "['a', 'b  ']|['  a', 'b']|['']|[]"},
      {"{{ 'a\\nb\\r\\nc'.splitlines() }}", "['a', 'b', 'c']"},
      {"{{ s.startswith(' H') }}|{{ s.endswith(('x', 'd ')) }}|{{ s.find('W') }}|{{ s.count('l') "
       "}}",
       "True|True|7|3"},
      {"{{ s.replace('l', 'L') }}|{{ s.upper() }}|{{ s.title() }}|{{ \"they're\".title() }}",
       " HeLLo WorLd | HELLO WORLD | Hello World |They'Re"},
      {"{{ '{} and {}'.format(1, 'x') }}|{{ '{0}-{1}-{0}'.format('a', 'b') }}|{{ "
       "'{n}!'.format(n='N') }}",
       "1 and x|a-b-a|N!"},
      {"{{ ', '.join(['a', 'b']) }}|{{ '12'.isdigit() }}|{{ 'ab'.isalpha() }}|{{ ' '.isspace() }}",
       "a, b|True|True|True"},
      {"{% set c = messages[2].content %}{{ c.split('</think>')[-1].lstrip('\\n') }}|"
       "{{ c.split('</think>')[0].rstrip('\\n').split('<think>')[-1] }}",
       "Ok|r"},
  });
}

TEST(JinjaExpressions, GlobalFunctions) {
  run_table({
      {"{{ range(5)|list }}|{{ range(1, 10, 3)|list }}|{{ range(5, 0, -2)|list }}|{{ range(0)|list "
       "}}",
       "[0, 1, 2, 3, 4]|[1, 4, 7]|[5, 3, 1]|[]"},
      {"{{ dict(a=1, b='x') }}|{{ namespace(a=1).a }}|{{ namespace({'k': 2}).k }}",
       "{'a': 1, 'b': 'x'}|1|2"},
      {"{{ strftime_now('%%') }}", "%"},
  });
}

}  // namespace
}  // namespace liftoff::tokenizer::jinja
