// conv_general_dilated (float32, NC... / OI... layout) as im2col + the packed SGEMM; see conv.cc.
#pragma once
#include <cstdint>
#include <vector>

#include "common.h"

namespace tl {

struct ConvPlan {
  int64_t N = 0, C = 0, O = 0, I = 0, G = 1;
  std::vector<int64_t> inSp, kSp, outSp, stride, padLo, lhsDil, rhsDil;
  // Derived by init().
  int nsp = 0;
  int64_t kpos = 1, P = 1, inPos = 1, Kt = 0, opg = 0, icBlock = 1, pBlock = 1;
  bool direct = false;
  std::vector<std::vector<int32_t>> src;
  std::vector<int64_t> inStr;
  std::vector<int32_t> table;  // (kernel pos, output pos) -> offset in a channel, or -1

  void init();
  void run(const float* x, const float* w, float* out) const;
  void im2col(const float* x, int64_t ic0, int64_t ic1, int64_t p0, int64_t p1, float* col, int64_t ld) const;
  void tile(const float* x, const float* wg, int64_t g, int64_t c0, int64_t c1, int64_t ic0, int64_t ic1, float* T, int64_t ldT, int threads) const;
  void scatterTile(const float* T, int64_t ldT, int64_t g, int64_t c0, int64_t c1, float* out) const;
  void item(const float* x, const float* w, int64_t g, int64_t c0, int64_t c1, float* out, int threads) const;
};

}  // namespace tl
