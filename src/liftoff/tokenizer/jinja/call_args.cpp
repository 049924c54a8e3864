// Argument binding shared by every built-in callable.
#include "liftoff/tokenizer/jinja/call_args.h"

#include <string>

namespace liftoff::tokenizer::jinja {

Result<std::vector<Value>> bind_args(const CallArgs& args,
                                     std::initializer_list<std::string_view> params,
                                     std::string_view function) {
  if (args.positional.size() > params.size()) {
    return Status::invalid_argument(std::string(function) + "() takes at most " +
                                    std::to_string(params.size()) + " argument(s), " +
                                    std::to_string(args.positional.size()) + " given");
  }
  std::vector<Value> bound(params.size());
  std::vector<bool> given(params.size(), false);
  for (size_t i = 0; i < args.positional.size(); ++i) {
    bound[i] = args.positional[i];
    given[i] = true;
  }
  for (const auto& [name, value] : args.named) {
    size_t index = 0;
    for (std::string_view p : params) {
      if (p == name) break;
      ++index;
    }
    if (index == params.size()) {
      return Status::invalid_argument(std::string(function) +
                                      "() got an unexpected keyword "
                                      "argument '" +
                                      name + "'");
    }
    if (given[index]) {
      return Status::invalid_argument(std::string(function) +
                                      "() got multiple values for "
                                      "argument '" +
                                      name + "'");
    }
    bound[index] = value;
    given[index] = true;
  }
  return bound;
}

Result<int64_t> int_arg(const Value& v, int64_t fallback, std::string_view what) {
  if (v.is_undefined() || v.is_none()) return fallback;
  if (!v.is_integral()) {
    return Status::invalid_argument(std::string(what) + " must be an integer, not " +
                                    v.type_name());
  }
  return v.as_int();
}

}  // namespace liftoff::tokenizer::jinja
