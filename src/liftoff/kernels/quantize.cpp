// quantize_row / dequantize_row: the DType switch over the typed codecs, plus the plain float
// types (F32, F16, BF16), which need no blocks.
#include "liftoff/kernels/quantize.h"

#include <cstdint>
#include <cstring>

#include "liftoff/kernels/half.h"
#include "liftoff/kernels/quant_blocks.h"
#include "liftoff/kernels/quantize_activations.h"
#include "liftoff/kernels/quantize_k.h"
#include "liftoff/kernels/quantize_legacy.h"

namespace liftoff::kernels {

void dequantize_row(DType type, const void* src, float* dst, size_t n) {
  switch (type) {
    case DType::kF32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case DType::kF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (size_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
      return;
    }
    case DType::kBF16: {
      const auto* h = static_cast<const uint16_t*>(src);
      for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(h[i]);
      return;
    }
    case DType::kQ8_0:
      return dequantize_row_q8_0(static_cast<const BlockQ8_0*>(src), dst, n);
    case DType::kQ4_0:
      return dequantize_row_q4_0(static_cast<const BlockQ4_0*>(src), dst, n);
    case DType::kQ4_1:
      return dequantize_row_q4_1(static_cast<const BlockQ4_1*>(src), dst, n);
    case DType::kQ5_0:
      return dequantize_row_q5_0(static_cast<const BlockQ5_0*>(src), dst, n);
    case DType::kQ5_1:
      return dequantize_row_q5_1(static_cast<const BlockQ5_1*>(src), dst, n);
    case DType::kQ4_K:
      return dequantize_row_q4_k(static_cast<const BlockQ4_K*>(src), dst, n);
    case DType::kQ5_K:
      return dequantize_row_q5_k(static_cast<const BlockQ5_K*>(src), dst, n);
    case DType::kQ6_K:
      return dequantize_row_q6_k(static_cast<const BlockQ6_K*>(src), dst, n);
    case DType::kQ8_K:
      return dequantize_row_q8_k(static_cast<const BlockQ8_K*>(src), dst, n);
  }
}

void quantize_row(DType type, const float* src, void* dst, size_t n) {
  switch (type) {
    case DType::kF32:
      std::memcpy(dst, src, n * sizeof(float));
      return;
    case DType::kF16: {
      auto* h = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < n; ++i) h[i] = fp32_to_fp16(src[i]);
      return;
    }
    case DType::kBF16: {
      auto* h = static_cast<uint16_t*>(dst);
      for (size_t i = 0; i < n; ++i) h[i] = fp32_to_bf16(src[i]);
      return;
    }
    case DType::kQ8_0:
      return quantize_row_q8_0(src, static_cast<BlockQ8_0*>(dst), n);
    case DType::kQ4_0:
      return quantize_row_q4_0(src, static_cast<BlockQ4_0*>(dst), n);
    case DType::kQ4_1:
      return quantize_row_q4_1(src, static_cast<BlockQ4_1*>(dst), n);
    case DType::kQ5_0:
      return quantize_row_q5_0(src, static_cast<BlockQ5_0*>(dst), n);
    case DType::kQ5_1:
      return quantize_row_q5_1(src, static_cast<BlockQ5_1*>(dst), n);
    case DType::kQ4_K:
      return quantize_row_q4_k(src, static_cast<BlockQ4_K*>(dst), n);
    case DType::kQ5_K:
      return quantize_row_q5_k(src, static_cast<BlockQ5_K*>(dst), n);
    case DType::kQ6_K:
      return quantize_row_q6_k(src, static_cast<BlockQ6_K*>(dst), n);
    case DType::kQ8_K:
      return quantize_row_q8_k(src, static_cast<BlockQ8_K*>(dst), n);
  }
}

}  // namespace liftoff::kernels
