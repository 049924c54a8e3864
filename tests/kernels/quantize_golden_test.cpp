// Golden test: our encoders against bytes written by llama.cpp's reference quantizers
// (quantize_row_*_ref of ggml, the code behind llama-quantize without an imatrix). The expected
// bytes below were produced once by calling those functions on golden_input(); a mismatch means
// files we write would not load in llama.cpp to the same values.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "liftoff/kernels/dtype.h"
#include "liftoff/kernels/quantize.h"

namespace liftoff::kernels {
namespace {

// Input k of golden set: integer hash -> float using exact operations only, so every platform
// builds the same floats. Super-block b (256 elements) has shape b % 4: smooth groups with
// per-group amplitude and offset, outliers, all-positive, and a zero group among small values.
float golden_input(uint32_t k) {
  uint32_t h = k * 2654435761u;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  const float u = static_cast<float>(static_cast<int32_t>(h >> 16) - 32768) / 32768.0f;
  const uint32_t group = k / 32;
  const float amp = static_cast<float>(1 + (group * 7) % 13) / 8.0f;
  const float offset = static_cast<float>(static_cast<int32_t>((group * 5) % 9) - 4) / 16.0f;
  switch ((k / 256) % 4) {
    case 0:
      return u * amp + offset;
    case 1:
      return (k % 16 == 3) ? u * 8.0f : u * amp;
    case 2:
      return u * u * amp + 0.25f;
    default:
      return (group % 8 == 5) ? 0.0f : u * (1.0f / 1024.0f);
  }
}

uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : bytes) {
    h ^= b;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 15];
  }
  return s;
}

struct Golden {
  DType type;
  uint64_t fnv_of_all_4096;  // FNV-1a 64 of the encoding of golden_input(0..4095)
  const char* first_block;   // hex of the first block, for a readable diff
};

// Generated with llama.cpp's libggml-base (x86-64 build of the source that produced the files in
// ../shared/reference), one call per type on the 4096 inputs.
constexpr Golden kGolden[] = {
    {DType::kQ8_0, 0x23159b4079878e55ull,
     "0c1a81a0c78691c886a1cdb2928486d398c9cdd197cdd094aab78bb2d1c8d2bdbcb5"},
    {DType::kQ4_0, 0x2b2d5866c4b44bd4ull, "002a50521450511430321533514050454135"},
    {DType::kQ4_1, 0xd86378c29afca1baull, "272400b6e0e64de1e34d71a62e99f3d1f1bfb49d"},
    {DType::kQ5_0, 0xb4548720108e4822ull, "002600000000a0a439a1a22951741a66a290a18a7379"},
    {DType::kQ5_1, 0x9f7da665da36194bull, "052000b624a39bfed0ec8bd2e67bf24c4d32e6b1f26f694b"},
    {DType::kQ4_K, 0x06baf75520f0c9efull,
     "ef19382446e44bf357eb9af7c08907ff50a57cc1836c2176ed6953f1f11ed4dc4dceb4dd6e04d779"
     "62294e2c4e5a2a09957304437e5011a9c09194c186e28f5f442966d54e796e1aa565c416e23e2141"
     "89da3e6faa352ee4d5a442b84ba8218520542280729d4306c49abe761f3c94849321c843d665b857"
     "28b70b204b80c71a5224539a2280b284d358e6b1602e2cd1"},
    {DType::kQ5_K, 0xfc32c9957b2db9d6ull,
     "7415592446e74bf556ec99f8c16807ffb83ad112b601d02c6be9483a5ab98e67010702eb25bc8685"
     "a871b981195561a1b05beaa206da52fcdcd2c6f1f23eb8aa9c9d78accd07aff4d352ad5a9ea65613"
     "3b050986ffc03353a04239a31ee51fbf9964ecba8e04dd355beaa93cf46d42a324c56cdf557b4dfa"
     "cb5984918761532c51b94410053b860da8458dfd3e793a283753a397dfda82cf419009509821af36"
     "b56ab7465510853ad7b1fe83d04f5bd3"},
    {DType::kQ6_K, 0xbea28fd94f0d6920ull,
     "c067926124023158032ca430f15546329353c4a31354196db1ac94c1241e0e1c66c4a1abed32421f"
     "843365829005a85a85e80279acc10a313efca63b15d70c72ce602cc2af3f0dbdffccd409c429b180"
     "a22ee7809809aa23dcf19c741e970f6d37f66b8f11f9ae20159187eb77607c263fc43346c890da6b"
     "413016daf4fdd1444844c9806489cc5401484800400d60a1859d8c0da550acd8444005c105a4c080"
     "45822a8715582a90d014e881aa4518e588988c648446085d009612054ebab4041e1db83e2220a29b"
     "23278da82c2d8f80550e"},
    {DType::kQ8_K, 0x67834d83ad6bf80bull,
     "3c7e47bc1f170e1e1b0e1e170c131b1e1e0b190d0c0c1a0c0c1a15121c130b0e0b1010120ee401d0"
     "f9042afdc0070cbbb730c9cd16d2dccf093dcdfe042814291511273b161c191cfe23200c2321171f"
     "121dfcfd180b1416ff0bff0a161718141fff2120e1f44e1ef90a3cd4b9d9e2b8eaa0ee0e1a2dffb0"
     "1ff3013dd5fcb93e9c29351602fff2ed0113f11512162008fc07221126161f271ef51b1018fff20f"
     "eff81518dfa028fbc91f328c9ec91ab41ac42cdc2a0a34e3e8d41c4baad3b8ef3823d5de1b24fd1c"
     "081300070205ee2df02a08f51f141af4212d1f141b0109242cdde925d236a31d90fcb2073dae5634"
     "19dda5420d310dd033e4b4d68f0e81b3fd3d368f67011001f2fe95005601180106ff1e008000ec00"
     "63fea0ffb30022015fff8cfe"},
};

TEST(QuantizeGolden, MatchesLlamaCppReferenceQuantizers) {
  constexpr size_t kN = 4096;
  std::vector<float> x(kN);
  for (uint32_t k = 0; k < kN; ++k) x[k] = golden_input(k);
  for (const Golden& g : kGolden) {
    SCOPED_TRACE(std::string(dtype_info(g.type).name));
    std::vector<uint8_t> out(row_bytes(g.type, kN));
    quantize_row(g.type, x.data(), out.data(), kN);
    EXPECT_EQ(hex(out.data(), dtype_info(g.type).block_bytes), g.first_block);
    EXPECT_EQ(fnv1a(out), g.fnv_of_all_4096);
  }
}

}  // namespace
}  // namespace liftoff::kernels
