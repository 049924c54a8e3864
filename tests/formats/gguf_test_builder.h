// GgufBytes: assembles GGUF files byte by byte, independently of GgufWriter, and remembers where
// each field sits so corruption tests can overwrite exactly that field.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace liftoff::formats::testing {

class GgufBytes {
 public:
  std::vector<uint8_t> bytes;
  std::map<std::string, size_t> at;  // field name -> byte offset

  void mark(const std::string& name) { at[name] = bytes.size(); }

  template <typename T>
  void put(T v) {
    const size_t n = bytes.size();
    bytes.resize(n + sizeof(T));
    std::memcpy(bytes.data() + n, &v, sizeof(T));
  }
  void str(const std::string& s) {
    put<uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void pad(size_t alignment) {
    while (bytes.size() % alignment != 0) bytes.push_back(0);
  }

  template <typename T>
  void overwrite(const std::string& field, T v) {
    std::memcpy(bytes.data() + at.at(field), &v, sizeof(T));
  }
};

// A small valid v3 file: 5 key-value pairs (u32, string, f32 array, bool, string array), then
// two tensors: "a" F32 [8, 2] and "b" Q8_0 [32, 2]. The last tensor ends exactly at EOF, so every
// truncation is an error. Marked fields: n_tensors, n_kv, key0.len, str.len, arr.type, arr.len,
// sarr.len, t0.name_len, t0.n_dims, t0.dim0, t0.dim1, t0.type, t0.offset, t1.dim0, t1.type,
// t1.offset, data.
inline GgufBytes make_small_gguf() {
  GgufBytes g;
  g.put<uint32_t>(0x46554747);
  g.put<uint32_t>(3);
  g.mark("n_tensors");
  g.put<uint64_t>(2);
  g.mark("n_kv");
  g.put<uint64_t>(5);

  g.mark("key0.len");
  g.str("general.architecture.count");
  g.put<uint32_t>(4);  // u32
  g.put<uint32_t>(7);

  g.str("general.name");
  g.put<uint32_t>(8);  // string
  g.mark("str.len");
  g.str("tiny");

  g.str("tokenizer.ggml.scores");
  g.put<uint32_t>(9);  // array
  g.mark("arr.type");
  g.put<uint32_t>(6);  // of f32
  g.mark("arr.len");
  g.put<uint64_t>(3);
  g.put<float>(0.5f);
  g.put<float>(-1.0f);
  g.put<float>(2.0f);

  g.str("general.flag");
  g.put<uint32_t>(7);  // bool
  g.put<uint8_t>(1);

  g.str("tokenizer.ggml.tokens");
  g.put<uint32_t>(9);
  g.put<uint32_t>(8);  // of strings
  g.mark("sarr.len");
  g.put<uint64_t>(2);
  g.str("x");
  g.str("yz");

  g.mark("t0.name_len");
  g.str("a");
  g.mark("t0.n_dims");
  g.put<uint32_t>(2);
  g.mark("t0.dim0");
  g.put<uint64_t>(8);
  g.mark("t0.dim1");
  g.put<uint64_t>(2);
  g.mark("t0.type");
  g.put<uint32_t>(0);  // F32: 64 bytes
  g.mark("t0.offset");
  g.put<uint64_t>(0);

  g.str("b");
  g.put<uint32_t>(2);
  g.mark("t1.dim0");
  g.put<uint64_t>(32);
  g.put<uint64_t>(2);
  g.mark("t1.type");
  g.put<uint32_t>(8);  // Q8_0: 2 blocks of 34 bytes
  g.mark("t1.offset");
  g.put<uint64_t>(64);

  g.pad(32);
  g.mark("data");
  for (int i = 0; i < 16; ++i) g.put<float>(static_cast<float>(i));
  for (int i = 0; i < 68; ++i) g.put<uint8_t>(static_cast<uint8_t>(i));
  return g;
}

}  // namespace liftoff::formats::testing
