// Parser: tokens -> Program (the syntax tree of one template). Recursive descent with Jinja's
// operator precedence; statements in parser.cpp, expressions in parser_expressions.cpp.
// Rejects, with line and column, syntax errors and constructs outside the subset (extends,
// include, call blocks, recursive loops, ...). Unknown filters and tests are errors here unless
// they sit under an `if` or a conditional expression, where Jinja also defers them to run time.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/ast.h"
#include "liftoff/tokenizer/jinja/lexer.h"
#include "liftoff/tokenizer/jinja/source_map.h"

namespace liftoff::tokenizer::jinja {

struct Program {
  explicit Program(std::string_view raw_source) : source(raw_source) {}
  SourceMap source;
  Body body;
};

class Parser {
 public:
  static Result<std::unique_ptr<Program>> parse(std::string_view source);

 private:
  Parser(const SourceMap& map, std::vector<Token> tokens) : map_(map), tokens_(std::move(tokens)) {}

  // Statements (parser.cpp).
  // Parses until one of `end_tags` opens a block (stores it in *end, having consumed the name)
  // or the template ends (only allowed when end_tags is empty).
  Result<Body> parse_body(std::initializer_list<std::string_view> end_tags, std::string* end,
                          size_t opened_at);
  Result<NodePtr> parse_statement();
  Result<NodePtr> parse_if(size_t offset);
  Result<NodePtr> parse_for(size_t offset);
  Result<NodePtr> parse_set(size_t offset);
  Result<NodePtr> parse_macro(size_t offset);
  Result<NodePtr> parse_with(size_t offset);
  Result<NodePtr> parse_scope(size_t offset, std::string_view end_tag);
  Result<AssignTarget> parse_assign_target(bool allow_attribute);
  // Parses `{% <end_tag> %}` after parse_body stopped at it.
  Status expect_block_end();

  // Expressions (parser_expressions.cpp).
  Result<ExprPtr> parse_expression(bool with_condexpr = true);
  // `a, b` becomes a tuple. Stops before `%}`, `}}`, `)` and the names in `end_names`.
  Result<ExprPtr> parse_tuple(bool with_condexpr, std::initializer_list<std::string_view> end_names,
                              bool explicit_parentheses = false);
  Result<ExprPtr> parse_condexpr();
  Result<ExprPtr> parse_or();
  Result<ExprPtr> parse_and();
  Result<ExprPtr> parse_not();
  Result<ExprPtr> parse_compare();
  Result<ExprPtr> parse_math1();
  Result<ExprPtr> parse_concat();
  Result<ExprPtr> parse_math2();
  Result<ExprPtr> parse_pow();
  Result<ExprPtr> parse_unary(bool with_filter);
  Result<ExprPtr> parse_primary();
  Result<ExprPtr> parse_list(size_t offset);
  Result<ExprPtr> parse_dict(size_t offset);
  Result<ExprPtr> parse_postfix(ExprPtr node);
  Result<ExprPtr> parse_filter_expr(ExprPtr node);
  Result<ExprPtr> parse_subscript(ExprPtr node);
  Status parse_call_args(Expr& call);
  Result<ExprPtr> parse_filter(ExprPtr node);
  Result<ExprPtr> parse_test(ExprPtr node);
  // Sets the node's height and rejects trees deeper than the interpreter may recurse.
  Result<ExprPtr> finish(ExprPtr node);

  // Token stream helpers.
  const Token& current() const { return tokens_[pos_]; }
  const Token& peek(size_t ahead = 1) const;
  void advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool at_operator(std::string_view op) const;
  bool at_name(std::string_view name) const;
  bool skip_operator(std::string_view op);
  bool skip_name(std::string_view name);
  Status expect_operator(std::string_view op);
  Status expect(TokenType type, std::string_view what);
  Status error_here(std::string_view message) const;
  std::string describe(const Token& token) const;

  const SourceMap& map_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int block_depth_ = 0;        // nesting of block statements
  int recursion_depth_ = 0;    // nesting of sub-expressions being parsed
  int loop_depth_ = 0;         // for loops around the current point (break/continue)
  int conditional_depth_ = 0;  // if-statements around the current point
  // Unknown filters/tests met outside an if-statement: errors unless a conditional expression
  // turns out to contain them.
  std::vector<std::pair<size_t, std::string>> unknown_names_;
};

}  // namespace liftoff::tokenizer::jinja
