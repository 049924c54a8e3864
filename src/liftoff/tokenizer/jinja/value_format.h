// Turning values into text the way Python does: str() for `{{ }}` output and `~`, repr() for
// containers' elements, and json.dumps() for the tojson filter (with HF's settings: no HTML
// escaping, non-ASCII kept unless ensure_ascii).
#pragma once

#include <optional>
#include <string>

#include "liftoff/base/status.h"
#include "liftoff/tokenizer/jinja/value.h"

namespace liftoff::tokenizer::jinja {

// Python's repr() of a float: shortest round-trip digits, "1.0", "1e+16", "1.5e-05", "nan".
std::string python_float_repr(double d);

// str(v) appended to `out`; undefined gives "". False once the budget or size limit is hit.
bool append_str(std::string& out, const Value& v, Budget& budget);
// repr(v): strings quoted and escaped, containers as Python literals.
bool append_repr(std::string& out, const Value& v, Budget& budget);

// str(v) as a new string ("" if a limit was hit; the budget says so).
std::string to_str(const Value& v, Budget& budget);

struct JsonOptions {
  std::optional<std::string> indent;  // none: one line; else newline + indent per level
  std::string item_separator = ", ";  // json.dumps defaults (", " becomes "," with an indent)
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};

// json.dumps(v) appended to `out`. kInvalidArgument for a value JSON cannot hold (undefined, a
// namespace, a function, a tuple key); the budget's failure if a limit was hit.
Status append_json(std::string& out, const Value& v, const JsonOptions& options, Budget& budget);

}  // namespace liftoff::tokenizer::jinja
