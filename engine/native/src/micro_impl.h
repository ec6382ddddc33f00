// The SGEMM micro-kernel, written once with GCC/Clang vector extensions and compiled per
// instruction set (gemm_avx2.cc, gemm_avx512.cc, gemm.cc): each translation unit defines
// TL_W (floats per vector), TL_MR (rows) and TL_NV (vectors per row) before including this.
//
// C[i, j] (+)= sum_k a[k*MR + i] * b[k*NR + j], for i < m, j < n, where a and b are packed
// panels (see gemm.cc) and NR = NV * W.
#include <cstdint>

namespace {
typedef float vf __attribute__((vector_size(TL_W * 4)));
constexpr int MR = TL_MR, NV = TL_NV, W = TL_W, NR = TL_NV * TL_W;

inline vf loadv(const float* p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
inline void storev(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
// x - (+0) is x for every x (-0 and NaN included), so the compiler makes this one broadcast
// load; `vf{} + x` kept an add per broadcast (0 + -0 is +0) and a register shuffle after it.
inline vf splat(float x) { return x - vf{}; }

void micro(int64_t kc, const float* __restrict a, const float* __restrict b, float* __restrict c, int64_t ldc, int m, int n, bool acc) {
  vf r[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) r[i][j] = vf{};
  for (int64_t k = 0; k < kc; k++) {
    vf bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) bv[j] = loadv(b + j * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      vf av = splat(a[i]);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) r[i][j] += av * bv[j];
    }
    a += MR;
    b += NR;
  }
  if (m == MR && n == NR) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) {
        float* p = c + i * ldc + j * W;
        storev(p, acc ? loadv(p) + r[i][j] : r[i][j]);
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
