// Runtime choice of the instruction set for the stepper's hot loops, so that one build (a wheel
// for the baseline x86-64 CPU, no -march flag) still uses AVX2 where the CPU has it.
//
// On x86-64 with GCC or Clang, a hot function is compiled twice: as usual, and with
// SKINREMODEL_TARGET_AVX2 (the same source, with everything it inlines, for AVX2); the caller picks
// one with use_avx2(). AVX2 without FMA: the loops do the same floating-point operations on four
// values at a time instead of two, with the same rounding, so both paths give bitwise the same
// results (FMA would round differently, so results would depend on the CPU; it is not enabled).
// Elsewhere (MSVC, other architectures, or a build that already targets AVX2) there is one path.
//
// SKINREMODEL_SIMD=baseline in the environment forces the baseline path; valgrind (3.19) does not
// decode every AVX2 instruction GCC emits, so instruction counts under callgrind need it.
#pragma once

#include <cstdlib>
#include <cstring>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(__AVX2__) && \
    !defined(SKINREMODEL_NO_DISPATCH)
#define SKINREMODEL_DISPATCH_AVX2 1
#define SKINREMODEL_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define SKINREMODEL_DISPATCH_AVX2 0
#define SKINREMODEL_TARGET_AVX2
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SKINREMODEL_NOINLINE __attribute__((noinline))
#define SKINREMODEL_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define SKINREMODEL_NOINLINE __declspec(noinline)
#define SKINREMODEL_ALWAYS_INLINE __forceinline
#else
#define SKINREMODEL_NOINLINE
#define SKINREMODEL_ALWAYS_INLINE inline
#endif

namespace skinremodel::numerics {

// True if the AVX2 variants should run: the CPU has AVX2 and SKINREMODEL_SIMD is not "baseline".
// Decided once per process.
inline bool use_avx2() {
#if SKINREMODEL_DISPATCH_AVX2
    static const bool yes = [] {
        const char* simd = std::getenv("SKINREMODEL_SIMD");
        if (simd != nullptr && std::strcmp(simd, "baseline") == 0) return false;
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") != 0;
    }();
    return yes;
#else
    return false;
#endif
}

}  // namespace skinremodel::numerics
