// ModelFile / MetaValue / MetaArray / TensorInfo accessors: typed lookups and their refusals.
#include "liftoff/formats/model_file.h"

#include <gtest/gtest.h>

#include <limits>

namespace liftoff::formats {
namespace {

TEST(MetaValue, IntegerAccessKeepsSignednessAndRange) {
  MetaValue u{GgufType::kUint32, uint64_t{7}};
  MetaValue i{GgufType::kInt32, int64_t{-7}};
  MetaValue big{GgufType::kUint64, std::numeric_limits<uint64_t>::max()};
  EXPECT_EQ(u.as_int(), 7);
  EXPECT_EQ(i.as_int(), -7);
  EXPECT_EQ(big.as_int(), std::nullopt);
  EXPECT_EQ(u.as_float(), 7.0);
  EXPECT_EQ(i.as_float(), -7.0);
  EXPECT_EQ(u.as_bool(), std::nullopt);
  EXPECT_EQ(u.as_string(), nullptr);
  EXPECT_EQ(u.as_array(), nullptr);
}

TEST(MetaValue, OtherKinds) {
  MetaValue f{GgufType::kFloat32, 0.5};
  MetaValue b{GgufType::kBool, true};
  MetaValue s{GgufType::kString, std::string("llama")};
  EXPECT_EQ(f.as_float(), 0.5);
  EXPECT_EQ(f.as_int(), std::nullopt);  // no silent truncation of floats
  EXPECT_EQ(b.as_bool(), true);
  EXPECT_EQ(b.as_int(), std::nullopt);
  ASSERT_NE(s.as_string(), nullptr);
  EXPECT_EQ(*s.as_string(), "llama");
  EXPECT_EQ(s.as_float(), std::nullopt);
}

TEST(MetaArray, SizeFollowsElementType) {
  MetaArray a;
  a.element_type = GgufType::kString;
  a.strings = {"a", "b"};
  EXPECT_EQ(a.size(), 2u);
  a.element_type = GgufType::kFloat64;
  a.floats = {1.0};
  EXPECT_EQ(a.size(), 1u);
  a.element_type = GgufType::kBool;
  a.ints = {1, 0, 1};
  EXPECT_EQ(a.size(), 3u);
}

TEST(ModelFile, TypedLookups) {
  ModelFile f;
  f.metadata["n"] = MetaValue{GgufType::kUint32, uint64_t{64}};
  f.metadata["eps"] = MetaValue{GgufType::kFloat32, 1e-5};
  f.metadata["name"] = MetaValue{GgufType::kString, std::string("x")};
  f.metadata["flag"] = MetaValue{GgufType::kBool, false};
  auto arr = std::make_shared<MetaArray>();
  arr->element_type = GgufType::kInt32;
  arr->ints = {1, 2};
  f.metadata["arr"] = MetaValue{GgufType::kArray, arr};

  EXPECT_EQ(f.get_int("n"), 64);
  EXPECT_EQ(f.get_float("eps"), 1e-5);
  EXPECT_EQ(f.get_string("name"), "x");
  EXPECT_EQ(f.get_bool("flag"), false);
  ASSERT_NE(f.get_array("arr"), nullptr);
  EXPECT_EQ(f.get_array("arr")->size(), 2u);
  EXPECT_EQ(f.get_int("missing"), std::nullopt);
  EXPECT_EQ(f.get_string("n"), std::nullopt);
  EXPECT_EQ(f.get_array("n"), nullptr);
  EXPECT_EQ(f.find("missing"), nullptr);
  EXPECT_NE(f.find("n"), nullptr);
}

TEST(ModelFile, Tensors) {
  ModelFile f;
  TensorInfo a;
  a.name = "a";
  a.dims = {4, 3, 2};
  a.n_bytes = 96;
  TensorInfo b;
  b.name = "b";
  b.dims = {5};
  b.n_bytes = 20;
  f.tensors = {a, b};
  EXPECT_EQ(f.tensors[0].n_elements(), 24u);
  EXPECT_EQ(f.tensor_bytes(), 116u);
  ASSERT_NE(f.find_tensor("b"), nullptr);
  EXPECT_EQ(f.find_tensor("b")->dims[0], 5u);
  EXPECT_EQ(f.find_tensor("c"), nullptr);
}

}  // namespace
}  // namespace liftoff::formats
