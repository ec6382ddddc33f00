#include "fused.h"

#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#define TL_SSE2 1
#endif

#include "pool.h"
#include "portable.h"
#include "scalar.h"
#include "vec.h"

#ifndef M_PI  // not in standard C++; MSVC defines it only with _USE_MATH_DEFINES
#define M_PI 3.14159265358979323846
#endif

namespace tl {

const VecOps& vecOps() {
  static const VecOps& o = [] () -> const VecOps& {
#if defined(__x86_64__) || defined(_M_X64)
    if (simdLevel() == SIMD_AVX512) return vec_avx512::ops();
    if (simdLevel() == SIMD_AVX2) return vec_avx2::ops();
#endif
    return vec_generic::ops();
  }();
  return o;
}

namespace {

// The fields in the order encode.ts writes them; false when they do not make a kernel.
bool readKernel(F64Reader& r, Kernel& k) {
  int nd = r.nextInt();
  if (nd < 1 || nd > 16) return false;
  k.shape.resize(nd);
  k.outStrides.resize(nd);
  for (int d = 0; d < nd; d++) k.shape[d] = r.nextI64();
  for (int d = 0; d < nd; d++) k.outStrides[d] = r.nextI64();
  k.reduce = r.nextInt();
  k.outDt = r.nextInt();
  k.exprDt = r.nextInt();
  k.numRegs = r.nextInt();
  k.numInputs = r.nextInt();
  k.outSize = r.nextI64();
  int ni = r.nextInt();
  if (ni < 1) return false;
  k.code.resize(ni);
  for (auto& in : k.code) {
    in.kind = r.nextInt(); in.op = r.nextInt(); in.outDt = r.nextInt(); in.argDt = r.nextInt();
    in.dst = r.nextInt(); in.a = r.nextInt(); in.b = r.nextInt(); in.c = r.nextInt();
    if (in.kind == I_LOAD) {
      in.input = r.nextInt();
      in.offset = r.nextI64();
      in.strides.resize(nd);
      for (int d = 0; d < nd; d++) in.strides[d] = r.nextI64();
    } else if (in.kind == I_CONST) {
      in.value = r.next();
    } else if (in.kind == I_INDEX) {
      in.axis = r.nextInt();
    }
  }
  return r.atEnd();
}

// Row-major over the whole iteration shape (size-1 axes' strides do not matter).
bool rowMajorOver(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides) {
  int64_t want = 1;
  for (int d = (int)shape.size() - 1; d >= 0; d--) {
    if (shape[d] != 1 && strides[d] != want) return false;
    want *= shape[d];
  }
  return true;
}

// Constants get registers of their own, filled once per run instead of once per block: each
// constant's destination is renamed to a fresh register, and later operands follow the renaming.
bool giveConstantsOwnRegisters(Kernel& k) {
  std::vector<int> phys(k.numRegs);
  for (int r = 0; r < k.numRegs; r++) phys[r] = r;
  int extra = k.numRegs;
  auto mapReg = [&](int& r) { if (r >= 0 && r < (int)phys.size()) r = phys[r]; };
  for (auto& in : k.code) {
    if (in.kind != I_LOAD && in.kind != I_CONST && in.kind != I_INDEX) { mapReg(in.a); mapReg(in.b); mapReg(in.c); }
    if (in.dst < 0 || in.dst >= (int)phys.size()) return false;
    if (in.kind == I_CONST) { phys[in.dst] = extra; in.dst = extra++; }
    else phys[in.dst] = in.dst;
  }
  k.numRegs = extra;
  return true;
}

// Float32 binaries with a constant operand read it as a scalar (binaryScalarF32).
void markScalarOperands(Kernel& k) {
  std::vector<int> constOf(k.numRegs, -1);
  for (int q = 0; q < (int)k.code.size(); q++) {
    const Instr& in = k.code[q];
    if (in.kind == I_CONST && storageOf(in.outDt) == F32) constOf[in.dst] = q;
  }
  auto isConst = [&](int r) { return r >= 0 && r < k.numRegs && constOf[r] >= 0; };
  auto valueOf = [&](int r) { const Instr& c = k.code[constOf[r]]; return (float)castTo(c.value, c.outDt); };
  for (auto& in : k.code) {
    if (in.kind != I_BINARY || storageOf(in.argDt) != F32 || storageOf(in.outDt) != F32) continue;
    if (isConst(in.b)) { in.scalar = 1; in.sval = valueOf(in.b); }
    else if (isConst(in.a)) { in.scalar = 2; in.sval = valueOf(in.a); }
  }
}

// An elementwise chain (x * 2 + 1, relu, sigmoid...): one contiguous float32 load, then unary
// ops and binaries with a constant operand, each taking the previous result. Evaluating each
// op over a block costs a store and a load per vector per op; a chain keeps them in registers.
void findChain(Kernel& k) {
  if (!(k.reduce == R_NONE && k.outContig && k.outDt == F32 && k.exprDt == F32)) return;
  std::vector<ChainStep> steps;
  int prev = -1, load = -1;
  bool ok = true;
  for (int q = 0; q < (int)k.code.size() && ok; q++) {
    const Instr& in = k.code[q];
    if (in.kind == I_CONST) continue;
    bool f32 = in.argDt == F32 && in.outDt == F32;
    if (in.kind == I_LOAD) { ok = load < 0 && in.argDt == F32 && in.contig; load = prev = q; continue; }
    if (prev < 0 || !f32) { ok = false; break; }
    int from = k.code[prev].dst;
    if (in.kind == I_UNARY && in.a == from) steps.push_back({true, false, in.op, 0.f});
    else if (in.kind == I_BINARY && in.scalar && (in.scalar == 1 ? in.a : in.b) == from) steps.push_back({false, in.scalar == 2, in.op, in.sval});
    else ok = false;
    prev = q;
  }
  if (ok && !steps.empty() && prev == (int)k.code.size() - 1) { k.chain = std::move(steps); k.chainLoad = load; }
}

}  // namespace

bool decodeKernel(const double* p, size_t n, Kernel& k) {
  F64Reader r(p, n);
  if (!readKernel(r, k)) return false;
  k.outContig = k.reduce == R_NONE && rowMajorOver(k.shape, k.outStrides);
  if (!giveConstantsOwnRegisters(k)) return false;
  for (auto& in : k.code) if (in.kind == I_LOAD) in.contig = rowMajorOver(k.shape, in.strides);
  markScalarOperands(k);
  findChain(k);
  return true;
}

namespace {

constexpr int BLK = 512;

// Register storage class of a dtype: 16-bit floats compute as f32, 8/16-bit ints as i32, bool as int32 0/1.
inline int cls(int dt) { return dt == BOOL ? I32 : storageOf(dt); }
inline int clsSize(int dt) { return cls(dt) == F64 ? 8 : 4; }

void toDouble(const void* r, int dt, int n, double* out) {
  switch (cls(dt)) {
    case F32: { auto p = (const float*)r; for (int i = 0; i < n; i++) out[i] = p[i]; break; }
    case F64: std::memcpy(out, r, n * 8); break;
    case I32: { auto p = (const int32_t*)r; for (int i = 0; i < n; i++) out[i] = p[i]; break; }
    default: { auto p = (const uint32_t*)r; for (int i = 0; i < n; i++) out[i] = p[i]; break; }
  }
}

// Values already cast to dt's value set (castTo) go into register storage.
void fromDouble(const double* v, int dt, int n, void* r) {
  switch (cls(dt)) {
    case F32: { auto p = (float*)r; for (int i = 0; i < n; i++) p[i] = (float)v[i]; break; }
    case F64: std::memcpy(r, v, n * 8); break;
    case I32: { auto p = (int32_t*)r; for (int i = 0; i < n; i++) p[i] = (int32_t)v[i]; break; }
    default: { auto p = (uint32_t*)r; for (int i = 0; i < n; i++) p[i] = (uint32_t)v[i]; break; }
  }
}

void roundHalfBlock(float* p, int n) { for (int i = 0; i < n; i++) p[i] = roundHalf(p[i]); }
// A float32 block computed for a 16-bit float dtype, rounded to it.
void narrowFloatBlock(int dt, float* p, int n) {
  if (dt == F16) roundHalfBlock(p, n);
  else if (dt == BF16) for (int i = 0; i < n; i++) p[i] = roundBf16(p[i]);
}

// Large outputs are written with non-temporal stores (no read-for-ownership of lines that are
// entirely overwritten, and the output does not evict the inputs from cache); 4-byte dtypes.
void streamStore4(void* dst, const void* src, int n) {
#ifdef TL_SSE2
  float* d = (float*)dst;
  const float* s = (const float*)src;
  int i = 0;
  while (i < n && ((uintptr_t)(d + i) & 15)) { d[i] = s[i]; i++; }
  for (; i + 16 <= n; i += 16) {
    _mm_stream_ps(d + i, _mm_loadu_ps(s + i));
    _mm_stream_ps(d + i + 4, _mm_loadu_ps(s + i + 4));
    _mm_stream_ps(d + i + 8, _mm_loadu_ps(s + i + 8));
    _mm_stream_ps(d + i + 12, _mm_loadu_ps(s + i + 12));
  }
  for (; i + 4 <= n; i += 4) _mm_stream_ps(d + i, _mm_loadu_ps(s + i));
  for (; i < n; i++) d[i] = s[i];
#else
  std::memcpy(dst, src, (size_t)n * 4);
#endif
}
inline void streamFence() {
#ifdef TL_SSE2
  _mm_sfence();
#endif
}
// Only above the size of the heap buffers (64 MiB): smaller outputs usually land in memory the
// allocator just freed, still in cache, where ordinary stores are faster.
constexpr int64_t STREAM_MIN_BYTES = int64_t(64) << 20;
constexpr int64_t PREFETCH_MIN_BYTES = int64_t(4) << 20;

// Reads n elements of input storage dtype `dt` at element offset `base`, stride `s`.
void loadBlock(const void* src, int dt, int64_t base, int64_t s, int n, void* r) {
  switch (dt == BOOL ? BOOL : storageOf(dt)) {
    case F32: { auto p = (const float*)src + base; auto d = (float*)r;
      if (s == 0) { float v = *p; for (int i = 0; i < n; i++) d[i] = v; } else for (int i = 0; i < n; i++) d[i] = p[i * s];
      break; }
    case F64: { auto p = (const double*)src + base; auto d = (double*)r;
      if (s == 0) { double v = *p; for (int i = 0; i < n; i++) d[i] = v; } else for (int i = 0; i < n; i++) d[i] = p[i * s];
      break; }
    case I32: case U32: { auto p = (const uint32_t*)src + base; auto d = (uint32_t*)r;
      if (s == 0) { uint32_t v = *p; for (int i = 0; i < n; i++) d[i] = v; } else for (int i = 0; i < n; i++) d[i] = p[i * s];
      break; }
    default: { auto p = (const uint8_t*)src + base; auto d = (int32_t*)r;
      for (int i = 0; i < n; i++) d[i] = p[i * s] ? 1 : 0;
      break; }
  }
}

void storeBlock(const void* r, int dt, void* dst, int64_t base, int64_t s, int n) {
  switch (dt == BOOL ? BOOL : storageOf(dt)) {
    case F32: { auto p = (float*)dst + base; auto v = (const float*)r;
      if (s == 1) std::memcpy(p, v, n * 4); else for (int i = 0; i < n; i++) p[i * s] = v[i];
      break; }
    case F64: { auto p = (double*)dst + base; auto v = (const double*)r;
      if (s == 1) std::memcpy(p, v, n * 8); else for (int i = 0; i < n; i++) p[i * s] = v[i];
      break; }
    case I32: case U32: { auto p = (uint32_t*)dst + base; auto v = (const uint32_t*)r;
      if (s == 1) std::memcpy(p, v, n * 4); else for (int i = 0; i < n; i++) p[i * s] = v[i];
      break; }
    default: { auto p = (uint8_t*)dst + base; auto v = (const int32_t*)r;
      for (int i = 0; i < n; i++) p[i * s] = v[i] ? 1 : 0;
      break; }
  }
}

inline double reduceInit(int op, int dt) {
  switch (op) {
    case R_SUM: case R_OR: return 0;
    case R_PROD: case R_AND: return 1;
    case R_MAX: return isIntDt(dt) ? castTo(-INFINITY, dt) : dt == BOOL ? 0 : -INFINITY;  // the type's lowest
    default: return isIntDt(dt) ? castTo(INFINITY, dt) : dt == BOOL ? 1 : INFINITY;
  }
}

// fused.ts: NaN wins in max/min; and/or are logical.
inline double combine(int op, double a, double v) {
  switch (op) {
    case R_SUM: return a + v;
    case R_PROD: return a * v;
    case R_AND: return (a != 0 && v != 0) ? 1 : 0;
    case R_OR: return (a != 0 || v != 0) ? 1 : 0;
    case R_MAX: return (std::isnan(a) || std::isnan(v)) ? NAN : v > a ? v : a;
    default: return (std::isnan(a) || std::isnan(v)) ? NAN : v < a ? v : a;
  }
}

// A block is a list of row segments: `len` elements of the innermost axis starting at `j`,
// at multi-index idx (outer axes), landing at `pos` in the block's registers.
struct Seg { int pos, len; int64_t j; int64_t idx[16]; };

struct Scratch {
  std::vector<double> regs, tmpA, tmpB, tmpC;
  std::vector<Seg> segs;
  std::vector<void*> ptr;
};
thread_local Scratch scratch;

struct Job {
  const Kernel* k;
  const void* const* inputs;
  void* out;
  int64_t rows, L, nb, units, total;
  int64_t P, nbs, ups;  // flat: elements and blocks per slice of axis 0; units per slice
  bool flat, shared;  // shared: one accumulator, threads own disjoint slices of axis 0
  bool stream;        // contiguous 4-byte output large enough for streaming stores
  bool prefetch;      // large kernel: prefetch contiguous inputs a few blocks ahead
  int nth;
  std::vector<std::vector<double>>* accs;
  int64_t chunk = 1;               // units per claim (a multiple of ups when shared)
  std::atomic<int64_t> next{0};    // the first unclaimed unit
};

// Where a work unit lies: n elements from flat index f0, as nseg row segments (written to segs).
struct BlockSpan { int n, nseg; int64_t f0; };

// Unit u is block u % nb of row u / nb: one segment. (Free functions over locals: stores into
// the segments cannot then alias the evaluator's fields, which the compiler would reload.)
BlockSpan rowBlock(const Job& job, int64_t u, Seg* segs) {
  const Kernel& k = *job.k;
  const int nd = (int)k.shape.size();
  const int64_t L = job.L;
  int64_t row = u / job.nb, blk = u % job.nb;
  int64_t j0 = blk * BLK;
  int n = (int)(L - j0 < BLK ? L - j0 : BLK);
  Seg& g = segs[0];
  g.pos = 0; g.len = n; g.j = j0;
  { int64_t t = row; for (int d = nd - 2; d >= 0; d--) { g.idx[d] = t % k.shape[d]; t /= k.shape[d]; } }
  return {n, 1, row * L + j0};
}

// Unit u is block u % nbs of the flattened slice u / nbs of axis 0: the rows it crosses, one
// segment each.
BlockSpan flatBlock(const Job& job, int64_t u, Seg* segs) {
  const Kernel& k = *job.k;
  const int nd = (int)k.shape.size();
  const int64_t L = job.L;
  int64_t sl = u / job.nbs, b0 = (u % job.nbs) * BLK;
  int64_t f0 = sl * job.P + b0;
  int n = (int)(job.P - b0 < BLK ? job.P - b0 : BLK);
  int64_t idx[16];
  int64_t j = f0 % L;
  { int64_t t = f0 / L; for (int d = nd - 2; d >= 0; d--) { idx[d] = t % k.shape[d]; t /= k.shape[d]; } }
  int nseg = 0;
  for (int pos = 0; pos < n;) {
    Seg& g = segs[nseg++];
    int len = (int)(L - j < n - pos ? L - j : n - pos);
    g.pos = pos; g.len = len; g.j = j;
    for (int d = 0; d < nd - 1; d++) g.idx[d] = idx[d];
    pos += len; j = 0;
    // Not unrolled: GCC otherwise unrolls this carry for all 16 possible axes and sets up every
    // level once per block (~100 instructions, ~5% of a small flat kernel).
    TL_UNROLL(1)
    for (int d = nd - 2; d >= 0; d--) { if (++idx[d] < k.shape[d]) break; idx[d] = 0; }
  }
  return {n, nseg, f0};
}

// Fills n elements of a register of dtype dt's storage class with v.
void fillRegister(void* r, int dt, double v, int n) {
  switch (cls(dt)) {
    case F32: { float f = (float)v; for (int i = 0; i < n; i++) ((float*)r)[i] = f; break; }
    case F64: for (int i = 0; i < n; i++) ((double*)r)[i] = v; break;
    case I32: { int32_t f = (int32_t)v; for (int i = 0; i < n; i++) ((int32_t*)r)[i] = f; break; }
    default: { uint32_t f = (uint32_t)v; for (int i = 0; i < n; i++) ((uint32_t*)r)[i] = f; break; }
  }
}

// Evaluates a job's work units (blocks) on the calling thread, in this thread's registers
// (Scratch). run() is the loop over blocks: locate the block (rowBlock / flatBlock), evaluate
// the program (the chain in registers, or one method per instruction kind over the whole block),
// then store it or fold it into the accumulator. Dispatch is paid once per block of BLK elements.
class BlockEvaluator {
 public:
  explicit BlockEvaluator(const Job& job);
  void run(int64_t u0, int64_t u1, double* acc);

 private:
  void evalChain();
  void evalInstr(const Instr& in);
  void load(const Instr& in);
  void aliasInput(const Instr& in);
  void index(const Instr& in);
  void convert(const Instr& in);
  void select(const Instr& in);
  void clamp(const Instr& in);
  void unary(const Instr& in);
  void binary(const Instr& in);
  void storeResult();
  void accumulate(double* acc);
  void foldSegment(double* a, const void* rs, int m);
  void accumulateRow(double* a, const void* rs, int m);

  void fillConstants();
  void* own(int r) { return R[r] = S.regs.data() + (size_t)r * BLK; }
  // The element offset of a segment's first element for these strides (one per axis).
  int64_t segOffset(const Seg& g, const std::vector<int64_t>& strides) const {
    int64_t o = g.j * strides[nd - 1];
    for (int d = 0; d < nd - 1; d++) o += g.idx[d] * strides[d];
    return o;
  }
  // Whether an operand's block [p, p + bytes) overlaps the output block at f0 (an in-place
  // epilogue reads its op's result from the output's memory): then no direct write.
  bool overlapsOut(const void* p, int64_t bytes) const {
    const char *c = (const char*)p, *o = (const char*)job.out + blk.f0 * outItem;
    return c < o + (int64_t)blk.n * outItem && o < c + bytes;
  }
  // Where instruction `in` writes: straight into the output when it is the last instruction of a
  // direct kernel and reads no operand from there (b may be null), else its own register.
  void* destOf(const Instr& in, const void* a, const void* b, int argBytes) {
    if (direct && &in == lastIn && !overlapsOut(a, argBytes) && !(b && overlapsOut(b, argBytes))) {
      wrote = true;
      return R[in.dst] = (char*)job.out + blk.f0 * outItem;
    }
    return own(in.dst);
  }
  // Two blocks ahead in a contiguous input that goes on that far (prefetches never fault, but stay tidy).
  void prefetchAhead(const void* p, int item) const {
    int64_t ahead = (int64_t)2 * BLK * item, left = (job.total - blk.f0 - blk.n) * item, span = (int64_t)blk.n * item;
    if (left > ahead) for (int64_t o = 0; o < span; o += 64) TL_PREFETCH_R((const char*)p + ahead + o);
  }

  const Job& job;
  const Kernel& k;
  const VecOps& V;
  const int nd;
  Scratch& S;
  double *ta, *tb, *tc;  // double-precision temporaries of one block
  void** R;              // register -> its block (own storage, an input, or the output)
  Seg* segs;
  const int resultReg;
  const int64_t osIn;  // the output's stride along the innermost axis (0: reduced)
  const Instr* lastIn;
  bool direct;        // the last instruction writes a contiguous output directly
  bool chain;         // the kernel runs as a chain (VecOps::chainF32)
  bool castResult;    // the expression's values need a cast to the output dtype
  int outItem;
  BlockSpan blk{0, 1, 0};  // the current block
  bool wrote = false;      // the output block was written directly
};

BlockEvaluator::BlockEvaluator(const Job& j)
    : job(j), k(*j.k), V(vecOps()), nd((int)k.shape.size()), S(scratch), resultReg(k.code.back().dst),
      osIn(k.outStrides[nd - 1]), lastIn(&k.code.back()) {
  S.regs.resize((size_t)k.numRegs * BLK);
  S.tmpA.resize(BLK); S.tmpB.resize(BLK); S.tmpC.resize(BLK);
  S.ptr.resize(k.numRegs);
  ta = S.tmpA.data(); tb = S.tmpB.data(); tc = S.tmpC.data();
  R = S.ptr.data();
  size_t segNeed = job.flat ? BLK / (size_t)(job.L > 0 ? job.L : 1) + 3 : 1;
  if (S.segs.size() < segNeed) S.segs.resize(segNeed);
  segs = S.segs.data();
  fillConstants();
  // A contiguous output of the expression's own type takes the last instruction's result
  // directly: no block copy after it (a store pass per op is what simple ops cost here).
  castResult = !(cls(k.exprDt) == cls(k.outDt) && !(isNarrowed(k.outDt) && k.exprDt != k.outDt));
  direct = k.reduce == R_NONE && k.outContig && !job.stream && k.outDt != BOOL && !castResult &&
           (lastIn->kind == I_UNARY || lastIn->kind == I_BINARY);
  outItem = clsSize(k.outDt);
  chain = !k.chain.empty() && V.chainF32(k.chain.data(), (int)k.chain.size(), nullptr, nullptr, 0, false);
}

// Constants have registers of their own (decodeKernel): fill them once, as far as a block reaches.
void BlockEvaluator::fillConstants() {
  const int fillN = (int)(job.total < BLK ? job.total : BLK);
  for (const Instr& in : k.code)
    if (in.kind == I_CONST) fillRegister(own(in.dst), in.outDt, castTo(in.value, in.outDt), fillN);
}

void BlockEvaluator::run(int64_t u0, int64_t u1, double* acc) {
  for (int64_t u = u0; u < u1; u++) {
    blk = job.flat ? flatBlock(job, u, segs) : rowBlock(job, u, segs);
    wrote = false;
    if (chain) evalChain();
    else for (const Instr& in : k.code) evalInstr(in);
    if (k.reduce == R_NONE) storeResult();
    else accumulate(acc);
  }
}

void BlockEvaluator::evalChain() {
  const int n = blk.n;
  const Instr& ld = k.code[k.chainLoad];
  const float* a = (const float*)job.inputs[ld.input] + ld.offset + blk.f0;
  if (job.prefetch) prefetchAhead(a, 4);
  // Into the output (with streaming stores when it is that large), except in place (an
  // epilogue rewriting its op's result), which goes through a block register.
  float* d = (direct || job.stream) && !overlapsOut(a, n * 4) ? (float*)job.out + blk.f0 : (float*)own(resultReg);
  V.chainF32(k.chain.data(), (int)k.chain.size(), d, a, n, job.stream);
  R[resultReg] = d;
  wrote = d == (float*)job.out + blk.f0;
}

void BlockEvaluator::evalInstr(const Instr& in) {
  switch (in.kind) {
    case I_LOAD: load(in); break;
    case I_CONST: break;  // filled once, before the first block
    case I_INDEX: index(in); break;
    case I_CONVERT: convert(in); break;
    case I_SELECT: select(in); break;
    case I_CLAMP: clamp(in); break;
    case I_UNARY: unary(in); break;
    case I_BINARY: binary(in); break;
  }
}

void BlockEvaluator::load(const Instr& in) {
  const int dt = in.argDt;
  const int64_t s = in.strides[nd - 1];
  if (dt != BOOL && (in.contig || (blk.nseg == 1 && s == 1))) { aliasInput(in); return; }
  const void* src = job.inputs[in.input];
  char* r = (char*)own(in.dst);
  const int cs = clsSize(dt);
  for (int q = 0; q < blk.nseg; q++) {
    const Seg& g = segs[q];
    loadBlock(src, dt, in.offset + segOffset(g, in.strides), s, g.len, r + (size_t)g.pos * cs);
  }
}

// A load that is one unit-stride run reads the input where it lies: the register aliases it.
void BlockEvaluator::aliasInput(const Instr& in) {
  const int item = itemSize(in.argDt);
  const int64_t base = in.contig ? in.offset + blk.f0 : in.offset + segOffset(segs[0], in.strides);
  const char* p = (const char*)job.inputs[in.input] + base * item;
  R[in.dst] = (void*)p;
  if (job.prefetch && in.contig) prefetchAhead(p, item);
}

void BlockEvaluator::index(const Instr& in) {
  const int n = blk.n;
  for (int q = 0; q < blk.nseg; q++) {
    const Seg& g = segs[q];
    double* t = ta + g.pos;
    if (in.axis == nd - 1) for (int i = 0; i < g.len; i++) t[i] = castTo((double)(g.j + i), in.outDt);
    else { double v = castTo((double)g.idx[in.axis], in.outDt); for (int i = 0; i < g.len; i++) t[i] = v; }
  }
  fromDouble(ta, in.outDt, n, own(in.dst));
}

void BlockEvaluator::convert(const Instr& in) {
  const int n = blk.n;
  const void* a = R[in.a];
  void* d = own(in.dst);
  if (cls(in.argDt) == F32 && cls(in.outDt) == F32) {
    std::memcpy(d, a, n * 4);
    if (in.outDt != in.argDt) narrowFloatBlock(in.outDt, (float*)d, n);
  } else {
    toDouble(a, in.argDt, n, ta);
    for (int i = 0; i < n; i++) ta[i] = castTo(ta[i], in.outDt);
    fromDouble(ta, in.outDt, n, d);
  }
}

void BlockEvaluator::select(const Instr& in) {
  const int n = blk.n;
  const int32_t* c = (const int32_t*)R[in.a];
  const void *x = R[in.b], *y = R[in.c];
  void* d = own(in.dst);
  if (clsSize(in.outDt) == 4) {
    if (cls(in.outDt) == F32) V.selectF32((float*)d, c, (const float*)x, (const float*)y, n);
    else for (int i = 0; i < n; i++) ((uint32_t*)d)[i] = c[i] ? ((const uint32_t*)x)[i] : ((const uint32_t*)y)[i];
  } else {
    for (int i = 0; i < n; i++) ((double*)d)[i] = c[i] ? ((const double*)x)[i] : ((const double*)y)[i];
  }
}

void BlockEvaluator::clamp(const Instr& in) {
  const int n = blk.n;
  void* d = own(in.dst);
  if (cls(in.outDt) == F32) {
    V.clampF32((float*)d, (const float*)R[in.a], (const float*)R[in.b], (const float*)R[in.c], n);
    narrowFloatBlock(in.outDt, (float*)d, n);
    return;
  }
  toDouble(R[in.a], in.outDt, n, ta); toDouble(R[in.b], in.outDt, n, tb); toDouble(R[in.c], in.outDt, n, tc);
  for (int i = 0; i < n; i++) ta[i] = jsMin(jsMax(tb[i], ta[i]), tc[i]);
  fromDouble(ta, in.outDt, n, d);
}

void BlockEvaluator::unary(const Instr& in) {
  const int n = blk.n;
  const void* a = R[in.a];
  void* d = destOf(in, a, nullptr, n * clsSize(in.argDt));
  if (cls(in.argDt) == F32 && cls(in.outDt) == F32 && V.unaryF32(in.op, (float*)d, (const float*)a, n)) {
    narrowFloatBlock(in.outDt, (float*)d, n);
    return;
  }
  toDouble(a, in.argDt, n, ta);
  for (int i = 0; i < n; i++) ta[i] = wrapTo(unaryD(in.op, ta[i], in.argDt), in.outDt);
  fromDouble(ta, in.outDt, n, d);
}

void BlockEvaluator::binary(const Instr& in) {
  const int n = blk.n;
  const void *a = R[in.a], *b = R[in.b];
  void* d = destOf(in, a, b, n * clsSize(in.argDt));
  // Float32 vector loops first (a constant operand read as a scalar); the double path otherwise.
  bool done = false;
  if (cls(in.argDt) == F32) {
    if (cls(in.outDt) == F32) {
      if (in.scalar) done = V.binaryScalarF32(in.op, (float*)d, (const float*)(in.scalar == 1 ? a : b), in.sval, in.scalar == 2, n);
      if (!done) done = V.binaryF32(in.op, (float*)d, (const float*)a, (const float*)b, n);
      if (done) narrowFloatBlock(in.outDt, (float*)d, n);
    } else if (in.outDt == BOOL) {
      done = V.compareF32(in.op, (int32_t*)d, (const float*)a, (const float*)b, n);
    }
  }
  if (done) return;
  toDouble(a, in.argDt, n, ta);
  toDouble(b, in.argDt, n, tb);
  for (int i = 0; i < n; i++) ta[i] = wrapTo(binaryD(in.op, ta[i], tb[i], in.argDt), in.outDt);
  fromDouble(ta, in.outDt, n, d);
}

// An elementwise kernel's block goes to the output (cast to its dtype where the expression's
// differs), unless the last instruction already wrote it there.
void BlockEvaluator::storeResult() {
  const int n = blk.n;
  const void* st = R[resultReg];
  if (castResult) {
    toDouble(st, k.exprDt, n, ta);
    for (int i = 0; i < n; i++) ta[i] = castTo(ta[i], k.outDt);
    fromDouble(ta, k.outDt, n, tb);
    st = tb;
  }
  if (k.outContig) {
    if (wrote) return;
    if (job.stream) streamStore4((char*)job.out + blk.f0 * 4, st, n);
    else storeBlock(st, k.outDt, job.out, blk.f0, 1, n);
    return;
  }
  const int cs = clsSize(k.outDt);
  for (int q = 0; q < blk.nseg; q++) {
    const Seg& g = segs[q];
    storeBlock((const char*)st + (size_t)g.pos * cs, k.outDt, job.out, segOffset(g, k.outStrides), osIn, g.len);
  }
}

// A reduction's block folds into the accumulator, segment by segment.
void BlockEvaluator::accumulate(double* acc) {
  const void* res = R[resultReg];
  const int ecs = clsSize(k.exprDt);
  for (int q = 0; q < blk.nseg; q++) {
    const Seg& g = segs[q];
    double* a = acc + segOffset(g, k.outStrides);
    const void* rs = (const char*)res + (size_t)g.pos * ecs;
    if (osIn == 0) foldSegment(a, rs, g.len);
    else accumulateRow(a, rs, g.len);
  }
}

// The innermost axis is reduced: the segment folds to one value, then into *a.
void BlockEvaluator::foldSegment(double* a, const void* rs, int m) {
  double r;
  if (k.reduce == R_SUM && cls(k.exprDt) == F32) r = V.sumF32((const float*)rs, m);
  else {
    toDouble(rs, k.exprDt, m, ta);
    r = reduceInit(k.reduce, k.outDt);
    for (int i = 0; i < m; i++) r = combine(k.reduce, r, ta[i]);
  }
  *a = combine(k.reduce, *a, r);
}

// The innermost axis is kept: element i of the segment folds into a[i * osIn].
void BlockEvaluator::accumulateRow(double* a, const void* rs, int m) {
  if (k.reduce == R_SUM && cls(k.exprDt) == F32 && osIn == 1) { V.sumRowsF32(a, (const float*)rs, m); return; }
  toDouble(rs, k.exprDt, m, ta);
  if (osIn == 1 && (k.reduce == R_MAX || k.reduce == R_MIN)) {
    bool mx = k.reduce == R_MAX;
    for (int i = 0; i < m; i++) {
      double x = a[i], v = ta[i];
      a[i] = (x != x || v != v) ? NAN : mx ? (v > x ? v : x) : (v < x ? v : x);
    }
  } else {
    for (int i = 0; i < m; i++) a[i * osIn] = combine(k.reduce, a[i * osIn], ta[i]);
  }
}

void runUnits(const Job& job, int64_t u0, int64_t u1, double* acc) { BlockEvaluator(job).run(u0, u1, acc); }

}  // namespace

void runKernel(const Kernel& k, const void* const* inputs, void* out) {
  const int nd = (int)k.shape.size();
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= k.shape[d];
  int64_t L = k.shape[nd - 1];
  int64_t nb = (L + BLK - 1) / BLK;
  int64_t total = rows * L;
  // A short innermost axis: blocks run over the flattened iteration space instead, as row
  // segments, so that the per-instruction cost is paid once per BLK elements.
  bool flat = nd >= 2 && L < BLK / 4;
  // Flat blocks never straddle a slice of axis 0.
  int64_t S0 = k.shape[0], P = S0 > 0 ? total / S0 : 0, nbs = (P + BLK - 1) / BLK;
  int64_t units = flat ? S0 * nbs : rows * nb;
  int64_t ups = S0 > 0 ? units / S0 : 0;
  int nth = numThreads();
  if (total < 64 * 1024 || units < 2) nth = 1;
  if (nth > units) nth = units > 0 ? (int)units : 1;
  // A reduction that keeps axis 0 lets threads own whole slices and share one accumulator.
  bool shared = k.reduce != R_NONE && nth > 1 && nd >= 2 && k.outStrides[0] != 0 && S0 >= 4 * nth;
  std::vector<std::vector<double>> accs;
  if (k.reduce != R_NONE) {
    accs.resize(shared ? 1 : nth);
    for (auto& a : accs) a.assign((size_t)k.outSize, reduceInit(k.reduce, k.outDt));
  }
  bool stream = k.reduce == R_NONE && k.outContig && itemSize(k.outDt) == 4 && total * 4 >= STREAM_MIN_BYTES;
  bool prefetch = total * 4 >= PREFETCH_MIN_BYTES;
  Job job{&k, inputs, out, rows, L, nb, units, total, P, nbs, ups, flat, shared, stream, prefetch, nth, &accs};
  // About eight claims per thread: enough to absorb a late start, few enough to keep each
  // thread's stretch of memory long.
  job.chunk = (units + nth * 8 - 1) / (nth * 8);
  if (shared) job.chunk = (job.chunk + ups - 1) / ups * ups;
  if (job.chunk < 1) job.chunk = 1;
  if (units > 0) {
    if (nth == 1) runUnits(job, 0, units, accs.empty() ? nullptr : accs[0].data());
    else runOnThreads(nth, [](void* p, int tid) {
      // Chunks are handed out from a counter, so a worker that starts late (a busy core, a
      // wake-up) takes less instead of delaying the whole kernel. Shared accumulators hand out
      // whole slices of axis 0, which threads then own.
      Job& j = *static_cast<Job*>(p);
      double* acc = j.accs->empty() ? nullptr : (*j.accs)[j.shared ? 0 : tid].data();
      for (;;) {
        int64_t u0 = j.next.fetch_add(j.chunk, std::memory_order_relaxed);
        if (u0 >= j.units) break;
        runUnits(j, u0, u0 + j.chunk < j.units ? u0 + j.chunk : j.units, acc);
      }
      if (j.stream) streamFence();
    }, &job);
    if (job.stream) streamFence();
  }
  if (k.reduce != R_NONE) {
    std::vector<double>& a0 = accs[0];
    for (int t = 1; t < (int)accs.size(); t++)
      for (int64_t i = 0; i < k.outSize; i++) a0[i] = combine(k.reduce, a0[i], accs[t][i]);
    for (int64_t i = 0; i < k.outSize; i++) a0[i] = castTo(a0[i], k.outDt);
    // Output storage is written in chunks through the register conversions.
    for (int64_t i = 0; i < k.outSize; i += BLK) {
      int n = (int)(k.outSize - i < BLK ? k.outSize - i : BLK);
      alignas(64) double tmp[BLK];
      fromDouble(a0.data() + i, k.outDt, n, tmp);
      storeBlock(tmp, k.outDt, out, i, 1, n);
    }
  }
}

// Special functions as in engine/src/backend/reference/special.ts.
double erfInvD(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return NAN;
  if (y == 1) return INFINITY;
  if (y == -1) return -INFINITY;
  double w = -std::log((1 - y) * (1 + y)), x;
  if (w < 5) {
    w -= 2.5;
    double p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941}) p = c + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3;
    double p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682}) p = c + p * w;
    x = p * y;
  }
  for (int i = 0; i < 2; i++) {
    double err = std::erf(x) - y;
    x -= err / ((2 / std::sqrt(M_PI)) * std::exp(-x * x));
  }
  return x;
}

// Lanczos (g = 7) as special.ts computes it, so that edge cases (lgamma(inf) is NaN there) agree.
double lgammaD(double x) {
  static const double L[9] = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
                              12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
  if (std::isnan(x)) return NAN;
  if (x <= 0 && std::isfinite(x) && x == std::floor(x)) return INFINITY;  // Number.isInteger(-inf) is false
  if (x < 0.5) return std::log(M_PI / std::fabs(std::sin(M_PI * x))) - lgammaD(1 - x);
  x -= 1;
  double a = L[0], t = x + 7.5;
  for (int i = 1; i < 9; i++) a += L[i] / (x + i);
  return 0.5 * std::log(2 * M_PI) + (x + 0.5) * std::log(t) - t + std::log(a);
}

double digammaD(double x) {
  if (std::isnan(x)) return NAN;
  if (x <= 0 && std::isfinite(x) && x == std::floor(x)) return NAN;
  if (x < 0) return digammaD(1 - x) - M_PI / std::tan(M_PI * x);
  double r = 0;
  while (x < 6) { r -= 1 / x; x += 1; }
  double f = 1 / (x * x);
  return r + std::log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

}  // namespace tl
