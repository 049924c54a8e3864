// read_torch_checkpoint: zip directory -> data.pkl through the safe pickle VM -> tensors checked
// against their storages (contiguous, in range) -> ModelFile.
#include "liftoff/formats/torch_reader.h"

#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "liftoff/base/byte_reader.h"  // with_thousands
#include "liftoff/base/mapped_file.h"
#include "liftoff/formats/gguf_reader.h"  // ggml_type_from_dtype
#include "liftoff/formats/torch_pickle.h"
#include "liftoff/formats/zip_reader.h"

namespace liftoff::formats {
namespace {

using base::with_thousands;

std::string dims_text(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

uint64_t element_bytes(kernels::DType t) { return t == kernels::DType::kF32 ? 4 : 2; }

Result<ModelFile> parse(std::shared_ptr<base::MappedFile> mapping) {
  LIFTOFF_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries, read_zip_entries(mapping->bytes()));
  // The records sit under one folder named by torch.save ("archive/", or the file's stem).
  const ZipEntry* pickle = nullptr;
  std::string prefix;
  std::map<std::string, const ZipEntry*> by_name;
  for (const ZipEntry& e : entries) {
    by_name[e.name] = &e;
    const size_t slash = e.name.find('/');
    if (slash != std::string::npos && e.name.substr(slash) == "/data.pkl") {
      if (pickle != nullptr) return Status::invalid_argument("the zip holds several data.pkl");
      pickle = &e;
      prefix = e.name.substr(0, slash + 1);
    }
  }
  if (pickle == nullptr) {
    return Status::invalid_argument("a zip without <folder>/data.pkl is not a torch.save file");
  }
  if (auto it = by_name.find(prefix + "byteorder"); it != by_name.end()) {
    const std::string order(
        reinterpret_cast<const char*>(mapping->data() + it->second->data_offset), it->second->size);
    if (order != "little") {
      return Status::invalid_argument("byte order '" + order + "' is not supported (little is)");
    }
  }
  LIFTOFF_ASSIGN_OR_RETURN(
      std::vector<TorchTensorRecord> records,
      read_torch_state_dict_pickle(mapping->bytes().subspan(pickle->data_offset, pickle->size)));

  ModelFile file;
  file.version = 0;
  file.alignment = 1;
  for (const TorchTensorRecord& rec : records) {
    const std::string where = "tensor '" + rec.name + "'";
    const auto it = by_name.find(prefix + "data/" + rec.storage_key);
    if (it == by_name.end()) {
      return Status::corrupt_data(where + ": storage entry " + prefix + "data/" + rec.storage_key +
                                  " is missing from the zip");
    }
    const ZipEntry& storage = *it->second;
    const uint64_t elem = element_bytes(rec.dtype);
    if (static_cast<uint64_t>(rec.storage_numel) > storage.size / elem ||
        static_cast<uint64_t>(rec.storage_numel) * elem != storage.size) {
      return Status::corrupt_data(where + ": storage " + rec.storage_key + " should hold " +
                                  with_thousands(rec.storage_numel) + " elements of " +
                                  std::to_string(elem) + " bytes but its entry has " +
                                  with_thousands(storage.size) + " bytes");
    }
    // Row-major strides; a dimension of size 1 may carry any stride.
    uint64_t n_elements = 1;
    for (size_t d = rec.shape.size(); d-- > 0;) {
      if (rec.shape[d] != 1 && static_cast<uint64_t>(rec.stride[d]) != n_elements) {
        return Status::invalid_argument(where + " is not contiguous (size " + dims_text(rec.shape) +
                                        ", stride " + dims_text(rec.stride) +
                                        "); save it after .contiguous()");
      }
      const auto n = static_cast<uint64_t>(rec.shape[d]);
      if (n != 0 && n_elements > (uint64_t{1} << 62) / n) {
        return Status::corrupt_data(where + ": size " + dims_text(rec.shape) + " overflows");
      }
      n_elements *= n;
    }
    const auto offset = static_cast<uint64_t>(rec.storage_offset);
    if (offset > static_cast<uint64_t>(rec.storage_numel) ||
        n_elements > static_cast<uint64_t>(rec.storage_numel) - offset) {
      return Status::corrupt_data(where + ": elements " + with_thousands(offset) + ".." +
                                  with_thousands(offset + n_elements) + " lie outside storage " +
                                  rec.storage_key + " of " + with_thousands(rec.storage_numel));
    }
    TensorInfo t;
    t.name = rec.name;
    for (size_t d = rec.shape.size(); d-- > 0;)
      t.dims.push_back(static_cast<uint64_t>(rec.shape[d]));
    t.dtype = rec.dtype;
    t.ggml_type = ggml_type_from_dtype(rec.dtype);
    t.offset = storage.data_offset + offset * elem;
    t.n_bytes = n_elements * elem;
    t.data = mapping->data() + t.offset;
    file.tensors.push_back(std::move(t));
  }
  file.mappings.push_back(std::move(mapping));
  return file;
}

}  // namespace

bool looks_like_zip(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

Result<ModelFile> read_torch_checkpoint(const std::filesystem::path& path) {
  LIFTOFF_ASSIGN_OR_RETURN(base::MappedFile mapped, base::MappedFile::open(path));
  Result<ModelFile> file = parse(std::make_shared<base::MappedFile>(std::move(mapped)));
  if (!file.ok()) {
    return Status(file.status().code(), path.string() + ": " + file.status().message());
  }
  return file;
}

}  // namespace liftoff::formats
