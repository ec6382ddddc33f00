// The SGEMM micro-kernel, written once with GCC/Clang vector extensions and compiled per
// instruction set (gemm_avx2.cc, gemm_avx512.cc, gemm.cc): each translation unit defines
// TL_W (floats per vector), TL_MR (rows) and TL_NV (vectors per row) before including this.
// MSVC has no vector extensions: there the same kernel runs on the intrinsics of the file's
// instruction set (AVX-512, AVX2+FMA, SSE2, NEON), through the TL_V* macros below, which on
// GCC/Clang expand to the vector-extension expressions.
//
// C[i, j] (+)= sum_k a[k*MR + i] * b[k*NR + j], for i < m, j < n, where a and b are packed
// panels (see gemm.cc) and NR = NV * W.
#include <cstdint>

#include "portable.h"

namespace {
constexpr int MR = TL_MR, NV = TL_NV, W = TL_W, NR = TL_NV * TL_W;

#if defined(TL_MSVC)
#if TL_W == 16
#include <immintrin.h>
typedef __m512 vf;
inline vf loadv(const float* p) { return _mm512_loadu_ps(p); }
inline void storev(float* p, vf v) { _mm512_storeu_ps(p, v); }
inline vf splat(float x) { return _mm512_set1_ps(x); }
#define TL_VZERO() _mm512_setzero_ps()
#define TL_VADD(x, y) _mm512_add_ps(x, y)
#define TL_VMADD(acc, x, y) acc = _mm512_fmadd_ps(x, y, acc)
#elif TL_W == 8
#include <immintrin.h>
typedef __m256 vf;
inline vf loadv(const float* p) { return _mm256_loadu_ps(p); }
inline void storev(float* p, vf v) { _mm256_storeu_ps(p, v); }
inline vf splat(float x) { return _mm256_set1_ps(x); }
#define TL_VZERO() _mm256_setzero_ps()
#define TL_VADD(x, y) _mm256_add_ps(x, y)
#define TL_VMADD(acc, x, y) acc = _mm256_fmadd_ps(x, y, acc)
#elif TL_W == 4 && defined(_M_ARM64)
#include <arm_neon.h>
typedef float32x4_t vf;
inline vf loadv(const float* p) { return vld1q_f32(p); }
inline void storev(float* p, vf v) { vst1q_f32(p, v); }
inline vf splat(float x) { return vdupq_n_f32(x); }
#define TL_VZERO() vdupq_n_f32(0.f)
#define TL_VADD(x, y) vaddq_f32(x, y)
#define TL_VMADD(acc, x, y) acc = vfmaq_f32(acc, x, y)
#elif TL_W == 4
#include <emmintrin.h>
typedef __m128 vf;
inline vf loadv(const float* p) { return _mm_loadu_ps(p); }
inline void storev(float* p, vf v) { _mm_storeu_ps(p, v); }
inline vf splat(float x) { return _mm_set1_ps(x); }
#define TL_VZERO() _mm_setzero_ps()
#define TL_VADD(x, y) _mm_add_ps(x, y)
#define TL_VMADD(acc, x, y) acc = _mm_add_ps(acc, _mm_mul_ps(x, y))  // SSE2 has no FMA
#else
#error "micro_impl.h: no MSVC vector type for this TL_W"
#endif
#else
typedef float vf __attribute__((vector_size(TL_W * 4)));
inline vf loadv(const float* p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
inline void storev(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
// x - (+0) is x for every x (-0 and NaN included), so the compiler makes this one broadcast
// load; `vf{} + x` kept an add per broadcast (0 + -0 is +0) and a register shuffle after it.
inline vf splat(float x) { return x - vf{}; }
#define TL_VZERO() vf{}
#define TL_VADD(x, y) (x) + (y)
#define TL_VMADD(acc, x, y) acc += x * y
#endif

void micro(int64_t kc, const float* __restrict a, const float* __restrict b, float* __restrict c, int64_t ldc, int m, int n, bool acc) {
  vf r[MR][NV];
  TL_UNROLL(32)
  for (int i = 0; i < MR; i++)
    TL_UNROLL(4)
    for (int j = 0; j < NV; j++) r[i][j] = TL_VZERO();
  for (int64_t k = 0; k < kc; k++) {
    vf bv[NV];
    TL_UNROLL(4)
    for (int j = 0; j < NV; j++) bv[j] = loadv(b + j * W);
    TL_UNROLL(32)
    for (int i = 0; i < MR; i++) {
      vf av = splat(a[i]);
      TL_UNROLL(4)
      for (int j = 0; j < NV; j++) TL_VMADD(r[i][j], av, bv[j]);
    }
    a += MR;
    b += NR;
  }
  if (m == MR && n == NR) {
    TL_UNROLL(32)
    for (int i = 0; i < MR; i++)
      TL_UNROLL(4)
      for (int j = 0; j < NV; j++) {
        float* p = c + i * ldc + j * W;
        storev(p, acc ? TL_VADD(loadv(p), r[i][j]) : r[i][j]);
      }
    return;
  }
  alignas(64) float tmp[MR * NR];
  for (int i = 0; i < MR; i++)
    for (int j = 0; j < NV; j++) storev(tmp + i * NR + j * W, r[i][j]);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) c[i * ldc + j] = acc ? c[i * ldc + j] + tmp[i * NR + j] : tmp[i * NR + j];
}
}  // namespace
