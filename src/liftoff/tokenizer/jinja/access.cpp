// Attribute, item and slice access plus iteration, with Jinja's sandboxed-environment rules.
#include "liftoff/tokenizer/jinja/access.h"

#include "liftoff/tokenizer/jinja/methods.h"
#include "liftoff/tokenizer/jinja/operators.h"
#include "liftoff/tokenizer/jinja/text.h"
#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja {
namespace {

// Jinja's object_type_repr: "'dict object'", "None".
std::string describe_object(const Value& v) {
  if (v.is_none()) return "None";
  return std::string("'") + v.type_name() + " object'";
}

Value missing_attribute(const Value& object, const std::string& name) {
  return Value::undefined(describe_object(object) + " has no attribute '" + name + "'");
}

Value missing_item(const Value& object, const Value& key) {
  if (key.is_string()) return missing_attribute(object, key.as_string());
  Budget scratch;  // a key's repr is short; no need to charge the render for it
  std::string repr;
  append_repr(repr, key, scratch);
  return Value::undefined(describe_object(object) + " has no element " + repr);
}

// Python index normalisation: negative counts from the end; false when out of range.
bool normalize_index(int64_t& index, size_t size) {
  if (index < 0) index += static_cast<int64_t>(size);
  return index >= 0 && static_cast<size_t>(index) < size;
}

// Python's slice.indices(): clamps start/stop for the given step.
Status slice_indices(const Value& start_v, const Value& stop_v, const Value& step_v, size_t size,
                     int64_t& start, int64_t& stop, int64_t& step) {
  auto is_default = [](const Value& v) { return v.is_undefined() || v.is_none(); };
  for (const Value* v : {&start_v, &stop_v, &step_v}) {
    if (!is_default(*v) && !v->is_integral()) {
      return Status::invalid_argument("slice indices must be integers or None");
    }
  }
  step = is_default(step_v) ? 1 : step_v.as_int();
  if (step == 0) return Status::invalid_argument("slice step cannot be zero");
  const int64_t n = static_cast<int64_t>(size);
  auto clamp = [&](const Value& v, int64_t fallback) {
    if (is_default(v)) return fallback;
    int64_t i = v.as_int();
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  start = clamp(start_v, step < 0 ? n - 1 : 0);
  stop = clamp(stop_v, step < 0 ? -1 : n);
  return Status::ok();
}

}  // namespace

Result<Value> get_attribute(const Value& object, const std::string& name) {
  switch (object.type()) {
    case Value::Type::kUndefined:
      return undefined_error(object);
    case Value::Type::kDict:
      if (has_method(object, name)) return bind_method(object, name);
      if (const Value* v = object.as_dict().find(std::string_view(name))) return *v;
      return missing_attribute(object, name);
    case Value::Type::kNamespace:
      if (const Value* v = object.as_namespace().find(name)) return *v;
      return missing_attribute(object, name);
    default:
      if (has_method(object, name)) return bind_method(object, name);
      return missing_attribute(object, name);
  }
}

Result<Value> get_item(const Value& object, const Value& key) {
  switch (object.type()) {
    case Value::Type::kUndefined:
      return undefined_error(object);
    case Value::Type::kDict:
      if (is_hashable(key)) {
        if (const Value* v = object.as_dict().find(key)) return *v;
      }
      break;
    case Value::Type::kNamespace:
      if (key.is_string()) {
        if (const Value* v = object.as_namespace().find(key.as_string())) return *v;
      }
      break;
    case Value::Type::kList:
      if (key.is_integral()) {
        const auto& items = object.as_list().items;
        int64_t index = key.as_int();
        if (normalize_index(index, items.size())) return items[static_cast<size_t>(index)];
        return missing_item(object, key);
      }
      break;
    case Value::Type::kString:
      if (key.is_integral()) {
        const std::string& s = object.as_string();
        int64_t index = key.as_int();
        if (normalize_index(index, text::length(s))) {
          return Value::string(std::string(text::character_at(s, static_cast<size_t>(index))));
        }
        return missing_item(object, key);
      }
      break;
    default:
      break;
  }
  if (key.is_string() && has_method(object, key.as_string())) {
    return bind_method(object, key.as_string());
  }
  return missing_item(object, key);
}

Result<Value> get_slice(const Value& object, const Value& start_v, const Value& stop_v,
                        const Value& step_v, Budget& budget) {
  if (object.is_undefined()) return undefined_error(object);
  if (!object.is_string() && !object.is_list()) {
    return Status::invalid_argument(std::string("'") + object.type_name() +
                                    "' object is not subscriptable");
  }
  // ASCII strings are sliced by byte; others by the byte ranges of their characters.
  const bool ascii = object.is_string() && text::is_ascii(object.as_string());
  std::vector<std::string_view> chars;
  if (object.is_string() && !ascii) chars = text::characters(object.as_string());
  const size_t size = object.is_list() ? object.as_list().items.size()
                      : ascii          ? object.as_string().size()
                                       : chars.size();
  int64_t start = 0, stop = 0, step = 1;
  LIFTOFF_RETURN_IF_ERROR(slice_indices(start_v, stop_v, step_v, size, start, stop, step));
  if (!budget.spend(size)) return budget.failure();
  // How many indices start, start+step, ... lie before stop; computed without overflowing
  // for steps near the int64 limits.
  int64_t count = 0;
  if (step > 0 && stop > start) count = 1 + (stop - start - 1) / step;
  if (step < 0 && start > stop) {
    count = step == INT64_MIN ? 1 : 1 + (start - stop - 1) / -step;
  }
  std::string text;
  std::vector<Value> items;
  for (int64_t n = 0; n < count; ++n) {
    const auto k = static_cast<size_t>(start + n * step);
    if (object.is_list()) {
      items.push_back(object.as_list().items[k]);
    } else if (ascii) {
      text += object.as_string()[k];
    } else {
      text += chars[k];
    }
  }
  if (object.is_string()) return Value::string(std::move(text));
  return object.as_list().is_tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
}

Result<std::vector<Value>> iterate(const Value& v, Budget& budget) {
  switch (v.type()) {
    case Value::Type::kUndefined:
      return std::vector<Value>{};
    case Value::Type::kList:
      if (!budget.spend(v.as_list().items.size())) return budget.failure();
      return v.as_list().items;
    case Value::Type::kDict: {
      if (!budget.spend(v.as_dict().entries.size())) return budget.failure();
      std::vector<Value> keys;
      keys.reserve(v.as_dict().entries.size());
      for (const auto& [k, value] : v.as_dict().entries) keys.push_back(k);
      return keys;
    }
    case Value::Type::kString: {
      const size_t n = text::length(v.as_string());
      if (!budget.items_fit(n) || !budget.spend(n)) return budget.failure();
      const std::vector<std::string_view> cs = text::characters(v.as_string());
      std::vector<Value> items;
      items.reserve(cs.size());
      for (std::string_view c : cs) items.push_back(Value::string(std::string(c)));
      return items;
    }
    default:
      return Status::invalid_argument(std::string("'") + v.type_name() +
                                      "' object is not iterable");
  }
}

}  // namespace liftoff::tokenizer::jinja
