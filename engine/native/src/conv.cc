// conv_general_dilated in NC... / OI... layout (float32): im2col into a bounded column block
// and the packed SGEMM. For each image n and feature group g,
//   out[n, g*opg + o, p] = sum_{ic, kp} W[g*opg + o, ic, kp] * col[(ic, kp), p]
// where col[(ic, kp), p] is the input sample under kernel position kp for output position p
// (zero in padding and in the holes of lhs dilation). The column matrix is built in blocks of
// whole input channels x a range of output positions, so its memory stays bounded; a block is
// multiplied straight into the output (accumulating over channel blocks).
// Threads: over (image, group) pairs when there are enough of them; otherwise the channel sum
// is split across threads into private partial outputs that are added at the end (this is the
// shape of the kernel gradient: few "images", a huge contraction).
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "pool.h"

namespace tl {
namespace {
// Per-thread scratch (common.h): im2col column blocks, the channel-split partial tiles, and
// tiles that span images before they are scattered to the output.
thread_local ScratchFloats colBuf, partBuf, tileBuf;
}  // namespace

void ConvPlan::init() {
  nsp = (int)inSp.size();
  kpos = 1; P = 1; inPos = 1;
  for (int d = 0; d < nsp; d++) { kpos *= kSp[d]; P *= outSp[d]; inPos *= inSp[d]; }
  Kt = I * kpos;
  opg = G > 0 ? O / G : 0;
  // src[d][o * k + kk]: input index along axis d for output index o and kernel index kk, or -1.
  src.assign(nsp, {});
  for (int d = 0; d < nsp; d++) {
    src[d].resize((size_t)(outSp[d] * kSp[d]));
    for (int64_t o = 0; o < outSp[d]; o++)
      for (int64_t kk = 0; kk < kSp[d]; kk++) {
        int64_t pos = o * stride[d] + kk * rhsDil[d] - padLo[d];
        int64_t s = -1;
        if (pos >= 0 && pos % lhsDil[d] == 0 && pos / lhsDil[d] < inSp[d]) s = pos / lhsDil[d];
        src[d][(size_t)(o * kSp[d] + kk)] = (int32_t)s;
      }
  }
  inStr.assign(nsp, 1);
  for (int d = nsp - 2; d >= 0; d--) inStr[d] = inStr[d + 1] * inSp[d + 1];
  // A 1x1 kernel at stride 1 without padding or dilation reads the input as it is.
  direct = true;
  for (int d = 0; d < nsp; d++)
    if (kSp[d] != 1 || stride[d] != 1 || lhsDil[d] != 1 || padLo[d] != 0 || outSp[d] != inSp[d]) direct = false;
  // Offsets within one input channel for every (kernel position, output position), -1 in
  // padding: im2col then is one gather per element with no index arithmetic.
  table.clear();
  if (kpos * P <= (int64_t)1 << 22) {
    table.resize((size_t)(kpos * P));
    std::vector<int64_t> kI(nsp), oI(nsp);
    for (int64_t kp = 0; kp < kpos; kp++) {
      int64_t t = kp;
      for (int d = nsp - 1; d >= 0; d--) { kI[d] = t % kSp[d]; t /= kSp[d]; }
      for (int64_t p = 0; p < P; p++) {
        t = p;
        for (int d = nsp - 1; d >= 0; d--) { oI[d] = t % outSp[d]; t /= outSp[d]; }
        int64_t off = 0;
        for (int d = 0; d < nsp && off >= 0; d++) {
          int32_t s = src[d][(size_t)(oI[d] * kSp[d] + kI[d])];
          off = s < 0 ? -1 : off + s * inStr[d];
        }
        table[(size_t)(kp * P + p)] = (int32_t)off;
      }
    }
  }
  // Column blocks: whole channels, about 512 rows, and output positions so that a block holds
  // at most ~256K floats (1 MiB, an L2's worth).
  icBlock = std::max<int64_t>(1, std::min<int64_t>(I, (512 + kpos - 1) / kpos));
  if (I > 0) { int64_t nb = (I + icBlock - 1) / icBlock; icBlock = (I + nb - 1) / nb; }  // even blocks
  int64_t rows = icBlock * kpos;
  pBlock = std::max<int64_t>(64, (256 * 1024) / std::max<int64_t>(rows, 1));
  pBlock = std::max<int64_t>(32, pBlock / 32 * 32);
  // Whole images per tile where they fit, so that most tiles go straight into the output.
  if (P < pBlock && P >= 64) pBlock = pBlock / P * P;
}

// Column block: rows (ic, kp) for ic in [ic0, ic1), columns p in [p0, p1), row-major with
// leading dimension ld.
void ConvPlan::im2col(const float* x, int64_t ic0, int64_t ic1, int64_t p0, int64_t p1, float* col, int64_t ld) const {
  const int64_t w = p1 - p0;
  if (!table.empty()) {
    for (int64_t ic = ic0; ic < ic1; ic++) {
      const float* xc = x + ic * inPos;
      for (int64_t kp = 0; kp < kpos; kp++) {
        float* row = col + ((ic - ic0) * kpos + kp) * ld;
        const int32_t* t = table.data() + kp * P + p0;
        for (int64_t j = 0; j < w; j++) { int32_t o = t[j]; row[j] = o < 0 ? 0.f : xc[o]; }
      }
    }
    return;
  }
  const int last = nsp - 1;
  std::vector<int64_t> kIdx(nsp), oIdx(nsp);
  for (int64_t ic = ic0; ic < ic1; ic++) {
    const float* xc = x + ic * inPos;
    for (int64_t kp = 0; kp < kpos; kp++) {
      float* row = col + ((ic - ic0) * kpos + kp) * ld;
      int64_t t = kp;
      for (int d = last; d >= 0; d--) { kIdx[d] = t % kSp[d]; t /= kSp[d]; }
      // Walk output positions p0..p1 as runs along the last axis.
      t = p0;
      for (int d = last; d >= 0; d--) { oIdx[d] = t % outSp[d]; t /= outSp[d]; }
      int64_t done = 0;
      const int32_t* sl = src[last].data();
      const int64_t kl = kSp[last], kkl = kIdx[last];
      while (done < w) {
        int64_t run = std::min<int64_t>(outSp[last] - oIdx[last], w - done);
        float* r = row + done;
        int64_t base = 0;
        bool ok = true;
        for (int d = 0; d < last; d++) {
          int32_t s = src[d][(size_t)(oIdx[d] * kSp[d] + kIdx[d])];
          if (s < 0) { ok = false; break; }
          base += s * inStr[d];
        }
        if (!ok) {
          std::memset(r, 0, run * sizeof(float));
        } else {
          const float* xb = xc + base;
          int64_t o0 = oIdx[last];
          if (stride[last] == 1 && lhsDil[last] == 1) {
            // Contiguous: zeros, a copied run, zeros.
            int64_t first = o0 * 1 + kkl * rhsDil[last] - padLo[last];  // input index of r[0]
            int64_t j = 0;
            for (; j < run && first + j < 0; j++) r[j] = 0.f;
            int64_t hi = std::min<int64_t>(run, inSp[last] - first);
            if (hi > j) { std::memcpy(r + j, xb + first + j, (hi - j) * sizeof(float)); j = hi; }
            for (; j < run; j++) r[j] = 0.f;
          } else {
            for (int64_t j = 0; j < run; j++) {
              int32_t s = sl[(o0 + j) * kl + kkl];
              r[j] = s < 0 ? 0.f : xb[s];
            }
          }
        }
        done += run;
        oIdx[last] = 0;
        for (int d = last - 1; d >= 0; d--) { if (++oIdx[d] < outSp[d]) break; oIdx[d] = 0; }
      }
    }
  }
}

// Columns are the flattened (image, output position) pairs of one group, c = n * P + p, so that
// small images (or the few output positions of a kernel gradient) still make wide GEMMs.
// tile(): T[o, c - c0] = sum over channels [ic0, ic1) for c in [c0, c1), T with leading
// dimension ldT; channel blocks accumulate.
void ConvPlan::tile(const float* x, const float* wg, int64_t g, int64_t c0, int64_t c1, int64_t ic0, int64_t ic1, float* T,
                    int64_t ldT, int threads) const {
  const int64_t w = c1 - c0;
  if (ic1 <= ic0) {
    for (int64_t o = 0; o < opg; o++) std::memset(T + o * ldT, 0, w * sizeof(float));
    return;
  }
  const bool oneImage = c0 / P == (c1 - 1) / P;
  for (int64_t b0 = ic0; b0 < ic1; b0 += icBlock) {
    int64_t b1 = std::min(ic1, b0 + icBlock);
    int64_t rows = (b1 - b0) * kpos;
    const float* A = wg + b0 * kpos;
    if (direct && oneImage) {
      int64_t n = c0 / P, p0 = c0 % P;
      sgemm(opg, w, rows, A, Kt, 1, x + (n * C + g * I + b0) * inPos + p0, inPos, 1, T, ldT, b0 > ic0, threads);
      continue;
    }
    float* col = colBuf.get((size_t)(rows * w));
    for (int64_t c = c0; c < c1;) {
      int64_t n = c / P, p0 = c % P, p1 = std::min(P, p0 + (c1 - c));
      im2col(x + (n * C + g * I) * inPos, b0, b1, p0, p1, col + (c - c0), w);
      c += p1 - p0;
    }
    sgemm(opg, w, rows, A, Kt, 1, col, w, 1, T, ldT, b0 > ic0, threads);
  }
}

// Writes a tile T[opg, c1 - c0] (leading dimension ldT) to out[n, g*opg + o, p].
void ConvPlan::scatterTile(const float* T, int64_t ldT, int64_t g, int64_t c0, int64_t c1, float* out) const {
  for (int64_t c = c0; c < c1;) {
    int64_t n = c / P, p0 = c % P, p1 = std::min(P, p0 + (c1 - c));
    for (int64_t o = 0; o < opg; o++)
      std::memcpy(out + (n * O + g * opg + o) * P + p0, T + o * ldT + (c - c0), (p1 - p0) * sizeof(float));
    c += p1 - p0;
  }
}

// One (group, column tile) work item over channels [ic0, ic1): straight into the output when
// the tile lies in one image, else through a scratch tile.
void ConvPlan::item(const float* x, const float* w, int64_t g, int64_t c0, int64_t c1, float* out, int threads) const {
  const float* wg = w + g * opg * Kt;
  if (c0 / P == (c1 - 1) / P) {
    int64_t n = c0 / P, p0 = c0 % P;
    tile(x, wg, g, c0, c1, 0, I, out + (n * O + g * opg) * P + p0, P, threads);
    return;
  }
  float* T = tileBuf.get((size_t)(opg * (c1 - c0)));
  tile(x, wg, g, c0, c1, 0, I, T, c1 - c0, threads);
  scatterTile(T, c1 - c0, g, c0, c1, out);
}

void ConvPlan::run(const float* x, const float* w, float* out) const {
  const int64_t total = N * P;
  if (total == 0 || opg == 0) return;
  const int nth = numThreads();
  const double flops = 2.0 * N * O * P * Kt;
  const bool parallel = nth > 1 && flops > 2e6;
  // Tile width: a column block of ~1 MiB, at least 64 columns, and enough tiles for the threads.
  int64_t tw = std::min<int64_t>(pBlock, total);
  if (parallel) {
    int64_t want = (nth + G - 1) / G;  // tiles per group so that items >= threads
    int64_t even = (total + want - 1) / want;
    if (even < tw) tw = std::max<int64_t>(std::min<int64_t>(64, total), (even + 15) / 16 * 16);
  }
  const int64_t tiles = (total + tw - 1) / tw;
  const int64_t items = G * tiles;
  auto runItem = [&](int64_t it, int threads) {
    int64_t g = it / tiles, t = it % tiles;
    int64_t c0 = t * tw, c1 = std::min(total, c0 + tw);
    item(x, w, g, c0, c1, out, threads);
  };
  if (!parallel) { for (int64_t it = 0; it < items; it++) runItem(it, 1); return; }
  if (items >= nth) {
    parallelFor(items, 1, [&](int64_t a, int64_t b) { for (int64_t it = a; it < b; it++) runItem(it, 1); });
    return;
  }
  if (I < 2) { for (int64_t it = 0; it < items; it++) runItem(it, 0); return; }  // the SGEMM threads itself
  // Few columns (a tiny output): split the channel sum across threads into private partial
  // tiles, then add them up.
  const int parts = (int)std::min<int64_t>(nth, I);
  for (int64_t it = 0; it < items; it++) {
    int64_t g = it / tiles, t = it % tiles;
    int64_t c0 = t * tw, c1 = std::min(total, c0 + tw), wd = c1 - c0;
    // Partials are per share, not per thread: a share may run on any thread (the caller runs
    // the shares of workers that have not started).
    float* base = partBuf.get((size_t)(parts * opg * wd));
    std::vector<float*> partial(parts, nullptr);
    for (int q = 0; q < parts; q++) partial[q] = base + (size_t)q * opg * wd;
    struct Ctx { const ConvPlan* c; const float *x, *wg; int64_t g, c0, c1, wd; std::vector<float*>* partial; int parts; } ctx{this, x, w + g * opg * Kt, g, c0, c1, wd, &partial, parts};
    runOnThreads(parts, [](void* p, int tid) {
      Ctx& c = *static_cast<Ctx*>(p);
      int64_t ic0 = c.c->I * tid / c.parts, ic1 = c.c->I * (tid + 1) / c.parts;
      float* dst = (*c.partial)[tid];
      c.c->tile(c.x, c.wg, c.g, c.c0, c.c1, ic0, ic1, dst, c.wd, 1);
    }, &ctx);
    float* o0 = partial[0];
    for (int q = 1; q < parts; q++) {
      const float* s = partial[q];
      for (int64_t i = 0; i < opg * wd; i++) o0[i] += s[i];
    }
    scatterTile(o0, wd, g, c0, c1, out);
  }
}

}  // namespace tl
