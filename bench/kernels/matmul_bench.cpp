// Micro-benchmarks of kernels::matmul on the shapes of the models we serve, with the thread pool
// the engine uses (2 threads unless LIFTOFF_BENCH_THREADS says otherwise):
//   Decode/<type>/<rows>x<cols>:  one token; GB/s of weights streamed, and that as a fraction of
//                                 the machine's streaming-read bandwidth (bw_frac). Weights are
//                                 rotated through copies totalling >= 256 MiB so every call reads
//                                 them from DRAM, as a forward pass over a whole model does.
//   DecodeHot/...:                the same without rotation (cache-resident where it fits).
//   Prefill/<type>/<rows>x<cols>: 128 tokens; GFLOP/s (2 * rows * cols * tokens per call).
//   MemoryRead:                   streaming read of 256 MiB over the same pool (the bw yardstick).
// The machine is shared, so besides the usual averages every benchmark reports its fastest call
// (*_best counters): on a busy box the best of many short calls is the uncontended speed.
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "liftoff/base/aligned_buffer.h"
#include "liftoff/base/thread_pool.h"
#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/matmul.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/kernels/workspace.h"

namespace liftoff::kernels {
namespace {

constexpr size_t kRotateBytes = size_t{256} << 20;  // 8x the 32 MiB L3

base::ThreadPool& pool() {
  static base::ThreadPool p([] {
    const char* env = std::getenv("LIFTOFF_BENCH_THREADS");
    return env != nullptr ? static_cast<size_t>(std::atoi(env)) : size_t{2};
  }());
  return p;
}

// Fastest of the timed calls.
struct BestTime {
  std::chrono::steady_clock::time_point t0;
  double seconds = 1e30;
  void start() { t0 = std::chrono::steady_clock::now(); }
  void stop() {
    seconds = std::min(
        seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
};

// Sums 32-bit lanes of n bytes at p with four independent AVX2 accumulators.
__attribute__((target("avx2"))) uint32_t read_all(const uint8_t* p, size_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 128 <= n; i += 128) {
    a0 = _mm256_add_epi32(a0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_add_epi32(a1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    a2 = _mm256_add_epi32(a2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    a3 = _mm256_add_epi32(a3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  const __m256i s = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
  return static_cast<uint32_t>(_mm256_extract_epi32(s, 0));
}

// One pass over `bytes` split into 64 chunks over the pool (the matmul's own scheduling style).
void stream_read(const uint8_t* data, size_t bytes) {
  constexpr size_t kChunks = 64;
  const size_t chunk = bytes / kChunks;
  uint32_t sink[64] = {};
  pool().parallel_for(kChunks, [&](size_t task, size_t thread) {
    sink[thread] += read_all(data + task * chunk, chunk);
  });
  benchmark::DoNotOptimize(sink);
}

const base::AlignedBuffer<uint8_t>& read_buffer() {
  static base::AlignedBuffer<uint8_t> buf = [] {
    base::AlignedBuffer<uint8_t> b(kRotateBytes);
    std::memset(b.data(), 1, b.size());
    return b;
  }();
  return buf;
}

// Streaming-read bandwidth in GB/s, measured once with the same method as the decode numbers:
// the fastest of many calls, each reading the next 4 MiB slice of the 256 MiB buffer (so from
// DRAM) over the pool. Sustained rates on a quiet machine are somewhat lower; compare like with
// like (bw_frac_best uses this).
double memory_gbs() {
  static const double gbs = [] {
    constexpr size_t kSlice = size_t{4} << 20;
    const auto& buf = read_buffer();
    double best = 0;
    for (int pass = 0; pass < 4; ++pass) {
      for (size_t at = 0; at + kSlice <= buf.size(); at += kSlice) {
        const auto t0 = std::chrono::steady_clock::now();
        stream_read(buf.data() + at, kSlice);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, static_cast<double>(kSlice) / s / 1e9);
      }
    }
    return best;
  }();
  return gbs;
}

// Whole-buffer passes: the sustained rate (bytes_per_second) and the best pass (GBs_best).
void BM_MemoryRead(benchmark::State& state) {
  const auto& buf = read_buffer();
  BestTime best;
  for (auto _ : state) {
    best.start();
    stream_read(buf.data(), buf.size());
    best.stop();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * buf.size()));
  state.counters["GBs_best"] = static_cast<double>(buf.size()) / best.seconds / 1e9;
  state.counters["GBs_best_4MiB"] = memory_gbs();
}

// A rows x cols matrix of `type` quantized from fixed-seed N(0, 1) data, repeated `copies` times.
struct Weights {
  base::AlignedBuffer<uint8_t> data;
  size_t bytes_per_copy = 0;
  size_t copies = 0;
};

Weights make_weights(DType type, size_t rows, size_t cols, size_t min_total_bytes) {
  Weights w;
  w.bytes_per_copy = row_bytes(type, cols) * rows;
  w.copies = std::max<size_t>(1, (min_total_bytes + w.bytes_per_copy - 1) / w.bytes_per_copy);
  w.data.resize(w.bytes_per_copy * w.copies);
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> row(cols);
  const size_t stride = row_bytes(type, cols);
  for (size_t r = 0; r < rows; ++r) {
    for (float& v : row) v = dist(rng);
    quantize_row(type, row.data(), w.data.data() + r * stride, cols);
  }
  for (size_t c = 1; c < w.copies; ++c) {
    std::memcpy(w.data.data() + c * w.bytes_per_copy, w.data.data(), w.bytes_per_copy);
  }
  return w;
}

std::vector<float> make_activations(size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

void BM_Decode(benchmark::State& state, DType type, size_t rows, size_t cols, bool hot) {
  const Weights w = make_weights(type, rows, cols, hot ? 0 : kRotateBytes);
  const std::vector<float> x = make_activations(cols);
  std::vector<float> out(rows);
  Workspace ws;
  const double bw = memory_gbs();
  size_t copy = 0;
  BestTime best;
  for (auto _ : state) {
    const WeightMatrix m{type, w.data.data() + copy * w.bytes_per_copy, rows, cols};
    best.start();
    matmul(m, x.data(), 1, out.data(), pool(), ws);
    best.stop();
    benchmark::DoNotOptimize(out.data());
    copy = copy + 1 == w.copies ? 0 : copy + 1;
  }
  const double bytes = static_cast<double>(state.iterations()) * w.bytes_per_copy;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["bw_frac"] = benchmark::Counter(bytes / 1e9 / bw, benchmark::Counter::kIsRate);
  const double best_gbs = static_cast<double>(w.bytes_per_copy) / best.seconds / 1e9;
  state.counters["GBs_best"] = best_gbs;
  state.counters["bw_frac_best"] = best_gbs / bw;
  state.counters["us_best"] = best.seconds * 1e6;
}

void BM_Prefill(benchmark::State& state, DType type, size_t rows, size_t cols, size_t n_tokens) {
  const Weights w = make_weights(type, rows, cols, 0);
  const std::vector<float> x = make_activations(n_tokens * cols);
  std::vector<float> out(n_tokens * rows);
  Workspace ws;
  const WeightMatrix m{type, w.data.data(), rows, cols};
  BestTime best;
  for (auto _ : state) {
    best.start();
    matmul(m, x.data(), n_tokens, out.data(), pool(), ws);
    best.stop();
    benchmark::DoNotOptimize(out.data());
  }
  const double flop = 2.0 * rows * cols * n_tokens;
  state.counters["GFLOPs"] = benchmark::Counter(
      flop * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["GFLOPs_best"] = flop / best.seconds / 1e9;
}

struct Shape {
  size_t rows, cols;
};
// smol-135m (dim 576, ffn 1536, vocab 49152) and tinyllama-1.1b (dim 2048, ffn 5632).
constexpr Shape kShapes[] = {{576, 576},   {1536, 576},  {576, 1536}, {49152, 576},
                             {2048, 2048}, {5632, 2048}, {2048, 5632}};
constexpr DType kTypes[] = {DType::kQ8_0, DType::kF16,  DType::kQ4_0, DType::kQ4_K,
                            DType::kQ6_K, DType::kF32,  DType::kBF16, DType::kQ4_1,
                            DType::kQ5_0, DType::kQ5_1, DType::kQ5_K, DType::kQ8_K};

int register_all() {
  benchmark::RegisterBenchmark("MemoryRead", BM_MemoryRead)->UseRealTime();
  for (DType type : kTypes) {
    const std::string name(dtype_info(type).name);
    const size_t block = dtype_info(type).block_elems;
    for (const Shape& s : kShapes) {
      if (s.cols % block != 0) continue;  // llama.cpp stores such tensors in a fallback type
      const std::string dims = std::to_string(s.rows) + "x" + std::to_string(s.cols);
      benchmark::RegisterBenchmark(("Decode/" + name + "/" + dims).c_str(), BM_Decode, type, s.rows,
                                   s.cols, false)
          ->UseRealTime();
      // The same matrix every call, from L2/L3 where it fits: kernel speed without DRAM.
      benchmark::RegisterBenchmark(("DecodeHot/" + name + "/" + dims).c_str(), BM_Decode, type,
                                   s.rows, s.cols, true)
          ->UseRealTime();
    }
    for (const Shape& s : kShapes) {
      // The output layer runs once per prompt, not per prompt token.
      if (s.rows == 49152 || s.cols % block != 0) continue;
      const std::string dims = std::to_string(s.rows) + "x" + std::to_string(s.cols);
      benchmark::RegisterBenchmark(("Prefill/" + name + "/" + dims).c_str(), BM_Prefill, type,
                                   s.rows, s.cols, size_t{128})
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
      // One decode step of a server running 16 sequences.
      benchmark::RegisterBenchmark(("Batch16/" + name + "/" + dims).c_str(), BM_Prefill, type,
                                   s.rows, s.cols, size_t{16})
          ->UseRealTime();
    }
  }
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace liftoff::kernels

BENCHMARK_MAIN();
