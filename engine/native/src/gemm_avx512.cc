// Compiled with -mavx512f ... (see binding.gyp): an 8x32 tile, 16 zmm accumulators.
#include "gemm.h"
#define TL_W 16
#define TL_MR 8
#define TL_NV 2
#include "micro_impl.h"
namespace tl {
MicroKernel microAvx512() { return {MR, NR, micro, "avx512 8x32"}; }
}
