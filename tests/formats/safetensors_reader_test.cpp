// read_safetensors: a valid file maps to the right tensors, and every malformed header is a
// clear error naming the tensor and the byte range (never a read outside the file).
#include "liftoff/formats/safetensors_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/test_data.h"

namespace liftoff::formats {
namespace {

using testing::TempDir;

// A safetensors file: 8-byte little-endian header length, the header text, then `data`.
std::vector<uint8_t> make_file(const std::string& header, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out(8 + header.size() + data.size());
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  if (!data.empty()) std::memcpy(out.data() + 8 + header.size(), data.data(), data.size());
  return out;
}

std::vector<uint8_t> floats(std::initializer_list<float> values) {
  std::vector<uint8_t> out(values.size() * 4);
  std::memcpy(out.data(), values.begin(), out.size());
  return out;
}

Result<ModelFile> read_bytes(const TempDir& dir, const std::vector<uint8_t>& bytes) {
  const auto path = dir / "m.safetensors";
  testing::write_all(path, bytes);
  return read_safetensors(path);
}

// The error message of reading `header` + `data`, or "" if it was accepted.
std::string error_of(const std::string& header, const std::vector<uint8_t>& data) {
  TempDir dir;
  Result<ModelFile> f = read_bytes(dir, make_file(header, data));
  return f.ok() ? "" : f.status().message();
}

TEST(SafetensorsReader, ReadsTensorsWithGgufDims) {
  TempDir dir;
  const std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                             R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}})";
  std::vector<uint8_t> data = floats({1, 2, 3, 4, 5, 6});
  data.insert(data.end(), {0x80, 0x3f, 0x00, 0x40});  // bf16 1.0, 2.0
  Result<ModelFile> f = read_bytes(dir, make_file(header, data));
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), 2u);
  const TensorInfo* w = f->find_tensor("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dims, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(w->dtype, kernels::DType::kF32);
  EXPECT_EQ(w->offset, 8 + header.size());
  float v[6];
  std::memcpy(v, w->data, sizeof(v));
  EXPECT_EQ(v[5], 6.0f);
  const TensorInfo* b = f->find_tensor("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->dtype, kernels::DType::kBF16);
  EXPECT_EQ(b->n_bytes, 4u);
}

TEST(SafetensorsReader, RejectsHeaderLengthOutsideTheFile) {
  TempDir dir;
  std::vector<uint8_t> bytes = make_file(R"({})", {});
  const uint64_t huge = 1000;
  std::memcpy(bytes.data(), &huge, 8);
  Result<ModelFile> f = read_bytes(dir, bytes);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("JSON header: needs 1,000 bytes at byte offset 8"),
            std::string::npos)
      << f.status().message();

  const uint64_t absurd = uint64_t{1} << 40;
  std::memcpy(bytes.data(), &absurd, 8);
  f = read_bytes(dir, bytes);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("is outside [2, 104,857,600]"), std::string::npos)
      << f.status().message();

  f = read_bytes(dir, {1, 2, 3});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kCorruptData);
}

TEST(SafetensorsReader, RejectsBadJsonAndBadEntries) {
  EXPECT_NE(error_of("{not json", {}).find("is not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[1,2]", {}).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", floats({1}))
                .find("tensor 'w': no string \"dtype\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", floats({1}))
                .find("shape entry -1 is invalid"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"w":{"dtype":"F32","shape":[1]}})", floats({1}))
                .find("\"data_offsets\" is not [begin, end]"),
            std::string::npos);
}

TEST(SafetensorsReader, RejectsUnsupportedDtype) {
  TempDir dir;
  Result<ModelFile> f =
      read_bytes(dir, make_file(R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
                                std::vector<uint8_t>(8)));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.status().message().find("tensor 'ids' has dtype I64; only F32, F16 and BF16"),
            std::string::npos)
      << f.status().message();
}

TEST(SafetensorsReader, RejectsShapeThatDisagreesWithOffsets) {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}})";
  const std::string msg = error_of(header, floats({1, 2, 3}));
  EXPECT_NE(msg.find("tensor 'w': shape [2,2] x F32 is 16 bytes but data_offsets span 12"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("(bytes " + std::to_string(8 + header.size()) + ".."), std::string::npos)
      << msg;
}

TEST(SafetensorsReader, RejectsDataPastTheEndOfTheFile) {
  const std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  const std::string msg = error_of(header, floats({1, 2}));
  const uint64_t start = 8 + header.size();
  EXPECT_NE(msg.find("tensor 'w': data ends at byte " + std::to_string(start + 16) +
                     " but the file has " + std::to_string(start + 8)),
            std::string::npos)
      << msg;
}

TEST(SafetensorsReader, RejectsReversedAndOverlappingRanges) {
  EXPECT_NE(error_of(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", floats({1, 2, 3}))
                .find("begin 8 is after end 4"),
            std::string::npos);
  const std::string msg = error_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                   floats({1, 2, 3}));
  EXPECT_NE(msg.find("tensors 'a'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("and 'b'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("overlap"), std::string::npos) << msg;
}

TEST(SafetensorsReader, MissingFileIsNotFound) {
  Result<ModelFile> f = read_safetensors("/nonexistent/liftoff/m.safetensors");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace liftoff::formats
