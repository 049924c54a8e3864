// Tensor conversion and file rewriting of `liftoff quantize`.
#include "liftoff/tooling/quantize.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "liftoff/formats/gguf_writer.h"
#include "liftoff/formats/open_model.h"
#include "liftoff/kernels/quantize.h"
#include "liftoff/tooling/output_path.h"

namespace liftoff::tooling {
namespace {

using kernels::DType;

// What llama.cpp writes as general.quantization_version (GGML_QNT_VERSION).
constexpr uint32_t kQuantizationVersion = 2;
// Rows per pool task: enough work per task to amortise the claim, small enough to balance a
// matrix of a few hundred rows over every thread.
constexpr uint64_t kRowsPerTask = 16;

bool is_quantized(DType t) { return kernels::dtype_info(t).block_elems > 1; }

Status check_paths(const QuantizeOptions& o) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(o.input, ec)) {
    return Status::not_found("input model " + o.input.string() + " not found");
  }
  return check_output_path(o.output, o.input);
}

}  // namespace

std::vector<uint8_t> convert_tensor(const uint8_t* src, DType from, DType to, uint64_t row,
                                    uint64_t n_rows, base::ThreadPool& pool) {
  const size_t in_row_bytes = kernels::row_bytes(from, row);
  const size_t out_row_bytes = kernels::row_bytes(to, row);
  std::vector<uint8_t> out(out_row_bytes * n_rows);
  // Per-thread f32 row; the F32 input is read in place.
  std::vector<std::vector<float>> scratch(pool.n_threads());
  const size_t n_tasks = (n_rows + kRowsPerTask - 1) / kRowsPerTask;
  pool.parallel_for(n_tasks, [&](size_t task, size_t thread) {
    std::vector<float>& f32 = scratch[thread];
    if (from != DType::kF32 && f32.size() < row) f32.resize(row);
    const uint64_t end = std::min(n_rows, (task + 1) * kRowsPerTask);
    for (uint64_t r = task * kRowsPerTask; r < end; ++r) {
      const uint8_t* in = src + r * in_row_bytes;
      const float* values;
      if (from == DType::kF32) {
        values = reinterpret_cast<const float*>(in);
      } else {
        kernels::dequantize_row(from, in, f32.data(), row);
        values = f32.data();
      }
      kernels::quantize_row(to, values, out.data() + r * out_row_bytes, row);
    }
  });
  return out;
}

Result<QuantizeReport> quantize_model(
    const QuantizeOptions& options, base::ThreadPool& pool,
    const std::function<void(size_t, const TensorQuantPlan&)>& on_tensor) {
  LIFTOFF_RETURN_IF_ERROR(check_paths(options));
  LIFTOFF_ASSIGN_OR_RETURN(formats::ModelFile file, formats::open_model_file(options.input));
  QuantizeReport report;
  LIFTOFF_ASSIGN_OR_RETURN(report.tensors, plan_quantization(file, options.recipe, options.keep));

  formats::GgufWriter writer;
  // The architecture first, as every GGUF writer does; the reader does not keep the file's key
  // order, and none is required.
  if (const formats::MetaValue* arch = file.find("general.architecture")) {
    writer.set("general.architecture", *arch);
  }
  for (const auto& [key, value] : file.metadata) {
    // The writer sets its own alignment (32) and lays out the data for it.
    if (key == "general.alignment") continue;
    writer.set(key, value);
  }
  writer.set_u32("general.file_type", options.recipe.file_type);
  writer.set_u32("general.quantization_version", kQuantizationVersion);

  for (size_t i = 0; i < file.tensors.size(); ++i) {
    const formats::TensorInfo& t = file.tensors[i];
    const TensorQuantPlan& p = report.tensors[i];
    std::vector<uint8_t> data;
    if (p.to == p.from) {
      data.assign(t.data, t.data + t.n_bytes);
    } else {
      if (is_quantized(p.from)) ++report.n_requantized;
      const uint64_t row = t.dims.empty() ? 1 : t.dims[0];
      if (row == 0) return Status::corrupt_data("tensor '" + t.name + "' has an empty row");
      data = convert_tensor(t.data, p.from, p.to, row, t.n_elements() / row, pool);
    }
    report.bytes_in += t.n_bytes;
    report.bytes_out += data.size();
    report.n_params += t.n_elements();
    writer.add_tensor(t.name, t.dims, p.to, std::move(data));
    if (on_tensor) on_tensor(i, p);
  }
  LIFTOFF_RETURN_IF_ERROR(writer.write(options.output));
  return report;
}

}  // namespace liftoff::tooling
