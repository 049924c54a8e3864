// MappedFile: a read-only mmap of a whole file, owned RAII-style (munmap + close on destruction).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

#include "liftoff/base/status.h"

namespace liftoff::base {

class MappedFile {
 public:
  // Maps `path` read-only. Errors: kNotFound (missing), kInvalidArgument (a directory),
  // kUnavailable (other I/O failures). An empty file maps to an empty span.
  static Result<MappedFile> open(const std::filesystem::path& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void reset();
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::filesystem::path path_;
};

}  // namespace liftoff::base
