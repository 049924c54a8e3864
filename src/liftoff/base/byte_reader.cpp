// ByteReader: the bounds check and the error message every parser shares.
#include "liftoff/base/byte_reader.h"

namespace liftoff::base {

Status ByteReader::require(size_t n, std::string_view what) const {
  if (offset_ > bytes_.size() || n > bytes_.size() - offset_) {
    return Status::corrupt_data(std::string(what) + ": needs " + with_thousands(n) +
                                " bytes at byte offset " + with_thousands(offset_) +
                                " but the data ends at byte " + with_thousands(bytes_.size()));
  }
  return Status::ok();
}

Result<std::span<const uint8_t>> ByteReader::read_bytes(size_t n, std::string_view what) {
  LIFTOFF_RETURN_IF_ERROR(require(n, what));
  auto out = bytes_.subspan(offset_, n);
  offset_ += n;
  return out;
}

Result<std::string> ByteReader::read_string(size_t n, std::string_view what) {
  LIFTOFF_ASSIGN_OR_RETURN(auto raw, read_bytes(n, what));
  return std::string(reinterpret_cast<const char*>(raw.data()), raw.size());
}

Status ByteReader::skip(size_t n, std::string_view what) {
  LIFTOFF_RETURN_IF_ERROR(require(n, what));
  offset_ += n;
  return Status::ok();
}

Status ByteReader::seek(size_t offset, std::string_view what) {
  if (offset > bytes_.size()) {
    return Status::corrupt_data(std::string(what) + ": offset " + with_thousands(offset) +
                                " is past the end of the data at byte " +
                                with_thousands(bytes_.size()));
  }
  offset_ = offset;
  return Status::ok();
}

std::string with_thousands(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) out.push_back(',');
    out.push_back(*it);
    ++count;
  }
  return {out.rbegin(), out.rend()};
}

}  // namespace liftoff::base
