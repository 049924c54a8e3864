// Statement parsing: text, {{ output }}, and the block tags of the subset (if/elif/else, for,
// set, macro, with, generation, break, continue), plus the token-stream helpers.
#include "liftoff/tokenizer/jinja/parser.h"

#include <algorithm>

#include "liftoff/tokenizer/jinja/filters.h"
#include "liftoff/tokenizer/jinja/limits.h"

namespace liftoff::tokenizer::jinja {
namespace {

// Tags jinja2 knows that this subset does not implement: named so the error says "unsupported"
// rather than "unknown".
constexpr std::string_view kUnsupportedTags[] = {
    "extends", "block", "include", "import", "from", "call", "filter", "autoescape", "do", "trans",
};

bool mentions(const Expr* e, std::string_view name) {
  if (e == nullptr) return false;
  if (e->kind == ExprKind::kName && e->name == name) return true;
  return std::any_of(e->children.begin(), e->children.end(),
                     [&](const ExprPtr& c) { return mentions(c.get(), name); });
}

// Whether `name` is read anywhere in `body`, nested blocks included (an over-approximation).
bool mentions(const Body& body, std::string_view name) {
  for (const NodePtr& node : body) {
    for (const ExprPtr& e : node->exprs) {
      if (mentions(e.get(), name)) return true;
    }
    for (const Body& inner : node->bodies) {
      if (mentions(inner, name)) return true;
    }
  }
  return false;
}

NodePtr make_node(NodeKind kind, size_t offset) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->offset = offset;
  return node;
}

}  // namespace

Result<std::unique_ptr<Program>> Parser::parse(std::string_view source) {
  auto program = std::make_unique<Program>(source);
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Token> tokens, tokenize(program->source));
  Parser parser(program->source, std::move(tokens));
  LIFTOFF_ASSIGN_OR_RETURN(program->body, parser.parse_body({}, nullptr, 0));
  if (!parser.unknown_names_.empty()) {
    const auto& [offset, message] = parser.unknown_names_.front();
    return program->source.error(offset, message);
  }
  return program;
}

Result<Body> Parser::parse_body(std::initializer_list<std::string_view> end_tags, std::string* end,
                                size_t opened_at) {
  if (++block_depth_ > kMaxParseDepth) return error_here("blocks nest too deeply");
  Body body;
  for (;;) {
    const Token& token = current();
    switch (token.type) {
      case TokenType::kEnd: {
        if (end_tags.size() == 0) {
          --block_depth_;
          return body;
        }
        return map_.error(opened_at, "block is never closed with {% " +
                                         std::string(*std::prev(end_tags.end())) + " %}");
      }
      case TokenType::kText: {
        NodePtr node = make_node(NodeKind::kText, token.offset);
        node->text = token.text;
        body.push_back(std::move(node));
        advance();
        break;
      }
      case TokenType::kVariableBegin: {
        NodePtr node = make_node(NodeKind::kOutput, token.offset);
        advance();
        LIFTOFF_ASSIGN_OR_RETURN(ExprPtr value, parse_tuple(true, {}));
        node->exprs.push_back(std::move(value));
        LIFTOFF_RETURN_IF_ERROR(expect(TokenType::kVariableEnd, "'}}'"));
        body.push_back(std::move(node));
        break;
      }
      case TokenType::kBlockBegin: {
        const Token& name = peek();
        if (name.type == TokenType::kName &&
            std::find(end_tags.begin(), end_tags.end(), name.text) != end_tags.end()) {
          *end = name.text;
          advance();
          advance();
          --block_depth_;
          return body;
        }
        LIFTOFF_ASSIGN_OR_RETURN(NodePtr node, parse_statement());
        body.push_back(std::move(node));
        break;
      }
      default:
        return error_here("unexpected " + describe(token));
    }
  }
}

Result<NodePtr> Parser::parse_statement() {
  advance();  // {%
  const Token& tag = current();
  const size_t offset = tag.offset;
  if (tag.type != TokenType::kName) return error_here("expected a tag name, got " + describe(tag));
  const std::string name = tag.text;
  advance();
  if (name == "if") return parse_if(offset);
  if (name == "for") return parse_for(offset);
  if (name == "set") return parse_set(offset);
  if (name == "macro") return parse_macro(offset);
  if (name == "with") return parse_with(offset);
  if (name == "generation") return parse_scope(offset, "endgeneration");
  if (name == "break" || name == "continue") {
    if (loop_depth_ == 0) return map_.error(offset, "'" + name + "' outside a for loop");
    LIFTOFF_RETURN_IF_ERROR(expect_block_end());
    return make_node(name == "break" ? NodeKind::kBreak : NodeKind::kContinue, offset);
  }
  if (std::find(std::begin(kUnsupportedTags), std::end(kUnsupportedTags), name) !=
      std::end(kUnsupportedTags)) {
    return map_.error(offset, "the '" + name + "' tag is not supported in chat templates");
  }
  return map_.error(offset, "unknown or misplaced tag '" + name + "'");
}

Result<NodePtr> Parser::parse_if(size_t offset) {
  NodePtr node = make_node(NodeKind::kIf, offset);
  ++conditional_depth_;
  std::string end;
  for (;;) {
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr condition, parse_tuple(false, {}));
    node->exprs.push_back(std::move(condition));
    LIFTOFF_RETURN_IF_ERROR(expect_block_end());
    LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"elif", "else", "endif"}, &end, offset));
    node->bodies.push_back(std::move(body));
    if (end != "elif") break;
  }
  if (end == "else") {
    LIFTOFF_RETURN_IF_ERROR(expect_block_end());
    LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"endif"}, &end, offset));
    node->bodies.push_back(std::move(body));
  }
  --conditional_depth_;
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<NodePtr> Parser::parse_for(size_t offset) {
  NodePtr node = make_node(NodeKind::kFor, offset);
  LIFTOFF_ASSIGN_OR_RETURN(AssignTarget target, parse_assign_target(false));
  node->targets.push_back(std::move(target));
  if (!skip_name("in")) return error_here("expected 'in', got " + describe(current()));
  LIFTOFF_ASSIGN_OR_RETURN(ExprPtr iterable, parse_tuple(false, {"if", "recursive"}));
  node->exprs.push_back(std::move(iterable));
  if (skip_name("if")) {
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr condition, parse_expression());
    node->exprs.push_back(std::move(condition));
  }
  if (at_name("recursive")) return error_here("recursive for loops are not supported");
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  std::string end;
  ++loop_depth_;
  LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"endfor", "else"}, &end, offset));
  --loop_depth_;
  node->uses_loop = mentions(body, "loop");
  node->bodies.push_back(std::move(body));
  if (end == "else") {
    LIFTOFF_RETURN_IF_ERROR(expect_block_end());
    LIFTOFF_ASSIGN_OR_RETURN(Body else_body, parse_body({"endfor"}, &end, offset));
    node->bodies.push_back(std::move(else_body));
  }
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<NodePtr> Parser::parse_set(size_t offset) {
  LIFTOFF_ASSIGN_OR_RETURN(AssignTarget target, parse_assign_target(true));
  if (skip_operator("=")) {
    NodePtr node = make_node(NodeKind::kSet, offset);
    node->targets.push_back(std::move(target));
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr value, parse_tuple(true, {}));
    node->exprs.push_back(std::move(value));
    LIFTOFF_RETURN_IF_ERROR(expect_block_end());
    return node;
  }
  if (target.unpack || !target.attribute.empty()) {
    return error_here("a {% set %} block assigns one plain name");
  }
  NodePtr node = make_node(NodeKind::kSetBlock, offset);
  node->targets.push_back(std::move(target));
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  std::string end;
  LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"endset"}, &end, offset));
  node->bodies.push_back(std::move(body));
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<NodePtr> Parser::parse_macro(size_t offset) {
  NodePtr node = make_node(NodeKind::kMacro, offset);
  if (current().type != TokenType::kName) return error_here("expected the macro's name");
  node->text = current().text;
  advance();
  LIFTOFF_RETURN_IF_ERROR(expect_operator("("));
  while (!at_operator(")")) {
    if (!node->params.empty()) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    if (at_operator(")")) break;
    if (current().type != TokenType::kName) return error_here("expected a parameter name");
    node->params.push_back(current().text);
    advance();
    if (skip_operator("=")) {
      LIFTOFF_ASSIGN_OR_RETURN(ExprPtr fallback, parse_expression());
      node->exprs.push_back(std::move(fallback));
    } else {
      node->exprs.push_back(nullptr);
    }
  }
  advance();  // )
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  const int outer_loops = loop_depth_;
  loop_depth_ = 0;  // break/continue cannot reach a loop outside the macro
  std::string end;
  LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"endmacro"}, &end, offset));
  loop_depth_ = outer_loops;
  node->bodies.push_back(std::move(body));
  if (current().type == TokenType::kName && current().text == node->text) advance();
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<NodePtr> Parser::parse_with(size_t offset) {
  NodePtr node = make_node(NodeKind::kWith, offset);
  while (current().type != TokenType::kBlockEnd) {
    if (!node->targets.empty()) LIFTOFF_RETURN_IF_ERROR(expect_operator(","));
    LIFTOFF_ASSIGN_OR_RETURN(AssignTarget target, parse_assign_target(false));
    node->targets.push_back(std::move(target));
    LIFTOFF_RETURN_IF_ERROR(expect_operator("="));
    LIFTOFF_ASSIGN_OR_RETURN(ExprPtr value, parse_expression());
    node->exprs.push_back(std::move(value));
  }
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  std::string end;
  LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({"endwith"}, &end, offset));
  node->bodies.push_back(std::move(body));
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<NodePtr> Parser::parse_scope(size_t offset, std::string_view end_tag) {
  NodePtr node = make_node(NodeKind::kScope, offset);
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  std::string end;
  LIFTOFF_ASSIGN_OR_RETURN(Body body, parse_body({end_tag}, &end, offset));
  node->bodies.push_back(std::move(body));
  LIFTOFF_RETURN_IF_ERROR(expect_block_end());
  return node;
}

Result<AssignTarget> Parser::parse_assign_target(bool allow_attribute) {
  AssignTarget target;
  const bool parenthesised = skip_operator("(");
  for (;;) {
    if (current().type != TokenType::kName) {
      return error_here("expected a variable name, got " + describe(current()));
    }
    const std::string& name = current().text;
    if (name == "true" || name == "false" || name == "none" || name == "True" || name == "False" ||
        name == "None" || name == "loop") {
      return error_here("cannot assign to '" + name + "'");
    }
    target.names.push_back(name);
    advance();
    if (allow_attribute && target.names.size() == 1 && !parenthesised && skip_operator(".")) {
      if (current().type != TokenType::kName) return error_here("expected an attribute name");
      target.attribute = current().text;
      advance();
      return target;
    }
    if (!skip_operator(",")) break;
    target.unpack = true;
    if (current().type != TokenType::kName) break;  // trailing comma: `a, = ...`
  }
  if (parenthesised) LIFTOFF_RETURN_IF_ERROR(expect_operator(")"));
  return target;
}

Status Parser::expect_block_end() { return expect(TokenType::kBlockEnd, "'%}'"); }

const Token& Parser::peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

bool Parser::at_operator(std::string_view op) const {
  return current().type == TokenType::kOperator && current().text == op;
}

bool Parser::at_name(std::string_view name) const {
  return current().type == TokenType::kName && current().text == name;
}

bool Parser::skip_operator(std::string_view op) {
  if (!at_operator(op)) return false;
  advance();
  return true;
}

bool Parser::skip_name(std::string_view name) {
  if (!at_name(name)) return false;
  advance();
  return true;
}

Status Parser::expect_operator(std::string_view op) {
  if (skip_operator(op)) return Status::ok();
  return error_here("expected '" + std::string(op) + "', got " + describe(current()));
}

Status Parser::expect(TokenType type, std::string_view what) {
  if (current().type == type) {
    advance();
    return Status::ok();
  }
  return error_here("expected " + std::string(what) + ", got " + describe(current()));
}

Status Parser::error_here(std::string_view message) const {
  return map_.error(current().offset, message);
}

std::string Parser::describe(const Token& token) const {
  switch (token.type) {
    case TokenType::kText:
      return "template text";
    case TokenType::kVariableBegin:
      return "'{{'";
    case TokenType::kVariableEnd:
      return "'}}'";
    case TokenType::kBlockBegin:
      return "'{%'";
    case TokenType::kBlockEnd:
      return "'%}'";
    case TokenType::kName:
      return "'" + token.text + "'";
    case TokenType::kString:
      return "a string";
    case TokenType::kInteger:
    case TokenType::kFloat:
      return "a number";
    case TokenType::kOperator:
      return "'" + token.text + "'";
    case TokenType::kEnd:
      return "the end of the template";
  }
  return "a token";
}

}  // namespace liftoff::tokenizer::jinja
