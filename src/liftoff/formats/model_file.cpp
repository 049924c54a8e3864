// ModelFile, MetaValue and TensorInfo accessors: typed lookups that answer nullopt/nullptr for a
// missing key or a value of another kind, so callers decide what is required.
#include "liftoff/formats/model_file.h"

#include <limits>

namespace liftoff::formats {

std::optional<int64_t> MetaValue::as_int() const {
  if (const auto* u = std::get_if<uint64_t>(&value)) {
    if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  return std::nullopt;
}

std::optional<double> MetaValue::as_float() const {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* u = std::get_if<uint64_t>(&value)) return static_cast<double>(*u);
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  return std::nullopt;
}

std::optional<bool> MetaValue::as_bool() const {
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  return std::nullopt;
}

const std::string* MetaValue::as_string() const { return std::get_if<std::string>(&value); }

const MetaArray* MetaValue::as_array() const {
  const auto* a = std::get_if<std::shared_ptr<MetaArray>>(&value);
  return a != nullptr ? a->get() : nullptr;
}

size_t MetaArray::size() const {
  switch (element_type) {
    case GgufType::kString:
      return strings.size();
    case GgufType::kFloat32:
    case GgufType::kFloat64:
      return floats.size();
    default:
      return ints.size();
  }
}

uint64_t TensorInfo::n_elements() const {
  uint64_t n = 1;
  for (uint64_t d : dims) n *= d;  // readers reject shapes whose product overflows
  return n;
}

const MetaValue* ModelFile::find(const std::string& key) const {
  auto it = metadata.find(key);
  return it != metadata.end() ? &it->second : nullptr;
}

std::optional<int64_t> ModelFile::get_int(const std::string& key) const {
  const MetaValue* v = find(key);
  return v != nullptr ? v->as_int() : std::nullopt;
}

std::optional<double> ModelFile::get_float(const std::string& key) const {
  const MetaValue* v = find(key);
  return v != nullptr ? v->as_float() : std::nullopt;
}

std::optional<bool> ModelFile::get_bool(const std::string& key) const {
  const MetaValue* v = find(key);
  return v != nullptr ? v->as_bool() : std::nullopt;
}

std::optional<std::string> ModelFile::get_string(const std::string& key) const {
  const MetaValue* v = find(key);
  if (v == nullptr || v->as_string() == nullptr) return std::nullopt;
  return *v->as_string();
}

const MetaArray* ModelFile::get_array(const std::string& key) const {
  const MetaValue* v = find(key);
  return v != nullptr ? v->as_array() : nullptr;
}

const TensorInfo* ModelFile::find_tensor(const std::string& name) const {
  // Linear: a model has at most a few thousand tensors and this runs once per tensor at load.
  for (const TensorInfo& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

uint64_t ModelFile::tensor_bytes() const {
  uint64_t total = 0;
  for (const TensorInfo& t : tensors) total += t.n_bytes;
  return total;
}

}  // namespace liftoff::formats
