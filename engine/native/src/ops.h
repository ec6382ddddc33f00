// Native operations: each is built once from a Float64Array description written by the
// TypeScript side (engine/src/backend/native/encode.ts) and then run on raw pointers, from
// eager dispatch or as a step of a compiled program.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fused.h"

namespace tl {

enum OpKind : int { OP_FUSED = 0, OP_DOT = 1, OP_COPY = 2, OP_GATHER = 3, OP_SCATTER = 4, OP_THREEFRY = 5, OP_ARGREDUCE = 6, OP_CONV = 7,
                   OP_PAD = 8, OP_CONCAT = 9, OP_DSLICE = 10, OP_DUS = 11, OP_CUMULATIVE = 12, OP_SORT = 13 };

struct Op {
  int numIn = 0, numOut = 1;
  std::vector<int64_t> outBytes;
  virtual ~Op() = default;
  virtual void run(const void* const* in, void* const* out) = 0;
  // For TENSORLENS_PROFILE: the op's kind and sizes.
  virtual std::string describe() const { return "op"; }
  // describe(), computed once when the op is created: the crash handler names the op that was
  // running from this string (a signal handler may not build one).
  std::string desc;
};

// Returns null (and a reason) when the description is malformed.
std::unique_ptr<Op> makeOp(const double* enc, size_t n, const char** why);

}  // namespace tl
