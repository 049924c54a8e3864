// Sequence filters with jinja2's semantics: `attribute=` paths ("a.b", "0") read items first
// and attributes second; sorting is stable and case-insensitive for strings unless asked.
#include "liftoff/tokenizer/jinja/sequence_filters.h"

#include <algorithm>

#include "liftoff/tokenizer/jinja/access.h"
#include "liftoff/tokenizer/jinja/call_args.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/operators.h"
#include "liftoff/tokenizer/jinja/text.h"
#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja::sequence_filters {
namespace {

// Follows an `attribute=` path: "a.b.0" reads item a, then b, then index 0.
Result<Value> lookup_path(const Value& item, const Value& attribute) {
  if (attribute.is_integral()) return get_item(item, attribute);
  if (!attribute.is_string()) {
    return Status::invalid_argument("attribute must be a str or an int");
  }
  Value current = item;
  const std::string& path = attribute.as_string();
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
    const Value key =
        numeric && part.size() < 18 ? Value::integer(std::stoll(part)) : Value::string(part);
    LIFTOFF_ASSIGN_OR_RETURN(current, get_item(current, key));
    if (dot == std::string::npos) return current;
    start = dot + 1;
  }
}

// The sort key: the attribute's value, lowercased if a string and case does not matter.
Result<Value> sort_key(const Value& item, const Value& attribute, bool case_sensitive) {
  Value key = item;
  if (!attribute.is_undefined() && !attribute.is_none()) {
    LIFTOFF_ASSIGN_OR_RETURN(key, lookup_path(item, attribute));
  }
  if (!case_sensitive && key.is_string()) return Value::string(text::lower(key.as_string()));
  return key;
}

// Stable sort of items by precomputed keys; the first comparison error wins.
Status stable_sort_by(std::vector<std::pair<Value, Value>>& keyed, bool reverse, Budget& budget) {
  Status error;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (!error.is_ok()) return false;
    Result<int> order =
        reverse ? compare_order(b.first, a.first, budget) : compare_order(a.first, b.first, budget);
    if (!order.ok()) {
      error = order.status();
      return false;
    }
    return *order < 0;
  });
  return error;
}

// select/reject and their attr forms: keep items whose (attribute's) test result == `keep`.
Result<Value> filter_items(Interpreter& in, const Value& v, CallArgs& args, bool by_attribute,
                           bool keep) {
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  size_t next = 0;
  Value attribute;
  if (by_attribute) {
    if (args.positional.empty()) return Status::invalid_argument("selectattr needs an attribute");
    attribute = args.positional[next++];
  }
  std::string test;
  CallArgs test_args;
  if (next < args.positional.size()) {
    if (!args.positional[next].is_string()) {
      return Status::invalid_argument("the test name must be a str");
    }
    test = args.positional[next++].as_string();
    test_args.positional.assign(args.positional.begin() + static_cast<ptrdiff_t>(next),
                                args.positional.end());
    test_args.named = args.named;
  }
  std::vector<Value> out;
  for (const Value& item : items) {
    Value subject = item;
    if (by_attribute) {
      LIFTOFF_ASSIGN_OR_RETURN(subject, lookup_path(item, attribute));
    }
    bool pass = subject.truthy();
    if (!test.empty()) {
      CallArgs call = test_args;
      LIFTOFF_ASSIGN_OR_RETURN(pass, in.apply_test(test, subject, call));
    }
    if (pass == keep) out.push_back(item);
  }
  return Value::list(std::move(out));
}

Result<Value> extreme(Interpreter& in, const Value& v, CallArgs& args, bool want_max) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"case_sensitive", "attribute"}, "min/max"));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  const bool case_sensitive = a[0].truthy();
  size_t best = 0;
  LIFTOFF_ASSIGN_OR_RETURN(Value best_key, sort_key(items[0], a[1], case_sensitive));
  for (size_t i = 1; i < items.size(); ++i) {
    LIFTOFF_ASSIGN_OR_RETURN(Value key, sort_key(items[i], a[1], case_sensitive));
    LIFTOFF_ASSIGN_OR_RETURN(int order, compare_order(key, best_key, in.budget()));
    if (want_max ? order > 0 : order < 0) {
      best = i;
      best_key = std::move(key);
    }
  }
  return items[best];
}

}  // namespace

Result<Value> join(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"d", "attribute"}, "join"));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  std::string separator;
  if (!a[0].is_undefined() && !append_str(separator, a[0], in.budget()))
    return in.budget().failure();
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    Value item = items[i];
    if (!a[1].is_undefined() && !a[1].is_none()) {
      LIFTOFF_ASSIGN_OR_RETURN(item, lookup_path(items[i], a[1]));
    }
    if (!append_str(out, item, in.budget())) return in.budget().failure();
  }
  return Value::string(std::move(out));
}

Result<Value> first(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "first").status());
  if (v.is_string()) {
    if (!v.as_string().empty())
      return Value::string(std::string(text::character_at(v.as_string(), 0)));
  } else if (v.is_list() && !v.as_list().items.empty()) {
    return v.as_list().items.front();
  } else if (v.is_dict() && !v.as_dict().entries.empty()) {
    return v.as_dict().entries.front().first;
  } else if (!v.is_list() && !v.is_dict() && !v.is_undefined()) {
    LIFTOFF_RETURN_IF_ERROR(iterate(v, in.budget()).status());
  }
  return Value::undefined("No first item, sequence was empty.");
}

Result<Value> last(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "last").status());
  if (v.is_string()) {
    if (!v.as_string().empty())
      return Value::string(std::string(text::last_character(v.as_string())));
  } else if (v.is_list() && !v.as_list().items.empty()) {
    return v.as_list().items.back();
  } else if (v.is_dict() && !v.as_dict().entries.empty()) {
    return v.as_dict().entries.back().first;
  } else if (!v.is_list() && !v.is_dict() && !v.is_undefined()) {
    LIFTOFF_RETURN_IF_ERROR(iterate(v, in.budget()).status());
  }
  return Value::undefined("No last item, sequence was empty.");
}

Result<Value> length(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "length").status());
  switch (v.type()) {
    case Value::Type::kUndefined:
      return Value::integer(0);
    case Value::Type::kString:
      return Value::integer(static_cast<int64_t>(text::length(v.as_string())));
    case Value::Type::kList:
      return Value::integer(static_cast<int64_t>(v.as_list().items.size()));
    case Value::Type::kDict:
      return Value::integer(static_cast<int64_t>(v.as_dict().entries.size()));
    default:
      return Status::invalid_argument(std::string("object of type '") + v.type_name() +
                                      "' has no len()");
  }
}

Result<Value> list(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "list").status());
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  return Value::list(std::move(items));
}

Result<Value> reverse(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "reverse").status());
  if (v.is_string()) return Value::string(text::reversed(v.as_string()));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  std::reverse(items.begin(), items.end());
  return Value::list(std::move(items));
}

Result<Value> items(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "items").status());
  if (v.is_undefined()) return Value::list({});
  if (!v.is_dict()) return Status::invalid_argument("Can only get item pairs from a mapping.");
  if (!in.budget().spend(v.as_dict().entries.size())) return in.budget().failure();
  std::vector<Value> out;
  for (const auto& [k, value] : v.as_dict().entries) out.push_back(Value::tuple({k, value}));
  return Value::list(std::move(out));
}

Result<Value> map(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  std::vector<Value> out;
  out.reserve(items.size());
  if (args.positional.empty()) {  // map(attribute='x', default=...)
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"attribute", "default"}, "map"));
    if (a[0].is_undefined())
      return Status::invalid_argument("map() needs a filter name or attribute=");
    for (const Value& item : items) {
      LIFTOFF_ASSIGN_OR_RETURN(Value got, lookup_path(item, a[0]));
      out.push_back(got.is_undefined() && !a[1].is_undefined() ? a[1] : got);
    }
    return Value::list(std::move(out));
  }
  if (!args.positional[0].is_string())
    return Status::invalid_argument("map() filter name must be a str");
  const std::string filter = args.positional[0].as_string();
  CallArgs filter_args;
  filter_args.positional.assign(args.positional.begin() + 1, args.positional.end());
  filter_args.named = args.named;
  for (const Value& item : items) {
    CallArgs call = filter_args;
    LIFTOFF_ASSIGN_OR_RETURN(Value mapped, in.apply_filter(filter, item, call));
    out.push_back(std::move(mapped));
  }
  return Value::list(std::move(out));
}

Result<Value> select(Interpreter& in, const Value& v, CallArgs& args) {
  return filter_items(in, v, args, false, true);
}
Result<Value> reject(Interpreter& in, const Value& v, CallArgs& args) {
  return filter_items(in, v, args, false, false);
}
Result<Value> selectattr(Interpreter& in, const Value& v, CallArgs& args) {
  return filter_items(in, v, args, true, true);
}
Result<Value> rejectattr(Interpreter& in, const Value& v, CallArgs& args) {
  return filter_items(in, v, args, true, false);
}

Result<Value> sort(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a,
                           bind_args(args, {"reverse", "case_sensitive", "attribute"}, "sort"));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  std::vector<std::pair<Value, Value>> keyed;
  for (Value& item : items) {
    LIFTOFF_ASSIGN_OR_RETURN(Value key, sort_key(item, a[2], a[1].truthy()));
    keyed.emplace_back(std::move(key), std::move(item));
  }
  LIFTOFF_RETURN_IF_ERROR(stable_sort_by(keyed, a[0].truthy(), in.budget()));
  std::vector<Value> out;
  for (auto& [key, item] : keyed) out.push_back(std::move(item));
  return Value::list(std::move(out));
}

Result<Value> dictsort(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a,
                           bind_args(args, {"case_sensitive", "by", "reverse"}, "dictsort"));
  if (!v.is_dict()) return Status::invalid_argument("dictsort needs a mapping");
  const bool by_value = a[1].is_string() && a[1].as_string() == "value";
  if (!a[1].is_undefined() && !by_value && !(a[1].is_string() && a[1].as_string() == "key")) {
    return Status::invalid_argument("You can only sort by either 'key' or 'value'");
  }
  std::vector<std::pair<Value, Value>> keyed;
  for (const auto& [k, value] : v.as_dict().entries) {
    LIFTOFF_ASSIGN_OR_RETURN(Value key, sort_key(by_value ? value : k, Value(), a[0].truthy()));
    keyed.emplace_back(std::move(key), Value::tuple({k, value}));
  }
  LIFTOFF_RETURN_IF_ERROR(stable_sort_by(keyed, a[2].truthy(), in.budget()));
  std::vector<Value> out;
  for (auto& [key, pair] : keyed) out.push_back(std::move(pair));
  return Value::list(std::move(out));
}

Result<Value> unique(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"case_sensitive", "attribute"}, "unique"));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  std::vector<Value> seen_keys;
  std::vector<Value> out;
  for (const Value& item : items) {
    LIFTOFF_ASSIGN_OR_RETURN(Value key, sort_key(item, a[1], a[0].truthy()));
    bool seen = false;
    for (const Value& k : seen_keys) {
      if (equals(k, key, in.budget())) {
        seen = true;
        break;
      }
    }
    if (!in.budget().ok()) return in.budget().failure();
    if (!seen) {
      seen_keys.push_back(std::move(key));
      out.push_back(item);
    }
  }
  return Value::list(std::move(out));
}

Result<Value> min(Interpreter& in, const Value& v, CallArgs& args) {
  return extreme(in, v, args, false);
}
Result<Value> max(Interpreter& in, const Value& v, CallArgs& args) {
  return extreme(in, v, args, true);
}

Result<Value> sum(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"attribute", "start"}, "sum"));
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<Value> items, iterate(v, in.budget()));
  Value total = a[1].is_undefined() ? Value::integer(0) : a[1];
  for (const Value& item : items) {
    Value term = item;
    if (!a[0].is_undefined() && !a[0].is_none()) {
      LIFTOFF_ASSIGN_OR_RETURN(term, lookup_path(item, a[0]));
    }
    LIFTOFF_ASSIGN_OR_RETURN(total, binary_op(BinaryOp::kAdd, total, term, in.budget()));
  }
  return total;
}

}  // namespace liftoff::tokenizer::jinja::sequence_filters
