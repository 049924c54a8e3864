// GGUF reader: walks header -> metadata -> tensor infos through one ByteReader, so every count
// and length is checked against the bytes that are really there before anything is allocated.
// Tensor data is never read or copied here; TensorInfo::data points into the caller's bytes.
#include "liftoff/formats/gguf_reader.h"

#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <new>  // std::bad_alloc
#include <string>
#include <utility>

#include "liftoff/base/byte_reader.h"
#include "liftoff/base/mapped_file.h"
#include "liftoff/formats/ggml_type.h"
#include "liftoff/formats/gguf_constants.h"

namespace liftoff::formats {
namespace {

using base::ByteReader;
using base::with_thousands;

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

// Bytes one element of `type` needs at minimum on disk (a string is at least its length field).
uint64_t min_value_bytes(GgufType type) {
  switch (type) {
    case GgufType::kUint8:
    case GgufType::kInt8:
    case GgufType::kBool:
      return 1;
    case GgufType::kUint16:
    case GgufType::kInt16:
      return 2;
    case GgufType::kUint32:
    case GgufType::kInt32:
    case GgufType::kFloat32:
      return 4;
    case GgufType::kUint64:
    case GgufType::kInt64:
    case GgufType::kFloat64:
    case GgufType::kString:
      return 8;
    case GgufType::kArray:
      return 4 + 8;  // element type + count
  }
  return 1;
}

bool is_known_type(uint32_t tag) { return tag <= static_cast<uint32_t>(GgufType::kFloat64); }

class GgufParser {
 public:
  explicit GgufParser(std::span<const uint8_t> bytes) : bytes_(bytes), r_(bytes) {}

  Result<ModelFile> parse() {
    ModelFile file;
    LIFTOFF_RETURN_IF_ERROR(read_magic_and_version(file));
    LIFTOFF_ASSIGN_OR_RETURN(uint64_t n_tensors, r_.read<uint64_t>("GGUF tensor count"));
    LIFTOFF_ASSIGN_OR_RETURN(uint64_t n_kv, r_.read<uint64_t>("GGUF metadata count"));
    LIFTOFF_RETURN_IF_ERROR(check_counts(n_tensors, n_kv));

    for (uint64_t i = 0; i < n_kv; ++i) LIFTOFF_RETURN_IF_ERROR(read_kv(i, file));
    LIFTOFF_RETURN_IF_ERROR(read_alignment(file));

    file.tensors.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
      LIFTOFF_ASSIGN_OR_RETURN(TensorInfo info, read_tensor_info(i, file.alignment));
      file.tensors.push_back(std::move(info));
    }
    LIFTOFF_RETURN_IF_ERROR(check_unique_tensor_names(file));

    // The data section starts at the next alignment boundary after the infos. A file with no
    // tensors may end before that boundary (llama.cpp's vocab-only files do), which is fine:
    // nothing is read from there.
    file.data_offset = align_up(r_.offset(), file.alignment);
    for (TensorInfo& t : file.tensors) LIFTOFF_RETURN_IF_ERROR(place_tensor(t, file.data_offset));
    return file;
  }

 private:
  static uint64_t align_up(uint64_t offset, uint64_t alignment) {
    // offset <= file size and alignment <= 2^32, so this cannot overflow.
    return (offset + alignment - 1) / alignment * alignment;
  }

  Status read_magic_and_version(ModelFile& file) {
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t magic, r_.read<uint32_t>("GGUF magic"));
    if (magic != kGgufMagic) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "0x%08x", magic);
      return Status::corrupt_data("not a GGUF file: magic at byte 0 is " + std::string(hex) +
                                  ", expected 0x46554747 ('GGUF')");
    }
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t version, r_.read<uint32_t>("GGUF version"));
    if (version == 1) {
      return Status::corrupt_data(
          "unsupported GGUF version 1 at byte 4 (only versions 2 and 3 are supported; "
          "re-convert the model with a current llama.cpp)");
    }
    if (version > kGgufMaxVersion && (version & 0xFFFF) == 0) {
      return Status::corrupt_data("unsupported GGUF version " + std::to_string(version) +
                                  " at byte 4: the file looks big-endian, only little-endian "
                                  "GGUF is supported");
    }
    if (version < kGgufMinVersion || version > kGgufMaxVersion) {
      return Status::corrupt_data("unsupported GGUF version " + std::to_string(version) +
                                  " at byte 4 (supported: 2 and 3)");
    }
    file.version = version;
    return Status::ok();
  }

  // A flipped count must fail here, not after a multi-gigabyte reserve or a long loop.
  Status check_counts(uint64_t n_tensors, uint64_t n_kv) const {
    const uint64_t left = r_.remaining();
    const uint64_t max_kv = left / kGgufMinKvBytes;
    if (n_kv > max_kv) {
      return Status::corrupt_data("GGUF metadata count " + with_thousands(n_kv) +
                                  " at byte 16 is impossible: the " + with_thousands(left) +
                                  " bytes after the header hold at most " + with_thousands(max_kv) +
                                  " key-value pairs");
    }
    const uint64_t max_tensors = (left - n_kv * kGgufMinKvBytes) / kGgufMinTensorInfoBytes;
    if (n_tensors > max_tensors) {
      return Status::corrupt_data("GGUF tensor count " + with_thousands(n_tensors) +
                                  " at byte 8 is impossible: the " + with_thousands(left) +
                                  " bytes after the header hold at most " +
                                  with_thousands(max_tensors) + " tensor infos after " +
                                  with_thousands(n_kv) + " key-value pairs");
    }
    return Status::ok();
  }

  Result<std::string> read_string(std::string_view what) {
    LIFTOFF_ASSIGN_OR_RETURN(uint64_t n, r_.read<uint64_t>(what));
    return r_.read_string(n, what);
  }

  Status read_kv(uint64_t index, ModelFile& file) {
    const size_t key_offset = r_.offset();
    const std::string key_what = "GGUF metadata key #" + std::to_string(index);
    LIFTOFF_ASSIGN_OR_RETURN(std::string key, read_string(key_what));
    if (key.empty()) {
      return Status::corrupt_data(key_what + " at byte " + with_thousands(key_offset) +
                                  " is empty");
    }
    const std::string what = "GGUF key " + in_quotes(key);
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t tag, r_.read<uint32_t>(what + " type"));
    LIFTOFF_ASSIGN_OR_RETURN(MetaValue value, read_value(tag, what));
    if (!file.metadata.emplace(key, std::move(value)).second) {
      return Status::corrupt_data("duplicate " + what + " at byte " + with_thousands(key_offset));
    }
    return Status::ok();
  }

  Status check_type_tag(uint32_t tag, const std::string& what) const {
    if (!is_known_type(tag)) {
      return Status::corrupt_data(what + " has unknown value type " + std::to_string(tag) +
                                  " at byte " + with_thousands(r_.offset() - 4));
    }
    return Status::ok();
  }

  Result<MetaValue> read_value(uint32_t tag, const std::string& what) {
    LIFTOFF_RETURN_IF_ERROR(check_type_tag(tag, what));
    MetaValue v;
    v.type = static_cast<GgufType>(tag);
    switch (v.type) {
      case GgufType::kUint8:
        return read_scalar<uint8_t>(v, what);
      case GgufType::kInt8:
        return read_scalar<int8_t>(v, what);
      case GgufType::kUint16:
        return read_scalar<uint16_t>(v, what);
      case GgufType::kInt16:
        return read_scalar<int16_t>(v, what);
      case GgufType::kUint32:
        return read_scalar<uint32_t>(v, what);
      case GgufType::kInt32:
        return read_scalar<int32_t>(v, what);
      case GgufType::kUint64:
        return read_scalar<uint64_t>(v, what);
      case GgufType::kInt64:
        return read_scalar<int64_t>(v, what);
      case GgufType::kFloat32:
        return read_scalar<float>(v, what);
      case GgufType::kFloat64:
        return read_scalar<double>(v, what);
      case GgufType::kBool: {
        LIFTOFF_ASSIGN_OR_RETURN(uint8_t b, r_.read<uint8_t>(what));
        v.value = b != 0;  // llama.cpp treats any nonzero byte as true
        return v;
      }
      case GgufType::kString: {
        LIFTOFF_ASSIGN_OR_RETURN(std::string s, read_string(what));
        v.value = std::move(s);
        return v;
      }
      case GgufType::kArray: {
        LIFTOFF_ASSIGN_OR_RETURN(std::shared_ptr<MetaArray> a, read_array(what));
        v.value = std::move(a);
        return v;
      }
    }
    return Status::internal("unreachable GGUF type");
  }

  // Integers keep their signedness (uint64_t / int64_t); floats widen to double.
  template <typename T>
  Result<MetaValue> read_scalar(MetaValue& v, const std::string& what) {
    LIFTOFF_ASSIGN_OR_RETURN(T x, r_.read<T>(what));
    if constexpr (std::is_floating_point_v<T>) {
      v.value = static_cast<double>(x);
    } else if constexpr (std::is_signed_v<T>) {
      v.value = static_cast<int64_t>(x);
    } else {
      v.value = static_cast<uint64_t>(x);
    }
    return std::move(v);
  }

  Result<std::shared_ptr<MetaArray>> read_array(const std::string& what) {
    LIFTOFF_ASSIGN_OR_RETURN(uint32_t tag, r_.read<uint32_t>(what + " array element type"));
    LIFTOFF_RETURN_IF_ERROR(check_type_tag(tag, what + " array element"));
    const auto type = static_cast<GgufType>(tag);
    if (type == GgufType::kArray) {
      // llama.cpp rejects nested arrays too, and no known key uses them.
      return Status::corrupt_data(what + " is an array of arrays at byte " +
                                  with_thousands(r_.offset() - 4) + ", which is not supported");
    }
    const size_t count_offset = r_.offset();
    LIFTOFF_ASSIGN_OR_RETURN(uint64_t n, r_.read<uint64_t>(what + " array length"));
    const uint64_t max_n = r_.remaining() / min_value_bytes(type);
    if (n > max_n) {
      return Status::corrupt_data(what + " array length " + with_thousands(n) + " at byte " +
                                  with_thousands(count_offset) + " is impossible: the " +
                                  with_thousands(r_.remaining()) + " bytes left hold at most " +
                                  with_thousands(max_n) + " elements");
    }
    auto a = std::make_shared<MetaArray>();
    a->element_type = type;
    LIFTOFF_RETURN_IF_ERROR(read_elements(*a, n, what + " array element"));
    return a;
  }

  // n was already checked against the remaining bytes, so the reservations below are bounded.
  Status read_elements(MetaArray& a, uint64_t n, const std::string& what) {
    switch (a.element_type) {
      case GgufType::kString:
        a.strings.reserve(n);
        for (uint64_t i = 0; i < n; ++i) {
          LIFTOFF_ASSIGN_OR_RETURN(std::string s, read_string(what));
          a.strings.push_back(std::move(s));
        }
        return Status::ok();
      case GgufType::kFloat32:
        return read_numbers<float>(a.floats, n, what);
      case GgufType::kFloat64:
        return read_numbers<double>(a.floats, n, what);
      case GgufType::kUint8:
        return read_numbers<uint8_t>(a.ints, n, what);
      case GgufType::kInt8:
        return read_numbers<int8_t>(a.ints, n, what);
      case GgufType::kUint16:
        return read_numbers<uint16_t>(a.ints, n, what);
      case GgufType::kInt16:
        return read_numbers<int16_t>(a.ints, n, what);
      case GgufType::kUint32:
        return read_numbers<uint32_t>(a.ints, n, what);
      case GgufType::kInt32:
        return read_numbers<int32_t>(a.ints, n, what);
      case GgufType::kInt64:
        return read_numbers<int64_t>(a.ints, n, what);
      // uint64 values above INT64_MAX are kept bit-for-bit (two's complement) in `ints`.
      case GgufType::kUint64:
        return read_numbers<uint64_t>(a.ints, n, what);
      case GgufType::kBool:
        return read_numbers<uint8_t>(a.ints, n, what, /*is_bool=*/true);
      case GgufType::kArray:
        break;
    }
    return Status::internal("unreachable GGUF array element type");
  }

  template <typename T, typename Out>
  Status read_numbers(std::vector<Out>& out, uint64_t n, const std::string& what,
                      bool is_bool = false) {
    LIFTOFF_ASSIGN_OR_RETURN(auto raw, r_.read_bytes(n * sizeof(T), what));
    out.resize(n);
    for (uint64_t i = 0; i < n; ++i) {
      T x;
      std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
      out[i] = is_bool ? static_cast<Out>(x != 0) : static_cast<Out>(x);
    }
    return Status::ok();
  }

  Status read_alignment(ModelFile& file) const {
    const MetaValue* v = file.find(std::string(kGgufAlignmentKey));
    if (v == nullptr) {
      file.alignment = kGgufDefaultAlignment;
      return Status::ok();
    }
    if (v->type != GgufType::kUint32) {
      return Status::corrupt_data("GGUF key 'general.alignment' must be a uint32, but has type " +
                                  std::to_string(static_cast<uint32_t>(v->type)));
    }
    const uint64_t a = std::get<uint64_t>(v->value);
    if (a == 0 || (a & (a - 1)) != 0) {
      return Status::corrupt_data("GGUF key 'general.alignment' is " + std::to_string(a) +
                                  ", which is not a nonzero power of two");
    }
    file.alignment = a;
    return Status::ok();
  }

  Result<TensorInfo> read_tensor_info(uint64_t index, uint64_t alignment) {
    TensorInfo t;
    const size_t info_offset = r_.offset();
    LIFTOFF_ASSIGN_OR_RETURN(t.name,
                             read_string("GGUF tensor #" + std::to_string(index) + " name"));
    const std::string what = "GGUF tensor " + in_quotes(t.name);

    LIFTOFF_ASSIGN_OR_RETURN(uint32_t n_dims, r_.read<uint32_t>(what + " n_dims"));
    if (n_dims == 0 || n_dims > kGgufMaxDims) {
      return Status::corrupt_data(what + " has " + std::to_string(n_dims) + " dimensions at byte " +
                                  with_thousands(r_.offset() - 4) + " (must be 1 to 4)");
    }
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      LIFTOFF_ASSIGN_OR_RETURN(uint64_t dim, r_.read<uint64_t>(what + " dims"));
      if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::corrupt_data(
            what + " dimension " + std::to_string(d) + " is " + std::to_string(dim) + " at byte " +
            with_thousands(r_.offset() - 8) + " (must be between 1 and 2^63-1)");
      }
      if (__builtin_mul_overflow(n_elements, dim, &n_elements) ||
          n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Status::corrupt_data(what + " at byte " + with_thousands(info_offset) +
                                    ": element count overflows 2^63 at dimension " +
                                    std::to_string(d));
      }
      t.dims.push_back(dim);
    }

    LIFTOFF_ASSIGN_OR_RETURN(t.ggml_type, r_.read<uint32_t>(what + " type"));
    std::optional<kernels::DType> dtype = dtype_from_ggml_type(t.ggml_type);
    if (!dtype) {
      const std::string_view name = ggml_type_name(t.ggml_type);
      if (name == "unknown") {
        return Status::corrupt_data(what + " has unknown ggml type id " +
                                    std::to_string(t.ggml_type) + " at byte " +
                                    with_thousands(r_.offset() - 4));
      }
      return Status::corrupt_data(
          what + " has ggml type id " + std::to_string(t.ggml_type) + " (" + std::string(name) +
          ") at byte " + with_thousands(r_.offset() - 4) + ", which liftoff does not support");
    }
    t.dtype = *dtype;
    const kernels::DTypeInfo& info = kernels::dtype_info(t.dtype);
    if (t.dims[0] % info.block_elems != 0) {
      return Status::corrupt_data(
          what + " (" + std::string(info.name) + ") has rows of " + std::to_string(t.dims[0]) +
          " elements, not a multiple of the block size " + std::to_string(info.block_elems));
    }
    // bytes = blocks * block_bytes; blocks <= n_elements < 2^63 but the product can overflow.
    const uint64_t n_blocks = n_elements / info.block_elems;
    if (__builtin_mul_overflow(n_blocks, static_cast<uint64_t>(info.block_bytes), &t.n_bytes)) {
      return Status::corrupt_data(what + ": byte size overflows 64 bits");
    }

    const size_t offset_at = r_.offset();
    LIFTOFF_ASSIGN_OR_RETURN(t.offset, r_.read<uint64_t>(what + " offset"));
    if (t.offset % alignment != 0) {
      return Status::corrupt_data(what + " data offset " + with_thousands(t.offset) + " at byte " +
                                  with_thousands(offset_at) +
                                  " is not a multiple of the alignment " +
                                  std::to_string(alignment));
    }
    return t;
  }

  static Status check_unique_tensor_names(const ModelFile& file) {
    std::map<std::string_view, size_t> seen;
    for (size_t i = 0; i < file.tensors.size(); ++i) {
      auto [it, inserted] = seen.emplace(file.tensors[i].name, i);
      if (!inserted) {
        return Status::corrupt_data(
            "duplicate GGUF tensor name " + in_quotes(file.tensors[i].name) + " (tensors #" +
            std::to_string(it->second) + " and #" + std::to_string(i) + ")");
      }
    }
    return Status::ok();
  }

  // Turns the relative offset into an absolute one and checks the data lies inside the file.
  Status place_tensor(TensorInfo& t, uint64_t data_offset) const {
    const std::string what = "GGUF tensor " + in_quotes(t.name);
    uint64_t begin = 0;
    uint64_t end = 0;
    if (__builtin_add_overflow(data_offset, t.offset, &begin) ||
        __builtin_add_overflow(begin, t.n_bytes, &end)) {
      return Status::corrupt_data(what + ": data offset " + with_thousands(t.offset) +
                                  " overflows 64 bits");
    }
    if (end > bytes_.size()) {
      return Status::corrupt_data(what + ": data ends at byte " + with_thousands(end) +
                                  " but the file has " + with_thousands(bytes_.size()) + " bytes");
    }
    t.offset = begin;
    t.data = bytes_.data() + begin;
    return Status::ok();
  }

  std::span<const uint8_t> bytes_;
  ByteReader r_;
};

}  // namespace

Result<ModelFile> parse_gguf(std::span<const uint8_t> bytes) {
  try {
    return GgufParser(bytes).parse();
  } catch (const std::bad_alloc&) {
    // Counts are bounded by the file size, so this means the machine is short of memory.
    return Status::resource_exhausted("out of memory while parsing GGUF metadata (" +
                                      with_thousands(bytes.size()) + " bytes)");
  }
}

Result<ModelFile> read_gguf(const std::filesystem::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(base::MappedFile mapped, base::MappedFile::open(path));
  // shared_ptr: the model layer may keep the mapping alive after this ModelFile is gone.
  auto mapping = std::make_shared<base::MappedFile>(std::move(mapped));
  Result<ModelFile> file = parse_gguf(mapping->bytes());
  if (!file.ok()) {
    return Status(file.status().code(), path.string() + ": " + file.status().message());
  }
  file->mappings.push_back(std::move(mapping));
  return file;
}

}  // namespace liftoff::formats
