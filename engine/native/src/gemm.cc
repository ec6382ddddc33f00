// Cache-blocked SGEMM in the GotoBLAS/BLIS layout: B is packed into kc x NR panels shared by
// all threads, each thread packs an mc x kc block of A into MR-row panels, and the micro-kernel
// multiplies one MR x NR tile out of registers. Strides are free: packing reads any layout.
#include "gemm.h"

#include <algorithm>
#include <atomic>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>  // SSE, part of every x86-64 CPU: 4x4 transposes in the packing
#define TL_PACK_SSE 1
#endif

#include "pool.h"

namespace tl {

const MicroKernel& activeMicroKernel() {
  static MicroKernel k = [] {
#if defined(__x86_64__) || defined(_M_X64)
    if (simdLevel() == SIMD_AVX512) return microAvx512();
    if (simdLevel() == SIMD_AVX2) return microAvx2();
#endif
    return microGeneric();
  }();
  return k;
}

namespace {

// K block (balanced per call: equal blocks of at most KC) and the largest row block. Measured on
// the AVX-512 8x32 kernel (bench/README.md): 384/96 beat 256/144 by 5-15% at n = 1024-2048;
// 512 then beat 384 on 2 threads by ~4% at n = 4096 (8 of 8 interleaved pairs) and ~2% at 2048
// (6 of 8), one thread and the model shapes unchanged within noise (2026-12-08).
constexpr int64_t KC = 512;
constexpr int64_t MCW = 96;

// out[k * W + r] = src[r * ld + k] for r < W, k < kc: W rows of a matrix read along k and
// written interleaved (a panel of A from row-major A, of B from B stored transposed). Goes by
// k blocks of 16 (one cache line of each row), then 4x4 SSE transposes: the scalar loop it
// replaces, one strided load per float, cost g @ W^T (128x512x784) a third of its time.
void packTransposed(const float* src, int64_t ld, int W, int64_t kc, float* out) {
  for (int64_t k0 = 0; k0 < kc; k0 += 16) {
    const int64_t k1 = std::min<int64_t>(kc, k0 + 16);
    int r = 0;
#if defined(TL_PACK_SSE)
    for (; r + 4 <= W; r += 4) {
      const float *s0 = src + r * ld, *s1 = s0 + ld, *s2 = s1 + ld, *s3 = s2 + ld;
      int64_t k = k0;
      for (; k + 4 <= k1; k += 4) {
        __m128 a = _mm_loadu_ps(s0 + k), b = _mm_loadu_ps(s1 + k), c = _mm_loadu_ps(s2 + k), d = _mm_loadu_ps(s3 + k);
        _MM_TRANSPOSE4_PS(a, b, c, d);
        float* o = out + k * W + r;
        _mm_storeu_ps(o, a); _mm_storeu_ps(o + W, b); _mm_storeu_ps(o + 2 * W, c); _mm_storeu_ps(o + 3 * W, d);
      }
      for (; k < k1; k++)
        for (int i = 0; i < 4; i++) out[k * W + r + i] = src[(r + i) * ld + k];
    }
#endif
    for (; r < W; r++)
      for (int64_t k = k0; k < k1; k++) out[k * W + r] = src[r * ld + k];
  }
}

// Packs rows [0, mc) x cols [0, kc) of A into panels of MR rows: panel p holds, for each k,
// the MR values A[p*MR + i, k] side by side; rows past mc are zero.
void packA(const float* A, int64_t rsa, int64_t csa, int64_t mc, int64_t kc, int MR, float* out) {
  for (int64_t p = 0; p < mc; p += MR) {
    int64_t m = std::min<int64_t>(MR, mc - p);
    const float* src = A + p * rsa;
    if (csa == 1 && m == MR) {
      packTransposed(src, rsa, MR, kc, out);
    } else if (rsa == 1 && m == MR) {
      for (int64_t k = 0; k < kc; k++) {
        const float* s = src + k * csa;
        for (int i = 0; i < MR; i++) out[k * MR + i] = s[i];
      }
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int i = 0; i < MR; i++) out[k * MR + i] = i < m ? src[i * rsa + k * csa] : 0.f;
    }
    out += kc * MR;
  }
}

// Packs B[0:kc, 0:nc] into panels of NR columns: panel q holds, for each k, B[k, q*NR + j].
void packBPanel(const float* B, int64_t rsb, int64_t csb, int64_t kc, int64_t n, int NR, float* out) {
  if (csb == 1 && n == NR) {
    for (int64_t k = 0; k < kc; k++) std::memcpy(out + k * NR, B + k * rsb, NR * sizeof(float));
  } else if (rsb == 1 && n == NR) {
    packTransposed(B, csb, NR, kc, out);
  } else {
    for (int64_t k = 0; k < kc; k++)
      for (int j = 0; j < NR; j++) out[k * NR + j] = j < n ? B[k * rsb + j * csb] : 0.f;
  }
}

// Per-thread scratch (common.h): packed A (each thread its own) and packed B (the caller's,
// shared by the threads of one call).
thread_local ScratchFloats aBuf, bBuf;

// Small products: packing would cost more than it saves.
void sgemmSmall(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb,
                int64_t csb, float* C, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < M; i++) {
    float* c = C + i * ldc;
    if (!accumulate) for (int64_t j = 0; j < N; j++) c[j] = 0.f;
    for (int64_t k = 0; k < K; k++) {
      float a = A[i * rsa + k * csa];
      const float* b = B + k * rsb;
      if (csb == 1) for (int64_t j = 0; j < N; j++) c[j] += a * b[j];
      else for (int64_t j = 0; j < N; j++) c[j] += a * b[j * csb];
    }
  }
}

// One group of K blocks [kb0, kb1) of the columns [jc, jc + nc): B packed once for the group
// (a block of blockFloats per K block, NR-wide panels), then work items of (a block of MC rows) x
// (one of jsplit column ranges), each running the group's K blocks in order for its C tile.
struct GroupWork {
  const MicroKernel* mk;
  const float *A, *B;
  float* C;
  int64_t rsa, csa, rsb, csb, ldc, M, K;
  int64_t MC, KCb;                  // row block and K block sizes
  int64_t jc, nc, nPanels;          // the columns of this pass and their NR-wide panels
  int64_t kb0, kb1, blockFloats;    // the group's K blocks and the packed size of one
  float* pb;                        // packed B
  int64_t jsplit, items;
  bool accumulate;
  std::atomic<int64_t> next;        // the next unclaimed work item
};

// Packs units [u0, u1) of the group's B: unit u is panel u % nPanels of K block u / nPanels.
void packGroupB(const GroupWork& g, int64_t u0, int64_t u1) {
  const int NR = g.mk->nr;
  for (int64_t u = u0; u < u1; u++) {
    int64_t kb = u / g.nPanels, q = u % g.nPanels;
    int64_t pc = (g.kb0 + kb) * g.KCb, kc = std::min(g.KCb, g.K - pc);
    packBPanel(g.B + pc * g.rsb + (g.jc + q * NR) * g.csb, g.rsb, g.csb, kc, std::min<int64_t>(NR, g.nc - q * NR), NR,
               g.pb + kb * g.blockFloats + q * NR * kc);
  }
}

// A pool share: claims work items until none are left, packing its rows of A per K block.
void computeGroupItems(void* ctx, int /*tid*/) {
  GroupWork& c = *static_cast<GroupWork*>(ctx);
  const int MR = c.mk->mr, NR = c.mk->nr;
  float* pa = aBuf.get(c.MC * c.KCb);
  // Items are taken from a shared counter rather than split up front: on a busy machine a
  // descheduled thread's share is then done by the others instead of waited for.
  for (;;) {
    int64_t it = c.next.fetch_add(1, std::memory_order_relaxed);
    if (it >= c.items) break;
    int64_t ic = it / c.jsplit, part = it % c.jsplit;
    int64_t row0 = ic * c.MC, mc = std::min(c.MC, c.M - row0);
    int64_t q0 = c.nPanels * part / c.jsplit, q1 = c.nPanels * (part + 1) / c.jsplit;
    for (int64_t kb = c.kb0; kb < c.kb1; kb++) {
      int64_t pc = kb * c.KCb, kc = std::min(c.KCb, c.K - pc);
      bool acc = c.accumulate || kb > 0;
      packA(c.A + row0 * c.rsa + pc * c.csa, c.rsa, c.csa, mc, kc, MR, pa);
      const float* pbk = c.pb + (kb - c.kb0) * c.blockFloats;
      for (int64_t q = q0; q < q1; q++) {
        int n = (int)std::min<int64_t>(NR, c.nc - q * NR);
        const float* bp = pbk + q * NR * kc;
        for (int64_t ir = 0; ir < mc; ir += MR) {
          int m = (int)std::min<int64_t>(MR, mc - ir);
          c.mk->fn(kc, pa + ir * kc, bp, c.C + (row0 + ir) * c.ldc + c.jc + q * NR, c.ldc, m, n, acc);
        }
      }
    }
  }
}

}  // namespace

void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb,
           int64_t csb, float* C, int64_t ldc, bool accumulate, int maxThreads) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate) for (int64_t i = 0; i < M; i++) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  double flops = 2.0 * M * N * K;
  if (flops < 64.0 * 64 * 64) { sgemmSmall(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, accumulate); return; }

  const MicroKernel& mk = activeMicroKernel();
  const int MR = mk.mr, NR = mk.nr;
  const int64_t MCmax = std::max<int64_t>(MR, (MCW / MR) * MR);
  const int64_t NC = std::max<int64_t>(NR, (3072 / NR) * NR);
  int nth = numThreads();
  if (maxThreads > 0 && maxThreads < nth) nth = maxThreads;
  // Below ~2 MFLOP a second thread costs more in hand-off than it saves.
  if (flops < 2e6) nth = 1;

  // Row blocks of equal size, as many as a multiple of the threads, so that no thread is left
  // with a short last block while the others wait.
  int64_t nIcWant = (M + MCmax - 1) / MCmax;
  if (nth > 1) nIcWant = (nIcWant + nth - 1) / nth * nth;
  const int64_t MC = std::min(MCmax, std::max<int64_t>(MR, ((M + nIcWant - 1) / nIcWant + MR - 1) / MR * MR));
  // K blocks of equal size (at most KC each, multiples of 8): no short last block.
  const int64_t nk = (K + KC - 1) / KC, KCb = std::min<int64_t>(K, ((K + nk - 1) / nk + 7) / 8 * 8);
  for (int64_t jc = 0; jc < N; jc += NC) {
    int64_t nc = std::min(NC, N - jc);
    int64_t nPanels = (nc + NR - 1) / NR;
    const int64_t blockFloats = nPanels * NR * KCb;
    // K blocks go in groups whose packed B fits in ~16 MiB: per group, one dispatch packs B
    // (every block of the group) and one computes (each work item runs all of the group's
    // K blocks for its C tile), instead of two dispatches per K block.
    const int64_t perGroup = std::max<int64_t>(1, (int64_t)(16 << 20) / 4 / blockFloats);
    for (int64_t kb0 = 0; kb0 < nk; kb0 += perGroup) {
      const int64_t kb1 = std::min(nk, kb0 + perGroup), nkg = kb1 - kb0;
      float* pb = bBuf.get((size_t)(nkg * blockFloats));
      // Work items: row blocks x enough column ranges that every thread gets one.
      int64_t nIc = (M + MC - 1) / MC;
      int64_t jsplit = std::min<int64_t>(nPanels, std::max<int64_t>(1, (nth + nIc - 1) / nIc));
      int64_t items = nIc * jsplit;
      GroupWork g{&mk, A, B, C, rsa, csa, rsb, csb, ldc, M, K, MC, KCb, jc, nc, nPanels, kb0, kb1, blockFloats, pb, jsplit, items, accumulate, {0}};
      int64_t units = nkg * nPanels;
      auto packB = [&g](int64_t u0, int64_t u1) { packGroupB(g, u0, u1); };
      if (nth > 1) parallelFor(units, std::max<int64_t>(1, units / (4 * nth)), packB);
      else packB(0, units);
      runOnThreads((int)std::min<int64_t>(nth, items), computeGroupItems, &g);
    }
  }
}

}  // namespace tl
