// Statement execution: output, if, for (with the loop object), set (names, unpacking,
// namespace attributes, blocks), macros, with, break/continue; and the render entry point.
#include "liftoff/tokenizer/jinja/interpreter.h"

#include "liftoff/tokenizer/jinja/access.h"
#include "liftoff/tokenizer/jinja/filters.h"
#include "liftoff/tokenizer/jinja/globals.h"
#include "liftoff/tokenizer/jinja/is_tests.h"
#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja {
namespace {

// jinja2's loop.cycle(a, b, ...): the argument at index0 modulo their count.
Value make_cycle(int64_t index0) {
  return Value::callable("cycle", [index0](Interpreter&, CallArgs& args) -> Result<Value> {
    if (args.positional.empty()) return Status::invalid_argument("no items for cycling given");
    return args.positional[static_cast<size_t>(index0) % args.positional.size()];
  });
}

Value make_loop(const std::vector<Value>& items, size_t i) {
  const auto n = static_cast<int64_t>(items.size());
  const auto k = static_cast<int64_t>(i);
  std::vector<std::pair<Value, Value>> fields = {
      {Value::string("index"), Value::integer(k + 1)},
      {Value::string("index0"), Value::integer(k)},
      {Value::string("revindex"), Value::integer(n - k)},
      {Value::string("revindex0"), Value::integer(n - k - 1)},
      {Value::string("first"), Value::boolean(k == 0)},
      {Value::string("last"), Value::boolean(k == n - 1)},
      {Value::string("length"), Value::integer(n)},
      {Value::string("depth"), Value::integer(1)},
      {Value::string("depth0"), Value::integer(0)},
      {Value::string("previtem"),
       i > 0 ? items[i - 1] : Value::undefined("there is no previous item")},
      {Value::string("nextitem"),
       k + 1 < n ? items[i + 1] : Value::undefined("there is no next item")},
      {Value::string("cycle"), make_cycle(k)},
  };
  return Value::dict(std::move(fields));
}

}  // namespace

Result<std::string> Interpreter::render(
    const std::vector<std::pair<std::string, Value>>& variables) {
  Scope root(nullptr);
  for (const auto& [name, value] : variables) root.set(name, value);
  std::string output;
  out_ = &output;
  root_ = &root;
  Flow flow = Flow::kNormal;
  const Status status = exec_body(program_.body, root, flow);
  out_ = nullptr;
  root_ = nullptr;
  if (!status.is_ok()) return status;
  return output;
}

Status Interpreter::write(std::string_view text) {
  if (!budget_.fits(out_->size() + text.size())) return budget_.failure();
  out_->append(text);
  return Status::ok();
}

Status Interpreter::exec_body(const Body& body, Scope& scope, Flow& flow) {
  for (const NodePtr& node : body) {
    LIFTOFF_RETURN_IF_ERROR(exec(*node, scope, flow));
    if (flow != Flow::kNormal) return Status::ok();
  }
  return Status::ok();
}

Status Interpreter::exec(const Node& node, Scope& scope, Flow& flow) {
  if (!budget_.spend()) return budget_.failure();
  switch (node.kind) {
    case NodeKind::kText:
      return write(node.text);
    case NodeKind::kOutput: {
      LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*node.exprs[0], scope));
      if (v.is_string()) return write(v.as_string());
      if (!append_str(*out_, v, budget_)) return budget_.failure();
      return Status::ok();
    }
    case NodeKind::kIf:
      for (size_t i = 0; i < node.exprs.size(); ++i) {
        LIFTOFF_ASSIGN_OR_RETURN(Value condition, eval(*node.exprs[i], scope));
        if (condition.truthy()) return exec_body(node.bodies[i], scope, flow);
      }
      if (node.bodies.size() > node.exprs.size()) return exec_body(node.bodies.back(), scope, flow);
      return Status::ok();
    case NodeKind::kFor:
      return exec_for(node, scope);
    case NodeKind::kSet: {
      LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*node.exprs[0], scope));
      return assign(node.targets[0], std::move(v), scope, node.offset);
    }
    case NodeKind::kSetBlock: {
      LIFTOFF_ASSIGN_OR_RETURN(std::string text, capture(node.bodies[0], scope));
      return assign(node.targets[0], Value::string(std::move(text)), scope, node.offset);
    }
    case NodeKind::kMacro:
      return define_macro(node, scope);
    case NodeKind::kWith:
      return exec_with(node, scope);
    case NodeKind::kScope:
      return exec_body(node.bodies[0], scope, flow);
    case NodeKind::kBreak:
      flow = Flow::kBreak;
      return Status::ok();
    case NodeKind::kContinue:
      flow = Flow::kContinue;
      return Status::ok();
  }
  return Status::ok();
}

Status Interpreter::exec_for(const Node& node, Scope& scope) {
  LIFTOFF_ASSIGN_OR_RETURN(Value iterable, eval(*node.exprs[0], scope));
  Result<std::vector<Value>> all = iterate(iterable, budget_);
  if (!all.ok()) return located(node.exprs[0]->offset, all.status());
  std::vector<Value> items = std::move(all).value();
  const AssignTarget& target = node.targets[0];
  if (node.exprs.size() >
      1) {  // `for x in xs if cond`: filter first, so loop.length counts kept items
    std::vector<Value> kept;
    for (Value& item : items) {
      Scope probe(&scope);
      LIFTOFF_RETURN_IF_ERROR(assign(target, item, probe, node.offset));
      LIFTOFF_ASSIGN_OR_RETURN(Value keep, eval(*node.exprs[1], probe));
      if (keep.truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    // Building the loop object (a dozen values) costs about as much as evaluating that many.
    if (!budget_.spend(kStepsPerIteration + (node.uses_loop ? 12 : 0))) return budget_.failure();
    Scope iteration(&scope);  // a fresh scope per iteration, as in jinja2
    if (node.uses_loop) iteration.set("loop", make_loop(items, i));
    LIFTOFF_RETURN_IF_ERROR(assign(target, items[i], iteration, node.offset));
    Flow flow = Flow::kNormal;
    LIFTOFF_RETURN_IF_ERROR(exec_body(node.bodies[0], iteration, flow));
    if (flow == Flow::kBreak) break;
  }
  if (items.empty() && node.bodies.size() > 1) {
    Flow flow = Flow::kNormal;
    return exec_body(node.bodies[1], scope, flow);
  }
  return Status::ok();
}

Status Interpreter::exec_with(const Node& node, Scope& scope) {
  Scope inner(&scope);
  for (size_t i = 0; i < node.targets.size(); ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(Value v, eval(*node.exprs[i], scope));
    LIFTOFF_RETURN_IF_ERROR(assign(node.targets[i], std::move(v), inner, node.offset));
  }
  Flow flow = Flow::kNormal;
  return exec_body(node.bodies[0], inner, flow);
}

Value Interpreter::macro_value(const Node& node) {
  const Node* macro = &node;  // the Program outlives every render, so the pointer stays valid
  return Value::callable(
      node.text, [macro](Interpreter& in, CallArgs& args) { return in.call_macro(*macro, args); });
}

Status Interpreter::define_macro(const Node& node, Scope& scope) {
  scope.set(node.text, macro_value(node));
  return Status::ok();
}

Result<Value> Interpreter::call_macro(const Node& macro, CallArgs& args) {
  if (call_depth_ >= kMaxCallDepth) {
    return Status::invalid_argument("macro calls nest deeper than " +
                                    std::to_string(kMaxCallDepth));
  }
  if (args.positional.size() > macro.params.size()) {
    return Status::invalid_argument("macro '" + macro.text + "' takes not more than " +
                                    std::to_string(macro.params.size()) + " argument(s)");
  }
  // Macros see the template's top-level names, not their caller's locals.
  Scope scope(root_);
  scope.set(macro.text, macro_value(macro));  // so it can recurse wherever it was defined
  std::vector<bool> bound(macro.params.size(), false);
  for (size_t i = 0; i < args.positional.size(); ++i) {
    scope.set(macro.params[i], args.positional[i]);
    bound[i] = true;
  }
  for (auto& [name, value] : args.named) {
    size_t i = 0;
    while (i < macro.params.size() && macro.params[i] != name) ++i;
    if (i == macro.params.size()) {
      return Status::invalid_argument("macro '" + macro.text + "' takes no keyword argument '" +
                                      name + "'");
    }
    if (bound[i]) {
      return Status::invalid_argument("macro '" + macro.text + "' got multiple values for '" +
                                      name + "'");
    }
    scope.set(name, value);
    bound[i] = true;
  }
  for (size_t i = 0; i < macro.params.size(); ++i) {
    if (bound[i]) continue;
    Value fallback = Value::undefined("'" + macro.params[i] + "' is undefined");
    if (macro.exprs[i]) {
      LIFTOFF_ASSIGN_OR_RETURN(fallback, eval(*macro.exprs[i], scope));
    }
    scope.set(macro.params[i], std::move(fallback));
  }
  ++call_depth_;
  Result<std::string> text = capture(macro.bodies[0], scope);
  --call_depth_;
  if (!text.ok()) return text.status();
  return Value::string(std::move(text).value());
}

Result<std::string> Interpreter::capture(const Body& body, Scope& scope) {
  std::string buffer;
  std::string* outer = out_;
  out_ = &buffer;
  Flow flow = Flow::kNormal;
  const Status status = exec_body(body, scope, flow);
  out_ = outer;
  if (!status.is_ok()) return status;
  return buffer;
}

Status Interpreter::assign(const AssignTarget& target, Value value, Scope& scope, size_t offset) {
  if (!target.attribute.empty()) {
    const Value* object = scope.find(target.names[0]);
    if (object == nullptr || !object->is_namespace()) {
      return program_.source.error(
          offset, "cannot assign attribute on non-namespace object '" + target.names[0] + "'");
    }
    const Status ok = check_namespace_value(value);
    if (!ok.is_ok()) return located(offset, ok);
    object->as_namespace().set(target.attribute, std::move(value));
    return Status::ok();
  }
  if (!target.unpack) {
    scope.set(target.names[0], std::move(value));
    return Status::ok();
  }
  Result<std::vector<Value>> items = iterate(value, budget_);
  if (!items.ok()) return located(offset, items.status());
  if (items->size() != target.names.size()) {
    return program_.source.error(offset, "expected " + std::to_string(target.names.size()) +
                                             " values to unpack, got " +
                                             std::to_string(items->size()));
  }
  for (size_t i = 0; i < target.names.size(); ++i) scope.set(target.names[i], (*items)[i]);
  return Status::ok();
}

Status Interpreter::located(size_t offset, const Status& status) const {
  if (status.is_ok() || status.message().rfind(kErrorPrefix, 0) == 0) return status;
  return program_.source.error(offset, status.message());
}

Result<Value> Interpreter::call(const Value& callee, CallArgs& args) {
  if (!callee.is_callable()) {
    return Status::invalid_argument(std::string("'") + callee.type_name() +
                                    "' object is not callable");
  }
  return callee.as_callable().fn(*this, args);
}

Result<Value> Interpreter::apply_filter(std::string_view name, const Value& input, CallArgs& args) {
  const FilterFn fn = find_filter(name);
  if (fn == nullptr) return Status::invalid_argument("no filter named '" + std::string(name) + "'");
  return fn(*this, input, args);
}

Result<bool> Interpreter::apply_test(std::string_view name, const Value& input, CallArgs& args) {
  const TestFn fn = find_test(name);
  if (fn == nullptr) return Status::invalid_argument("no test named '" + std::string(name) + "'");
  return fn(*this, input, args);
}

}  // namespace liftoff::tokenizer::jinja
