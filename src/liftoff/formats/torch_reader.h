// PyTorch torch.save files (a zip holding <prefix>/data.pkl and one <prefix>/data/<key> entry per
// storage) presented as a ModelFile whose tensors keep their state-dict names and point into the
// mapping. The pickle is read by the safe VM of torch_pickle.h; no Python, nothing executed.
#pragma once

#include <filesystem>

#include "liftoff/base/status.h"
#include "liftoff/formats/model_file.h"

namespace liftoff::formats {

// Errors: kNotFound/kUnavailable (I/O); kInvalidArgument (a refused global, a compressed entry,
// a non-contiguous tensor, an unsupported dtype, a big-endian file); kCorruptData (a storage
// entry missing or of the wrong size, a tensor outside its storage), each naming the tensor.
Result<ModelFile> read_torch_checkpoint(const std::filesystem::path& path);

// True if the file starts with a zip local header ("PK\3\4"), as torch.save files do.
bool looks_like_zip(const std::filesystem::path& path);

}  // namespace liftoff::formats
