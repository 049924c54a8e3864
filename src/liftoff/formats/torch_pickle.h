// A safe reader for the pickle that torch.save writes for a state dict (data.pkl inside the zip).
// It is a small pickle VM that knows only the opcodes such a pickle uses and only an allow-list
// of globals (torch._utils._rebuild_tensor_v2 / _rebuild_parameter, collections.OrderedDict,
// torch.{Float,Half,BFloat16}Storage): nothing in the file is ever executed, and any other
// global (os.system, builtins.eval, ...) is refused with its name.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "liftoff/base/status.h"
#include "liftoff/kernels/dtype.h"

namespace liftoff::formats {

// One tensor of the state dict: which storage (archive/data/<key>) holds it and where.
struct TorchTensorRecord {
  std::string name;
  std::string storage_key;
  kernels::DType dtype = kernels::DType::kF32;
  int64_t storage_numel = 0;   // elements in the whole storage
  int64_t storage_offset = 0;  // elements before the tensor's first one
  std::vector<int64_t> shape;  // PyTorch order (row-major, last dim fastest)
  std::vector<int64_t> stride;
};

// The globals a state dict may name; exposed for error messages and tests.
inline constexpr const char* kTorchPickleAllowedGlobals =
    "torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, collections.OrderedDict, "
    "torch.FloatStorage, torch.HalfStorage, torch.BFloat16Storage";

// Runs the pickle and returns its tensors in file order. The top-level object must be a dict of
// name -> tensor. Errors (kInvalidArgument or kCorruptData, naming the byte offset): a global
// outside the allow-list, an unsupported opcode or storage type, a malformed or truncated pickle.
Result<std::vector<TorchTensorRecord>> read_torch_state_dict_pickle(
    std::span<const uint8_t> pickle);

}  // namespace liftoff::formats
