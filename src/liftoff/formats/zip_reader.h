// The central directory of a zip archive, enough to find the stored (uncompressed) entries of a
// PyTorch torch.save file inside a memory mapping. Not a general unzip: compressed or encrypted
// entries are refused, and CRCs are not checked (the entries are used in place, not extracted).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "liftoff/base/status.h"

namespace liftoff::formats {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  // absolute byte offset of the entry's bytes in the archive
  uint64_t size = 0;
};

// Parses the end-of-central-directory record (zip64 too) and every central directory entry,
// checking each entry's local header. Errors (kCorruptData, naming byte offsets): no end record,
// records or data outside the file; kInvalidArgument: a compressed or encrypted entry.
Result<std::vector<ZipEntry>> read_zip_entries(std::span<const uint8_t> archive);

}  // namespace liftoff::formats
