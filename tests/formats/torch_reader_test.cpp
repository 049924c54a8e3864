// read_torch_checkpoint on hand-built torch.save zips: tensors point at the right bytes; a
// compressed entry, a missing or short storage, a non-contiguous or out-of-range tensor, and a
// refused global are clear errors. (Real torch.save files: tests/tooling/convert_hf_test.cpp.)
#include "liftoff/formats/torch_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "formats/test_data.h"
#include "formats/zip_builder.h"
#include "liftoff/formats/zip_reader.h"

namespace liftoff::formats {
namespace {

using testing::bytes_of;
using testing::TempDir;
using testing::ZipBuilder;

std::string uni(const std::string& s) {
  std::string out = "X";
  const auto n = static_cast<uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), 4);
  return out + s;
}

// {"w": FloatStorage "0" of `numel` elements, offset, size (rows, cols), stride}.
std::vector<uint8_t> state_dict_pickle(uint8_t numel, uint8_t offset, uint8_t rows, uint8_t cols,
                                       uint8_t stride0, uint8_t stride1) {
  const auto k = [](uint8_t v) {  // BININT1 v
    std::string op(2, 'K');
    op[1] = static_cast<char>(v);
    return op;
  };
  return bytes_of(std::string("\x80\x02}(") + uni("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" +
                  uni("storage") + "ctorch\nFloatStorage\n" + uni("0") + uni("cpu") + k(numel) +
                  "tQ" + k(offset) + k(rows) + k(cols) + "\x86" + k(stride0) + k(stride1) +
                  "\x86\x89" + "ccollections\nOrderedDict\n)RtRu.");
}

std::vector<uint8_t> floats(int n) {
  std::vector<uint8_t> out(n * 4);
  for (int i = 0; i < n; ++i) {
    const float v = static_cast<float>(i);
    std::memcpy(out.data() + 4 * i, &v, 4);
  }
  return out;
}

Result<ModelFile> read(const TempDir& dir, const std::vector<uint8_t>& zip) {
  testing::write_all(dir / "m.pt", zip);
  return read_torch_checkpoint(dir / "m.pt");
}

TEST(TorchReader, ReadsAContiguousTensorAtItsOffset) {
  TempDir dir;
  auto f = read(dir, ZipBuilder()
                         .add("m/data.pkl", state_dict_pickle(8, 2, 2, 3, 3, 1))
                         .add("m/data/0", floats(8))
                         .add("m/version", bytes_of("3\n"))
                         .build());
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  ASSERT_EQ(f->tensors.size(), 1u);
  const TensorInfo& t = f->tensors[0];
  EXPECT_EQ(t.name, "w");
  EXPECT_EQ(t.dims, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(t.n_bytes, 24u);
  float first = 0;
  std::memcpy(&first, t.data, 4);
  EXPECT_EQ(first, 2.0f);  // storage offset 2
  EXPECT_TRUE(looks_like_zip(dir / "m.pt"));
}

TEST(TorchReader, RefusesNonContiguousAndOutOfRangeTensors) {
  TempDir dir;
  auto f = read(dir, ZipBuilder()
                         .add("archive/data.pkl", state_dict_pickle(6, 0, 2, 3, 1, 2))
                         .add("archive/data/0", floats(6))
                         .build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("tensor 'w' is not contiguous (size [2, 3], stride [1, 2])"),
            std::string::npos)
      << f.status().message();

  f = read(dir, ZipBuilder()
                    .add("archive/data.pkl", state_dict_pickle(6, 1, 2, 3, 3, 1))
                    .add("archive/data/0", floats(6))
                    .build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("elements 1..7 lie outside storage 0 of 6"),
            std::string::npos)
      << f.status().message();
}

TEST(TorchReader, StorageMustExistAndHaveItsSize) {
  TempDir dir;
  auto f =
      read(dir, ZipBuilder().add("archive/data.pkl", state_dict_pickle(6, 0, 2, 3, 3, 1)).build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("archive/data/0 is missing"), std::string::npos)
      << f.status().message();
  f = read(dir, ZipBuilder()
                    .add("archive/data.pkl", state_dict_pickle(6, 0, 2, 3, 3, 1))
                    .add("archive/data/0", floats(5))
                    .build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("should hold 6 elements of 4 bytes but its entry has 20"),
            std::string::npos)
      << f.status().message();
}

TEST(TorchReader, RefusesCompressedEntriesAndForeignZips) {
  TempDir dir;
  auto f = read(
      dir, ZipBuilder().add("archive/data.pkl", state_dict_pickle(6, 0, 2, 3, 3, 1), 8).build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("'archive/data.pkl' is compressed (method 8)"),
            std::string::npos)
      << f.status().message();
  f = read(dir, ZipBuilder().add("readme.txt", bytes_of("hi")).build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not a torch.save file"), std::string::npos);
}

TEST(TorchReader, RefusedGlobalNamesTheFile) {
  TempDir dir;
  auto f = read(
      dir, ZipBuilder()
               .add("archive/data.pkl",
                    bytes_of(std::string("\x80\x02") + "cposix\nsystem\n" + uni("id") + "\x85R."))
               .build());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("m.pt: pickle byte 2: refusing global 'posix.system'"),
            std::string::npos)
      << f.status().message();
}

TEST(ZipReader, CorruptDirectoriesAreErrors) {
  std::vector<uint8_t> zip = ZipBuilder().add("a", bytes_of("xyz")).build();
  auto entries = read_zip_entries(zip);
  ASSERT_TRUE(entries.ok()) << entries.status().to_string();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].size, 3u);
  EXPECT_EQ((*entries)[0].data_offset, 31u);  // 30-byte local header + 1-byte name

  // Central directory offset pointing past the end.
  std::vector<uint8_t> bad = zip;
  const uint32_t far = 1u << 30;
  std::memcpy(bad.data() + bad.size() - 6, &far, 4);
  entries = read_zip_entries(bad);
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.status().message().find("is outside the file"), std::string::npos)
      << entries.status().message();
  // An entry whose size runs past the end of the file.
  bad = zip;
  const uint32_t huge = 1000;
  std::memcpy(bad.data() + 18, &huge, 4);  // local compressed size (unused)
  const size_t central = 34;               // local header + name + data
  std::memcpy(bad.data() + central + 20, &huge, 4);
  std::memcpy(bad.data() + central + 24, &huge, 4);
  entries = read_zip_entries(bad);
  ASSERT_FALSE(entries.ok());
  EXPECT_NE(entries.status().message().find("entry 'a': data (bytes 31..1,031) is outside"),
            std::string::npos)
      << entries.status().message();
  EXPECT_FALSE(read_zip_entries(bytes_of("PK not really a zip at all..")).ok());
}

}  // namespace
}  // namespace liftoff::formats
