// ModelFile: the in-memory view every model source is read into — a GGUF-style metadata table
// plus a tensor table whose data points into a memory mapping (zero-copy). GGUF files map onto it
// directly; llama2.c checkpoints are presented with the same GGUF key and tensor names, so the
// model and tokenizer layers only ever see one kind of file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "liftoff/base/mapped_file.h"
#include "liftoff/kernels/dtype.h"

namespace liftoff::formats {

// GGUF metadata value types (the numbers are the on-disk tags).
enum class GgufType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

struct MetaArray;
// One metadata value. Integers keep their signedness; arrays are homogeneous.
struct MetaValue {
  GgufType type = GgufType::kUint32;
  std::variant<uint64_t, int64_t, double, bool, std::string, std::shared_ptr<MetaArray>> value;

  std::optional<int64_t> as_int() const;      // any integer type (uint64 > INT64_MAX -> nullopt)
  std::optional<double> as_float() const;     // float or integer types
  std::optional<bool> as_bool() const;
  const std::string* as_string() const;
  const MetaArray* as_array() const;
};

struct MetaArray {
  GgufType element_type = GgufType::kUint32;
  // Exactly one of these is filled, by element_type: strings; signed/unsigned ints (as int64);
  // floats (float32 and float64, as double); bools are stored in ints as 0/1.
  std::vector<std::string> strings;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  size_t size() const;
};

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // GGUF order: dims[0] is the fastest-varying (row length)
  uint32_t ggml_type = 0;      // the file's type tag
  kernels::DType dtype = kernels::DType::kF32;
  uint64_t offset = 0;         // absolute byte offset of the data in the file
  uint64_t n_bytes = 0;
  const uint8_t* data = nullptr;  // into the mapping; valid while the ModelFile lives

  uint64_t n_elements() const;
};

class ModelFile {
 public:
  ModelFile() = default;
  ModelFile(ModelFile&&) noexcept = default;
  ModelFile& operator=(ModelFile&&) noexcept = default;

  uint32_t version = 3;  // GGUF version (llama2.c sources report 0)
  uint64_t alignment = 32;
  uint64_t data_offset = 0;
  std::map<std::string, MetaValue> metadata;
  std::vector<TensorInfo> tensors;

  const MetaValue* find(const std::string& key) const;
  std::optional<int64_t> get_int(const std::string& key) const;
  std::optional<double> get_float(const std::string& key) const;
  std::optional<bool> get_bool(const std::string& key) const;
  std::optional<std::string> get_string(const std::string& key) const;
  const MetaArray* get_array(const std::string& key) const;
  const TensorInfo* find_tensor(const std::string& name) const;

  // The mappings the tensor data points into (one or more files).
  std::vector<std::shared_ptr<base::MappedFile>> mappings;
  // Total bytes of all tensor data.
  uint64_t tensor_bytes() const;
};

}  // namespace liftoff::formats
