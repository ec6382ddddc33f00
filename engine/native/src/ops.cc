#include "ops.h"

#include <cmath>
#include <cstring>

#include <algorithm>
#include <numeric>

#include "conv.h"
#include "gemm.h"
#include "pool.h"
#include "scalar.h"

namespace tl {
namespace {

inline double readAs(const void* p, int dt, int64_t i) {
  switch (dt == BOOL ? BOOL : storageOf(dt)) {
    case F32: return ((const float*)p)[i];
    case F64: return ((const double*)p)[i];
    case I32: return ((const int32_t*)p)[i];
    case U32: return ((const uint32_t*)p)[i];
    default: return ((const uint8_t*)p)[i];
  }
}

// A typed-array store: floats round, integers wrap (JS ToInt32/ToUint32), as the reference
// kernels write their results.
inline void writeAs(void* p, int dt, int64_t i, double v) {
  switch (dt) {
    case F32: ((float*)p)[i] = (float)v; break;
    case F16: ((float*)p)[i] = roundHalf((float)v); break;
    case BF16: ((float*)p)[i] = roundBf16((float)v); break;
    case I8: case U8: case I16: ((int32_t*)p)[i] = (int32_t)wrapTo(v, dt); break;
    case F64: ((double*)p)[i] = v; break;
    case I32: ((int32_t*)p)[i] = std::isfinite(v) ? (int32_t)(uint32_t)(int64_t)std::fmod(std::trunc(v), 4294967296.0) : 0; break;
    case U32: ((uint32_t*)p)[i] = std::isfinite(v) ? (uint32_t)(int64_t)std::fmod(std::trunc(v), 4294967296.0) : 0; break;
    default: ((uint8_t*)p)[i] = (v != 0 && !std::isnan(v)) ? 1 : 0; break;
  }
}

struct FusedOp : Op {
  std::string describe() const override {
    std::string d = k.reduce >= 0 ? "fused reduce [" : "fused [";
    for (size_t i = 0; i < k.shape.size(); i++) d += (i ? "," : "") + std::to_string(k.shape[i]);
    return d + "] " + std::to_string(k.code.size()) + " instrs";
  }
  Kernel k;
  void run(const void* const* in, void* const* out) override { runKernel(k, in, out[0]); }
};

struct CopyOp : Op {
  std::string describe() const override { return "copy " + std::to_string(bytes); }
  int64_t bytes = 0;
  void run(const void* const* in, void* const* out) override {
    if (bytes < (1 << 20)) { std::memcpy(out[0], in[0], bytes); return; }
    const char* s = (const char*)in[0];
    char* d = (char*)out[0];
    int64_t b = bytes;
    parallelFor((b + 65535) / 65536, 8, [&](int64_t c0, int64_t c1) {
      int64_t lo = c0 * 65536, hi = std::min<int64_t>(b, c1 * 65536);
      std::memcpy(d + lo, s + lo, hi - lo);
    });
  }
};

// dot_general as a batch of strided matrix products: out[b, i, j] = sum_k A[b, i, k] B[b, k, j].
struct DotOp : Op {
  std::string describe() const override { return "dot b" + std::to_string(batch) + " " + std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N) + " s" + std::to_string(rsa) + "," + std::to_string(csa) + "," + std::to_string(rsb) + "," + std::to_string(csb); }
  int dtA, dtB, outDt;
  std::vector<int64_t> bsize, bsa, bsb;
  int64_t M, rsa, K, csa, rsb, N, csb, batch = 1;
  void offsets(int64_t b, int64_t& oa, int64_t& ob) const {
    oa = ob = 0;
    for (int d = (int)bsize.size() - 1; d >= 0; d--) {
      int64_t i = b % bsize[d]; b /= bsize[d];
      oa += i * bsa[d]; ob += i * bsb[d];
    }
  }
  void one(const void* A, const void* B, void* C, int64_t b, int maxThreads) const {
    int64_t oa, ob;
    offsets(b, oa, ob);
    int64_t oc = b * M * N;
    bool f32 = storageOf(dtA) == F32 && storageOf(dtB) == F32 && storageOf(outDt) == F32;
    if (f32) {
      float* c = (float*)C + oc;
      sgemm(M, N, K, (const float*)A + oa, rsa, csa, (const float*)B + ob, rsb, csb, c, N, false, maxThreads);
      if (outDt != F32) for (int64_t i = 0; i < M * N; i++) c[i] = (float)castTo(c[i], outDt);
      return;
    }
    bool intMath = isIntDt(outDt);
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        if (intMath) {
          uint32_t acc = 0;
          for (int64_t k = 0; k < K; k++)
            acc += (uint32_t)toI32(readAs(A, dtA, oa + i * rsa + k * csa)) * (uint32_t)toI32(readAs(B, dtB, ob + k * rsb + j * csb));
          writeAs(C, outDt, oc + i * N + j, outDt == I32 ? (double)(int32_t)acc : (double)acc);
        } else {
          double acc = 0;
          for (int64_t k = 0; k < K; k++) acc += readAs(A, dtA, oa + i * rsa + k * csa) * readAs(B, dtB, ob + k * rsb + j * csb);
          writeAs(C, outDt, oc + i * N + j, acc);
        }
      }
  }
  void run(const void* const* in, void* const* out) override {
    const void *A = in[0], *B = in[1];
    void* C = out[0];
    double flops = 2.0 * M * N * K;
    if (batch > 1 && flops < 4e6 && numThreads() > 1 && flops * batch > 1e6) {
      parallelFor(batch, 1, [&](int64_t b0, int64_t b1) { for (int64_t b = b0; b < b1; b++) one(A, B, C, b, 1); });
    } else {
      for (int64_t b = 0; b < batch; b++) one(A, B, C, b, 0);
    }
  }
};

struct GatherOp : Op {
  std::string describe() const override { return "gather"; }
  int dt, idxDt;
  int64_t outer, n, inner, m;
  void run(const void* const* in, void* const* out) override {
    int64_t es = itemSize(dt);
    const char* x = (const char*)in[0];
    char* o = (char*)out[0];
    for (int64_t i = 0; i < outer; i++)
      for (int64_t j = 0; j < m; j++) {
        double v = readAs(in[1], idxDt, j);
        int64_t k = std::isnan(v) ? 0 : (int64_t)(v < 0 ? 0 : v > n - 1 ? n - 1 : v);
        std::memcpy(o + (i * m + j) * inner * es, x + (i * n + k) * inner * es, inner * es);
      }
  }
};

struct ScatterOp : Op {
  std::string describe() const override { return "scatter"; }
  int dt, idxDt, mode;
  int64_t outer, n, inner, m;
  void run(const void* const* in, void* const* out) override {
    int64_t total = outer * n * inner;
    std::memcpy(out[0], in[0], total * itemSize(dt));
    void* o = out[0];
    for (int64_t i = 0; i < outer; i++)
      for (int64_t j = 0; j < m; j++) {
        double kv = readAs(in[1], idxDt, j);
        if (!(kv >= 0 && kv < n)) continue;  // out-of-bounds updates are dropped, as in JAX
        int64_t k = (int64_t)kv;
        int64_t dst = (i * n + k) * inner, src = (i * m + j) * inner;
        for (int64_t e = 0; e < inner; e++) {
          double cur = readAs(o, dt, dst + e), v = readAs(in[2], dt, src + e), r;
          switch (mode) {
            case 0: r = v; break;
            case 1: r = cur + v; break;
            case 2: r = cur * v; break;
            case 3: r = (std::isnan(cur) || std::isnan(v)) ? NAN : cur < v ? cur : v; break;
            default: r = (std::isnan(cur) || std::isnan(v)) ? NAN : cur > v ? cur : v; break;
          }
          writeAs(o, dt, dst + e, r);
        }
      }
  }
};

inline uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

struct ThreefryOp : Op {
  std::string describe() const override { return "threefry"; }
  std::vector<int64_t> shape;
  std::vector<int64_t> strides[4];
  int64_t size = 1;
  static void block(uint32_t k0, uint32_t k1, uint32_t x0, uint32_t x1, uint32_t& y0, uint32_t& y1) {
    static const int R[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
    uint32_t ks[3] = {k0, k1, k0 ^ k1 ^ 0x1bd11bdau};
    uint32_t a = x0 + ks[0], b = x1 + ks[1];
    for (int blk = 0; blk < 5; blk++) {
      for (int r : R[blk % 2]) { a += b; b = rotl(b, r) ^ a; }
      a += ks[(blk + 1) % 3];
      b += ks[(blk + 2) % 3] + (uint32_t)(blk + 1);
    }
    y0 = a; y1 = b;
  }
  void run(const void* const* in, void* const* out) override {
    const uint32_t* p[4] = {(const uint32_t*)in[0], (const uint32_t*)in[1], (const uint32_t*)in[2], (const uint32_t*)in[3]};
    uint32_t *y0 = (uint32_t*)out[0], *y1 = (uint32_t*)out[1];
    int nd = (int)shape.size();
    parallelFor(size, 16384, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; i++) {
        int64_t off[4] = {0, 0, 0, 0};
        int64_t t = i;
        for (int d = nd - 1; d >= 0; d--) {
          int64_t c = t % shape[d]; t /= shape[d];
          for (int q = 0; q < 4; q++) off[q] += c * strides[q][d];
        }
        block(p[0][off[0]], p[1][off[1]], p[2][off[2]], p[3][off[3]], y0[i], y1[i]);
      }
    });
  }
};

struct ArgReduceOp : Op {
  std::string describe() const override { return "argreduce"; }
  bool isMax;
  int dt, outDt;
  int64_t outer, n, inner;
  void run(const void* const* in, void* const* out) override {
    for (int64_t o = 0; o < outer; o++)
      for (int64_t l = 0; l < inner; l++) {
        int64_t b = o * n * inner + l;
        double best = n > 0 ? readAs(in[0], dt, b) : 0;
        int64_t bi = 0;
        for (int64_t j = 1; j < n; j++) {
          double v = readAs(in[0], dt, b + j * inner);
          if (std::isnan(best)) break;
          if (std::isnan(v) || (isMax ? v > best : v < best)) { best = v; bi = j; }
        }
        writeAs(out[0], outDt, o * inner + l, (double)bi);
      }
  }
};

struct ConvOp : Op {
  std::string describe() const override { return "conv N" + std::to_string(plan.N) + " C" + std::to_string(plan.C) + " O" + std::to_string(plan.O) + " G" + std::to_string(plan.G) + " P" + std::to_string(plan.P) + " kpos" + std::to_string(plan.kpos) + " in" + std::to_string(plan.inPos); }
  ConvPlan plan;
  void run(const void* const* in, void* const* out) override {
    plan.run((const float*)in[0], (const float*)in[1], (float*)out[0]);
  }
};

// Copies an nd-dimensional box of elements (es bytes each) between strided layouts (strides in
// elements); the innermost axis becomes one memcpy where both sides are contiguous there.
void copyBox(char* dst, const char* src, int es, int nd, const int64_t* shape, const int64_t* dstStr, const int64_t* srcStr) {
  for (int d = 0; d < nd; d++) if (shape[d] <= 0) return;
  if (nd == 0) { std::memcpy(dst, src, es); return; }
  const int last = nd - 1;
  const int64_t inner = shape[last];
  const bool contig = dstStr[last] == 1 && srcStr[last] == 1;
  int64_t outerCount = 1;
  for (int d = 0; d < last; d++) outerCount *= shape[d];
  auto rows = [&](int64_t r0, int64_t r1) {
    int64_t idx[16] = {0};
    int64_t t = r0;
    for (int d = last - 1; d >= 0; d--) { idx[d] = t % shape[d]; t /= shape[d]; }
    for (int64_t r = r0; r < r1; r++) {
      int64_t od = 0, os = 0;
      for (int d = 0; d < last; d++) { od += idx[d] * dstStr[d]; os += idx[d] * srcStr[d]; }
      char* dp = dst + od * es;
      const char* sp = src + os * es;
      if (contig) std::memcpy(dp, sp, inner * es);
      else if (es == 4) for (int64_t j = 0; j < inner; j++) std::memcpy(dp + j * dstStr[last] * 4, sp + j * srcStr[last] * 4, 4);
      else for (int64_t j = 0; j < inner; j++) std::memcpy(dp + j * dstStr[last] * es, sp + j * srcStr[last] * es, es);
      for (int d = last - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
    }
  };
  if (outerCount * inner * es >= (1 << 20)) parallelFor(outerCount, std::max<int64_t>(1, 65536 / std::max<int64_t>(1, inner * es)), rows);
  else rows(0, outerCount);
}

void fillBytes(char* dst, const char* value, int es, int64_t n) {
  if (n <= 0) return;
  if (es == 1) { std::memset(dst, value[0], n); return; }
  if (es == 4) { uint32_t v; std::memcpy(&v, value, 4); uint32_t* d = (uint32_t*)dst; std::fill(d, d + n, v); return; }
  uint64_t v; std::memcpy(&v, value, 8); uint64_t* d = (uint64_t*)dst; std::fill(d, d + n, v);
}

inline std::vector<int64_t> rowMajor(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (int d = (int)shape.size() - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

// pad(x, value) with (low, high, interior) per axis; low/high may be negative (cropping).
struct PadOp : Op {
  std::string describe() const override { return "pad"; }
  int es = 4, nd = 0;
  std::vector<int64_t> outShape, inShape, lo, interior;
  void run(const void* const* in, void* const* out) override {
    int64_t total = 1;
    for (auto v : outShape) total *= v;
    char* o = (char*)out[0];
    fillBytes(o, (const char*)in[1], es, total);
    if (total == 0) return;
    auto oStr = rowMajor(outShape), iStr = rowMajor(inShape);
    std::vector<int64_t> cnt(nd), dStr(nd);
    int64_t dOff = 0, sOff = 0;
    for (int d = 0; d < nd; d++) {
      int64_t step = interior[d] + 1;
      int64_t iLo = lo[d] < 0 ? (-lo[d] + step - 1) / step : 0;
      int64_t lastPos = outShape[d] - 1 - lo[d];  // largest i*step allowed
      int64_t iHi = lastPos < 0 ? 0 : std::min<int64_t>(inShape[d], lastPos / step + 1);
      cnt[d] = std::max<int64_t>(0, iHi - iLo);
      if (cnt[d] == 0) return;
      dStr[d] = step * oStr[d];
      dOff += (lo[d] + iLo * step) * oStr[d];
      sOff += iLo * iStr[d];
    }
    copyBox(o + dOff * es, (const char*)in[0] + sOff * es, es, nd, cnt.data(), dStr.data(), iStr.data());
  }
};

// concatenate along an axis: each input is [outer, row_k] written at column col_k of [outer, rowOut].
struct ConcatOp : Op {
  std::string describe() const override { return "concatenate"; }
  int es = 4;
  int64_t outer = 0, rowOut = 0;
  std::vector<int64_t> rows;
  void run(const void* const* in, void* const* out) override {
    int64_t col = 0;
    for (size_t k = 0; k < rows.size(); k++) {
      int64_t shape[2] = {outer, rows[k]}, ds[2] = {rowOut, 1}, ss[2] = {rows[k], 1};
      copyBox((char*)out[0] + col * es, (const char*)in[k], es, 2, shape, ds, ss);
      col += rows[k];
    }
  }
};

// Start indices of dynamic_slice / dynamic_update_slice, clamped so the box stays inside.
inline int64_t clampedStart(const void* p, int dt, int64_t dim, int64_t size) {
  double v = readAs(p, dt, 0);
  int64_t s = std::isnan(v) ? 0 : (int64_t)std::trunc(std::max(-1e18, std::min(1e18, v)));
  return std::min<int64_t>(std::max<int64_t>(s, 0), dim - size);
}

// dynamic_slice and dynamic_update_slice: a box of `box` elements inside an operand of
// `shape`, at start indices read from scalar inputs of dtypes startDt (clamped to fit).
struct DynamicBoxOp : Op {
  int es = 4, nd = 0;
  std::vector<int64_t> shape, box;
  std::vector<int> startDt;
  // The box's element offset in the operand (row-major strides str); starts[d] holds axis d's start.
  int64_t boxOffset(const void* const* starts, const std::vector<int64_t>& str) const {
    int64_t off = 0;
    for (int d = 0; d < nd; d++) off += clampedStart(starts[d], startDt[d], shape[d], box[d]) * str[d];
    return off;
  }
};

// out = x[start : start + box]; inputs x, then the starts.
struct DynSliceOp : DynamicBoxOp {
  std::string describe() const override { return "dynamic_slice"; }
  void run(const void* const* in, void* const* out) override {
    auto iStr = rowMajor(shape), oStr = rowMajor(box);
    int64_t off = boxOffset(in + 1, iStr);
    copyBox((char*)out[0], (const char*)in[0] + off * es, es, nd, box.data(), oStr.data(), iStr.data());
  }
};

// out = x with out[start : start + box] = update; inputs x, update, then the starts. out may be
// x itself (donated), then only the box is written.
struct DynUpdateSliceOp : DynamicBoxOp {
  std::string describe() const override { return "dynamic_update_slice"; }
  void run(const void* const* in, void* const* out) override {
    auto iStr = rowMajor(shape), uStr = rowMajor(box);
    int64_t total = 1;
    for (auto v : shape) total *= v;
    if (out[0] != in[0]) {
      int64_t one[1] = {total}, st[1] = {1};
      copyBox((char*)out[0], (const char*)in[0], es, 1, one, st, st);
    }
    int64_t off = boxOffset(in + 2, iStr);
    copyBox((char*)out[0] + off * es, (const char*)in[1], es, nd, box.data(), iStr.data(), uStr.data());
  }
};

// dtype.ts roundToFloat16 on a double, step for step (its float32-exponent test included).
inline double roundHalfRef(double x) {
  if (!std::isfinite(x)) return x;
  float f = (float)x;
  uint32_t bits; std::memcpy(&bits, &f, 4);
  int exp = (int)((bits >> 23) & 0xff);
  if (exp < 103) return std::signbit(x) ? -0.0 : 0.0;
  if (exp > 142) return x > 0 ? INFINITY : -INFINITY;
  int e = std::max(exp - 127, -14);
  double q = std::ldexp(1.0, e - 10);
  double r = x / q;
  double n = std::floor(r);
  if (r - n >= 0.5) n += 1;  // Math.round
  if (std::fabs(std::fmod(r, 1.0)) == 0.5 && std::fmod(n, 2.0) != 0) n -= 1;
  double out = n * q;
  return std::fabs(out) > 65504 ? (out > 0 ? INFINITY : -INFINITY) : out;
}

// cumsum / cumprod / cummax / cummin along an axis ([outer, n, inner] lanes), mirroring the
// reference: the running value is a double (int32 sums and products wrap, float16 rounds).
struct CumulativeOp : Op {
  std::string describe() const override { return "cumulative"; }
  int kind = 0, dt = F32;
  int64_t outer = 0, n = 0, inner = 0;
  bool reverse = false;
  static inline double combine(int kind, int dt, double a, double b) {
    switch (kind) {
      case 0: return dt == I32 ? (double)(int32_t)((uint32_t)(int32_t)a + (uint32_t)(int32_t)b) : a + b;
      case 1: return dt == I32 ? (double)(int32_t)((uint32_t)(int32_t)a * (uint32_t)(int32_t)b) : a * b;
      case 2: return (std::isnan(a) || std::isnan(b)) ? NAN : a > b ? a : b;
      default: return (std::isnan(a) || std::isnan(b)) ? NAN : a < b ? a : b;
    }
  }
  template <class T>
  void lanesTyped(const T* x, T* o, int64_t o0, int64_t o1) const {
    std::vector<double> acc((size_t)inner);
    for (int64_t ob = o0; ob < o1; ob++) {
      const int64_t base = ob * n * inner;
      for (int64_t t = 0; t < n; t++) {
        int64_t j = reverse ? n - 1 - t : t;
        const T* xr = x + base + j * inner;
        T* orow = o + base + j * inner;
        if (t == 0) {
          for (int64_t l = 0; l < inner; l++) { acc[l] = (double)xr[l]; orow[l] = xr[l]; }
          continue;
        }
        switch (kind) {
          case 0: for (int64_t l = 0; l < inner; l++) { acc[l] += (double)xr[l]; orow[l] = (T)acc[l]; } break;
          case 1: for (int64_t l = 0; l < inner; l++) { acc[l] *= (double)xr[l]; orow[l] = (T)acc[l]; } break;
          default: for (int64_t l = 0; l < inner; l++) { acc[l] = combine(kind, F32, acc[l], (double)xr[l]); orow[l] = (T)acc[l]; } break;
        }
      }
    }
  }
  void lanesGeneric(const void* x, void* o, int64_t o0, int64_t o1) const {
    std::vector<double> acc((size_t)inner);
    for (int64_t ob = o0; ob < o1; ob++) {
      const int64_t base = ob * n * inner;
      for (int64_t t = 0; t < n; t++) {
        int64_t j = reverse ? n - 1 - t : t;
        for (int64_t l = 0; l < inner; l++) {
          int64_t i = base + j * inner + l;
          double v = readAs(x, dt, i);
          double a = t == 0 ? v : combine(kind, dt, acc[l], v);
          if (dt == F16) a = roundHalfRef(a);
          else if (isNarrowed(dt)) a = wrapTo(a, dt);  // bfloat16 rounds, 8/16-bit ints wrap at every step
          acc[l] = a;
          writeAs(o, dt, i, a);
        }
      }
    }
  }
  void run(const void* const* in, void* const* out) override {
    if (outer * n * inner == 0) return;
    int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, n * inner));
    parallelFor(outer, grain, [&](int64_t a, int64_t b) {
      if (dt == F32) lanesTyped((const float*)in[0], (float*)out[0], a, b);
      else if (dt == F64) lanesTyped((const double*)in[0], (double*)out[0], a, b);
      else lanesGeneric(in[0], out[0], a, b);
    });
  }
};

// sort of k same-shaped operands along an axis by the first numKeys of them: stable, NaN last,
// -0 equal to 0 (numpy's order), as the reference.
struct SortOp : Op {
  std::string describe() const override { return "sort"; }
  int k = 1, numKeys = 1;
  int64_t outer = 0, n = 0, inner = 0;
  std::vector<int> dts;
  void run(const void* const* in, void* const* out) override {
    int64_t lanes = outer * inner;
    if (lanes == 0 || n == 0) return;
    int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, n));
    parallelFor(lanes, grain, [&](int64_t l0, int64_t l1) {
      std::vector<int32_t> order((size_t)n);
      std::vector<double> keys((size_t)(n * numKeys));
      for (int64_t lane = l0; lane < l1; lane++) {
        int64_t base = (lane / inner) * n * inner + lane % inner;
        for (int64_t j = 0; j < n; j++)
          for (int q = 0; q < numKeys; q++) keys[(size_t)(j * numKeys + q)] = readAs(in[q], dts[q], base + j * inner);
        std::iota(order.begin(), order.end(), 0);
        const int nk = numKeys;
        const double* kp = keys.data();
        std::stable_sort(order.begin(), order.end(), [kp, nk](int32_t a, int32_t b) {
          for (int q = 0; q < nk; q++) {
            double x = kp[(size_t)a * nk + q], y = kp[(size_t)b * nk + q];
            bool xn = std::isnan(x), yn = std::isnan(y);
            if (xn || yn) { if (xn == yn) continue; return yn; }
            if (x < y) return true;
            if (x > y) return false;
          }
          return false;
        });
        for (int q = 0; q < k; q++) {
          int es = itemSize(dts[q]);
          const char* s = (const char*)in[q];
          char* o = (char*)out[q];
          for (int64_t j = 0; j < n; j++) std::memcpy(o + (base + j * inner) * es, s + (base + order[j] * inner) * es, es);
        }
      }
    });
  }
};

// ---- decoding: one function per op kind reads the fields encode.ts writes after the kind ------
// Each returns null where a field is out of range; makeOp then checks that the description
// ended where the fields did.

std::unique_ptr<Op> readCopy(F64Reader& r) {
  auto op = std::make_unique<CopyOp>();
  op->numIn = 1; op->bytes = r.nextI64();
  return op;
}

std::unique_ptr<Op> readDot(F64Reader& r) {
  auto op = std::make_unique<DotOp>();
  op->numIn = 2;
  op->dtA = r.nextInt(); op->dtB = r.nextInt(); op->outDt = r.nextInt();
  int nb = r.nextInt();
  if (nb < 0) return nullptr;
  op->bsize.resize(nb); op->bsa.resize(nb); op->bsb.resize(nb);
  for (auto& v : op->bsize) v = r.nextI64();
  for (auto& v : op->bsa) v = r.nextI64();
  for (auto& v : op->bsb) v = r.nextI64();
  for (auto v : op->bsize) op->batch *= v;
  op->M = r.nextI64(); op->rsa = r.nextI64(); op->K = r.nextI64(); op->csa = r.nextI64();
  op->rsb = r.nextI64(); op->N = r.nextI64(); op->csb = r.nextI64();
  return op;
}

// gather and scatter share their layout: [outer, n, inner] indexed by m indices.
template <class T>
std::unique_ptr<T> readIndexed(F64Reader& r) {
  auto op = std::make_unique<T>();
  op->dt = r.nextInt(); op->idxDt = r.nextInt();
  op->outer = r.nextI64(); op->n = r.nextI64(); op->inner = r.nextI64(); op->m = r.nextI64();
  return op;
}

std::unique_ptr<Op> readGather(F64Reader& r) {
  auto op = readIndexed<GatherOp>(r);
  op->numIn = 2;
  return op;
}

std::unique_ptr<Op> readScatter(F64Reader& r) {
  auto op = readIndexed<ScatterOp>(r);
  op->numIn = 3;
  op->mode = r.nextInt();
  return op;
}

std::unique_ptr<Op> readThreefry(F64Reader& r) {
  auto op = std::make_unique<ThreefryOp>();
  op->numIn = 4; op->numOut = 2;
  int nd = r.nextInt();
  if (nd < 0) return nullptr;
  op->shape.resize(nd);
  for (auto& v : op->shape) { v = r.nextI64(); op->size *= v; }
  for (int q = 0; q < 4; q++) { op->strides[q].resize(nd); for (auto& v : op->strides[q]) v = r.nextI64(); }
  return op;
}

std::unique_ptr<Op> readArgReduce(F64Reader& r) {
  auto op = std::make_unique<ArgReduceOp>();
  op->numIn = 1;
  op->isMax = r.next() != 0; op->dt = r.nextInt(); op->outDt = r.nextInt();
  op->outer = r.nextI64(); op->n = r.nextI64(); op->inner = r.nextI64();
  return op;
}

std::unique_ptr<Op> readConv(F64Reader& r) {
  auto op = std::make_unique<ConvOp>();
  op->numIn = 2;
  ConvPlan& c = op->plan;
  int nsp = r.nextInt();
  if (nsp < 1 || nsp > 8) return nullptr;
  c.N = r.nextI64(); c.C = r.nextI64(); c.O = r.nextI64(); c.I = r.nextI64(); c.G = r.nextI64();
  for (auto* v : {&c.inSp, &c.kSp, &c.outSp, &c.stride, &c.padLo, &c.lhsDil, &c.rhsDil}) { v->resize(nsp); for (auto& x : *v) x = r.nextI64(); }
  // Checked before init(), which builds tables from these.
  if (!r.atEnd() || c.G < 1 || c.C != c.I * c.G || c.O % c.G != 0) return nullptr;
  for (int d = 0; d < nsp; d++) if (c.stride[d] < 1 || c.lhsDil[d] < 1 || c.rhsDil[d] < 1) return nullptr;
  c.init();
  return op;
}

std::unique_ptr<Op> readPad(F64Reader& r) {
  auto op = std::make_unique<PadOp>();
  op->numIn = 2;
  op->es = r.nextInt(); op->nd = r.nextInt();
  if (op->nd > 16) return nullptr;
  for (auto* v : {&op->outShape, &op->inShape, &op->lo, &op->interior}) { v->resize(op->nd); for (auto& x : *v) x = r.nextI64(); }
  return op;
}

std::unique_ptr<Op> readConcat(F64Reader& r) {
  auto op = std::make_unique<ConcatOp>();
  op->es = r.nextInt();
  int k = r.nextInt();
  if (k < 1 || k > 64) return nullptr;
  op->numIn = k;
  op->outer = r.nextI64(); op->rowOut = r.nextI64();
  op->rows.resize(k);
  for (auto& x : op->rows) x = r.nextI64();
  return op;
}

// dynamic_slice (box: the slice's sizes) and dynamic_update_slice (box: the update's shape)
// share their layout: es, nd, the operand's shape, the box, the start indices' dtypes.
std::unique_ptr<Op> readDynamicBox(F64Reader& r, bool update) {
  std::unique_ptr<DynamicBoxOp> op;
  if (update) op = std::make_unique<DynUpdateSliceOp>();
  else op = std::make_unique<DynSliceOp>();
  op->es = r.nextInt(); op->nd = r.nextInt();
  if (op->nd < 0 || op->nd > 16) return nullptr;
  op->numIn = (update ? 2 : 1) + op->nd;
  op->shape.resize(op->nd); op->box.resize(op->nd); op->startDt.resize(op->nd);
  for (auto& x : op->shape) x = r.nextI64();
  for (auto& x : op->box) x = r.nextI64();
  for (auto& x : op->startDt) x = r.nextInt();
  return op;
}

std::unique_ptr<Op> readCumulative(F64Reader& r) {
  auto op = std::make_unique<CumulativeOp>();
  op->numIn = 1;
  op->kind = r.nextInt(); op->dt = r.nextInt();
  op->outer = r.nextI64(); op->n = r.nextI64(); op->inner = r.nextI64(); op->reverse = r.next() != 0;
  return op;
}

std::unique_ptr<Op> readSort(F64Reader& r) {
  auto op = std::make_unique<SortOp>();
  op->k = r.nextInt(); op->numKeys = r.nextInt();
  if (op->k < 1 || op->k > 8 || op->numKeys < 1 || op->numKeys > op->k) return nullptr;
  op->numIn = op->k;
  op->outer = r.nextI64(); op->n = r.nextI64(); op->inner = r.nextI64();
  if (op->n > 2147483647) return nullptr;
  op->dts.resize(op->k);
  for (auto& x : op->dts) x = r.nextInt();
  return op;
}

}  // namespace

std::unique_ptr<Op> makeOp(const double* e, size_t n, const char** why) {
  *why = "malformed op description";
  if (n < 1) return nullptr;
  const int kind = (int)e[0];
  if (kind == OP_FUSED) {
    auto op = std::make_unique<FusedOp>();
    if (!decodeKernel(e + 1, n - 1, op->k)) { *why = "malformed fused kernel"; return nullptr; }
    op->numIn = op->k.numInputs;
    return op;
  }
  F64Reader r(e + 1, n - 1);
  std::unique_ptr<Op> op;
  switch (kind) {
    case OP_COPY: op = readCopy(r); break;
    case OP_DOT: op = readDot(r); break;
    case OP_GATHER: op = readGather(r); break;
    case OP_SCATTER: op = readScatter(r); break;
    case OP_THREEFRY: op = readThreefry(r); break;
    case OP_ARGREDUCE: op = readArgReduce(r); break;
    case OP_CONV: op = readConv(r); break;
    case OP_PAD: op = readPad(r); break;
    case OP_CONCAT: op = readConcat(r); break;
    case OP_DSLICE: op = readDynamicBox(r, false); break;
    case OP_DUS: op = readDynamicBox(r, true); break;
    case OP_CUMULATIVE: op = readCumulative(r); break;
    case OP_SORT: op = readSort(r); break;
    default: *why = "unknown op kind"; return nullptr;
  }
  if (!op || !r.atEnd()) return nullptr;
  return op;
}

}  // namespace tl
