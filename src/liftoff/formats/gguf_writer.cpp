// GGUF v3 writer: validates everything first, serialises header + metadata + tensor infos into
// memory, then streams that and the tensor data into a temporary file that is renamed into place
// only after a successful fsync. Reading stays in gguf_reader.cpp.
#include "liftoff/formats/gguf_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "liftoff/base/byte_reader.h"  // with_thousands
#include "liftoff/formats/gguf_constants.h"
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

using base::with_thousands;

// Little-endian serialisation into a growing buffer (the host is little-endian, as GGUF is).
class Buffer {
 public:
  template <typename T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void pad_to(uint64_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back(0);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

std::string type_name(GgufType t) { return std::to_string(static_cast<uint32_t>(t)); }

// Whether x fits the integer type; int128 holds every int64 and uint64 value exactly.
bool fits(GgufType type, __int128 x) {
  switch (type) {
    case GgufType::kUint8:
      return x >= 0 && x <= UINT8_MAX;
    case GgufType::kInt8:
      return x >= INT8_MIN && x <= INT8_MAX;
    case GgufType::kUint16:
      return x >= 0 && x <= UINT16_MAX;
    case GgufType::kInt16:
      return x >= INT16_MIN && x <= INT16_MAX;
    case GgufType::kUint32:
      return x >= 0 && x <= UINT32_MAX;
    case GgufType::kInt32:
      return x >= INT32_MIN && x <= INT32_MAX;
    case GgufType::kUint64:
      return x >= 0 && x <= static_cast<__int128>(UINT64_MAX);
    case GgufType::kInt64:
      return x >= INT64_MIN && x <= INT64_MAX;
    case GgufType::kBool:
      return x == 0 || x == 1;
    default:
      return false;
  }
}

void put_integer(Buffer& out, GgufType type, __int128 x) {
  switch (type) {
    case GgufType::kUint8:
      out.put(static_cast<uint8_t>(x));
      break;
    case GgufType::kInt8:
      out.put(static_cast<int8_t>(x));
      break;
    case GgufType::kUint16:
      out.put(static_cast<uint16_t>(x));
      break;
    case GgufType::kInt16:
      out.put(static_cast<int16_t>(x));
      break;
    case GgufType::kUint32:
      out.put(static_cast<uint32_t>(x));
      break;
    case GgufType::kInt32:
      out.put(static_cast<int32_t>(x));
      break;
    case GgufType::kUint64:
      out.put(static_cast<uint64_t>(x));
      break;
    case GgufType::kInt64:
      out.put(static_cast<int64_t>(x));
      break;
    case GgufType::kBool:
      out.put(static_cast<uint8_t>(x));
      break;
    default:
      break;
  }
}

bool is_integer_type(GgufType t) {
  return t != GgufType::kFloat32 && t != GgufType::kFloat64 && t != GgufType::kString &&
         t != GgufType::kArray;
}

Status put_array(Buffer& out, const std::string& key, const MetaArray* a) {
  if (a == nullptr) return Status::invalid_argument("GGUF key '" + key + "': null array");
  const GgufType t = a->element_type;
  if (static_cast<uint32_t>(t) > static_cast<uint32_t>(GgufType::kFloat64) ||
      t == GgufType::kArray) {
    return Status::invalid_argument("GGUF key '" + key + "': unsupported array element type " +
                                    type_name(t));
  }
  out.put(static_cast<uint32_t>(t));
  out.put<uint64_t>(a->size());
  if (t == GgufType::kString) {
    for (const std::string& s : a->strings) out.put_string(s);
  } else if (t == GgufType::kFloat32) {
    for (double f : a->floats) out.put(static_cast<float>(f));
  } else if (t == GgufType::kFloat64) {
    for (double f : a->floats) out.put(f);
  } else {
    for (int64_t i : a->ints) {
      // MetaArray keeps uint64 elements bit-cast in int64, so any int64 is a valid uint64.
      const __int128 x = t == GgufType::kUint64 ? static_cast<__int128>(static_cast<uint64_t>(i))
                                                : static_cast<__int128>(i);
      if (!fits(t, x)) {
        return Status::invalid_argument("GGUF key '" + key + "': array element " +
                                        std::to_string(i) + " does not fit type " + type_name(t));
      }
      put_integer(out, t, x);
    }
  }
  return Status::ok();
}

Status put_value(Buffer& out, const std::string& key, const MetaValue& v) {
  const std::string what = "GGUF key '" + key + "'";
  const auto mismatch = [&] {
    return Status::invalid_argument(what + ": value does not match its type " + type_name(v.type));
  };
  out.put(static_cast<uint32_t>(v.type));
  if (is_integer_type(v.type)) {
    __int128 x = 0;
    if (const auto* u = std::get_if<uint64_t>(&v.value)) {
      x = *u;
    } else if (const auto* i = std::get_if<int64_t>(&v.value)) {
      x = *i;
    } else if (const auto* b = std::get_if<bool>(&v.value); b && v.type == GgufType::kBool) {
      x = *b ? 1 : 0;
    } else {
      return mismatch();
    }
    if (!fits(v.type, x)) {
      return Status::invalid_argument(what + ": value does not fit type " + type_name(v.type));
    }
    put_integer(out, v.type, x);
    return Status::ok();
  }
  switch (v.type) {
    case GgufType::kFloat32:
    case GgufType::kFloat64: {
      std::optional<double> f = v.as_float();
      if (!f) return mismatch();
      if (v.type == GgufType::kFloat32) {
        out.put(static_cast<float>(*f));
      } else {
        out.put(*f);
      }
      return Status::ok();
    }
    case GgufType::kString:
      if (v.as_string() == nullptr) return mismatch();
      out.put_string(*v.as_string());
      return Status::ok();
    case GgufType::kArray:
      if (v.as_array() == nullptr) return mismatch();
      return put_array(out, key, v.as_array());
    default:
      return Status::invalid_argument(what + ": unknown value type " + type_name(v.type));
  }
}

MetaValue make_array(GgufType element_type, auto fill) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = element_type;
  fill(*a);
  return MetaValue{GgufType::kArray, std::move(a)};
}

// RAII for the temporary file next to the target: closes and unlinks it unless release() was
// called, so every early return leaves nothing behind.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target) : path_(target) {
    static std::atomic<uint64_t> counter{0};
    path_ += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      open_status_ =
          Status::unavailable("cannot create " + path_.string() + ": " + std::strerror(errno));
      released_ = true;  // nothing was created, so nothing to unlink
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  const Status& open_status() const { return open_status_; }
  const std::filesystem::path& path() const { return path_; }

  Status write_all(const uint8_t* data, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return io_error("cannot write");
      data += w;
      n -= static_cast<size_t>(w);
    }
    return Status::ok();
  }
  Status write_zeros(size_t n) {
    static constexpr uint8_t kZeros[64] = {};
    while (n > 0) {
      const size_t chunk = std::min(n, sizeof(kZeros));
      LIFTOFF_RETURN_IF_ERROR(write_all(kZeros, chunk));
      n -= chunk;
    }
    return Status::ok();
  }
  Status sync_and_close() {
    if (::fsync(fd_) != 0) return io_error("cannot fsync");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return io_error("cannot close");
    return Status::ok();
  }
  void release() { released_ = true; }
  Status io_error(const char* what) const {
    const int err = errno;  // a short write without errno set means the device is full
    return Status::unavailable(std::string(what) + " " + path_.string() + ": " +
                               std::strerror(err != 0 ? err : ENOSPC));
  }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  Status open_status_;
  bool released_ = false;
};

}  // namespace

void GgufWriter::set(const std::string& key, MetaValue value) {
  for (auto& [k, v] : metadata_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  metadata_.emplace_back(key, std::move(value));
}

void GgufWriter::set_string(const std::string& key, std::string value) {
  set(key, MetaValue{GgufType::kString, std::move(value)});
}
void GgufWriter::set_u32(const std::string& key, uint32_t value) {
  set(key, MetaValue{GgufType::kUint32, static_cast<uint64_t>(value)});
}
void GgufWriter::set_i32(const std::string& key, int32_t value) {
  set(key, MetaValue{GgufType::kInt32, static_cast<int64_t>(value)});
}
void GgufWriter::set_f32(const std::string& key, float value) {
  set(key, MetaValue{GgufType::kFloat32, static_cast<double>(value)});
}
void GgufWriter::set_bool(const std::string& key, bool value) {
  set(key, MetaValue{GgufType::kBool, value});
}
void GgufWriter::set_string_array(const std::string& key, std::vector<std::string> values) {
  set(key, make_array(GgufType::kString, [&](MetaArray& a) { a.strings = std::move(values); }));
}
void GgufWriter::set_f32_array(const std::string& key, const std::vector<float>& values) {
  set(key, make_array(GgufType::kFloat32,
                      [&](MetaArray& a) { a.floats.assign(values.begin(), values.end()); }));
}
void GgufWriter::set_i32_array(const std::string& key, const std::vector<int32_t>& values) {
  set(key, make_array(GgufType::kInt32,
                      [&](MetaArray& a) { a.ints.assign(values.begin(), values.end()); }));
}

void GgufWriter::add_tensor(const std::string& name, std::vector<uint64_t> dims,
                            kernels::DType dtype, std::vector<uint8_t> data) {
  tensors_.push_back({name, std::move(dims), dtype, std::move(data)});
}

Status GgufWriter::write(const std::filesystem::path& path) const {
  uint64_t alignment = kGgufDefaultAlignment;
  Buffer head;
  head.put(kGgufMagic);
  head.put(kGgufMaxVersion);
  head.put<uint64_t>(tensors_.size());
  head.put<uint64_t>(metadata_.size());
  for (const auto& [key, value] : metadata_) {
    if (key.empty()) return Status::invalid_argument("GGUF metadata key is empty");
    if (key == kGgufAlignmentKey) {
      const std::optional<int64_t> a = value.as_int();
      if (value.type != GgufType::kUint32 || !a || *a == 0 || (*a & (*a - 1)) != 0) {
        return Status::invalid_argument(
            "GGUF key 'general.alignment' must be a uint32 power of two");
      }
      alignment = static_cast<uint64_t>(*a);
    }
    head.put_string(key);
    LIFTOFF_RETURN_IF_ERROR(put_value(head, key, value));
  }

  std::set<std::string_view> names;
  uint64_t data_size = 0;  // relative to the start of the data section, padded
  for (const PendingTensor& t : tensors_) {
    const std::string what = "GGUF tensor '" + t.name + "'";
    if (t.name.empty() || t.name.size() > kGgufMaxTensorNameBytes) {
      return Status::invalid_argument(what + ": name must be 1 to 63 bytes (llama.cpp's limit)");
    }
    if (!names.insert(t.name).second) return Status::invalid_argument("duplicate " + what);
    if (t.dims.empty() || t.dims.size() > kGgufMaxDims) {
      return Status::invalid_argument(what + ": must have 1 to 4 dimensions");
    }
    const kernels::DTypeInfo& info = kernels::dtype_info(t.dtype);
    uint64_t rows = 1;
    for (size_t d = 0; d < t.dims.size(); ++d) {
      if (t.dims[d] == 0 || (d > 0 && __builtin_mul_overflow(rows, t.dims[d], &rows))) {
        return Status::invalid_argument(what + ": dimension " + std::to_string(d) +
                                        " is zero or the shape overflows");
      }
    }
    if (t.dims[0] % info.block_elems != 0) {
      return Status::invalid_argument(what + ": row length " + std::to_string(t.dims[0]) +
                                      " is not a multiple of the " + std::string(info.name) +
                                      " block size " + std::to_string(info.block_elems));
    }
    uint64_t expected = 0;
    if (__builtin_mul_overflow(kernels::row_bytes(t.dtype, t.dims[0]), rows, &expected) ||
        expected != t.data.size()) {
      return Status::invalid_argument(what + ": has " + with_thousands(t.data.size()) +
                                      " bytes of data, its shape needs " +
                                      with_thousands(expected));
    }
    head.put_string(t.name);
    head.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) head.put(d);
    head.put(ggml_type_from_dtype(t.dtype));
    head.put(data_size);
    data_size += (t.data.size() + alignment - 1) / alignment * alignment;
  }
  head.pad_to(alignment);

  TempFile tmp(path);
  LIFTOFF_RETURN_IF_ERROR(tmp.open_status());
  LIFTOFF_RETURN_IF_ERROR(tmp.write_all(head.bytes().data(), head.bytes().size()));
  for (const PendingTensor& t : tensors_) {
    LIFTOFF_RETURN_IF_ERROR(tmp.write_all(t.data.data(), t.data.size()));
    LIFTOFF_RETURN_IF_ERROR(tmp.write_zeros((alignment - t.data.size() % alignment) % alignment));
  }
  LIFTOFF_RETURN_IF_ERROR(tmp.sync_and_close());
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    return Status::unavailable("cannot rename " + tmp.path().string() + " to " + path.string() +
                               ": " + std::strerror(errno));
  }
  tmp.release();
  return Status::ok();
}

}  // namespace liftoff::formats
