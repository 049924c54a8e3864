// String and number filters (trim, upper, default, tojson, int, replace, indent, ...) and the
// table of every filter name, with jinja2's semantics except tojson, which is HF's override
// (json.dumps without HTML escaping, non-ASCII kept).
#include "liftoff/tokenizer/jinja/filters.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "liftoff/tokenizer/jinja/call_args.h"
#include "liftoff/tokenizer/jinja/interpreter.h"
#include "liftoff/tokenizer/jinja/methods.h"
#include "liftoff/tokenizer/jinja/sequence_filters.h"
#include "liftoff/tokenizer/jinja/text.h"
#include "liftoff/tokenizer/jinja/value_format.h"
#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::jinja {
namespace {

// A filter of str(value) with no arguments.
template <std::string (*Fn)(std::string_view)>
Result<Value> string_filter(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "filter").status());
  return Value::string(Fn(to_str(v, in.budget())));
}

// jinja2's title filter: words begin after '-', whitespace or an opening bracket.
std::string title_words(std::string_view s) {
  std::string out;
  bool word_start = true;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    unicode::decode_one(s, i);
    const std::string_view c = s.substr(start, i - start);
    const bool separator = c == "-" || c == "(" || c == "{" || c == "[" || c == "<" ||
                           (c.size() == 1 && text::is_space(static_cast<unsigned char>(c[0])));
    if (separator) {
      out += c;
      word_start = true;
    } else {
      out += word_start ? text::upper(c) : text::lower(c);
      word_start = false;
    }
  }
  return out;
}

Result<Value> trim(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"chars"}, "trim"));
  std::optional<std::string> chars;
  if (a[0].is_string()) chars = a[0].as_string();
  return Value::string(text::strip(to_str(v, in.budget()), chars, true, true));
}

Result<Value> default_value(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"default_value", "boolean"}, "default"));
  const bool use_default = v.is_undefined() || (a[1].truthy() && !v.truthy());
  if (!use_default) return v;
  return a[0].is_undefined() ? Value::string("") : a[0];
}

Result<Value> string(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "string").status());
  std::string out;
  if (!append_str(out, v, in.budget())) return in.budget().failure();
  return Value::string(std::move(out));
}

Result<Value> safe(Interpreter& in, const Value& v, CallArgs& args) { return string(in, v, args); }

Result<Value> escape(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "escape").status());
  std::string out;
  for (char c : to_str(v, in.budget())) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return Value::string(std::move(out));
}

// Python's float(str): surrounding whitespace allowed, "inf"/"nan" accepted.
bool parse_float(const std::string& s, double& out) {
  const std::string t = text::strip(s, std::nullopt, true, true);
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && t.find_first_of("xXpP") == std::string::npos;
}

Result<Value> to_int(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"default", "base"}, "int"));
  const Value fallback = a[0].is_undefined() ? Value::integer(0) : a[0];
  LIFTOFF_ASSIGN_OR_RETURN(int64_t base, int_arg(a[1], 10, "base"));
  if (v.is_integral()) return Value::integer(v.as_int());
  if (v.is_float()) {
    const double d = v.as_float();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return fallback;
    return Value::integer(static_cast<int64_t>(d));
  }
  if (!v.is_string()) return fallback;
  std::string t = text::strip(v.as_string(), std::nullopt, true, true);
  std::erase(t, '_');
  if (!t.empty() && base >= 2 && base <= 36) {
    char* end = nullptr;
    errno = 0;
    const long long i = std::strtoll(t.c_str(), &end, static_cast<int>(base));
    if (end == t.c_str() + t.size() && errno != ERANGE) return Value::integer(i);
  }
  // jinja2 falls back to int(float(value)) for strings like "1.5".
  double d = 0;
  if (parse_float(v.as_string(), d) && std::isfinite(d) && std::fabs(d) < 9.2e18) {
    return Value::integer(static_cast<int64_t>(d));
  }
  return fallback;
}

Result<Value> to_float(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"default"}, "float"));
  const Value fallback = a[0].is_undefined() ? Value::number(0.0) : a[0];
  if (v.is_numeric()) return Value::number(v.as_float());
  double d = 0;
  if (v.is_string() && parse_float(v.as_string(), d)) return Value::number(d);
  return fallback;
}

Result<Value> abs_value(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_RETURN_IF_ERROR(bind_args(args, {}, "abs").status());
  if (v.is_integral()) {
    if (v.as_int() == INT64_MIN) return Status::invalid_argument("integer overflow in abs");
    return Value::integer(std::llabs(v.as_int()));
  }
  if (v.is_float()) return Value::number(std::fabs(v.as_float()));
  return Status::invalid_argument(std::string("bad operand type for abs(): '") + v.type_name() +
                                  "'");
}

Result<Value> round_value(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"precision", "method"}, "round"));
  LIFTOFF_ASSIGN_OR_RETURN(int64_t precision, int_arg(a[0], 0, "precision"));
  const std::string method = a[1].is_string() ? a[1].as_string() : "common";
  if (!v.is_numeric()) return Status::invalid_argument("round needs a number");
  if (method != "common" && method != "ceil" && method != "floor") {
    return Status::invalid_argument("method must be common, ceil or floor");
  }
  if (precision < -300 || precision > 300) return Value::number(v.as_float());
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double x = v.as_float() * scale;
  // Python's round() (which "common" uses) rounds halves to even.
  const double r = method == "ceil"    ? std::ceil(x)
                   : method == "floor" ? std::floor(x)
                                       : std::nearbyint(x);
  return Value::number(r / scale);
}

Result<Value> replace(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"old", "new", "count"}, "replace"));
  LIFTOFF_ASSIGN_OR_RETURN(int64_t count, int_arg(a[2], -1, "count"));
  const std::string s = to_str(v, in.budget());
  const std::string old = to_str(a[0], in.budget());
  const std::string replacement = to_str(a[1], in.budget());
  const size_t growth = replacement.size() > old.size() ? replacement.size() - old.size() : 0;
  if (growth > 0 && !in.budget().fits(s.size() + growth * (text::length(s) + 1))) {
    return in.budget().failure();
  }
  return Value::string(text::replace(s, old, replacement, count));
}

Result<Value> indent(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"width", "first", "blank"}, "indent"));
  std::string pad;
  if (a[0].is_string()) {
    pad = a[0].as_string();
  } else {
    LIFTOFF_ASSIGN_OR_RETURN(int64_t width, int_arg(a[0], 4, "width"));
    if (width > 0 && !in.budget().fits(static_cast<size_t>(width))) return in.budget().failure();
    pad.assign(static_cast<size_t>(std::max<int64_t>(width, 0)), ' ');
  }
  const std::vector<std::string> lines = text::splitlines(to_str(v, in.budget()) + "\n");
  if (!in.budget().fits(pad.size() * (lines.size() + 1) + to_str(v, in.budget()).size())) {
    return in.budget().failure();
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (a[2].truthy() || !lines[i].empty()) out += pad;
    }
    out += lines[i];
  }
  if (a[1].truthy()) out = pad + out;
  return Value::string(std::move(out));
}

// HF's tojson: json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
Result<Value> tojson(Interpreter& in, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(
      auto a, bind_args(args, {"indent", "ensure_ascii", "separators", "sort_keys"}, "tojson"));
  JsonOptions options;
  if (a[0].is_string()) {
    options.indent = a[0].as_string();
  } else if (!a[0].is_undefined() && !a[0].is_none()) {
    LIFTOFF_ASSIGN_OR_RETURN(int64_t width, int_arg(a[0], 0, "indent"));
    options.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(width, 0, 64)), ' ');
  }
  if (options.indent)
    options.item_separator.resize(1);  // json.dumps: "," (no space) with an indent
  options.ensure_ascii = a[1].truthy();
  if (!a[2].is_undefined() && !a[2].is_none()) {
    const Value& s = a[2];
    if (!s.is_list() || s.as_list().items.size() != 2 || !s.as_list().items[0].is_string() ||
        !s.as_list().items[1].is_string()) {
      return Status::invalid_argument("tojson separators must be a pair of strings");
    }
    options.item_separator = s.as_list().items[0].as_string();
    options.key_separator = s.as_list().items[1].as_string();
  }
  options.sort_keys = a[3].truthy();
  std::string out;
  LIFTOFF_RETURN_IF_ERROR(append_json(out, v, options, in.budget()));
  return Value::string(std::move(out));
}

// jinja2's attr reads a Python attribute only: a namespace's, or a method; never a dict key.
Result<Value> attr(Interpreter&, const Value& v, CallArgs& args) {
  LIFTOFF_ASSIGN_OR_RETURN(auto a, bind_args(args, {"name"}, "attr"));
  if (!a[0].is_string()) return Status::invalid_argument("attr() name must be a str");
  const std::string& name = a[0].as_string();
  if (v.is_namespace()) {
    if (const Value* found = v.as_namespace().find(name)) return *found;
  } else if (has_method(v, name)) {
    return bind_method(v, name);
  }
  return Value::undefined(std::string("'") + v.type_name() + " object' has no attribute '" + name +
                          "'");
}

constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
    {"abs", abs_value},
    {"attr", attr},
    {"capitalize", string_filter<text::capitalize>},
    {"count", sequence_filters::length},
    {"d", default_value},
    {"default", default_value},
    {"dictsort", sequence_filters::dictsort},
    {"e", escape},
    {"escape", escape},
    {"first", sequence_filters::first},
    {"float", to_float},
    {"indent", indent},
    {"int", to_int},
    {"items", sequence_filters::items},
    {"join", sequence_filters::join},
    {"last", sequence_filters::last},
    {"length", sequence_filters::length},
    {"list", sequence_filters::list},
    {"lower", string_filter<text::lower>},
    {"map", sequence_filters::map},
    {"max", sequence_filters::max},
    {"min", sequence_filters::min},
    {"reject", sequence_filters::reject},
    {"rejectattr", sequence_filters::rejectattr},
    {"replace", replace},
    {"reverse", sequence_filters::reverse},
    {"round", round_value},
    {"safe", safe},
    {"select", sequence_filters::select},
    {"selectattr", sequence_filters::selectattr},
    {"sort", sequence_filters::sort},
    {"string", string},
    {"sum", sequence_filters::sum},
    {"title", string_filter<title_words>},
    {"tojson", tojson},
    {"trim", trim},
    {"unique", sequence_filters::unique},
    {"upper", string_filter<text::upper>},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
  for (const auto& [n, fn] : kFilters) {
    if (n == name) return fn;
  }
  return nullptr;
}

bool is_known_filter(std::string_view name) { return find_filter(name) != nullptr; }

}  // namespace liftoff::tokenizer::jinja
