// The table of per-instruction-set block loops used by the fused evaluator (see vec_impl.h).
#pragma once
#include <cstdint>

#include "scalar.h"

namespace tl {

// One step of an elementwise chain on float32 (fused.cc finds them): a unary op, or a binary op
// with a constant operand (`first`: the constant is the left operand, as in 1 - x).
struct ChainStep {
  bool unary;
  bool first;
  int op;
  float s;
};

struct VecOps {
  // Each returns false when it has no vector loop for `op` (the caller takes the double path).
  bool (*unaryF32)(int op, float* d, const float* a, int n);
  bool (*binaryF32)(int op, float* d, const float* a, const float* b, int n);
  bool (*binaryScalarF32)(int op, float* d, const float* a, float s, bool first, int n);
  bool (*compareF32)(int op, int32_t* d, const float* a, const float* b, int n);
  void (*selectF32)(float* d, const int32_t* c, const float* a, const float* b, int n);
  void (*clampF32)(float* d, const float* lo, const float* x, const float* hi, int n);
  void (*sumRowsF32)(double* acc, const float* v, int n);
  double (*sumF32)(const float* v, int n);
  // d = the steps applied in order to a, values kept in registers; false when this instruction
  // set has no vector form for one of the steps (the caller then runs them one by one).
  // `stream`: streaming stores where d is aligned (the caller fences).
  bool (*chainF32)(const ChainStep* steps, int nsteps, float* d, const float* a, int n, bool stream);
};

namespace vec_generic { const VecOps& ops(); }
namespace vec_avx2 { const VecOps& ops(); }
namespace vec_avx512 { const VecOps& ops(); }
const VecOps& vecOps();

}  // namespace tl
