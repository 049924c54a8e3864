// The str, dict and list methods of the subset, with CPython's results.
#include "liftoff/tokenizer/jinja/methods.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "liftoff/tokenizer/jinja/call_args.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/jinja/text.h"
#include "liftoff/tokenizer/jinja/value_format.h"
#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::jinja {
namespace {

constexpr std::string_view kStringMethods[] = {
    "strip", "lstrip", "rstrip",  "split",      "rsplit",  "splitlines", "startswith", "endswith",
    "upper", "lower",  "title",   "capitalize", "replace", "format",     "join",       "find",
    "rfind", "count",  "isdigit", "isalpha",    "isalnum", "isspace",    "isupper",    "islower",
};
constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values"};
constexpr std::string_view kListMethods[] = {"index", "count"};

template <size_t N>
bool listed(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

Status type_error(std::string_view method, std::string_view expected, const Value& got) {
  return Status::invalid_argument(std::string(method) + "() argument must be " +
                                  std::string(expected) + ", not " + got.type_name());
}

// A `chars`/`sep` argument: none or undefined -> nullopt, else a string.
Result<std::optional<std::string>> optional_string(const Value& v, std::string_view method) {
  if (v.is_undefined() || v.is_none()) return std::optional<std::string>();
  if (!v.is_string()) return type_error(method, "str or None", v);
  return std::optional<std::string>(v.as_string());
}

Result<bool> affix_matches(const std::string& s, const Value& affix, bool prefix,
                           std::string_view method) {
  auto one = [&](const std::string& a) {
    if (a.size() > s.size()) return false;
    return prefix ? s.compare(0, a.size(), a) == 0
                  : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.is_string()) return one(affix.as_string());
  if (affix.is_list() && affix.as_list().is_tuple) {
    for (const Value& a : affix.as_list().items) {
      if (!a.is_string()) return type_error(method, "str or a tuple of str", a);
      if (one(a.as_string())) return true;
    }
    return false;
  }
  return type_error(method, "str or a tuple of str", affix);
}

// Predicates by general category: Python's isdigit counts Nd only; isalpha letters.
Value classify(const std::string& s, bool (*pred)(uint32_t)) {
  if (s.empty()) return Value::boolean(false);
  size_t i = 0;
  while (i < s.size()) {
    if (!pred(unicode::decode_one(s, i))) return Value::boolean(false);
  }
  return Value::boolean(true);
}

// str.format with automatic ({}), numbered ({0}) and named ({name}) fields; no format specs.
Result<Value> format(Interpreter& in, const std::string& s, const CallArgs& args) {
  std::string out;
  size_t next_auto = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '}') {
      if (i + 1 < s.size() && s[i + 1] == '}') ++i;
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < s.size() && s[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = s.find('}', i);
    if (close == std::string::npos) return Status::invalid_argument("format(): unmatched '{'");
    const std::string field = s.substr(i + 1, close - i - 1);
    if (field.find_first_of(":!.[") != std::string::npos) {
      return Status::invalid_argument("format(): format specs and conversions are not supported");
    }
    const Value* arg = nullptr;
    if (field.empty() || (field[0] >= '0' && field[0] <= '9')) {
      size_t index = next_auto;
      if (field.empty()) {
        ++next_auto;
      } else {
        const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), index);
        if (ec != std::errc() || end != field.data() + field.size()) index = SIZE_MAX;
      }
      if (index < args.positional.size()) arg = &args.positional[index];
    } else {
      for (const auto& [name, value] : args.named) {
        if (name == field) arg = &value;
      }
    }
    if (arg == nullptr)
      return Status::invalid_argument("format(): no argument for {" + field + "}");
    if (!append_str(out, *arg, in.budget())) return in.budget().failure();
    i = close;
  }
  return Value::string(std::move(out));
}

Result<Value> string_method(Interpreter& in, const std::string& s, const std::string& name,
                            CallArgs& args) {
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"chars"}, name));
    LIFTOFF_ASSIGN_OR_RETURN(auto chars, optional_string(a[0], name));
    return Value::string(text::strip(s, chars, name != "rstrip", name != "lstrip"));
  }
  if (name == "split" || name == "rsplit") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"sep", "maxsplit"}, name));
    LIFTOFF_ASSIGN_OR_RETURN(auto sep, optional_string(a[0], name));
    if (sep && sep->empty()) return Status::invalid_argument("empty separator");
    LIFTOFF_ASSIGN_OR_RETURN(int64_t maxsplit, int_arg(a[1], -1, "maxsplit"));
    // Count the parts before making them: a long string must not become millions of strings.
    size_t n_parts = 1;
    if (sep) {
      for (size_t at = s.find(*sep); at != std::string::npos; at = s.find(*sep, at + sep->size())) {
        ++n_parts;
      }
    } else {  // one part per run of non-space characters
      bool in_word = false;
      for (size_t i = 0; i < s.size();) {
        const bool space = text::is_space(unicode::decode_one(s, i));
        n_parts += (!space && !in_word) ? 1 : 0;
        in_word = !space;
      }
    }
    if (maxsplit >= 0) n_parts = std::min(n_parts, static_cast<size_t>(maxsplit) + 1);
    if (!in.budget().items_fit(n_parts)) return in.budget().failure();
    std::vector<Value> parts;
    for (std::string& p : text::split(s, sep, maxsplit, name == "rsplit")) {
      parts.push_back(Value::string(std::move(p)));
    }
    if (!in.budget().spend(parts.size())) return in.budget().failure();
    return Value::list(std::move(parts));
  }
  if (name == "splitlines") {
    LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, name).status());
    std::vector<Value> lines;
    for (std::string& l : text::splitlines(s)) lines.push_back(Value::string(std::move(l)));
    return Value::list(std::move(lines));
  }
  if (name == "startswith" || name == "endswith") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"affix"}, name));
    LIFTOFF_ASSIGN_OR_RETURN(bool match, affix_matches(s, a[0], name == "startswith", name));
    return Value::boolean(match);
  }
  if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
    LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, name).status());
    if (name == "upper") return Value::string(text::upper(s));
    if (name == "lower") return Value::string(text::lower(s));
    if (name == "title") return Value::string(text::title(s));
    return Value::string(text::capitalize(s));
  }
  if (name == "replace") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"old", "new", "count"}, name));
    if (!a[0].is_string()) return type_error(name, "str", a[0]);
    if (!a[1].is_string()) return type_error(name, "str", a[1]);
    LIFTOFF_ASSIGN_OR_RETURN(int64_t count, int_arg(a[2], -1, "count"));
    const std::string& old = a[0].as_string();
    const std::string& replacement = a[1].as_string();
    // Bound the result before building it: each replacement can add at most this much.
    const size_t growth = replacement.size() > old.size() ? replacement.size() - old.size() : 0;
    if (growth > 0 && !in.budget().fits(s.size() + growth * (text::length(s) + 1))) {
      return in.budget().failure();
    }
    return Value::string(text::replace(s, old, replacement, count));
  }
  if (name == "format") return format(in, s, args);
  if (name == "join") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"iterable"}, name));
    if (!a[0].is_list()) return type_error(name, "a list", a[0]);
    std::string out;
    bool first = true;
    for (const Value& item : a[0].as_list().items) {
      if (!item.is_string()) return type_error(name, "a list of str", item);
      if (!first) out += s;
      first = false;
      if (!in.budget().fits(out.size() + item.as_string().size())) return in.budget().failure();
      out += item.as_string();
    }
    return Value::string(std::move(out));
  }
  if (name == "find" || name == "rfind" || name == "count") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"sub"}, name));
    if (!a[0].is_string()) return type_error(name, "str", a[0]);
    const std::string& sub = a[0].as_string();
    if (name == "count") {
      if (sub.empty()) return Value::integer(static_cast<int64_t>(text::length(s) + 1));
      int64_t n = 0;
      for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
      return Value::integer(n);
    }
    const size_t at = name == "find" ? s.find(sub) : s.rfind(sub);
    if (at == std::string::npos) return Value::integer(-1);
    return Value::integer(static_cast<int64_t>(text::length(std::string_view(s).substr(0, at))));
  }
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, name).status());
  using unicode::CharClass;
  if (name == "isdigit") {
    return classify(s, [](uint32_t c) { return unicode::char_class(c) == CharClass::kNumber; });
  }
  if (name == "isalpha") {
    return classify(s, [](uint32_t c) { return unicode::char_class(c) == CharClass::kLetter; });
  }
  if (name == "isalnum") {
    return classify(s, [](uint32_t c) {
      const CharClass k = unicode::char_class(c);
      return k == CharClass::kLetter || k == CharClass::kNumber;
    });
  }
  if (name == "isspace") return classify(s, text::is_space);
  // isupper / islower: some cased character, and none of the other case.
  const std::string up = text::upper(s);
  const std::string lo = text::lower(s);
  const bool has_cased = up != lo;
  return Value::boolean(has_cased && (name == "isupper" ? s == up : s == lo));
}

Result<Value> dict_method(const DictObj& dict, const std::string& name, CallArgs& args) {
  if (name == "get") {
    LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"key", "default"}, name));
    if (is_hashable(a[0])) {
      if (const Value* v = dict.find(a[0])) return *v;
    }
    return a[1].is_undefined() ? Value::none() : a[1];
  }
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, name).status());
  std::vector<Value> out;
  out.reserve(dict.entries.size());
  for (const auto& [k, v] : dict.entries) {
    if (name == "items") {
      out.push_back(Value::tuple({k, v}));
    } else {
      out.push_back(name == "keys" ? k : v);
    }
  }
  return Value::list(std::move(out));
}

Result<Value> list_method(Interpreter& in, const ListObj& list, const std::string& name,
                          CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"value"}, name));
  int64_t count = 0;
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (equals(list.items[i], a[0], in.budget())) {
      if (name == "index") return Value::integer(static_cast<int64_t>(i));
      ++count;
    }
    if (!in.budget().ok()) return in.budget().failure();
  }
  if (name == "index") return Status::invalid_argument("list.index(x): x not in list");
  return Value::integer(count);
}

}  // namespace

bool has_method(const Value& receiver, std::string_view name) {
  switch (receiver.type()) {
    case Value::Type::kString:
      return listed(kStringMethods, name);
    case Value::Type::kDict:
      return listed(kDictMethods, name);
    case Value::Type::kList:
      return listed(kListMethods, name);
    default:
      return false;
  }
}

Value bind_method(const Value& receiver, const std::string& name) {
  return Value::callable(name, [receiver, name](Interpreter& in, CallArgs& args) -> Result<Value> {
    switch (receiver.type()) {
      case Value::Type::kString:
        return string_method(in, receiver.as_string(), name, args);
      case Value::Type::kDict:
        return dict_method(receiver.as_dict(), name, args);
      default:
        return list_method(in, receiver.as_list(), name, args);
    }
  });
}

}  // namespace liftoff::tokenizer::jinja
