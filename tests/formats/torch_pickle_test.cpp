// The safe pickle VM: a state dict as torch.save writes it is read; every global outside the
// allow-list is refused by name before anything could run; malformed pickles are errors.
#include "liftoff/formats/torch_pickle.h"

#include <gtest/gtest.h>

#include <string>

#include "formats/zip_builder.h"

namespace liftoff::formats {
namespace {

using testing::bytes_of;

// BINUNICODE of `s`.
std::string uni(const std::string& s) {
  std::string out = "X";
  const auto n = static_cast<uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), 4);
  return out + s;
}

// One tensor entry: name -> _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel),
// offset, size, stride, False, OrderedDict()), with BININT1 numbers.
std::string tensor_entry(const std::string& name, const std::string& storage_global,
                         const std::string& key, uint8_t numel, uint8_t offset,
                         const std::string& size, const std::string& stride) {
  return uni(name) + "ctorch._utils\n_rebuild_tensor_v2\n(" + "(" + uni("storage") + "c" +
         storage_global + "\n" + uni(key) + uni("cpu") + "K" + std::string(1, char(numel)) + "tQ" +
         "K" + std::string(1, char(offset)) + size + stride + "\x89" +
         "ccollections\nOrderedDict\n)R" + "tR";
}

TEST(TorchPickle, ReadsAStateDictLikeTorchSaveWritesIt) {
  // OrderedDict() with two tensors set by SETITEMS; a [2, 3] and a [3] slice of storage "1".
  const std::string pickle =
      std::string("\x80\x02") + "ccollections\nOrderedDict\nq\x05)Rq\x06(" +
      tensor_entry("w", "torch\nHalfStorage", "0", 6, 0, "K\x02K\x03\x86", "K\x03K\x01\x86") +
      tensor_entry("b", "torch\nFloatStorage", "1", 8, 2, "K\x03\x85", "K\x01\x85") + "u}b.";
  auto r = read_torch_state_dict_pickle(bytes_of(pickle));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "w");
  EXPECT_EQ((*r)[0].dtype, kernels::DType::kF16);
  EXPECT_EQ((*r)[0].storage_key, "0");
  EXPECT_EQ((*r)[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*r)[0].stride, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ((*r)[1].name, "b");
  EXPECT_EQ((*r)[1].dtype, kernels::DType::kF32);
  EXPECT_EQ((*r)[1].storage_offset, 2);
  EXPECT_EQ((*r)[1].storage_numel, 8);
}

TEST(TorchPickle, RefusesOsSystemByName) {
  // The classic payload: os.system("...") via GLOBAL + REDUCE.
  const std::string pickle =
      std::string("\x80\x02") + "cos\nsystem\n" + uni("touch /tmp/x") + "\x85R.";
  auto r = read_torch_state_dict_pickle(bytes_of(pickle));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("pickle byte 2: refusing global 'os.system'"),
            std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("nothing was executed"), std::string::npos);
}

TEST(TorchPickle, RefusesStackGlobalEvalAndOtherModules) {
  const std::string eval = std::string("\x80\x04") + "\x8c\x08" + "builtins" + "\x8c\x04" + "eval" +
                           "\x93" + uni("1") + "\x85R.";
  auto r = read_torch_state_dict_pickle(bytes_of(eval));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("refusing global 'builtins.eval'"), std::string::npos)
      << r.status().message();
  for (const char* global :
       {"__builtin__\neval\n", "subprocess\nPopen\n", "torch\nload\n",
        "torch._utils\n_rebuild_qtensor\n", "numpy.core.multiarray\n_reconstruct\n"}) {
    SCOPED_TRACE(global);
    r = read_torch_state_dict_pickle(bytes_of(std::string("\x80\x02") + "c" + global + ")R."));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("refusing global"), std::string::npos);
  }
}

TEST(TorchPickle, RefusesUnsupportedStorageTypes) {
  const std::string pickle =
      std::string("\x80\x02") + "}(" +
      tensor_entry("ids", "torch\nLongStorage", "0", 4, 0, "K\x04\x85", "K\x01\x85") + "u.";
  auto r = read_torch_state_dict_pickle(bytes_of(pickle));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("storage type 'torch.LongStorage' is not supported"),
            std::string::npos)
      << r.status().message();
}

TEST(TorchPickle, MalformedPicklesAreErrors) {
  // No STOP: runs off the end.
  auto r = read_torch_state_dict_pickle(bytes_of(std::string("\x80\x02}")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruptData);
  // An opcode a state dict never uses (INST, which imports and calls).
  r = read_torch_state_dict_pickle(bytes_of(std::string("\x80\x02(ios\nsystem\n.")));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("opcode 0x69 is not supported"), std::string::npos)
      << r.status().message();
  // Stack underflow, a memo key never set, a string longer than the data.
  for (const std::string& bad : {std::string("\x80\x02R."), std::string("\x80\x02h\x07."),
                                 std::string("\x80\x02X\xff\xff\x00\x00"
                                             "ab.",
                                             10)}) {
    r = read_torch_state_dict_pickle(bytes_of(bad));
    EXPECT_FALSE(r.ok());
  }
  // A list (not a state dict), and a dict holding a non-tensor.
  r = read_torch_state_dict_pickle(bytes_of(std::string("\x80\x02].")));
  EXPECT_NE(r.status().message().find("not a state dict"), std::string::npos)
      << r.status().message();
  r = read_torch_state_dict_pickle(bytes_of(std::string("\x80\x02}") + uni("x") + "K\x01s."));
  EXPECT_NE(r.status().message().find("entry 'x' is a int, not a tensor"), std::string::npos)
      << r.status().message();
}

TEST(TorchPickle, SelfReferencingAndDeepStructuresDoNotCrash) {
  // A list appended into itself (a cycle), then 100k nested tuples: torn down without recursion.
  std::string pickle = std::string(
      "\x80\x02]q\x01h\x01"
      "a");
  for (int i = 0; i < 100000; ++i) pickle += "\x85";
  pickle += ".";
  auto r = read_torch_state_dict_pickle(bytes_of(pickle));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a state dict"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace liftoff::formats
