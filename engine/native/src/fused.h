// Fused kernels: the kernel IR (engine/src/backend/kernel.ts) compiled, on the TypeScript side,
// into a register program that this evaluator runs over blocks of BLK elements along the
// innermost iteration axis. Leaves load with arbitrary element strides (zero: broadcast,
// negative: flip); reductions accumulate in double into the output.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"
#include "vec.h"

namespace tl {

enum InstrKind : int { I_LOAD = 0, I_CONST = 1, I_INDEX = 2, I_CONVERT = 3, I_SELECT = 4, I_CLAMP = 5, I_UNARY = 6, I_BINARY = 7 };
enum ReduceOp : int { R_NONE = -1, R_SUM = 0, R_MAX = 1, R_MIN = 2, R_PROD = 3, R_AND = 4, R_OR = 5 };

struct Instr {
  int kind, op, outDt, argDt, dst, a, b, c;
  int input;             // load
  int64_t offset;        // load
  std::vector<int64_t> strides;  // load: per iteration axis
  double value;          // const
  int axis;              // index
  bool contig = false;   // load: row-major over the whole iteration shape (flat blocks alias it)
  int scalar = 0;        // float32 binary: 1 when b is a kernel constant, 2 when a is (value in sval)
  float sval = 0;
};

struct Kernel {
  std::vector<int64_t> shape;      // iteration shape (nd >= 1); the last axis is the block axis
  std::vector<int64_t> outStrides; // per axis, 0 on reduced axes
  int reduce = R_NONE;
  int outDt = F32;
  int exprDt = F32;
  int numRegs = 0;
  int numInputs = 0;
  int64_t outSize = 0;
  std::vector<Instr> code;
  bool outContig = false;  // outStrides row-major over the whole iteration shape
  // Set when the kernel is one contiguous float32 load followed by unary ops and binaries with
  // a constant operand, each on the previous result: evaluated in registers (VecOps::chainF32).
  std::vector<ChainStep> chain;
  int chainLoad = -1;  // index of its load in code
};

// Decodes the Float64Array layout written by engine/src/backend/native/encode.ts.
bool decodeKernel(const double* p, size_t n, Kernel& k);
void runKernel(const Kernel& k, const void* const* inputs, void* out);

}  // namespace tl
