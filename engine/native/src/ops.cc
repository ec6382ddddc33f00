#include "ops.h"

#include <cmath>
#include <cstring>

#include "gemm.h"
#include "pool.h"
#include "scalar.h"

namespace tl {
namespace {

inline double readAs(const void* p, int dt, int64_t i) {
  switch (dt) {
    case F32: case F16: return ((const float*)p)[i];
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
    case F64: ((double*)p)[i] = v; break;
    case I32: ((int32_t*)p)[i] = std::isfinite(v) ? (int32_t)(uint32_t)(int64_t)std::fmod(std::trunc(v), 4294967296.0) : 0; break;
    case U32: ((uint32_t*)p)[i] = std::isfinite(v) ? (uint32_t)(int64_t)std::fmod(std::trunc(v), 4294967296.0) : 0; break;
    default: ((uint8_t*)p)[i] = (v != 0 && !std::isnan(v)) ? 1 : 0; break;
  }
}

struct FusedOp : Op {
  Kernel k;
  void run(const void* const* in, void* const* out) override { runKernel(k, in, out[0]); }
};

struct CopyOp : Op {
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
    bool f32 = (dtA == F32 || dtA == F16) && (dtB == F32 || dtB == F16) && (outDt == F32 || outDt == F16);
    if (f32) {
      float* c = (float*)C + oc;
      sgemm(M, N, K, (const float*)A + oa, rsa, csa, (const float*)B + ob, rsb, csb, c, N, false, maxThreads);
      if (outDt == F16) for (int64_t i = 0; i < M * N; i++) c[i] = roundHalf(c[i]);
      return;
    }
    bool intMath = outDt == I32 || outDt == U32;
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

}  // namespace

std::unique_ptr<Op> makeOp(const double* e, size_t n, const char** why) {
  *why = "malformed op description";
  if (n < 1) return nullptr;
  int kind = (int)e[0];
  size_t i = 1;
  auto next = [&]() -> double { return i < n ? e[i++] : (i++, 0.0); };
  switch (kind) {
    case OP_FUSED: {
      auto op = std::make_unique<FusedOp>();
      if (!decodeKernel(e + 1, n - 1, op->k)) { *why = "malformed fused kernel"; return nullptr; }
      op->numIn = op->k.numInputs;
      return op;
    }
    case OP_COPY: {
      auto op = std::make_unique<CopyOp>();
      op->numIn = 1; op->bytes = (int64_t)next();
      return op;
    }
    case OP_DOT: {
      auto op = std::make_unique<DotOp>();
      op->numIn = 2;
      op->dtA = (int)next(); op->dtB = (int)next(); op->outDt = (int)next();
      int nb = (int)next();
      op->bsize.resize(nb); op->bsa.resize(nb); op->bsb.resize(nb);
      for (auto& v : op->bsize) v = (int64_t)next();
      for (auto& v : op->bsa) v = (int64_t)next();
      for (auto& v : op->bsb) v = (int64_t)next();
      for (auto v : op->bsize) op->batch *= v;
      op->M = (int64_t)next(); op->rsa = (int64_t)next(); op->K = (int64_t)next(); op->csa = (int64_t)next();
      op->rsb = (int64_t)next(); op->N = (int64_t)next(); op->csb = (int64_t)next();
      if (i != n) return nullptr;
      return op;
    }
    case OP_GATHER: {
      auto op = std::make_unique<GatherOp>();
      op->numIn = 2;
      op->dt = (int)next(); op->idxDt = (int)next();
      op->outer = (int64_t)next(); op->n = (int64_t)next(); op->inner = (int64_t)next(); op->m = (int64_t)next();
      return i == n ? std::move(op) : nullptr;
    }
    case OP_SCATTER: {
      auto op = std::make_unique<ScatterOp>();
      op->numIn = 3;
      op->dt = (int)next(); op->idxDt = (int)next();
      op->outer = (int64_t)next(); op->n = (int64_t)next(); op->inner = (int64_t)next(); op->m = (int64_t)next();
      op->mode = (int)next();
      return i == n ? std::move(op) : nullptr;
    }
    case OP_THREEFRY: {
      auto op = std::make_unique<ThreefryOp>();
      op->numIn = 4; op->numOut = 2;
      int nd = (int)next();
      op->shape.resize(nd);
      for (auto& v : op->shape) { v = (int64_t)next(); op->size *= v; }
      for (int q = 0; q < 4; q++) { op->strides[q].resize(nd); for (auto& v : op->strides[q]) v = (int64_t)next(); }
      return i == n ? std::move(op) : nullptr;
    }
    case OP_ARGREDUCE: {
      auto op = std::make_unique<ArgReduceOp>();
      op->numIn = 1;
      op->isMax = next() != 0; op->dt = (int)next(); op->outDt = (int)next();
      op->outer = (int64_t)next(); op->n = (int64_t)next(); op->inner = (int64_t)next();
      return i == n ? std::move(op) : nullptr;
    }
  }
  *why = "unknown op kind";
  return nullptr;
}

}  // namespace tl
