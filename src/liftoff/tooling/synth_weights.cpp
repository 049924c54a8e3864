// Random values and their encoding for synthetic tensors. Integer-only generation (SplitMix64 and
// an Irwin-Hall sum) instead of std::normal_distribution or Box-Muller: those go through libm's
// log/cos, whose last bits differ between libc versions, and the same seed must give the same
// file on every machine. It is also several times faster, which matters at a billion weights.
#include "liftoff/tooling/synth_weights.h"

#include <algorithm>
#include <cmath>

#include "liftoff/base/status.h"  // LIFTOFF_CHECK
#include "liftoff/kernels/quantize.h"

namespace liftoff::tooling {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a full-period 64-bit generator whose output function is
// also a good hash of its state, which is how seeds are derived below.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t next() { return mix(state_ += 0x9e3779b97f4a7c15ULL); }
  static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Sum of 8 independent uniform 16-bit values, centred and scaled to unit variance. Irwin-Hall
// with n = 8 is within a few percent of the normal density, and bounded at about ±4.9: no outlier
// that would make a block's scale unrepresentative.
constexpr double kUniform16Var = (65536.0 * 65536.0 - 1.0) / 12.0;  // variance of one u16
const float kIrwinHallScale = static_cast<float>(1.0 / std::sqrt(8.0 * kUniform16Var));
constexpr int64_t kIrwinHallMean = 8 * 65535 / 2;  // 262140; 8 * 65535 is even, so exact

float standard_normal_ish(SplitMix64& rng) {
  const uint64_t a = rng.next();
  const uint64_t b = rng.next();
  int64_t sum = 0;
  for (int shift = 0; shift < 64; shift += 16) {
    sum +=
        static_cast<int64_t>((a >> shift) & 0xffff) + static_cast<int64_t>((b >> shift) & 0xffff);
  }
  return static_cast<float>(sum - kIrwinHallMean) * kIrwinHallScale;
}

// Rows per pool task: enough work to amortise the hand-off, small enough to balance 2-16 threads.
constexpr uint64_t kRowsPerTask = 16;

}  // namespace

void synth_row_values(uint64_t seed, std::string_view name, uint64_t row, const SynthInit& init,
                      float* out, size_t n) {
  SplitMix64 rng(SplitMix64::mix(SplitMix64::mix(seed ^ fnv1a(name)) + row));
  for (size_t i = 0; i < n; ++i) out[i] = init.mean + init.stddev * standard_normal_ish(rng);
}

std::vector<uint8_t> synth_tensor_data(uint64_t seed, std::string_view name, uint64_t n_cols,
                                       uint64_t n_rows, kernels::DType dtype, const SynthInit& init,
                                       base::ThreadPool& pool) {
  LIFTOFF_CHECK(n_cols % kernels::dtype_info(dtype).block_elems == 0);
  const size_t bytes_per_row = kernels::row_bytes(dtype, n_cols);
  std::vector<uint8_t> data(bytes_per_row * n_rows);
  // One float row per thread; parallel_for's thread index is unique among concurrent tasks.
  std::vector<std::vector<float>> scratch(pool.n_threads(), std::vector<float>(n_cols));
  const uint64_t n_tasks = (n_rows + kRowsPerTask - 1) / kRowsPerTask;
  pool.parallel_for(n_tasks, [&](size_t task, size_t thread) {
    float* values = scratch[thread].data();
    const uint64_t end = std::min(n_rows, (task + 1) * kRowsPerTask);
    for (uint64_t row = task * kRowsPerTask; row < end; ++row) {
      synth_row_values(seed, name, row, init, values, n_cols);
      kernels::quantize_row(dtype, values, data.data() + row * bytes_per_row, n_cols);
    }
  });
  return data;
}

}  // namespace liftoff::tooling
