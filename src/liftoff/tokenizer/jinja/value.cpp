// Value construction, truthiness, Python type names and equality. Formatting (str, repr, JSON)
// lives in value_format.cpp; arithmetic and ordering in operators.cpp.
#include "liftoff/tokenizer/jinja/value.h"

#include <algorithm>

#include "liftoff/tokenizer/jinja/limits.h"

namespace liftoff::tokenizer::jinja {
namespace {

// Scalar key equality with Python's hash semantics (1 == 1.0 == True, "a" == "a").
bool key_equals(const Value& a, const Value& b) {
  if (a.is_numeric() && b.is_numeric()) return a.as_float() == b.as_float();
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kNone:
      return true;
    case Value::Type::kString:
      return a.as_string() == b.as_string();
    case Value::Type::kList: {
      const auto& x = a.as_list().items;
      const auto& y = b.as_list().items;
      if (x.size() != y.size() || a.as_list().is_tuple != b.as_list().is_tuple) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!key_equals(x[i], y[i])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Value Value::undefined(std::string hint) { return Value(Data(UndefinedTag{std::move(hint)})); }
Value Value::none() { return Value(Data(nullptr)); }
Value Value::boolean(bool b) { return Value(Data(b)); }
Value Value::integer(int64_t i) { return Value(Data(i)); }
Value Value::number(double d) { return Value(Data(d)); }
Value Value::string(std::string s) { return Value(Data(std::move(s))); }

Value Value::list(std::vector<Value> items) { return sequence(std::move(items), false); }

Value Value::tuple(std::vector<Value> items) { return sequence(std::move(items), true); }

Value Value::sequence(std::vector<Value> items, bool is_tuple) {
  auto obj = std::make_shared<ListObj>();
  for (const Value& v : items) {
    obj->depth = std::max(obj->depth, v.depth() + 1);
    obj->has_namespace = obj->has_namespace || v.has_namespace();
  }
  obj->items = std::move(items);
  obj->is_tuple = is_tuple;
  return Value(Data(std::shared_ptr<const ListObj>(std::move(obj))));
}

Value Value::dict(std::vector<std::pair<Value, Value>> entries) {
  auto obj = std::make_shared<DictObj>();
  for (const auto& [k, v] : entries) {
    obj->depth = std::max({obj->depth, k.depth() + 1, v.depth() + 1});
    obj->has_namespace = obj->has_namespace || v.has_namespace();
  }
  obj->entries = std::move(entries);
  return Value(Data(std::shared_ptr<const DictObj>(std::move(obj))));
}

Value Value::new_namespace(std::vector<std::pair<std::string, Value>> attrs) {
  auto obj = std::make_shared<NamespaceObj>();
  obj->attrs = std::move(attrs);
  return Value(Data(std::move(obj)));
}

Value Value::callable(std::string name, NativeFn fn) {
  auto obj = std::make_shared<CallableObj>();
  obj->name = std::move(name);
  obj->fn = std::move(fn);
  return Value(Data(std::shared_ptr<const CallableObj>(std::move(obj))));
}

int64_t Value::as_int() const {
  if (is_bool()) return as_bool() ? 1 : 0;
  return std::get<int64_t>(data_);
}

double Value::as_float() const {
  if (is_float()) return std::get<double>(data_);
  return static_cast<double>(as_int());
}

bool Value::truthy() const {
  switch (type()) {
    case Type::kUndefined:
    case Type::kNone:
      return false;
    case Type::kBool:
      return as_bool();
    case Type::kInt:
      return as_int() != 0;
    case Type::kFloat:
      return as_float() != 0.0;
    case Type::kString:
      return !as_string().empty();
    case Type::kList:
      return !as_list().items.empty();
    case Type::kDict:
      return !as_dict().entries.empty();
    case Type::kNamespace:
    case Type::kCallable:
      return true;
  }
  return false;
}

const char* Value::type_name() const {
  switch (type()) {
    case Type::kUndefined:
      return "Undefined";
    case Type::kNone:
      return "NoneType";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kString:
      return "str";
    case Type::kList:
      return as_list().is_tuple ? "tuple" : "list";
    case Type::kDict:
      return "dict";
    case Type::kNamespace:
      return "Namespace";
    case Type::kCallable:
      return "function";
  }
  return "object";
}

uint32_t Value::depth() const {
  switch (type()) {
    case Type::kList:
      return as_list().depth;
    case Type::kDict:
      return as_dict().depth;
    case Type::kNamespace:
      return kMaxNamespaceValueDepth + 1;
    default:
      return 0;
  }
}

bool Value::has_namespace() const {
  switch (type()) {
    case Type::kList:
      return as_list().has_namespace;
    case Type::kDict:
      return as_dict().has_namespace;
    case Type::kNamespace:
      return true;
    default:
      return false;
  }
}

bool Value::same_object(const Value& other) const {
  if (type() != other.type()) return false;
  switch (type()) {
    case Type::kList:
      return &as_list() == &other.as_list();
    case Type::kDict:
      return &as_dict() == &other.as_dict();
    case Type::kNamespace:
      return &as_namespace() == &other.as_namespace();
    case Type::kCallable:
      return &as_callable() == &other.as_callable();
    case Type::kUndefined:
    case Type::kNone:
      return true;
    case Type::kBool:
      return as_bool() == other.as_bool();
    case Type::kInt:
      return as_int() == other.as_int();
    case Type::kFloat:
      return as_float() == other.as_float();
    case Type::kString:
      return as_string() == other.as_string();
  }
  return false;
}

const Value* DictObj::find(const Value& key) const {
  for (const auto& [k, v] : entries) {
    if (key_equals(k, key)) return &v;
  }
  return nullptr;
}

const Value* DictObj::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.is_string() && k.as_string() == key) return &v;
  }
  return nullptr;
}

const Value* NamespaceObj::find(std::string_view name) const {
  for (const auto& [k, v] : attrs) {
    if (k == name) return &v;
  }
  return nullptr;
}

void NamespaceObj::set(const std::string& name, Value value) {
  for (auto& [k, v] : attrs) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  attrs.emplace_back(name, std::move(value));
}

bool equals(const Value& a, const Value& b, Budget& budget) {
  if (!budget.spend()) return false;
  if (a.is_numeric() && b.is_numeric()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::kUndefined:
    case Value::Type::kNone:
      return true;
    case Value::Type::kString:
      return a.as_string() == b.as_string();
    case Value::Type::kList: {
      const ListObj& x = a.as_list();
      const ListObj& y = b.as_list();
      if (&x == &y) return true;
      if (x.is_tuple != y.is_tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i) {
        if (!equals(x.items[i], y.items[i], budget)) return false;
      }
      return true;
    }
    case Value::Type::kDict: {
      const DictObj& x = a.as_dict();
      const DictObj& y = b.as_dict();
      if (&x == &y) return true;
      if (x.entries.size() != y.entries.size()) return false;
      for (const auto& [k, v] : x.entries) {
        const Value* other = y.find(k);
        if (other == nullptr || !equals(v, *other, budget)) return false;
      }
      return true;
    }
    default:
      return a.same_object(b);
  }
}

bool is_hashable(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNone:
    case Value::Type::kBool:
    case Value::Type::kInt:
    case Value::Type::kFloat:
    case Value::Type::kString:
      return true;
    case Value::Type::kList:
      if (!v.as_list().is_tuple) return false;
      return std::all_of(v.as_list().items.begin(), v.as_list().items.end(), is_hashable);
    default:
      return false;
  }
}

Status dict_insert(std::vector<std::pair<Value, Value>>& entries, Value key, Value value) {
  if (!is_hashable(key)) {
    return Status::invalid_argument(std::string("unhashable type: '") + key.type_name() + "'");
  }
  for (auto& [k, v] : entries) {
    if (key_equals(k, key)) {
      v = std::move(value);
      return Status::ok();
    }
  }
  entries.emplace_back(std::move(key), std::move(value));
  return Status::ok();
}

}  // namespace liftoff::tokenizer::jinja
