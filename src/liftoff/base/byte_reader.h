// ByteReader: bounds-checked little-endian reads over a byte span. Every file parser reads
// through it, so a truncated or lying file becomes a Status naming the byte offset, never a
// read past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "liftoff/base/status.h"

namespace liftoff::base {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes, size_t offset = 0)
      : bytes_(bytes), offset_(offset) {}

  size_t offset() const { return offset_; }
  size_t size() const { return bytes_.size(); }
  size_t remaining() const { return offset_ <= bytes_.size() ? bytes_.size() - offset_ : 0; }

  // Reads a trivially copyable value (host is little-endian, as GGUF and llama2.c are).
  template <typename T>
  Result<T> read(std::string_view what) {
    static_assert(std::is_trivially_copyable_v<T>);
    LIFTOFF_RETURN_IF_ERROR(require(sizeof(T), what));
    T value;
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }

  // Returns a view of the next n bytes and advances past them.
  Result<std::span<const uint8_t>> read_bytes(size_t n, std::string_view what);
  // Reads n bytes as a string (no encoding check).
  Result<std::string> read_string(size_t n, std::string_view what);
  Status skip(size_t n, std::string_view what);
  Status seek(size_t offset, std::string_view what);

  // kCorruptData "<what>: needs N bytes at byte offset O but the file has S" if short.
  Status require(size_t n, std::string_view what) const;

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_;
};

// Formats 1234567 as "1,234,567" for error messages about sizes and offsets.
std::string with_thousands(uint64_t value);

}  // namespace liftoff::base
