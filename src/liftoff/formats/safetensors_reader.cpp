// read_safetensors: header validation (sizes, dtypes, ranges, overlaps) and the zero-copy view.
#include "liftoff/formats/safetensors_reader.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "liftoff/base/byte_reader.h"
#include "liftoff/formats/gguf_reader.h"  // ggml_type_from_dtype

namespace liftoff::formats {
namespace {

using base::with_thousands;
using nlohmann::json;

struct DtypeEntry {
  const char* name;
  kernels::DType dtype;
  uint64_t bytes;
};
constexpr DtypeEntry kDtypes[] = {
    {"F32", kernels::DType::kF32, 4},
    {"F16", kernels::DType::kF16, 2},
    {"BF16", kernels::DType::kBF16, 2},
};

Status bad(const std::string& what) { return Status::corrupt_data(what); }

// One header entry, checked against the data area of `data_bytes` bytes.
Status parse_entry(const std::string& name, const json& entry, uint64_t data_start,
                   uint64_t data_bytes, TensorInfo& t, uint64_t& begin, uint64_t& end) {
  const std::string where = "tensor '" + name + "'";
  if (!entry.is_object()) return bad(where + ": header entry is not an object");
  const json dtype = entry.value("dtype", json());
  if (!dtype.is_string()) return bad(where + ": no string \"dtype\"");
  const DtypeEntry* type = nullptr;
  for (const DtypeEntry& d : kDtypes) {
    if (dtype.get<std::string>() == d.name) type = &d;
  }
  if (type == nullptr) {
    return Status::invalid_argument(where + " has dtype " + dtype.get<std::string>() +
                                    "; only F32, F16 and BF16 are supported");
  }
  const json shape = entry.value("shape", json());
  if (!shape.is_array() || shape.size() > 8) return bad(where + ": \"shape\" is not a short array");
  uint64_t n_elements = 1;
  std::vector<uint64_t> dims;
  for (const json& d : shape) {
    if (!d.is_number_unsigned()) return bad(where + ": shape entry " + d.dump() + " is invalid");
    const uint64_t v = d.get<uint64_t>();
    if (v != 0 && n_elements > (uint64_t{1} << 62) / v) {
      return bad(where + ": shape " + shape.dump() + " overflows");
    }
    n_elements *= v;
    dims.insert(dims.begin(), v);  // GGUF order: fastest-varying first
  }
  const json offsets = entry.value("data_offsets", json());
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    return bad(where + ": \"data_offsets\" is not [begin, end]");
  }
  begin = offsets[0].get<uint64_t>();
  end = offsets[1].get<uint64_t>();
  if (begin > end) {
    return bad(where + ": data_offsets begin " + with_thousands(begin) + " is after end " +
               with_thousands(end));
  }
  if (end > data_bytes) {
    return bad(where + ": data ends at byte " + with_thousands(data_start + end) +
               " but the file has " + with_thousands(data_start + data_bytes));
  }
  if (n_elements * type->bytes != end - begin) {
    return bad(where + ": shape " + shape.dump() + " x " + type->name + " is " +
               with_thousands(n_elements * type->bytes) + " bytes but data_offsets span " +
               with_thousands(end - begin) + " (bytes " + with_thousands(data_start + begin) +
               ".." + with_thousands(data_start + end) + ")");
  }
  t.name = name;
  t.dims = std::move(dims);
  t.dtype = type->dtype;
  t.ggml_type = ggml_type_from_dtype(type->dtype);
  t.offset = data_start + begin;
  t.n_bytes = end - begin;
  return Status::ok();
}

Result<ModelFile> parse(std::shared_ptr<base::MappedFile> mapping) {
  base::ByteReader r(mapping->bytes());
  LIFTOFF_ASSIGN_OR_RETURN(const uint64_t header_bytes,
                           r.read<uint64_t>("safetensors header length"));
  if (header_bytes < 2 || header_bytes > kSafetensorsMaxHeaderBytes) {
    return bad("safetensors header length " + with_thousands(header_bytes) + " is outside [2, " +
               with_thousands(kSafetensorsMaxHeaderBytes) + "]");
  }
  LIFTOFF_ASSIGN_OR_RETURN(std::string header_text,
                           r.read_string(header_bytes, "safetensors JSON header"));
  json header;
  try {
    header = json::parse(header_text);
  } catch (const json::exception& e) {
    return bad("safetensors header (bytes 8.." + with_thousands(8 + header_bytes) +
               ") is not valid JSON: " + e.what());
  }
  if (!header.is_object()) return bad("safetensors header is not a JSON object");

  const uint64_t data_start = 8 + header_bytes;
  const uint64_t data_bytes = mapping->size() - data_start;
  ModelFile file;
  file.version = 0;
  file.alignment = 1;
  file.data_offset = data_start;
  struct Range {
    uint64_t begin, end;
    size_t tensor;
  };
  std::vector<Range> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;  // free-form string map; nothing we need
    TensorInfo t;
    uint64_t begin = 0, end = 0;
    LIFTOFF_RETURN_IF_ERROR(parse_entry(name, entry, data_start, data_bytes, t, begin, end));
    t.data = mapping->data() + t.offset;
    ranges.push_back({begin, end, file.tensors.size()});
    file.tensors.push_back(std::move(t));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end) {
      return bad("tensors '" + file.tensors[ranges[i - 1].tensor].name + "' (bytes " +
                 with_thousands(data_start + ranges[i - 1].begin) + ".." +
                 with_thousands(data_start + ranges[i - 1].end) + ") and '" +
                 file.tensors[ranges[i].tensor].name + "' (bytes " +
                 with_thousands(data_start + ranges[i].begin) + ".." +
                 with_thousands(data_start + ranges[i].end) + ") overlap");
    }
  }
  file.mappings.push_back(std::move(mapping));
  return file;
}

}  // namespace

Result<ModelFile> read_safetensors(const std::filesystem::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(base::MappedFile mapped, base::MappedFile::open(path));
  auto mapping = std::make_shared<base::MappedFile>(std::move(mapped));
  Result<ModelFile> file = parse(mapping);
  if (!file.ok()) {
    return Status(file.status().code(), path.string() + ": " + file.status().message());
  }
  return file;
}

}  // namespace liftoff::formats
