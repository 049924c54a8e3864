// Value: the dynamic type templates compute with, modelled on the Python objects Jinja hands to
// a template: undefined, None, bool, int, float, str, list, tuple, dict, namespace and callables.
// Lists, tuples and dicts are immutable once built (the sandbox HF renders in forbids mutating
// them); a namespace is the one mutable object, shared by every copy of its Value.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::tokenizer::jinja {

class Value;
class Interpreter;
class Budget;

// Arguments of a call: f(1, 2, key=3).
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
};

// A function implemented in C++ (global, bound method, macro). The interpreter is passed in so a
// callable can render (macros), spend budget or apply filters.
using NativeFn = std::function<Result<Value>(Interpreter&, CallArgs&)>;

struct ListObj;
struct DictObj;
struct NamespaceObj;
struct CallableObj;

class Value {
 public:
  enum class Type : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,  // list or tuple (ListObj::is_tuple)
    kDict,
    kNamespace,
    kCallable,
  };

  Value() = default;  // undefined
  // `hint` names what was looked up ("'x' is undefined"), for the error raised on misuse.
  static Value undefined(std::string hint);
  static Value none();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value number(double d);
  static Value string(std::string s);
  static Value list(std::vector<Value> items);
  static Value tuple(std::vector<Value> items);
  // Keys must be unique and hashable; dict_insert() builds such a list.
  static Value dict(std::vector<std::pair<Value, Value>> entries);
  static Value new_namespace(std::vector<std::pair<std::string, Value>> attrs);
  static Value callable(std::string name, NativeFn fn);

  Type type() const { return static_cast<Type>(data_.index()); }
  bool is_undefined() const { return type() == Type::kUndefined; }
  bool is_none() const { return type() == Type::kNone; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt; }
  bool is_float() const { return type() == Type::kFloat; }
  bool is_string() const { return type() == Type::kString; }
  bool is_list() const { return type() == Type::kList; }  // list or tuple
  bool is_dict() const { return type() == Type::kDict; }
  bool is_namespace() const { return type() == Type::kNamespace; }
  bool is_callable() const { return type() == Type::kCallable; }
  // bool, int and float: Python's numbers (bool is an int there).
  bool is_numeric() const { return is_bool() || is_int() || is_float(); }
  // bool or int: usable as an index or a repeat count.
  bool is_integral() const { return is_bool() || is_int(); }

  // Accessors; calling the wrong one is a bug.
  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const;   // int or bool
  double as_float() const;  // any numeric
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const ListObj& as_list() const { return *std::get<std::shared_ptr<const ListObj>>(data_); }
  const DictObj& as_dict() const { return *std::get<std::shared_ptr<const DictObj>>(data_); }
  NamespaceObj& as_namespace() const { return *std::get<std::shared_ptr<NamespaceObj>>(data_); }
  const CallableObj& as_callable() const {
    return *std::get<std::shared_ptr<const CallableObj>>(data_);
  }
  const std::string& undefined_hint() const { return std::get<UndefinedTag>(data_).hint; }

  bool truthy() const;
  // Python's type name, for error messages: "str", "int", "list", "NoneType", ...
  const char* type_name() const;
  // 0 for scalars, 1 + deepest element for containers; a namespace counts as
  // kMaxNamespaceValueDepth + 1 whatever it holds now.
  uint32_t depth() const;
  // Whether a namespace is reachable from this value (a namespace may not contain one, so that
  // values never form cycles).
  bool has_namespace() const;
  // Same object (containers, namespaces, callables) or same scalar.
  bool same_object(const Value& other) const;

 private:
  struct UndefinedTag {
    std::string hint;
  };
  using Data = std::variant<UndefinedTag, std::nullptr_t, bool, int64_t, double, std::string,
                            std::shared_ptr<const ListObj>, std::shared_ptr<const DictObj>,
                            std::shared_ptr<NamespaceObj>, std::shared_ptr<const CallableObj>>;
  explicit Value(Data data) : data_(std::move(data)) {}
  static Value sequence(std::vector<Value> items, bool is_tuple);
  Data data_;
};

struct ListObj {
  std::vector<Value> items;
  bool is_tuple = false;
  uint32_t depth = 1;
  bool has_namespace = false;
};

struct DictObj {
  std::vector<std::pair<Value, Value>> entries;  // insertion order, keys unique
  uint32_t depth = 1;
  bool has_namespace = false;
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
};

struct NamespaceObj {
  std::vector<std::pair<std::string, Value>> attrs;
  const Value* find(std::string_view name) const;
  void set(const std::string& name, Value value);
};

struct CallableObj {
  std::string name;
  NativeFn fn;
};

// Python's `a == b`: numbers compare by value (1 == 1.0 == True), lists and tuples element-wise
// (a list never equals a tuple), dicts by content; two undefined values are equal (Jinja's
// Undefined does that). Spends budget per element visited; false once it is exhausted.
bool equals(const Value& a, const Value& b, Budget& budget);

// Python's dict keys: None, bool, int, float, str and tuples of those.
bool is_hashable(const Value& v);

// Adds key -> value keeping insertion order; an existing equal key keeps its place and takes the
// new value. kInvalidArgument for an unhashable key.
Status dict_insert(std::vector<std::pair<Value, Value>>& entries, Value key, Value value);

}  // namespace liftoff::tokenizer::jinja
