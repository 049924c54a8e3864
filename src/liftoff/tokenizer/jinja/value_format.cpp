// str(), repr() and json.dumps() of template values, byte-for-byte as CPython prints them, so
// templates that print numbers, lists or JSON tool schemas render as they do under HF.
#include "liftoff/tokenizer/jinja/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "liftoff/tokenizer/jinja/limits.h"
#include "liftoff/tokenizer/unicode.h"

namespace liftoff::tokenizer::jinja {
namespace {

void append_hex(std::string& out, uint32_t v, int digits, char prefix) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\%c%0*x", prefix, digits, v);
  out += buf;
}

// Python's str.isprintable() for one code point, from the general category we have: control,
// format, surrogate, private use, unassigned and separators (but ' ') are not printable.
bool is_printable(uint32_t cpt) {
  if (cpt == ' ') return true;
  const unicode::CharClass c = unicode::char_class(cpt);
  return c != unicode::CharClass::kOther && c != unicode::CharClass::kUnassigned &&
         c != unicode::CharClass::kSeparator;
}

void append_string_repr(std::string& out, const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  out += quote;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const uint32_t cpt = unicode::decode_one(s, i);
    if (cpt == static_cast<uint32_t>(quote) || cpt == '\\') {
      out += '\\';
      out += static_cast<char>(cpt);
    } else if (cpt == '\n') {
      out += "\\n";
    } else if (cpt == '\r') {
      out += "\\r";
    } else if (cpt == '\t') {
      out += "\\t";
    } else if (cpt < 0x20 || cpt == 0x7F) {
      append_hex(out, cpt, 2, 'x');
    } else if (cpt < 0x80 || is_printable(cpt)) {
      out.append(s, start, i - start);
    } else if (cpt < 0x100) {
      append_hex(out, cpt, 2, 'x');
    } else if (cpt < 0x10000) {
      append_hex(out, cpt, 4, 'u');
    } else {
      append_hex(out, cpt, 8, 'U');
    }
  }
  out += quote;
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const uint32_t cpt = unicode::decode_one(s, i);
    switch (cpt) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (cpt < 0x20 || (ensure_ascii && cpt >= 0x7F)) {
          if (cpt >= 0x10000) {  // UTF-16 surrogate pair, as JSON spells astral characters
            const uint32_t v = cpt - 0x10000;
            append_hex(out, 0xD800 + (v >> 10), 4, 'u');
            append_hex(out, 0xDC00 + (v & 0x3FF), 4, 'u');
          } else {
            append_hex(out, cpt, 4, 'u');
          }
        } else {
          out.append(s, start, i - start);
        }
    }
  }
  out += '"';
}

// Shared walk for str/repr of containers: Python prints elements with repr().
bool append_container_repr(std::string& out, const Value& v, Budget& budget) {
  if (v.is_list()) {
    const ListObj& list = v.as_list();
    out += list.is_tuple ? '(' : '[';
    for (size_t i = 0; i < list.items.size(); ++i) {
      if (i > 0) out += ", ";
      if (!append_repr(out, list.items[i], budget)) return false;
    }
    if (list.is_tuple && list.items.size() == 1) out += ',';
    out += list.is_tuple ? ')' : ']';
    return true;
  }
  out += v.is_namespace() ? "<Namespace {" : "{";
  bool first = true;
  auto entry = [&](const Value& key, const Value& value) {
    if (!first) out += ", ";
    first = false;
    if (!append_repr(out, key, budget)) return false;
    out += ": ";
    return append_repr(out, value, budget);
  };
  if (v.is_namespace()) {
    for (const auto& [k, value] : v.as_namespace().attrs) {
      if (!entry(Value::string(k), value)) return false;
    }
  } else {
    for (const auto& [k, value] : v.as_dict().entries) {
      if (!entry(k, value)) return false;
    }
  }
  out += v.is_namespace() ? "}>" : "}";
  return true;
}

Status not_serializable(const Value& v) {
  return Status::invalid_argument(std::string("Object of type ") + v.type_name() +
                                  " is not JSON serializable");
}

void append_newline_indent(std::string& out, const std::string& indent, int level) {
  out += '\n';
  for (int i = 0; i < level; ++i) out += indent;
}

Status json_walk(std::string& out, const Value& v, const JsonOptions& opt, int level,
                 Budget& budget) {
  if (!budget.spend() || !budget.fits(out.size())) return budget.failure();
  switch (v.type()) {
    case Value::Type::kNone:
      out += "null";
      return Status::ok();
    case Value::Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return Status::ok();
    case Value::Type::kInt:
      out += std::to_string(v.as_int());
      return Status::ok();
    case Value::Type::kFloat: {
      const double d = v.as_float();
      out += std::isnan(d)   ? "NaN"
             : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity")
                             : python_float_repr(d);
      return Status::ok();
    }
    case Value::Type::kString:
      append_json_string(out, v.as_string(), opt.ensure_ascii);
      return Status::ok();
    case Value::Type::kList: {
      const auto& items = v.as_list().items;
      if (items.empty()) {
        out += "[]";
        return Status::ok();
      }
      out += '[';
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += opt.item_separator;
        if (opt.indent) append_newline_indent(out, *opt.indent, level + 1);
        LIFTOFF_RETURN_IF_ERROR(json_walk(out, items[i], opt, level + 1, budget));
      }
      if (opt.indent) append_newline_indent(out, *opt.indent, level);
      out += ']';
      return Status::ok();
    }
    case Value::Type::kDict: {
      // Keys become strings as json.dumps makes them: "1", "true", "null", "1.5".
      std::vector<std::pair<std::string, const Value*>> entries;
      for (const auto& [k, value] : v.as_dict().entries) {
        std::string key;
        if (k.is_string()) {
          key = k.as_string();
        } else if (k.is_bool()) {
          key = k.as_bool() ? "true" : "false";
        } else if (k.is_none()) {
          key = "null";
        } else if (k.is_int()) {
          key = std::to_string(k.as_int());
        } else if (k.is_float()) {
          key = python_float_repr(k.as_float());
        } else {
          return Status::invalid_argument(std::string("keys must be str, int, float, bool or "
                                                      "None, not ") +
                                          k.type_name());
        }
        entries.emplace_back(std::move(key), &value);
      }
      if (opt.sort_keys) {
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
      }
      if (entries.empty()) {
        out += "{}";
        return Status::ok();
      }
      out += '{';
      for (size_t i = 0; i < entries.size(); ++i) {
        if (i > 0) out += opt.item_separator;
        if (opt.indent) append_newline_indent(out, *opt.indent, level + 1);
        append_json_string(out, entries[i].first, opt.ensure_ascii);
        out += opt.key_separator;
        LIFTOFF_RETURN_IF_ERROR(json_walk(out, *entries[i].second, opt, level + 1, budget));
      }
      if (opt.indent) append_newline_indent(out, *opt.indent, level);
      out += '}';
      return Status::ok();
    }
    default:
      return not_serializable(v);
  }
}

}  // namespace

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  // Shortest round-trip digits in scientific form: "-1.2345e+02".
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  std::string out;
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
  const int decpt = exponent + 1;  // digits before the decimal point
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(decpt) - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<size_t>(decpt));
  }
  return out;
}

bool append_str(std::string& out, const Value& v, Budget& budget) {
  switch (v.type()) {
    case Value::Type::kUndefined:
      return true;
    case Value::Type::kString:
      if (!budget.fits(out.size() + v.as_string().size())) return false;
      out += v.as_string();
      return true;
    default:
      return append_repr(out, v, budget);
  }
}

bool append_repr(std::string& out, const Value& v, Budget& budget) {
  if (!budget.spend() || !budget.fits(out.size())) return false;
  switch (v.type()) {
    case Value::Type::kUndefined:
      out += "Undefined";
      return true;
    case Value::Type::kNone:
      out += "None";
      return true;
    case Value::Type::kBool:
      out += v.as_bool() ? "True" : "False";
      return true;
    case Value::Type::kInt:
      out += std::to_string(v.as_int());
      return true;
    case Value::Type::kFloat:
      out += python_float_repr(v.as_float());
      return true;
    case Value::Type::kString:
      if (!budget.fits(out.size() + v.as_string().size())) return false;
      append_string_repr(out, v.as_string());
      return true;
    case Value::Type::kCallable:
      out += "<function " + v.as_callable().name + ">";
      return true;
    default:
      return append_container_repr(out, v, budget);
  }
}

std::string to_str(const Value& v, Budget& budget) {
  if (v.is_string()) return v.as_string();
  std::string out;
  if (!append_str(out, v, budget)) return {};
  return out;
}

Status append_json(std::string& out, const Value& v, const JsonOptions& options, Budget& budget) {
  return json_walk(out, v, options, 0, budget);
}

}  // namespace liftoff::tokenizer::jinja
