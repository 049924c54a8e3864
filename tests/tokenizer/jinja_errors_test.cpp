// Bad templates get a kInvalidArgument naming line and column, never a crash: syntax errors,
// constructs outside the subset, runtime type errors, and templates that try to loop forever,
// recurse, nest without end or build huge strings and lists.
#include <gtest/gtest.h>

#include "jinja_test_util.h"
#include "liftoff/tokenizer/jinja/limits.h"

namespace liftoff::tokenizer::jinja {
namespace {

using testing::Json;
using testing::render;

struct ErrorCase {
  std::string source;
  std::string mentions;  // a part of the message, position included where the case is about it
};

void expect_errors(const std::vector<ErrorCase>& cases, const Json& vars = Json::object()) {
  for (const ErrorCase& c : cases) {
    const Result<std::string> r = render(c.source, vars);
    ASSERT_FALSE(r.ok()) << "rendered " << *r << "\ntemplate: " << c.source.substr(0, 200);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().to_string();
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos)
        << "message: " << r.status().message() << "\ntemplate: " << c.source.substr(0, 200);
  }
}

TEST(JinjaErrors, SyntaxErrorsNameLineAndColumn) {
  expect_errors({
      {"{{ 'unterminated }}", "line 1, column 4: string literal is never closed"},
      {"line one\n{% if x %}no end", "line 2, column 4: block is never closed with {% endif %}"},
      {"{% for x in %}{% endfor %}", "line 1, column 13: expected an expression, got '%}'"},
      {"{{ (x }}", "line 1, column 7: unexpected '}'"},
      {"{{ }}", "line 1, column 4: expected an expression"},
      {"{{ x @ y }}", "line 1, column 6: unexpected character '@'"},
      {"{% endif %}", "line 1, column 4: unknown or misplaced tag 'endif'"},
      {"{% frobnicate %}", "unknown or misplaced tag 'frobnicate'"},
      {"{{ x", "line 1, column 1: expression tag is never closed"},
      {"ok\n  {% if x", "line 2, column 3: block tag is never closed"},
      {"{# unclosed", "line 1, column 1: comment is never closed"},
      {"{% raw %}never closed", "raw block is never closed"},
      {"{{ 99999999999999999999 }}", "integer literal does not fit in 64 bits"},
      {"{{ '\\x4' }}", "truncated \\x escape"},
      {"{% if x %}{% else %}{% else %}{% endif %}", "unknown or misplaced tag 'else'"},
      {"{% for a in b %}{% endif %}", "unknown or misplaced tag 'endif'"},
      {"{{ f(a=1, 2) }}", "positional argument follows keyword argument"},
      {"{% set 1 = 2 %}", "expected a variable name"},
      {"{% set loop = 2 %}", "cannot assign to 'loop'"},
      {"é\n  é {{ ) }}", "line 2, column 8: unexpected ')'"},
  });
}

TEST(JinjaErrors, ConstructsOutsideTheSubsetAreRejectedAtParse) {
  expect_errors({
      {"{% include 'other.jinja' %}", "the 'include' tag is not supported"},
      {"{% extends 'base' %}", "the 'extends' tag is not supported"},
      {"{% call m() %}x{% endcall %}", "the 'call' tag is not supported"},
      {"{% filter upper %}x{% endfilter %}", "the 'filter' tag is not supported"},
      {"{% for x in l recursive %}{% endfor %}", "recursive for loops are not supported"},
      {"{{ f(*args) }}", "*args and **kwargs in calls are not supported"},
      {"{% break %}", "'break' outside a for loop"},
      {"{% for i in l %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}",
       "'continue' outside a for loop"},
      {"{{ x|nosuchfilter }}", "line 1, column 6: no filter named 'nosuchfilter'"},
      {"{{ x is nosuchtest }}", "line 1, column 9: no test named 'nosuchtest'"},
  });
}

TEST(JinjaErrors, UnknownFiltersUnderConditionsFailOnlyWhenReached) {
  // As in jinja2: a template may use a filter this environment lacks on a branch never taken.
  EXPECT_EQ(testing::render_or_error("{% if x %}{{ y|nosuchfilter }}{% endif %}ok"), "ok");
  EXPECT_EQ(testing::render_or_error("{{ y|nosuchfilter if x else 'ok' }}"), "ok");
  expect_errors(
      {{"{% if true %}{{ y|nosuchfilter }}{% endif %}", "no filter named 'nosuchfilter'"}});
}

TEST(JinjaErrors, RuntimeErrorsNameLineAndColumn) {
  const Json vars = Json::parse(R"({"x": 3, "l": [1], "d": {"a": 1}})");
  expect_errors(
      {
          {"line one\n{{ x + 'a' }}",
           "line 2, column 6: unsupported operand type(s) for +: 'int' and 'str'"},
          {"{{ foo.bar }}", "line 1, column 7: 'foo' is undefined"},
          {"{{ d.nope.deeper }}", "'dict object' has no attribute 'nope'"},
          {"{{ nothing + 1 }}", "'nothing' is undefined"},
          {"{{ nothing() }}", "'nothing' is undefined"},
          {"{{ nothing|tojson }}", "Object of type Undefined is not JSON serializable"},
          {"{{ 1 / 0 }}", "line 1, column 6: division by zero"},
          {"{{ 5 // 0 }}|{{ 5 % 0 }}", "integer division or modulo by zero"},
          {"{{ 'a' < 1 }}", "'<' not supported between instances of 'str' and 'int'"},
          {"{{ x() }}", "'int' object is not callable"},
          {"{{ l.append(4) }}", "'list object' has no attribute 'append'"},
          {"{% for i in x %}{% endfor %}", "line 1, column 13: 'int' object is not iterable"},
          {"{% for i in none %}{% endfor %}", "'NoneType' object is not iterable"},
          {"{% for a, b in [[1, 2, 3]] %}{% endfor %}", "expected 2 values to unpack, got 3"},
          {"{% set x.y = 1 %}",
           "line 1, column 4: cannot assign attribute on non-namespace object 'x'"},
          {"{% macro f(a) %}{% endmacro %}{{ f(1, 2) }}",
           "macro 'f' takes not more than 1 argument(s)"},
          {"{% macro f(a) %}{% endmacro %}{{ f(b=1) }}", "macro 'f' takes no keyword argument 'b'"},
          {"{{ 'x'.split('') }}", "empty separator"},
          {"{{ d|join(nope=1) }}", "join() got an unexpected keyword argument 'nope'"},
          {"{{ 9223372036854775807 + 1 }}", "integer result does not fit in 64 bits"},
          {"{{ '%s' % x }}", "printf-style '%' string formatting is not supported"},
          {"{{ {[1]: 2} }}", "unhashable type: 'list'"},
          {"{{ 'x'.format(1) ~ '{'.format() }}", "format(): unmatched '{'"},
      },
      vars);
}

TEST(JinjaErrors, RaiseExceptionCarriesTheTemplatesMessage) {
  const Result<std::string> r =
      render("{% if true %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "chat template: Conversation roles must alternate");
}

TEST(JinjaLimits, EndlessWorkStopsWithAnError) {
  expect_errors({
      {"{% for i in range(10**9) %}{% endfor %}", "range() of more than 100000 items is refused"},
      {"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
       "gave up after"},
      {"{% set ns = namespace(l=[1], m=[1]) %}{% for i in range(30) %}{% set ns.l = [ns.l, ns.l] %}"
       "{% set ns.m = [ns.m, ns.m] %}{% endfor %}{{ ns.l == ns.m }}",
       "gave up after"},
  });
}

TEST(JinjaLimits, HugeStringsAndListsStopWithAnError) {
  expect_errors({
      {"{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "output would exceed"},
      {"{{ 'x' * 10**12 }}", "output would exceed"},
      {"{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}"
       "{% endfor %}",
       "output would exceed"},
      {"{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = ns.l + ns.l %}"
       "{% endfor %}",
       "a list would exceed"},
      {"{{ [1] * 10**9 }}", "a list would exceed"},
      {"{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = [ns.l, ns.l] %}"
       "{% endfor %}{{ ns.l }}",
       "output would exceed"},
      {"{% set ns = namespace(l=[1]) %}{% for i in range(30) %}{% set ns.l = [ns.l, ns.l] %}"
       "{% endfor %}{{ ns.l|tojson }}",
       "output would exceed"},
      {"{{ ('x' * 1000000)|replace('x', 'yyyyyyyyyy') }}", "output would exceed"},
  });
}

TEST(JinjaLimits, RecursionAndNestingAreBounded) {
  const std::string parens = std::string(500, '(') + "1" + std::string(500, ')');
  std::string chain = "{{ 1";
  for (int i = 0; i < 1000; ++i) chain += " + 1";
  chain += " }}";
  std::string ifs;
  for (int i = 0; i < 200; ++i) ifs += "{% if true %}";
  std::string lists = "{{ " + std::string(300, '[') + std::string(300, ']') + " }}";
  std::string nots = "{{ ";
  for (int i = 0; i < 300; ++i) nots += "not ";
  nots += "1 }}";
  expect_errors({
      {"{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "macro calls nest deeper than"},
      {"{{ " + parens + " }}", "nests too deeply"},
      {chain, "expression nests too deeply"},
      {ifs, "blocks nest too deeply"},
      {lists, "nests too deeply"},
      {"{{ " + std::string(300, '-') + "1 }}", "nests too deeply"},
      {nots, "nests too deeply"},
      {"{% set ns = namespace(l=[]) %}{% for i in range(100) %}{% set ns.l = [ns.l] %}{% endfor %}",
       "nests deeper than 32 levels"},
      {"{% set ns = namespace(a=1) %}{% set ns.me = ns %}",
       "a namespace cannot hold another namespace"},
  });
  // Repeating nothing a huge number of times is instant, not a loop of 2^63 steps.
  EXPECT_EQ(
      testing::render_or_error("[{{ '' * 9223372036854775807 }}{{ [] * 9223372036854775807 }}]"),
      "[[]]");
  // Steps at the int64 limits neither overflow nor loop.
  EXPECT_EQ(testing::render_or_error("{{ [1, 2, 3][::9223372036854775807] }}|"
                                     "{{ [1, 2, 3][::-9223372036854775807 - 1] }}|"
                                     "{{ range(9223372036854775806, 9223372036854775807, "
                                     "9223372036854775807)|list }}"),
            "[1]|[3]|[9223372036854775806]");
  // Within the limits, deep but finite recursion works.
  EXPECT_EQ(testing::render_or_error(
                "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ n }}{% endif %}{% endmacro %}"
                "{{ f(10) }}"),
            "12345678910");
}

}  // namespace
}  // namespace liftoff::tokenizer::jinja
