// Reference codecs of the 32-element block formats. Encoders follow llama.cpp's
// quantize_row_*_ref decisions exactly (scale from the extreme element, truncating x + offset),
// so a row encoded here is byte-identical to one written by llama-quantize.
#include "liftoff/kernels/quantize_legacy.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "liftoff/kernels/half.h"

namespace liftoff::kernels {
namespace {

// Element of largest magnitude, sign kept (the first one on ties), as the symmetric formats
// map it to the most negative level -2^(bits-1) so the full code range gets used.
float signed_absmax(const float* x) {
  float amax = 0.0f;
  float max = 0.0f;
  for (size_t j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void min_max(const float* x, float* min_out, float* max_out) {
  float min = FLT_MAX;
  float max = -FLT_MAX;
  for (size_t j = 0; j < kQK; ++j) {
    if (x[j] < min) min = x[j];
    if (x[j] > max) max = x[j];
  }
  *min_out = min;
  *max_out = max;
}

// Bit j of the 32-bit little-endian qh field holds bit 4 of element j.
void store_qh(uint32_t qh, uint8_t* out) {
  for (size_t k = 0; k < 4; ++k) out[k] = static_cast<uint8_t>(qh >> (8 * k));
}
uint32_t load_qh(const uint8_t* in) {
  return static_cast<uint32_t>(in[0]) | static_cast<uint32_t>(in[1]) << 8 |
         static_cast<uint32_t>(in[2]) << 16 | static_cast<uint32_t>(in[3]) << 24;
}

// Code of x / d rounded by "add offset + 0.5, truncate", clamped to [0, top]. Callers pass
// values whose x * id + offset is >= 0, so truncation is floor, as in llama.cpp.
inline int code(float scaled, float offset_plus_half, int top) {
  return std::min(top, static_cast<int>(scaled + offset_plus_half));
}

}  // namespace

void quantize_row_q4_0(const float* x, BlockQ4_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = signed_absmax(x) / -8;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    for (size_t j = 0; j < kQK / 2; ++j) {
      const int lo = code(x[j] * id, 8.5f, 15);
      const int hi = code(x[j + kQK / 2] * id, 8.5f, 15);
      y[b].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

void quantize_row_q4_1(const float* x, BlockQ4_1* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float min;
    float max;
    min_max(x, &min, &max);
    const float d = (max - min) / 15;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    y[b].m = fp32_to_fp16(min);
    for (size_t j = 0; j < kQK / 2; ++j) {
      const int lo = code((x[j] - min) * id, 0.5f, 15);
      const int hi = code((x[j + kQK / 2] - min) * id, 0.5f, 15);
      y[b].qs[j] = static_cast<uint8_t>(lo | hi << 4);
    }
  }
}

void quantize_row_q5_0(const float* x, BlockQ5_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = signed_absmax(x) / -16;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    uint32_t qh = 0;
    for (size_t j = 0; j < kQK / 2; ++j) {
      const int lo = code(x[j] * id, 16.5f, 31);
      const int hi = code(x[j + kQK / 2] * id, 16.5f, 31);
      y[b].qs[j] = static_cast<uint8_t>((lo & 0xF) | (hi & 0xF) << 4);
      qh |= static_cast<uint32_t>(lo >> 4) << j;
      qh |= static_cast<uint32_t>(hi >> 4) << (j + kQK / 2);
    }
    store_qh(qh, y[b].qh);
  }
}

void quantize_row_q5_1(const float* x, BlockQ5_1* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float min;
    float max;
    min_max(x, &min, &max);
    const float d = (max - min) / 31;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = fp32_to_fp16(d);
    y[b].m = fp32_to_fp16(min);
    uint32_t qh = 0;
    for (size_t j = 0; j < kQK / 2; ++j) {
      // (x - min) * id <= 31 up to rounding, so the clamp never changes a code.
      const int lo = code((x[j] - min) * id, 0.5f, 31);
      const int hi = code((x[j + kQK / 2] - min) * id, 0.5f, 31);
      y[b].qs[j] = static_cast<uint8_t>((lo & 0xF) | (hi & 0xF) << 4);
      qh |= static_cast<uint32_t>(lo >> 4) << j;
      qh |= static_cast<uint32_t>(hi >> 4) << (j + kQK / 2);
    }
    store_qh(qh, y[b].qh);
  }
}

void dequantize_row_q4_0(const BlockQ4_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = fp16_to_fp32(x[b].d);
    for (size_t j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((x[b].qs[j] & 0xF) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((x[b].qs[j] >> 4) - 8) * d;
    }
  }
}

void dequantize_row_q4_1(const BlockQ4_1* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = fp16_to_fp32(x[b].d);
    const float m = fp16_to_fp32(x[b].m);
    for (size_t j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(x[b].qs[j] & 0xF) * d + m;
      y[j + kQK / 2] = static_cast<float>(x[b].qs[j] >> 4) * d + m;
    }
  }
}

void dequantize_row_q5_0(const BlockQ5_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = fp16_to_fp32(x[b].d);
    const uint32_t qh = load_qh(x[b].qh);
    for (size_t j = 0; j < kQK / 2; ++j) {
      const int lo = (x[b].qs[j] & 0xF) | static_cast<int>((qh >> j) & 1) << 4;
      const int hi = (x[b].qs[j] >> 4) | static_cast<int>((qh >> (j + kQK / 2)) & 1) << 4;
      y[j] = static_cast<float>(lo - 16) * d;
      y[j + kQK / 2] = static_cast<float>(hi - 16) * d;
    }
  }
}

void dequantize_row_q5_1(const BlockQ5_1* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = fp16_to_fp32(x[b].d);
    const float m = fp16_to_fp32(x[b].m);
    const uint32_t qh = load_qh(x[b].qh);
    for (size_t j = 0; j < kQK / 2; ++j) {
      const int lo = (x[b].qs[j] & 0xF) | static_cast<int>((qh >> j) & 1) << 4;
      const int hi = (x[b].qs[j] >> 4) | static_cast<int>((qh >> (j + kQK / 2)) & 1) << 4;
      y[j] = static_cast<float>(lo) * d + m;
      y[j + kQK / 2] = static_cast<float>(hi) * d + m;
    }
  }
}

void dequantize_row_q8_0(const BlockQ8_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = fp16_to_fp32(x[b].d);
    for (size_t j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

}  // namespace liftoff::kernels
