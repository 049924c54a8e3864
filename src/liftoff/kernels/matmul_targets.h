// SIMD targets compiled for the matmul kernels. Included first by every matmul translation unit
// (and by its test) so that all of them agree on the set that HWY_DYNAMIC_DISPATCH picks from.
#pragma once

// AVX2 is the tuned target; the baseline target (HWY_SCALAR or HWY_EMU128, whichever this
// Highway build uses; both run on any x86-64) is the portable fallback and is also what the tests
// run next to AVX2. AVX-512 machines run the AVX2 code: an AVX3
// build would only add compile time and code that no machine of ours can test. SSSE3/SSE4
// machines (pre-2013) would gain little over the fallback for LLM inference.
#ifdef HIGHWAY_HWY_DETECT_TARGETS_H_
#error "matmul_targets.h must come before any Highway header"
#endif

#ifndef HWY_DISABLED_TARGETS
#define HWY_DISABLED_TARGETS (HWY_AVX3 | HWY_AVX3_DL | HWY_SSE4 | HWY_SSSE3)
#endif
