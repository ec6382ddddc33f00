// The fused evaluator's block loops for this instruction set (flags in binding.gyp).
#define TL_VEC_NS vec_avx512
#include "vec_impl.h"
