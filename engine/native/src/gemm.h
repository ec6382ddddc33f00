#pragma once
#include "common.h"

namespace tl {

// A register-tile kernel for one instruction set (see micro_impl.h).
struct MicroKernel {
  int mr, nr;
  void (*fn)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int m, int n, bool acc);
  const char* name;
};
MicroKernel microGeneric();
#if defined(__x86_64__) || defined(_M_X64)
MicroKernel microAvx2();
MicroKernel microAvx512();
#endif
const MicroKernel& activeMicroKernel();

// C[M,N] (+)= A[M,K] B[K,N] with element (i,k) of A at A[i*rsa + k*csa] and (k,j) of B at
// B[k*rsb + j*csb] (any strides: transposes cost nothing, packing absorbs them); C row-major
// with leading dimension ldc. Uses up to maxThreads threads (0: all).
void sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb,
           int64_t csb, float* C, int64_t ldc, bool accumulate, int maxThreads = 0);

}  // namespace tl
