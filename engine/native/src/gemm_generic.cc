// Baseline instruction set: SSE2 on x86-64 (4x8 tile), NEON on arm64 (8x8 tile, 32 registers).
#include "gemm.h"
#define TL_W 4
#if defined(__aarch64__)
#define TL_MR 8
#else
#define TL_MR 4
#endif
#define TL_NV 2
#include "micro_impl.h"
namespace tl {
MicroKernel microGeneric() { return {MR, NR, micro, "generic 4-wide"}; }
}
