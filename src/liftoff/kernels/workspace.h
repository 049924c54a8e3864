// Workspace: reusable scratch memory for kernels (quantized activations, partial sums). It grows
// to the largest request and then stays, so steady-state decode allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "liftoff/base/aligned_buffer.h"

namespace liftoff::kernels {

class Workspace {
 public:
  // A 64-byte-aligned region of at least `bytes`, valid until the next call to get().
  uint8_t* get(size_t bytes) {
    if (buffer_.size() < bytes) buffer_.resize(bytes);
    return buffer_.data();
  }

 private:
  base::AlignedBuffer<uint8_t> buffer_;
};

}  // namespace liftoff::kernels
