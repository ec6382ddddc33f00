// Compiled with -mavx2 -mfma (see binding.gyp): a 6x16 tile, 12 ymm accumulators.
#include "gemm.h"
#define TL_W 8
#define TL_MR 6
#define TL_NV 2
#include "micro_impl.h"
namespace tl {
MicroKernel microAvx2() { return {MR, NR, micro, "avx2 6x16"}; }
}
