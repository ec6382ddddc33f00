// Compiler portability: the GCC/Clang builtins the addon uses, with MSVC equivalents, so that
// the same sources build with GCC, Clang and MSVC. On GCC/Clang every macro expands to what
// the sources wrote before this header existed (same code, same behaviour).
//
//   TL_LIKELY(x), TL_UNLIKELY(x)  branch hints (__builtin_expect; MSVC: the plain condition)
//   TL_PREFETCH_R(p)             prefetch for reading into all cache levels (__builtin_prefetch(p, 0, 3);
//                                MSVC: _mm_prefetch(_MM_HINT_T0) on x64, nothing elsewhere)
//   TL_UNROLL(n)                 `#pragma GCC unroll n` (MSVC has no unroll pragma: nothing)
//   TL_HAVE_FMA                  defined when the translation unit may use FMA instructions
//                                (GCC/Clang: -mfma defines __FMA__; MSVC: /arch:AVX2 and above imply FMA3)
//   TL_MSVC                      defined for MSVC proper (not clang-cl, which takes the GCC paths)
//   tl::cpuHasAvx2Fma(), tl::cpuHasAvx512()  run-time CPU (and OS register-state) checks
#pragma once

#if defined(_MSC_VER) && !defined(__clang__)
#define TL_MSVC 1
#endif

#if defined(TL_MSVC)
#include <intrin.h>
#define TL_LIKELY(x) (x)
#define TL_UNLIKELY(x) (x)
#define TL_UNROLL(n)
#if defined(_M_X64)
#include <immintrin.h>
#define TL_PREFETCH_R(p) _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0)
#else
#define TL_PREFETCH_R(p) ((void)(p))
#endif
#if defined(__AVX2__)
#define TL_HAVE_FMA 1
#endif
#else
#define TL_LIKELY(x) __builtin_expect(!!(x), 1)
#define TL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TL_PRAGMA_(x) _Pragma(#x)
#define TL_UNROLL(n) TL_PRAGMA_(GCC unroll n)
#define TL_PREFETCH_R(p) __builtin_prefetch((p), 0, 3)
#if defined(__FMA__)
#define TL_HAVE_FMA 1
#endif
#endif

namespace tl {

#if defined(__x86_64__) || defined(_M_X64)
#if defined(TL_MSVC)
// CPUID feature bits plus the OS's XSAVE state (XCR0): AVX needs the YMM state enabled, AVX-512
// the opmask and ZMM states too, or the instructions fault even where the CPU has them.
inline bool cpuOsSaves(unsigned long long mask) {
  int r[4];
  __cpuid(r, 1);
  if (!(r[2] & (1 << 27))) return false;  // OSXSAVE
  return (_xgetbv(0) & mask) == mask;
}
inline bool cpuHasAvx2Fma() {
  int r1[4], r7[4];
  __cpuid(r1, 0);
  if (r1[0] < 7) return false;
  __cpuid(r1, 1);
  __cpuidex(r7, 7, 0);
  bool fma = (r1[2] & (1 << 12)) != 0, avx = (r1[2] & (1 << 28)) != 0, avx2 = (r7[1] & (1 << 5)) != 0;
  return fma && avx && avx2 && cpuOsSaves(0x6);
}
inline bool cpuHasAvx512() {
  int r7[4];
  __cpuid(r7, 0);
  if (r7[0] < 7) return false;
  __cpuidex(r7, 7, 0);
  const unsigned b = (unsigned)r7[1], f = 1u << 16, dq = 1u << 17, bw = 1u << 30, vl = 1u << 31;
  return (b & f) && (b & dq) && (b & bw) && (b & vl) && cpuOsSaves(0xe6);
}
#else
inline bool cpuHasAvx2Fma() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
inline bool cpuHasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}
#endif
#endif

}  // namespace tl
