// read_zip_entries: EOCD (+ zip64 locator/record) -> central directory -> local headers.
#include "liftoff/formats/zip_reader.h"

#include <algorithm>

#include "liftoff/base/byte_reader.h"

namespace liftoff::formats {
namespace {

using base::ByteReader;
using base::with_thousands;

constexpr uint32_t kEndSignature = 0x06054b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kCentralSignature = 0x02014b50;
constexpr uint32_t kLocalSignature = 0x04034b50;
constexpr uint64_t kEndBytes = 22;
constexpr uint64_t kMaxCommentBytes = 0xffff;
constexpr uint16_t kZip64ExtraId = 0x0001;

struct Directory {
  uint64_t n_entries = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

uint32_t load_u32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

Result<Directory> read_end_record(std::span<const uint8_t> archive) {
  if (archive.size() < kEndBytes) {
    return Status::corrupt_data("not a zip archive: " + with_thousands(archive.size()) +
                                " bytes is shorter than the 22-byte end record");
  }
  // The end record sits at the very end, followed only by a comment of up to 64 KiB.
  const uint64_t lowest = archive.size() > kEndBytes + kMaxCommentBytes
                              ? archive.size() - kEndBytes - kMaxCommentBytes
                              : 0;
  uint64_t at = archive.size() - kEndBytes;
  while (load_u32(archive.data() + at) != kEndSignature) {
    if (at == lowest) return Status::corrupt_data("not a zip archive: no end of central directory");
    --at;
  }
  ByteReader r(archive, at + 4);
  LIFTOFF_ASSIGN_OR_RETURN(uint16_t disk, r.read<uint16_t>("zip end record"));
  LIFTOFF_ASSIGN_OR_RETURN(uint16_t cd_disk, r.read<uint16_t>("zip end record"));
  LIFTOFF_RETURN_IF_ERROR(r.skip(2, "zip end record"));
  LIFTOFF_ASSIGN_OR_RETURN(uint16_t n_entries, r.read<uint16_t>("zip end record"));
  LIFTOFF_ASSIGN_OR_RETURN(uint32_t cd_size, r.read<uint32_t>("zip end record"));
  LIFTOFF_ASSIGN_OR_RETURN(uint32_t cd_offset, r.read<uint32_t>("zip end record"));
  if (disk != 0 || cd_disk != 0) {
    return Status::invalid_argument("multi-part zip archives are not supported");
  }
  Directory d{n_entries, cd_offset, cd_size};
  if (n_entries != 0xffff && cd_size != 0xffffffff && cd_offset != 0xffffffff) return d;

  // zip64: a 20-byte locator right before the end record points at the zip64 end record.
  if (at < 20) return Status::corrupt_data("zip64 archive without a zip64 end locator");
  ByteReader loc(archive, at - 20);
  LIFTOFF_ASSIGN_OR_RETURN(uint32_t loc_sig, loc.read<uint32_t>("zip64 end locator"));
  if (loc_sig != kZip64LocatorSignature) {
    return Status::corrupt_data("zip64 end locator missing at byte " + with_thousands(at - 20));
  }
  LIFTOFF_RETURN_IF_ERROR(loc.skip(4, "zip64 end locator"));
  LIFTOFF_ASSIGN_OR_RETURN(uint64_t end64_at, loc.read<uint64_t>("zip64 end locator"));
  ByteReader e(archive);
  LIFTOFF_RETURN_IF_ERROR(e.seek(end64_at, "zip64 end record"));
  LIFTOFF_ASSIGN_OR_RETURN(uint32_t sig, e.read<uint32_t>("zip64 end record"));
  if (sig != kZip64EndSignature) {
    return Status::corrupt_data("zip64 end record missing at byte " + with_thousands(end64_at));
  }
  LIFTOFF_RETURN_IF_ERROR(e.skip(8 + 2 + 2 + 4 + 4 + 8, "zip64 end record"));
  LIFTOFF_ASSIGN_OR_RETURN(d.n_entries, e.read<uint64_t>("zip64 end record"));
  LIFTOFF_ASSIGN_OR_RETURN(d.size, e.read<uint64_t>("zip64 end record"));
  LIFTOFF_ASSIGN_OR_RETURN(d.offset, e.read<uint64_t>("zip64 end record"));
  return d;
}

// Replaces the 32-bit fields that are 0xffffffff with the zip64 extra field's values, in the
// order the format defines: uncompressed size, compressed size, local header offset.
Status apply_zip64_extra(std::span<const uint8_t> extra, uint64_t& size, uint64_t& csize,
                         uint64_t& local_offset) {
  ByteReader x(extra);
  while (x.remaining() >= 4) {
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t id, x.read<uint16_t>("zip extra field"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t n, x.read<uint16_t>("zip extra field"));
    LIFTOFF_ASSIGN_OR_RETURN(auto body, x.read_bytes(n, "zip extra field"));
    if (id != kZip64ExtraId) continue;
    ByteReader z(body);
    for (uint64_t* field : {&size, &csize, &local_offset}) {
      if (*field != 0xffffffff) continue;
      LIFTOFF_ASSIGN_OR_RETURN(*field, z.read<uint64_t>("zip64 extra field"));
    }
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<ZipEntry>> read_zip_entries(std::span<const uint8_t> archive) {
  LIFTOFF_ASSIGN_OR_RETURN(Directory dir, read_end_record(archive));
  if (dir.offset > archive.size() || dir.size > archive.size() - dir.offset) {
    return Status::corrupt_data("zip central directory (bytes " + with_thousands(dir.offset) +
                                ".." + with_thousands(dir.offset + dir.size) +
                                ") is outside the file of " + with_thousands(archive.size()));
  }
  // Each central entry takes at least 46 bytes: a larger count is a lie, caught before reserve.
  if (dir.n_entries > dir.size / 46) {
    return Status::corrupt_data("zip central directory claims " + with_thousands(dir.n_entries) +
                                " entries in " + with_thousands(dir.size) + " bytes");
  }
  std::vector<ZipEntry> entries;
  entries.reserve(dir.n_entries);
  ByteReader r(archive.subspan(0, dir.offset + dir.size), dir.offset);
  for (uint64_t i = 0; i < dir.n_entries; ++i) {
    const uint64_t at = r.offset();
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t sig, r.read<uint32_t>("zip central entry"));
    if (sig != kCentralSignature) {
      return Status::corrupt_data("zip central entry " + std::to_string(i) + " at byte " +
                                  with_thousands(at) + " has a bad signature");
    }
    LIFTOFF_RETURN_IF_ERROR(r.skip(4, "zip central entry"));  // versions
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t flags, r.read<uint16_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t method, r.read<uint16_t>("zip central entry"));
    LIFTOFF_RETURN_IF_ERROR(r.skip(8, "zip central entry"));  // time, date, crc
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t csize32, r.read<uint32_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t size32, r.read<uint32_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t name_len, r.read<uint16_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t extra_len, r.read<uint16_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t comment_len, r.read<uint16_t>("zip central entry"));
    LIFTOFF_RETURN_IF_ERROR(r.skip(8, "zip central entry"));  // disk, attributes
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t local32, r.read<uint32_t>("zip central entry"));
    LIFTOFF_ASSIGN_OR_RETURN(std::string name, r.read_string(name_len, "zip entry name"));
    LIFTOFF_ASSIGN_OR_RETURN(auto extra, r.read_bytes(extra_len, "zip entry extra field"));
    LIFTOFF_RETURN_IF_ERROR(r.skip(comment_len, "zip entry comment"));

    uint64_t size = size32, csize = csize32, local = local32;
    LIFTOFF_RETURN_IF_ERROR(apply_zip64_extra(extra, size, csize, local));
    if (flags & 1) return Status::invalid_argument("zip entry '" + name + "' is encrypted");
    if (method != 0 || csize != size) {
      return Status::invalid_argument("zip entry '" + name + "' is compressed (method " +
                                      std::to_string(method) +
                                      "); only stored entries are supported, as torch.save "
                                      "writes them");
    }
    ByteReader l(archive);
    LIFTOFF_RETURN_IF_ERROR(l.seek(local, "zip local header of '" + name + "'"));
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t lsig, l.read<uint32_t>("zip local header"));
    if (lsig != kLocalSignature) {
      return Status::corrupt_data("zip entry '" + name + "': no local header at byte " +
                                  with_thousands(local));
    }
    LIFTOFF_RETURN_IF_ERROR(l.skip(22, "zip local header"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t lname, l.read<uint16_t>("zip local header"));
    LIFTOFF_ASSIGN_OR_RETURN(uint16_t lextra, l.read<uint16_t>("zip local header"));
    const uint64_t data_at = local + 30 + lname + lextra;
    if (data_at > archive.size() || size > archive.size() - data_at) {
      return Status::corrupt_data("zip entry '" + name + "': data (bytes " +
                                  with_thousands(data_at) + ".." + with_thousands(data_at + size) +
                                  ") is outside the file of " + with_thousands(archive.size()));
    }
    entries.push_back({std::move(name), data_at, size});
  }
  return entries;
}

}  // namespace liftoff::formats
