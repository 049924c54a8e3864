// GgufWriter: round trips through the reader over every value type and several tensor types,
// the file layout (alignment, padding), invalid input, and I/O failures leaving no file behind.
#include "liftoff/formats/gguf_writer.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <numeric>

#include "formats/test_data.h"
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

using kernels::DType;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

MetaValue array_of(GgufType type, std::vector<int64_t> ints, std::vector<double> floats = {},
                   std::vector<std::string> strings = {}) {
  auto a = std::make_shared<MetaArray>();
  a->element_type = type;
  a->ints = std::move(ints);
  a->floats = std::move(floats);
  a->strings = std::move(strings);
  return MetaValue{GgufType::kArray, std::move(a)};
}

TEST(GgufWriter, RoundTripsEveryValueType) {
  testing::TempDir dir;
  GgufWriter w;
  w.set("u8", MetaValue{GgufType::kUint8, uint64_t{255}});
  w.set("i8", MetaValue{GgufType::kInt8, int64_t{-128}});
  w.set("u16", MetaValue{GgufType::kUint16, uint64_t{65535}});
  w.set("i16", MetaValue{GgufType::kInt16, int64_t{-32768}});
  w.set_u32("u32", 4000000000u);
  w.set_i32("i32", -2000000000);
  w.set_f32("f32", 0.25f);
  w.set_bool("bool", true);
  w.set_string("str", std::string("h\xC3\xA9llo\0x", 8));  // UTF-8 and an embedded NUL
  w.set("u64", MetaValue{GgufType::kUint64, uint64_t{UINT64_MAX}});
  w.set("i64", MetaValue{GgufType::kInt64, int64_t{INT64_MIN}});
  w.set("f64", MetaValue{GgufType::kFloat64, 1e-300});
  w.set_string_array("a.str", {"a", "", "\xE2\x96\x81the"});
  w.set_f32_array("a.f32", {1.5f, -2.0f});
  w.set_i32_array("a.i32", {-1, 0, INT32_MAX});
  w.set("a.u8", array_of(GgufType::kUint8, {0, 255}));
  w.set("a.i8", array_of(GgufType::kInt8, {-128, 127}));
  w.set("a.u16", array_of(GgufType::kUint16, {65535}));
  w.set("a.i16", array_of(GgufType::kInt16, {-5}));
  w.set("a.u32", array_of(GgufType::kUint32, {4000000000}));
  w.set("a.u64", array_of(GgufType::kUint64, {-1}));  // bit pattern of UINT64_MAX
  w.set("a.i64", array_of(GgufType::kInt64, {INT64_MIN, 3}));
  w.set("a.bool", array_of(GgufType::kBool, {1, 0, 1}));
  w.set("a.f64", array_of(GgufType::kFloat64, {}, {0.1, -1e200}));
  w.set("a.empty", array_of(GgufType::kString, {}));
  w.set_u32("u32", 7);  // set() replaces, it does not duplicate
  ASSERT_TRUE(w.write(dir / "v.gguf").is_ok());

  Result<ModelFile> f = read_gguf(dir / "v.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->version, 3u);
  EXPECT_EQ(f->metadata.size(), 25u);
  EXPECT_EQ(f->find("u8")->type, GgufType::kUint8);
  EXPECT_EQ(f->get_int("u8"), 255);
  EXPECT_EQ(f->get_int("i8"), -128);
  EXPECT_EQ(f->get_int("u16"), 65535);
  EXPECT_EQ(f->get_int("i16"), -32768);
  EXPECT_EQ(f->get_int("u32"), 7);
  EXPECT_EQ(f->get_int("i32"), -2000000000);
  EXPECT_EQ(f->find("f32")->type, GgufType::kFloat32);
  EXPECT_EQ(f->get_float("f32"), 0.25);
  EXPECT_EQ(f->get_bool("bool"), true);
  EXPECT_EQ(f->get_string("str"), std::string("h\xC3\xA9llo\0x", 8));
  EXPECT_EQ(f->get_int("u64"), std::nullopt);  // above INT64_MAX
  EXPECT_EQ(std::get<uint64_t>(f->find("u64")->value), UINT64_MAX);
  EXPECT_EQ(f->get_int("i64"), INT64_MIN);
  EXPECT_EQ(f->get_float("f64"), 1e-300);

  EXPECT_EQ(f->get_array("a.str")->strings, (std::vector<std::string>{"a", "", "\xE2\x96\x81the"}));
  EXPECT_EQ(f->get_array("a.f32")->floats, (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(f->get_array("a.i32")->ints, (std::vector<int64_t>{-1, 0, INT32_MAX}));
  EXPECT_EQ(f->get_array("a.u8")->ints, (std::vector<int64_t>{0, 255}));
  EXPECT_EQ(f->get_array("a.i8")->ints, (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ(f->get_array("a.u16")->ints, (std::vector<int64_t>{65535}));
  EXPECT_EQ(f->get_array("a.i16")->ints, (std::vector<int64_t>{-5}));
  EXPECT_EQ(f->get_array("a.u32")->ints, (std::vector<int64_t>{4000000000}));
  EXPECT_EQ(f->get_array("a.u64")->ints, (std::vector<int64_t>{-1}));
  EXPECT_EQ(f->get_array("a.i64")->ints, (std::vector<int64_t>{INT64_MIN, 3}));
  EXPECT_EQ(f->get_array("a.bool")->element_type, GgufType::kBool);
  EXPECT_EQ(f->get_array("a.bool")->ints, (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(f->get_array("a.f64")->floats, (std::vector<double>{0.1, -1e200}));
  EXPECT_EQ(f->get_array("a.empty")->size(), 0u);
  EXPECT_EQ(f->get_array("a.empty")->element_type, GgufType::kString);
}

TEST(GgufWriter, RoundTripsTensorsWithAlignedPaddedData) {
  testing::TempDir dir;
  struct Spec {
    std::string name;
    std::vector<uint64_t> dims;
    DType dtype;
  };
  const std::vector<Spec> specs = {
      {"f32", {3}, DType::kF32},     // 12 bytes: forces padding
      {"f16", {5, 3}, DType::kF16},  // 30 bytes
      {"bf16", {7}, DType::kBF16},        {"q8_0", {64, 3}, DType::kQ8_0},         // 6 blocks of 34
      {"q4_0", {32, 1, 2}, DType::kQ4_0},                                          // 3-D
      {"q4_k", {256, 2}, DType::kQ4_K},   {"q6_k", {512, 1, 1, 2}, DType::kQ6_K},  // 4-D
      {"q5_1", {32}, DType::kQ5_1},
  };
  GgufWriter w;
  w.set_string("general.architecture", "test");
  std::vector<std::vector<uint8_t>> datas;
  for (size_t i = 0; i < specs.size(); ++i) {
    const Spec& s = specs[i];
    uint64_t rows = 1;
    for (size_t d = 1; d < s.dims.size(); ++d) rows *= s.dims[d];
    datas.push_back(
        pattern(kernels::row_bytes(s.dtype, s.dims[0]) * rows, static_cast<uint8_t>(i)));
    w.add_tensor(s.name, s.dims, s.dtype, datas.back());
  }
  ASSERT_TRUE(w.write(dir / "t.gguf").is_ok());

  Result<ModelFile> f = read_gguf(dir / "t.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), specs.size());
  EXPECT_EQ(f->data_offset % 32, 0u);
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorInfo& t = f->tensors[i];
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.name, specs[i].name);
    EXPECT_EQ(t.dims, specs[i].dims);
    EXPECT_EQ(t.dtype, specs[i].dtype);
    EXPECT_EQ(t.ggml_type, ggml_type_from_dtype(specs[i].dtype));
    EXPECT_EQ(t.offset % 32, 0u);
    ASSERT_EQ(t.n_bytes, datas[i].size());
    EXPECT_EQ(std::memcmp(t.data, datas[i].data(), t.n_bytes), 0);
    for (const uint8_t* p = t.data + t.n_bytes; p < t.data + (t.n_bytes + 31) / 32 * 32; ++p) {
      EXPECT_EQ(*p, 0) << "padding after " << t.name;
    }
  }
  const TensorInfo& last = f->tensors.back();
  EXPECT_EQ(f->mappings[0]->size(), (last.offset + last.n_bytes + 31) / 32 * 32);
}

TEST(GgufWriter, HonoursCustomAlignment) {
  testing::TempDir dir;
  GgufWriter w;
  w.set_u32("general.alignment", 64);
  w.add_tensor("a", {3}, DType::kF32, pattern(12, 1));
  w.add_tensor("b", {3}, DType::kF32, pattern(12, 2));
  ASSERT_TRUE(w.write(dir / "a.gguf").is_ok());
  Result<ModelFile> f = read_gguf(dir / "a.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->alignment, 64u);
  EXPECT_EQ(f->tensors[1].offset - f->tensors[0].offset, 64u);
  EXPECT_EQ(f->data_offset % 64, 0u);

  GgufWriter bad;
  bad.set_u32("general.alignment", 48);
  EXPECT_EQ(bad.write(dir / "b.gguf").code(), StatusCode::kInvalidArgument);
}

TEST(GgufWriter, RewritesARealModel) {
  Result<ModelFile> src = read_gguf(testing::model_path("gguf/stories260K-q8_0.gguf"));
  ASSERT_TRUE(src.ok()) << src.status().to_string();
  GgufWriter w;
  for (const auto& [key, value] : src->metadata) w.set(key, value);
  for (const TensorInfo& t : src->tensors) {
    w.add_tensor(t.name, t.dims, t.dtype, std::vector<uint8_t>(t.data, t.data + t.n_bytes));
  }
  testing::TempDir dir;
  ASSERT_TRUE(w.write(dir / "copy.gguf").is_ok());
  Result<ModelFile> copy = read_gguf(dir / "copy.gguf");
  ASSERT_TRUE(copy.ok()) << copy.status().to_string();
  ASSERT_EQ(copy->metadata.size(), src->metadata.size());
  for (const auto& [key, value] : src->metadata) {
    const MetaValue* v = copy->find(key);
    ASSERT_NE(v, nullptr) << key;
    EXPECT_EQ(v->type, value.type) << key;
    if (const MetaArray* a = value.as_array()) {
      EXPECT_EQ(v->as_array()->strings, a->strings) << key;
      EXPECT_EQ(v->as_array()->ints, a->ints) << key;
      EXPECT_EQ(v->as_array()->floats, a->floats) << key;
    } else {
      EXPECT_EQ(v->value, value.value) << key;
    }
  }
  ASSERT_EQ(copy->tensors.size(), src->tensors.size());
  for (size_t i = 0; i < src->tensors.size(); ++i) {
    EXPECT_EQ(copy->tensors[i].name, src->tensors[i].name);
    EXPECT_EQ(copy->tensors[i].dims, src->tensors[i].dims);
    EXPECT_EQ(copy->tensors[i].dtype, src->tensors[i].dtype);
    ASSERT_EQ(copy->tensors[i].n_bytes, src->tensors[i].n_bytes);
    EXPECT_EQ(std::memcmp(copy->tensors[i].data, src->tensors[i].data, src->tensors[i].n_bytes), 0)
        << src->tensors[i].name;
  }
}

TEST(GgufWriter, InvalidInputLeavesNoFile) {
  testing::TempDir dir;
  const auto path = dir / "x.gguf";
  const auto expect_invalid = [&](const GgufWriter& w, const std::string& needle) {
    Status s = w.write(path);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.to_string();
    EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
    EXPECT_EQ(dir.n_entries(), 0u) << "a file was left behind";
  };
  {
    GgufWriter w;
    w.add_tensor("t", {4}, DType::kF32, pattern(16, 0));
    w.add_tensor("t", {4}, DType::kF32, pattern(16, 0));
    expect_invalid(w, "duplicate");
  }
  {
    GgufWriter w;
    w.add_tensor("t", {4}, DType::kF32, pattern(15, 0));
    expect_invalid(w, "bytes of data");
  }
  {
    GgufWriter w;
    w.add_tensor("t", {48}, DType::kQ8_0, pattern(51, 0));
    expect_invalid(w, "block size 32");
  }
  {
    GgufWriter w;
    w.add_tensor("t", {4, 0}, DType::kF32, {});
    expect_invalid(w, "dimension 1");
  }
  {
    GgufWriter w;
    w.add_tensor("t", {1, 1, 1, 1, 1}, DType::kF32, pattern(4, 0));
    expect_invalid(w, "1 to 4 dimensions");
  }
  {
    GgufWriter w;
    w.add_tensor(std::string(64, 'n'), {1}, DType::kF32, pattern(4, 0));
    expect_invalid(w, "63 bytes");
  }
  {
    GgufWriter w;
    w.set("k", MetaValue{GgufType::kUint8, uint64_t{256}});
    expect_invalid(w, "does not fit");
  }
  {
    GgufWriter w;
    w.set("k", MetaValue{GgufType::kString, uint64_t{1}});
    expect_invalid(w, "does not match");
  }
  {
    GgufWriter w;
    w.set("k", array_of(GgufType::kArray, {}));
    expect_invalid(w, "array element type");
  }
  {
    GgufWriter w;
    w.set("k", array_of(GgufType::kInt8, {200}));
    expect_invalid(w, "does not fit");
  }
}

TEST(GgufWriter, MissingDirectoryIsUnavailable) {
  GgufWriter w;
  w.set_u32("k", 1);
  Status s = w.write("/nonexistent/liftoff/dir/out.gguf");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.to_string();
}

TEST(GgufWriter, ReplacesAnExistingFileAtomically) {
  testing::TempDir dir;
  testing::write_all(dir / "m.gguf", {1, 2, 3});
  GgufWriter w;
  w.set_u32("k", 5);
  ASSERT_TRUE(w.write(dir / "m.gguf").is_ok());
  EXPECT_EQ(dir.n_entries(), 1u);
  Result<ModelFile> f = read_gguf(dir / "m.gguf");
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->get_int("k"), 5);
}

// Simulates a full disk with RLIMIT_FSIZE (writes past the limit fail with EFBIG). Runs in the
// death-test child, so the limit cannot affect the test runner; returns the child's exit code.
int write_past_file_size_limit(const testing::TempDir& dir) {
  std::signal(SIGXFSZ, SIG_IGN);
  const rlimit limit{64 * 1024, 64 * 1024};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
  GgufWriter w;
  w.add_tensor("big", {1024, 256}, DType::kF32, std::vector<uint8_t>(1024 * 256 * 4, 1));
  Status s = w.write(dir / "big.gguf");
  if (s.code() != StatusCode::kUnavailable) return 11;
  if (s.message().find("big.gguf") == std::string::npos) return 12;
  if (dir.n_entries() != 0) return 13;  // neither the target nor the temporary file
  return 0;
}

TEST(GgufWriterDeathTest, WriteErrorIsUnavailableAndLeavesNoFile) {
  testing::TempDir dir;
  EXPECT_EXIT(std::_Exit(write_past_file_size_limit(dir)), ::testing::ExitedWithCode(0), "");
  EXPECT_EQ(dir.n_entries(), 0u);
}

}  // namespace
}  // namespace liftoff::formats
