// GGUF v3 writer: metadata and tensors to a file llama.cpp can load. Writes to a temporary file in
// the same directory and renames it into place, so a failure never leaves a half-written output.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

class GgufWriter {
 public:
  void set(const std::string& key, MetaValue value);
  void set_string(const std::string& key, std::string value);
  void set_u32(const std::string& key, uint32_t value);
  void set_i32(const std::string& key, int32_t value);
  void set_f32(const std::string& key, float value);
  void set_bool(const std::string& key, bool value);
  void set_string_array(const std::string& key, std::vector<std::string> values);
  void set_f32_array(const std::string& key, const std::vector<float>& values);
  void set_i32_array(const std::string& key, const std::vector<int32_t>& values);

  // Adds a tensor; `data` must hold row_bytes(dtype, dims[0]) * (product of other dims) bytes.
  // dims are in GGUF order (dims[0] = row length).
  void add_tensor(const std::string& name, std::vector<uint64_t> dims, kernels::DType dtype,
                  std::vector<uint8_t> data);

  // Writes the file (alignment 32). Errors: kInvalidArgument (bad tensor sizes, duplicate
  // names), kUnavailable (I/O, e.g. disk full) — in both cases no file is left at `path`.
  Status write(const std::filesystem::path& path) const;

 private:
  struct PendingTensor {
    std::string name;
    std::vector<uint64_t> dims;
    kernels::DType dtype;
    std::vector<uint8_t> data;
  };
  std::vector<std::pair<std::string, MetaValue>> metadata_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace liftoff::formats
