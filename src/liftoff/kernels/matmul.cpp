// matmul(): validates the shapes, quantizes the activations into the workspace, splits the
// output into (row chunk x token chunk) tasks over the pool and hands each to the kernel of the
// weight's family. The SIMD work itself lives in matmul_{float,q8,k}.cpp and
// matmul_activations.cpp, each with its own dynamic dispatch.
#include "liftoff/kernels/matmul.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "liftoff/base/status.h"  // LIFTOFF_CHECK
#include "liftoff/kernels/half.h"
#include "liftoff/kernels/matmul_internal.h"
#include "liftoff/kernels/quant_blocks.h"

namespace liftoff::kernels {
namespace {

using matmul_detail::MatmulJob;
using matmul_detail::TileRange;

enum class Family { kFloat, kQ8, kK };

Family family_of(DType type) {
  switch (type) {
    case DType::kF32:
    case DType::kF16:
    case DType::kBF16:
      return Family::kFloat;
    case DType::kQ8_0:
    case DType::kQ4_0:
    case DType::kQ4_1:
    case DType::kQ5_0:
    case DType::kQ5_1:
      return Family::kQ8;
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
    case DType::kQ8_K:
      return Family::kK;
  }
  return Family::kFloat;
}

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// Carves one Workspace allocation into the activation arrays and the per-thread scratch.
struct WorkspaceLayout {
  size_t qs = 0, d = 0, s = 0, bsums = 0, il_qs = 0, il_d = 0, il_s = 0, il_bsums = 0;
  size_t x_groups = 0, scratch = 0, total = 0;

  // block == 0: float weights, whose token groups (if any) hold the activations as floats.
  WorkspaceLayout(size_t n_tokens, size_t cols, size_t block, size_t n_groups,
                  size_t scratch_floats) {
    size_t at = 0;
    auto take = [&at](size_t bytes) {
      const size_t begin = at;
      at += round_up(bytes, 64);
      return begin;
    };
    if (block != 0) {
      qs = take(n_tokens * cols);
      d = take(n_tokens * (cols / block) * sizeof(float));
      s = take(n_tokens * (cols / block) * sizeof(float));
      bsums = take(n_tokens * (cols / 16) * sizeof(int16_t));
    }
    const size_t lanes = matmul_detail::kGroupTokens;
    if (n_groups != 0 && block == 0) x_groups = take(n_groups * lanes * cols * sizeof(float));
    if (n_groups != 0 && block != 0) {
      il_qs = take(n_groups * lanes * cols);
      il_d = take(n_groups * lanes * (cols / block) * sizeof(float));
      il_s = take(n_groups * lanes * (cols / 32) * sizeof(float));
      il_bsums = take(n_groups * lanes * (cols / 16) * sizeof(int16_t));
    }
    scratch = take(scratch_floats * sizeof(float));
    total = at;
  }
};

// Decode-sized calls stream every weight once and are split finely over rows so that both
// cores stay busy to the end; prefill tasks are larger so each one reuses its rows across many
// tokens, and tokens are split only when there are too few rows to go round.
void plan_tasks(size_t rows, size_t bytes_per_row, size_t n_tokens, size_t n_threads,
                size_t* row_chunk, size_t* token_chunk) {
  if (n_tokens <= 4) {
    constexpr size_t kAlign = 8;  // a multiple of every decode tile height
    // At least ~16 KiB of weights per task: below that the hand-off to another thread costs
    // more than it saves (tiny models run whole matrices on the calling thread).
    const size_t min_rows = (16384 + bytes_per_row - 1) / bytes_per_row;
    const size_t wanted = std::max(rows / (n_threads * 8), min_rows);
    *row_chunk = round_up(std::clamp<size_t>(wanted, kAlign, 256), kAlign);
    *token_chunk = n_tokens;
  } else {
    constexpr size_t kAlign = 24;  // a multiple of every prefill tile height (1, 3)
    *row_chunk = round_up(
        std::clamp<size_t>(rows / (n_threads * 4), kAlign, matmul_detail::kMaxPrefillRowChunk),
        kAlign);
    const size_t row_tasks = (rows + *row_chunk - 1) / *row_chunk;
    const size_t wanted = 4 * n_threads;
    const size_t token_tasks = row_tasks >= wanted ? 1 : (wanted + row_tasks - 1) / row_tasks;
    *token_chunk = round_up((n_tokens + token_tasks - 1) / token_tasks, 8);
  }
}

// What the interleaved Q8-family kernels need in `s` (see matmul_q8.cpp): the weight offset of
// the *_0 types (x = d * (q - offset)), 1 for the *_1 types (x = d * q + m).
float interleaved_s_scale(DType type) {
  switch (type) {
    case DType::kQ4_0:
      return 8.0f;
    case DType::kQ5_0:
      return 16.0f;
    case DType::kQ4_1:
    case DType::kQ5_1:
      return 1.0f;
    default:
      return 0.0f;
  }
}

}  // namespace

namespace matmul_detail {

const float* fp16_table() {
  static const std::unique_ptr<float[]> table = [] {
    auto t = std::make_unique<float[]>(65536);
    for (uint32_t h = 0; h < 65536; ++h) t[h] = fp16_to_fp32(static_cast<uint16_t>(h));
    return t;
  }();
  return table.get();
}

}  // namespace matmul_detail

void matmul(const WeightMatrix& w, const float* x, size_t n_tokens, float* out,
            base::ThreadPool& pool, Workspace& ws) {
  const MatmulTarget target{w, out};
  matmul_shared_input({&target, 1}, x, n_tokens, pool, ws);
}

void matmul_shared_input(std::span<const MatmulTarget> targets, const float* x, size_t n_tokens,
                         base::ThreadPool& pool, Workspace& ws) {
  if (targets.empty() || n_tokens == 0) return;
  const WeightMatrix& w = targets[0].w;
  // One activation quantization serves every target only if they agree on its format.
  for (const MatmulTarget& t : targets) {
    LIFTOFF_CHECK(t.w.cols == w.cols);
    if (t.w.type != w.type) {
      for (const MatmulTarget& each : targets) matmul(each.w, x, n_tokens, each.out, pool, ws);
      return;
    }
  }
  const DTypeInfo& info = dtype_info(w.type);
  LIFTOFF_CHECK(w.cols % info.block_elems == 0);
  if (w.cols == 0) {
    for (const MatmulTarget& t : targets) std::fill(t.out, t.out + n_tokens * t.w.rows, 0.0f);
    return;
  }

  const Family family = family_of(w.type);
  const size_t block = family == Family::kQ8 ? kQK : family == Family::kK ? kQK_K : 0;
  const size_t n_threads = pool.n_threads();
  const size_t scratch_floats = matmul_detail::kScratchFloatsPerCol * w.cols;
  const bool interleave = n_tokens >= (block == 0 ? matmul_detail::kFloatGroupMinTokens
                                                  : matmul_detail::kInterleaveMinTokens);
  const size_t lanes = matmul_detail::kGroupTokens;
  const size_t n_groups = interleave ? (n_tokens + lanes - 1) / lanes : 0;
  const WorkspaceLayout layout(n_tokens, w.cols, block, n_groups, n_threads * scratch_floats);
  uint8_t* base = ws.get(layout.total);

  MatmulJob job;
  job.w = w;
  job.x = x;
  job.n_tokens = n_tokens;
  job.scratch = reinterpret_cast<float*>(base + layout.scratch);
  job.f16_table = matmul_detail::fp16_table();

  if (block == 0 && interleave) {
    auto* x_groups = reinterpret_cast<float*>(base + layout.x_groups);
    pool.parallel_for(n_groups, [&](size_t g, size_t) {
      matmul_detail::interleave_float_activations(x, n_tokens, w.cols, g, x_groups);
    });
    job.x_groups = x_groups;
  }
  if (block != 0) {
    auto* qs = reinterpret_cast<int8_t*>(base + layout.qs);
    auto* d = reinterpret_cast<float*>(base + layout.d);
    auto* s = reinterpret_cast<float*>(base + layout.s);
    auto* bsums = reinterpret_cast<int16_t*>(base + layout.bsums);
    const size_t cols = w.cols;
    const size_t nb = cols / block;
    job.act = {qs, d, s, bsums, block, {}};
    auto quantize_token = [&](size_t t) {
      matmul_detail::quantize_activations(x + t * cols, cols, block, qs + t * cols, d + t * nb,
                                          s + t * nb, bsums + t * (cols / 16));
    };
    if (!interleave) {
      if (n_tokens == 1) {
        quantize_token(0);
      } else {
        pool.parallel_for(n_tokens, [&](size_t t, size_t) { quantize_token(t); });
      }
    } else {
      auto* il_qs = reinterpret_cast<int8_t*>(base + layout.il_qs);
      auto* il_d = reinterpret_cast<float*>(base + layout.il_d);
      auto* il_s = reinterpret_cast<float*>(base + layout.il_s);
      auto* il_bsums = reinterpret_cast<int16_t*>(base + layout.il_bsums);
      const float s_scale = interleaved_s_scale(w.type);
      // One task per group: quantize its tokens, then interleave them.
      pool.parallel_for(n_groups, [&](size_t g, size_t) {
        for (size_t t = g * lanes; t < std::min(n_tokens, (g + 1) * lanes); ++t) quantize_token(t);
        matmul_detail::interleave_activations(job.act, n_tokens, cols, s_scale, g, il_qs, il_d,
                                              il_s, il_bsums);
      });
      job.act.il = {il_qs, il_d, il_s, il_bsums, n_groups};
    }
  }

  void (*tiles)(const MatmulJob&, const TileRange&) =
      family == Family::kFloat ? &matmul_detail::matmul_tiles_float
      : family == Family::kQ8  ? &matmul_detail::matmul_tiles_q8
                               : &matmul_detail::matmul_tiles_k;

  // Every target's tasks go into one parallel_for: one hand-off instead of one per matrix, and
  // the small K/V matrices fill the gaps the larger Q matrix leaves at its end.
  struct TargetPlan {
    MatmulJob job;
    size_t row_chunk = 0, token_chunk = 0, token_tasks = 0, first_task = 0;
  };
  constexpr size_t kMaxTargets = 4;
  LIFTOFF_CHECK(targets.size() <= kMaxTargets);
  TargetPlan plans[kMaxTargets];
  size_t n_tasks = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    TargetPlan& p = plans[i];
    p.job = job;
    p.job.w = targets[i].w;
    p.job.out = targets[i].out;
    plan_tasks(p.job.w.rows, row_bytes(w.type, w.cols), n_tokens, n_threads, &p.row_chunk,
               &p.token_chunk);
    const size_t row_tasks = (p.job.w.rows + p.row_chunk - 1) / p.row_chunk;
    p.token_tasks = (n_tokens + p.token_chunk - 1) / p.token_chunk;
    p.first_task = n_tasks;
    n_tasks += row_tasks * p.token_tasks;
  }
  const size_t n_targets = targets.size();
  pool.parallel_for(n_tasks, [&](size_t task, size_t thread) {
    size_t i = n_targets - 1;
    while (task < plans[i].first_task) --i;
    const TargetPlan& p = plans[i];
    const size_t local = task - p.first_task;
    const size_t rc = local / p.token_tasks, tc = local % p.token_tasks;
    TileRange range;
    range.row_begin = rc * p.row_chunk;
    range.row_end = std::min(p.job.w.rows, range.row_begin + p.row_chunk);
    range.token_begin = tc * p.token_chunk;
    range.token_end = std::min(n_tokens, range.token_begin + p.token_chunk);
    range.thread = thread;
    tiles(p.job, range);
  });
}

}  // namespace liftoff::kernels
