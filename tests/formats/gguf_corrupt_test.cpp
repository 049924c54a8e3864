// Bad GGUF input: truncations, impossible counts, bad tags, offsets and shapes. Every case must
// come back as an error Status (never a crash, hang or huge allocation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "formats/gguf_test_builder.h"
#include "formats/test_data.h"
#include "liftoff/base/byte_reader.h"  // with_thousands
#include "liftoff/formats/gguf_reader.h"

namespace liftoff::formats {
namespace {

using testing::GgufBytes;
using testing::make_small_gguf;

Result<ModelFile> parse(const std::vector<uint8_t>& bytes) { return parse_gguf(bytes); }

// Expects a kCorruptData error whose message contains `needle`.
void expect_corrupt(const std::vector<uint8_t>& bytes, const std::string& needle) {
  Result<ModelFile> r = parse(bytes);
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << needle << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kCorruptData) << r.status().to_string();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(GgufCorrupt, SmallFileIsValid) {
  GgufBytes g = make_small_gguf();
  Result<ModelFile> r = parse(g.bytes);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->tensors.size(), 2u);
  EXPECT_EQ(r->metadata.size(), 5u);
  EXPECT_EQ(r->data_offset, g.at.at("data"));
  EXPECT_EQ(r->tensors[1].offset, g.at.at("data") + 64);
  EXPECT_EQ(r->tensors[1].n_bytes, 68u);
}

TEST(GgufCorrupt, EveryTruncationOfSmallFileFails) {
  GgufBytes g = make_small_gguf();
  for (size_t n = 0; n < g.bytes.size(); ++n) {
    Result<ModelFile> r = parse_gguf(std::span<const uint8_t>(g.bytes).first(n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " bytes";
    ASSERT_EQ(r.status().code(), StatusCode::kCorruptData) << r.status().to_string();
  }
}

TEST(GgufCorrupt, TruncationMessagesNameTheOffset) {
  GgufBytes g = make_small_gguf();
  std::vector<uint8_t> cut(g.bytes.begin(), g.bytes.begin() + 10);  // inside the tensor count
  expect_corrupt(cut, "byte offset 8");
  cut.assign(g.bytes.begin(), g.bytes.end() - 1);  // last tensor's data one byte short
  expect_corrupt(cut, "GGUF tensor 'b'");
}

TEST(GgufCorrupt, EveryByteSetToFFNeverCrashes) {
  GgufBytes g = make_small_gguf();
  for (size_t i = 0; i < g.at.at("data"); ++i) {
    std::vector<uint8_t> bytes = g.bytes;
    bytes[i] = 0xFF;
    (void)parse(bytes);  // success is allowed (e.g. a float changed); crashing is not
  }
}

TEST(GgufCorrupt, RandomByteFlipsNeverCrash) {
  GgufBytes g = make_small_gguf();
  std::mt19937 rng(1234);
  const size_t header_end = g.at.at("data");
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<uint8_t> bytes = g.bytes;
    const int n_flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n_flips; ++k) {
      bytes[rng() % header_end] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    (void)parse(bytes);
  }
}

TEST(GgufCorrupt, WrongMagic) {
  GgufBytes g = make_small_gguf();
  g.bytes[0] = 'X';
  expect_corrupt(g.bytes, "not a GGUF file");
}

TEST(GgufCorrupt, UnsupportedVersions) {
  for (uint32_t v : {0u, 1u, 4u, 0x03000000u}) {
    GgufBytes g = make_small_gguf();
    std::memcpy(g.bytes.data() + 4, &v, 4);
    expect_corrupt(g.bytes, "unsupported GGUF version");
  }
  GgufBytes g = make_small_gguf();
  uint32_t v1 = 1;
  std::memcpy(g.bytes.data() + 4, &v1, 4);
  expect_corrupt(g.bytes, "version 1");
  uint32_t big_endian_3 = 0x03000000;
  std::memcpy(g.bytes.data() + 4, &big_endian_3, 4);
  expect_corrupt(g.bytes, "big-endian");
}

TEST(GgufCorrupt, Version2IsAccepted) {
  GgufBytes g = make_small_gguf();
  uint32_t v2 = 2;
  std::memcpy(g.bytes.data() + 4, &v2, 4);
  Result<ModelFile> r = parse(g.bytes);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->version, 2u);
}

TEST(GgufCorrupt, HugeCountsFailFast) {
  const uint64_t huge[] = {UINT64_MAX, 1ull << 62, 1ull << 40, 1000000};
  for (uint64_t h : huge) {
    SCOPED_TRACE(h);
    GgufBytes g = make_small_gguf();
    g.overwrite("n_tensors", h);
    expect_corrupt(g.bytes, "tensor count");
    g = make_small_gguf();
    g.overwrite("n_kv", h);
    expect_corrupt(g.bytes, "metadata count");
    for (const char* field : {"key0.len", "str.len", "sarr.len", "arr.len", "t0.name_len"}) {
      SCOPED_TRACE(field);
      g = make_small_gguf();
      g.overwrite(field, h);
      EXPECT_FALSE(parse(g.bytes).ok());
    }
    g = make_small_gguf();
    g.overwrite("arr.len", h);
    expect_corrupt(g.bytes, "array length");
  }
}

TEST(GgufCorrupt, CountsThatStillFitButLieFail) {
  // One more kv / tensor than present: runs into the following bytes and must fail cleanly.
  GgufBytes g = make_small_gguf();
  g.overwrite<uint64_t>("n_kv", 6);
  EXPECT_FALSE(parse(g.bytes).ok());
  g = make_small_gguf();
  g.overwrite<uint64_t>("n_tensors", 3);
  EXPECT_FALSE(parse(g.bytes).ok());
  g = make_small_gguf();
  g.overwrite<uint64_t>("sarr.len", 3);
  EXPECT_FALSE(parse(g.bytes).ok());
}

TEST(GgufCorrupt, BadDims) {
  for (uint32_t n_dims : {0u, 5u, 0xFFFFFFFFu}) {
    GgufBytes g = make_small_gguf();
    g.overwrite("t0.n_dims", n_dims);
    expect_corrupt(g.bytes, "dimensions");
  }
  GgufBytes g = make_small_gguf();
  g.overwrite<uint64_t>("t0.dim0", 0);
  expect_corrupt(g.bytes, "dimension 0 is 0");
  g = make_small_gguf();
  g.overwrite<uint64_t>("t0.dim1", UINT64_MAX);
  expect_corrupt(g.bytes, "dimension 1");
  g = make_small_gguf();  // each dim valid, product overflows
  g.overwrite<uint64_t>("t0.dim0", 1ull << 40);
  g.overwrite<uint64_t>("t0.dim1", 1ull << 40);
  expect_corrupt(g.bytes, "overflows");
  g = make_small_gguf();  // product fits, data cannot be in the file
  g.overwrite<uint64_t>("t0.dim1", 1ull << 20);
  expect_corrupt(g.bytes, "GGUF tensor 'a'");
}

TEST(GgufCorrupt, UnknownAndUnsupportedTypes) {
  GgufBytes g = make_small_gguf();
  g.overwrite<uint32_t>("t1.type", 99);
  expect_corrupt(g.bytes, "GGUF tensor 'b' has unknown ggml type id 99");
  g = make_small_gguf();
  g.overwrite<uint32_t>("t1.type", 10);
  expect_corrupt(g.bytes, "Q2_K");
  g = make_small_gguf();
  g.overwrite<uint32_t>("t1.type", 4);  // a removed ggml type
  expect_corrupt(g.bytes, "unknown ggml type id 4");
}

TEST(GgufCorrupt, RowNotMultipleOfBlock) {
  GgufBytes g = make_small_gguf();
  g.overwrite<uint64_t>("t1.dim0", 48);  // Q8_0 blocks are 32 wide
  expect_corrupt(g.bytes, "block size 32");
}

TEST(GgufCorrupt, MisalignedAndOutOfFileOffsets) {
  GgufBytes g = make_small_gguf();
  g.overwrite<uint64_t>("t1.offset", 65);
  expect_corrupt(g.bytes, "not a multiple of the alignment 32");
  g = make_small_gguf();
  g.overwrite<uint64_t>("t1.offset", 4096);
  expect_corrupt(g.bytes, "GGUF tensor 'b': data ends at byte " +
                              base::with_thousands(g.at.at("data") + 4096 + 68) +
                              " but the file has " + base::with_thousands(g.bytes.size()) +
                              " bytes");
  g = make_small_gguf();
  g.overwrite<uint64_t>("t1.offset", UINT64_MAX - 31);  // aligned, overflows when added
  expect_corrupt(g.bytes, "overflows");
}

TEST(GgufCorrupt, UnknownValueTypeAndNestedArrays) {
  GgufBytes g = make_small_gguf();
  g.overwrite<uint32_t>("arr.type", 13);
  expect_corrupt(g.bytes, "unknown value type 13");
  g = make_small_gguf();
  g.overwrite<uint32_t>("arr.type", 9);
  expect_corrupt(g.bytes, "array of arrays");
}

// Builds a file with the given key-value pairs written by `kvs` and no tensors.
template <typename F>
std::vector<uint8_t> kv_only_file(uint64_t n_kv, F kvs) {
  GgufBytes g;
  g.put<uint32_t>(0x46554747);
  g.put<uint32_t>(3);
  g.put<uint64_t>(0);
  g.put<uint64_t>(n_kv);
  kvs(g);
  return g.bytes;
}

TEST(GgufCorrupt, DuplicateKeysAndTensorNames) {
  auto bytes = kv_only_file(2, [](GgufBytes& g) {
    for (int i = 0; i < 2; ++i) {
      g.str("k");
      g.put<uint32_t>(4);
      g.put<uint32_t>(i);
    }
  });
  expect_corrupt(bytes, "duplicate GGUF key 'k'");

  GgufBytes g = make_small_gguf();
  const size_t name_b = g.at.at("t1.dim0") - 4 - 1;  // the single character of "b"
  g.bytes[name_b] = 'a';
  expect_corrupt(g.bytes, "duplicate GGUF tensor name 'a'");
}

TEST(GgufCorrupt, EmptyKey) {
  auto bytes = kv_only_file(1, [](GgufBytes& g) {
    g.str("");
    g.put<uint32_t>(4);
    g.put<uint32_t>(1);
  });
  expect_corrupt(bytes, "is empty");
}

TEST(GgufCorrupt, Alignment) {
  const auto with_alignment = [](uint32_t type, uint64_t value) {
    return kv_only_file(1, [&](GgufBytes& g) {
      g.str("general.alignment");
      g.put<uint32_t>(type);
      if (type == 4) {
        g.put<uint32_t>(static_cast<uint32_t>(value));
      } else {
        g.put<uint64_t>(value);
      }
    });
  };
  expect_corrupt(with_alignment(4, 0), "not a nonzero power of two");
  expect_corrupt(with_alignment(4, 48), "not a nonzero power of two");
  expect_corrupt(with_alignment(10, 64), "must be a uint32");
  Result<ModelFile> ok = parse(with_alignment(4, 64));
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->alignment, 64u);
}

TEST(GgufCorrupt, RealFileTruncatedEverywhereInMetadata) {
  const auto path = testing::model_path("gguf/stories260K-q4_0.gguf");
  const std::vector<uint8_t> bytes = testing::read_all(path);
  ASSERT_FALSE(bytes.empty()) << path;
  Result<ModelFile> full = parse(bytes);
  ASSERT_TRUE(full.ok()) << full.status().to_string();

  // Every byte of header, metadata and tensor infos (so every section boundary), then the data
  // region at each tensor's first and last byte and at a stride. Cutting only the padding after
  // the last tensor leaves a valid file, so cuts stop at the end of the last tensor's data.
  size_t data_end = 0;
  for (const TensorInfo& t : full->tensors) data_end = std::max(data_end, t.offset + t.n_bytes);
  std::vector<size_t> cuts;
  for (size_t n = 0; n <= full->data_offset; ++n) cuts.push_back(n);
  for (const TensorInfo& t : full->tensors) {
    cuts.push_back(t.offset);
    cuts.push_back(t.offset + t.n_bytes - 1);
  }
  for (size_t n = full->data_offset; n < data_end; n += 997) cuts.push_back(n);
  cuts.push_back(data_end - 1);

  for (size_t n : cuts) {
    Result<ModelFile> r = parse_gguf(std::span<const uint8_t>(bytes).first(n));
    ASSERT_FALSE(r.ok()) << "truncated to " << n << " of " << bytes.size() << " bytes";
    ASSERT_EQ(r.status().code(), StatusCode::kCorruptData);
  }
}

TEST(GgufCorrupt, RealFileFlippedCounts) {
  const auto path = testing::model_path("gguf/stories260K-f32.gguf");
  const std::vector<uint8_t> good = testing::read_all(path);
  ASSERT_GT(good.size(), 1000u) << path;

  auto flipped = [&](size_t offset, uint64_t value) {
    std::vector<uint8_t> b = good;
    std::memcpy(b.data() + offset, &value, sizeof(value));
    return b;
  };
  expect_corrupt(flipped(8, UINT64_MAX), "tensor count");
  expect_corrupt(flipped(16, UINT64_MAX), "metadata count");
  expect_corrupt(flipped(16, 1ull << 33), "metadata count");

  // The first key is tokenizer.ggml.tokens: [key len][key][type=9][elem=8][count] ...
  const std::string key = "tokenizer.ggml.tokens";
  ASSERT_EQ(std::string(good.begin() + 32, good.begin() + 32 + key.size()), key);
  const size_t count_at = 32 + key.size() + 4 + 4;
  expect_corrupt(flipped(count_at, 1ull << 60), "array length");
  expect_corrupt(flipped(count_at + 8, 1ull << 60), "array element");  // first string's length
  expect_corrupt(flipped(24, 1ull << 60), "metadata key #0");          // first key's length
}

TEST(GgufCorrupt, MissingFileIsNotFound) {
  Result<ModelFile> r = read_gguf("/nonexistent/liftoff/model.gguf");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/liftoff/model.gguf"), std::string::npos);
}

}  // namespace
}  // namespace liftoff::formats
