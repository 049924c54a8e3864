// range, namespace, dict, raise_exception and strftime_now.
#include "liftoff/tokenizer/jinja/globals.h"

#include <ctime>
#include <map>
#include <string>

#include "liftoff/tokenizer/jinja/call_args.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/value_format.h"

namespace liftoff::tokenizer::jinja {
namespace {

Result<Value> range(Interpreter& in, CallArgs& args) {
  if (!args.named.empty()) return Status::invalid_argument("range() takes no keyword arguments");
  const auto& p = args.positional;
  if (p.empty() || p.size() > 3) return Status::invalid_argument("range() takes 1 to 3 arguments");
  for (const Value& v : p) {
    if (!v.is_integral()) {
      return Status::invalid_argument(std::string("range() arguments must be integers, not ") +
                                      v.type_name());
    }
  }
  const int64_t start = p.size() == 1 ? 0 : p[0].as_int();
  const int64_t stop = p.size() == 1 ? p[0].as_int() : p[1].as_int();
  const int64_t step = p.size() == 3 ? p[2].as_int() : 1;
  if (step == 0) return Status::invalid_argument("range() arg 3 must not be zero");
  // Length without overflow: the span in 128 bits.
  const __int128 span =
      step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  const __int128 magnitude = step > 0 ? step : -static_cast<__int128>(step);
  const __int128 count = span <= 0 ? 0 : (span + magnitude - 1) / magnitude;
  if (count > kMaxRange) {
    return Status::invalid_argument("range() of more than " + std::to_string(kMaxRange) +
                                    " items is refused (as by Jinja's sandbox)");
  }
  if (!in.budget().spend(static_cast<uint64_t>(count))) return in.budget().failure();
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    items.push_back(Value::integer(start + i * step));  // stays between start and stop
  }
  return Value::list(std::move(items));
}

// dict(mapping, **kwargs) -> entries; shared by dict() and namespace().
Result<std::vector<std::pair<Value, Value>>> dict_entries(const CallArgs& args,
                                                          std::string_view function) {
  std::vector<std::pair<Value, Value>> entries;
  if (args.positional.size() > 1) {
    return Status::invalid_argument(std::string(function) +
                                    "() takes at most 1 positional "
                                    "argument");
  }
  if (args.positional.size() == 1) {
    const Value& m = args.positional[0];
    if (!m.is_dict()) {
      return Status::invalid_argument(std::string(function) +
                                      "() argument must be a mapping, "
                                      "not " +
                                      m.type_name());
    }
    entries = m.as_dict().entries;
  }
  for (const auto& [name, value] : args.named) {
    LIFTOFF_RETURN_IF_ERROR(dict_insert(entries, Value::string(name), value));
  }
  return entries;
}

Result<Value> make_dict(Interpreter&, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto entries, dict_entries(args, "dict"));
  return Value::dict(std::move(entries));
}

Result<Value> make_namespace(Interpreter&, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto entries, dict_entries(args, "namespace"));
  std::vector<std::pair<std::string, Value>> attrs;
  for (auto& [k, v] : entries) {
    if (!k.is_string()) return Status::invalid_argument("namespace() keys must be strings");
    LIFTOFF_RETURN_IF_ERROR(check_namespace_value(v));
    attrs.emplace_back(k.as_string(), std::move(v));
  }
  return Value::new_namespace(std::move(attrs));
}

Result<Value> raise_exception(Interpreter& in, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"message"}, "raise_exception"));
  std::string message;
  if (!append_str(message, a[0], in.budget())) return in.budget().failure();
  return Status::invalid_argument(std::string(kErrorPrefix) + message);
}

Result<Value> strftime_now(Interpreter&, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"format"}, "strftime_now"));
  if (!a[0].is_string()) return Status::invalid_argument("strftime_now() format must be a str");
  if (a[0].as_string().size() > 256) {
    return Status::invalid_argument("strftime_now() format is longer than 256 bytes");
  }
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::string out(4096, '\0');  // room for the longest expansion of a 256-byte format
  const size_t n = std::strftime(out.data(), out.size(), a[0].as_string().c_str(), &local);
  out.resize(n);
  return Value::string(std::move(out));
}

}  // namespace

const Value* find_global(std::string_view name) {
  static const std::map<std::string, Value, std::less<>> globals = {
      {"range", Value::callable("range", range)},
      {"dict", Value::callable("dict", make_dict)},
      {"namespace", Value::callable("namespace", make_namespace)},
      {"raise_exception", Value::callable("raise_exception", raise_exception)},
      {"strftime_now", Value::callable("strftime_now", strftime_now)},
  };
  const auto it = globals.find(name);
  return it == globals.end() ? nullptr : &it->second;
}

Status check_namespace_value(const Value& v) {
  if (v.has_namespace()) {
    return Status::invalid_argument("a namespace cannot hold another namespace");
  }
  if (v.depth() > kMaxNamespaceValueDepth) {
    return Status::invalid_argument("value stored in a namespace nests deeper than " +
                                    std::to_string(kMaxNamespaceValueDepth) + " levels");
  }
  return Status::ok();
}

}  // namespace liftoff::tokenizer::jinja
