#include "liftoff/base/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace liftoff::base {
namespace {

TEST(ByteReader, ReadsLittleEndianAndAdvances) {
  std::vector<uint8_t> bytes = {0x01, 0x00, 0x00, 0x00, 'a', 'b', 'c'};
  ByteReader r(bytes);
  auto v = r.read<uint32_t>("count");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 1u);
  auto s = r.read_string(3, "name");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "abc");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ByteReader, ShortReadNamesFieldAndOffset) {
  std::vector<uint8_t> bytes = {1, 2, 3};
  ByteReader r(bytes, 2);
  auto v = r.read<uint32_t>("tensor count");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruptData);
  EXPECT_NE(v.status().message().find("tensor count"), std::string::npos);
  EXPECT_NE(v.status().message().find("byte offset 2"), std::string::npos);
}

TEST(ByteReader, HugeLengthDoesNotOverflow) {
  std::vector<uint8_t> bytes(16);
  ByteReader r(bytes, 8);
  EXPECT_FALSE(r.read_bytes(SIZE_MAX - 4, "string").ok());
  EXPECT_FALSE(r.skip(SIZE_MAX, "skip").is_ok());
}

TEST(WithThousands, GroupsDigits) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
}

}  // namespace
}  // namespace liftoff::base
