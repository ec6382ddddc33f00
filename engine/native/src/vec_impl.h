// Block loops over float32 values for the fused evaluator, written as plain loops that the
// compiler vectorizes, and compiled once per instruction set (vec_generic.cc, vec_avx2.cc,
// vec_avx512.cc) inside the namespace TL_VEC_NS. exp/log/tanh/logistic are branch-free polynomial
// versions (Cephes' single-precision coefficients): vexp, vlog, vtanh, vlogistic below, each
// written once over a handful of per-ISA primitives (AVX-512 or AVX2+FMA intrinsics; max error
// 1 ulp, logistic 2 ulp, vs double precision rounded once, checked over every 13th float32 bit
// pattern), scalar versions for the generic build and block tails; the other transcendental
// functions go through the double-precision path.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "portable.h"
#include "vec.h"

namespace tl {
namespace TL_VEC_NS {
namespace {

inline uint32_t fbits(float x) { uint32_t u; std::memcpy(&u, &x, 4); return u; }
inline float bitsf(uint32_t u) { float x; std::memcpy(&x, &u, 4); return x; }

inline float expf_(float x) {
  float xc = x < -104.f ? -104.f : x > 89.f ? 89.f : x;
  // Round to nearest with the 1.5 * 2^23 trick: vectorizes without SSE4.1 roundps.
  float n = (xc * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  float y = p * r * r + r + 1.f;
  // 2^n in two halves so that n in [-150, 128] stays representable.
  int ni = (int)n;
  int n1 = ni >> 1, n2 = ni - n1;  // floor halves: both stay in [-75, 64]
  y = y * bitsf((uint32_t)(n1 + 127) << 23) * bitsf((uint32_t)(n2 + 127) << 23);
  y = x > 88.72283935546875f ? INFINITY : y;
  return x != x ? x : y;
}

inline float logf_(float x) {
  // Subnormals are scaled into the normal range first.
  bool sub = x < 1.17549435e-38f;
  float xs = sub ? x * 8388608.f : x;
  uint32_t u = fbits(xs);
  int e = (int)((u >> 23) & 0xff) - 126 - (sub ? 23 : 0);
  float m = bitsf((u & 0x007fffffu) | 0x3f000000u);  // [0.5, 1)
  bool small = m < 0.707106781186547524f;
  float fe = (float)(small ? e - 1 : e);
  float t = small ? m + m - 1.f : m - 1.f;
  float z = t * t;
  float p = 7.0376836292E-2f;
  p = p * t - 1.1514610310E-1f;
  p = p * t + 1.1676998740E-1f;
  p = p * t - 1.2420140846E-1f;
  p = p * t + 1.4249322787E-1f;
  p = p * t - 1.6668057665E-1f;
  p = p * t + 2.0000714765E-1f;
  p = p * t - 2.4999993993E-1f;
  p = p * t + 3.3333331174E-1f;
  float y = p * t * z;
  y += fe * -2.12194440e-4f;
  y += -0.5f * z;
  float r = t + y + fe * 0.693359375f;
  r = x == 0.f ? -INFINITY : r;
  r = x < 0.f ? NAN : r;
  r = x == INFINITY ? x : r;
  return x != x ? x : r;
}

inline float tanhf_(float x) {
  float ax = std::fabs(x);
  float z = x * x;
  float small = ((((-5.70498872745E-3f * z + 2.06390887954E-2f) * z - 5.37397155531E-2f) * z + 1.33314422036E-1f) * z -
                 3.33332819422E-1f) * z * x + x;
  float e = expf_(2.f * ax);
  float big = 1.f - 2.f / (e + 1.f);
  big = x < 0 ? -big : big;
  return ax < 0.625f ? small : big;
}

// The vector type of this instruction set and the few operations whose intrinsics differ
// between AVX-512 and AVX2 (rounding, 2^n scaling, frexp, masks and blends); vexp, vlog, vtanh,
// vlogistic and the chain's max/min are written once below on top of them, as the GEMM
// micro-kernel is (micro_impl.h).
#if defined(__AVX512F__)
#define TL_SIMD_W 16
typedef __m512 vf;
inline vf vset(float c) { return _mm512_set1_ps(c); }
inline vf vroundNearest(vf x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// y * 2^n (n integral) by vscalefps: one rounding, overflow to inf and gradual underflow for free.
inline vf vldexp(vf y, vf n) { return _mm512_scalef_ps(y, n); }
// x = m * 2^e with m in [0.5, 1), subnormals included (getexp/getmant normalize them).
inline void vfrexp(vf x, vf& m, vf& e) {
  m = _mm512_getmant_ps(x, _MM_MANT_NORM_p5_1, _MM_MANT_SIGN_zero);
  e = _mm512_add_ps(_mm512_getexp_ps(x), _mm512_set1_ps(1.f));
}
inline vf vlogfix(vf x, vf r) {
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_EQ_OQ), r, _mm512_set1_ps(-INFINITY));
  r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(INFINITY), _CMP_EQ_OQ), r, x);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_NGE_UQ), r, _mm512_set1_ps(NAN));
}
inline vf vabs(vf x) { return _mm512_abs_ps(x); }
inline vf vnegabs(vf x) { return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))); }
inline vf vnegate(vf x) { return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))); }
inline vf vsqrt(vf x) { return _mm512_sqrt_ps(x); }
inline vf vsignof(vf x) { return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))); }
inline vf vor(vf a, vf b) { return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(a), _mm512_castps_si512(b))); }
inline vf vsel_lt(vf a, vf b, vf t, vf f) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), f, t); }
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VSTREAM _mm512_stream_ps
#define VADD _mm512_add_ps
#define VSUB _mm512_sub_ps
#define VMUL _mm512_mul_ps
#define VDIV _mm512_div_ps
#define VFMA _mm512_fmadd_ps
#define VFNMA _mm512_fnmadd_ps
#define VMAX _mm512_max_ps
#define VMIN _mm512_min_ps
// x where x is NaN, else r.
inline vf vkeepnan(vf x, vf r) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), r, x); }
#elif defined(__AVX2__) && defined(TL_HAVE_FMA)
#define TL_SIMD_W 8
typedef __m256 vf;
inline vf vset(float c) { return _mm256_set1_ps(c); }
inline vf vroundNearest(vf x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// y * 2^n (n integral) with 2^n in two halves so that n in [-150, 128] stays representable
// (NaN stays NaN through y).
inline vf vldexp(vf y, vf n) {
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1), n2 = _mm256_sub_epi32(ni, n1);
  __m256i b = _mm256_set1_epi32(127);
  vf s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, b), 23));
  vf s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, b), 23));
  return _mm256_mul_ps(_mm256_mul_ps(y, s1), s2);
}
// x = m * 2^e with m in [0.5, 1); subnormals are scaled into the normal range first.
inline void vfrexp(vf x, vf& m, vf& e) {
  vf sub = _mm256_cmp_ps(x, vset(1.17549435e-38f), _CMP_LT_OQ);
  vf xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, vset(8388608.f)), sub);
  __m256i u = _mm256_castps_si256(xs);
  __m256i ei = _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(u, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(126));
  e = _mm256_sub_ps(_mm256_cvtepi32_ps(ei), _mm256_and_ps(sub, vset(23.f)));
  m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(u, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f000000)));
}
inline vf vlogfix(vf x, vf r) {
  r = _mm256_blendv_ps(r, vset(-INFINITY), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, vset(INFINITY), _CMP_EQ_OQ));
  return _mm256_blendv_ps(r, vset(NAN), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
}
inline vf vabs(vf x) { return _mm256_andnot_ps(vset(-0.f), x); }
inline vf vnegabs(vf x) { return _mm256_or_ps(x, vset(-0.f)); }
inline vf vnegate(vf x) { return _mm256_xor_ps(x, vset(-0.f)); }
inline vf vsqrt(vf x) { return _mm256_sqrt_ps(x); }
inline vf vsignof(vf x) { return _mm256_and_ps(vset(-0.f), x); }
inline vf vor(vf a, vf b) { return _mm256_or_ps(a, b); }
inline vf vsel_lt(vf a, vf b, vf t, vf f) { return _mm256_blendv_ps(f, t, _mm256_cmp_ps(a, b, _CMP_LT_OQ)); }
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VSTREAM _mm256_stream_ps
#define VADD _mm256_add_ps
#define VSUB _mm256_sub_ps
#define VMUL _mm256_mul_ps
#define VDIV _mm256_div_ps
#define VFMA _mm256_fmadd_ps
#define VFNMA _mm256_fnmadd_ps
#define VMAX _mm256_max_ps
#define VMIN _mm256_min_ps
inline vf vkeepnan(vf x, vf r) { return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }
#endif

#ifdef TL_SIMD_W
// exp with the Cephes polynomial of expf_ above: x = n*ln2 + r with n = round(x*log2e) (ln2 in
// two parts), exp(r) by a degree-5 polynomial, then y * 2^n. x is clamped to [-104, 89] with
// min/max in the operand order that propagates NaN. NonPositive: the caller guarantees x <= 0
// or NaN (logistic), so no upper clamp.
template <bool NonPositive = false>
inline vf vexp(vf x) {
  vf xc = VMAX(vset(-104.f), NonPositive ? x : VMIN(vset(89.f), x));
  vf n = vroundNearest(VMUL(xc, vset(1.44269504088896341f)));
  vf r = VFNMA(n, vset(0.693359375f), xc);
  r = VFNMA(n, vset(-2.12194440e-4f), r);
  vf p = vset(1.9875691500E-4f);
  p = VFMA(p, r, vset(1.3981999507E-3f));
  p = VFMA(p, r, vset(8.3334519073E-3f));
  p = VFMA(p, r, vset(4.1665795894E-2f));
  p = VFMA(p, r, vset(1.6666665459E-1f));
  p = VFMA(p, r, vset(5.0000001201E-1f));
  vf y = VADD(VFMA(p, VMUL(r, r), r), vset(1.f));
  return vldexp(y, n);
}
inline vf vlogistic(vf x) {
  vf e = vexp<true>(vnegabs(x));
  // x >= 0: 1/(1+e); x < 0: e/(1+e) (one division either way, no extra rounding).
  vf num = vsel_lt(x, vset(0.f), e, vset(1.f)), den = VADD(vset(1.f), e);
  return VDIV(num, den);
}
// max/min of x with a constant, with the results of maxf_/minf_ (binaryF32). maxps/minps return
// their second operand when either is NaN or both are zeros: with x second, NaN passes through,
// and a zero constant of the losing sign (-0 for max, +0 for min) rightly lets x win ties of
// zeros. A zero of the winning sign (relu's +0) goes second, to win ties, and NaN is put back
// afterwards. A NaN constant wins everywhere.
struct MaxMinConst { vf s; bool mx, nan, tieToConst; };
inline MaxMinConst maxMinConst(float s, bool mx) { return {vset(s), mx, s != s, s == 0.f && (std::signbit(s) ? !mx : mx)}; }
inline vf vmaxmin(vf x, const MaxMinConst& c) {
  if (c.nan) return c.s;
  if (c.tieToConst) return vkeepnan(x, c.mx ? VMAX(x, c.s) : VMIN(x, c.s));
  return c.mx ? VMAX(c.s, x) : VMIN(c.s, x);
}
inline vf vlog(vf x) {
  vf m, fe;
  vfrexp(x, m, fe);
  vf t = VSUB(m, vset(1.f));
  vf t2 = VSUB(VADD(m, m), vset(1.f));
  vf one = vset(1.f), zero = vset(0.f);
  // m < sqrt(1/2): t = 2m - 1, e - 1.
  t = vsel_lt(m, vset(0.707106781186547524f), t2, t);
  fe = VSUB(fe, vsel_lt(m, vset(0.707106781186547524f), one, zero));
  vf z = VMUL(t, t);
  vf p = vset(7.0376836292E-2f);
  p = VFMA(p, t, vset(-1.1514610310E-1f));
  p = VFMA(p, t, vset(1.1676998740E-1f));
  p = VFMA(p, t, vset(-1.2420140846E-1f));
  p = VFMA(p, t, vset(1.4249322787E-1f));
  p = VFMA(p, t, vset(-1.6668057665E-1f));
  p = VFMA(p, t, vset(2.0000714765E-1f));
  p = VFMA(p, t, vset(-2.4999993993E-1f));
  p = VFMA(p, t, vset(3.3333331174E-1f));
  vf y = VMUL(VMUL(p, t), z);
  y = VFMA(fe, vset(-2.12194440e-4f), y);
  y = VFMA(vset(-0.5f), z, y);
  vf r = VFMA(fe, vset(0.693359375f), VADD(t, y));
  return vlogfix(x, r);
}
inline vf vtanh(vf x) {
  vf ax = vabs(x), z = VMUL(x, x);
  vf p = VFMA(vset(-5.70498872745E-3f), z, vset(2.06390887954E-2f));
  p = VFMA(p, z, vset(-5.37397155531E-2f));
  p = VFMA(p, z, vset(1.33314422036E-1f));
  p = VFMA(p, z, vset(-3.33332819422E-1f));
  vf small = VFMA(VMUL(p, z), x, x);
  vf e = vexp(VADD(ax, ax));
  vf big = VSUB(vset(1.f), VDIV(vset(2.f), VADD(e, vset(1.f))));
  big = vor(big, vsignof(x));
  return vsel_lt(ax, vset(0.625f), small, big);
}
#endif

inline float maxf_(float a, float b) {
  float r = a > b ? a : b;
  r = a == b ? bitsf(fbits(a) & fbits(b)) : r;  // max(-0, 0) = 0
  return (a != a || b != b) ? a + b : r;
}
inline float minf_(float a, float b) {
  float r = a < b ? a : b;
  r = a == b ? bitsf(fbits(a) | fbits(b)) : r;
  return (a != a || b != b) ? a + b : r;
}

}  // namespace

bool unaryF32(int op, float* __restrict d, const float* __restrict a, int n) {
  switch (op) {
    case U_neg: for (int i = 0; i < n; i++) d[i] = -a[i]; return true;
    case U_abs: for (int i = 0; i < n; i++) d[i] = std::fabs(a[i]); return true;
    case U_floor: for (int i = 0; i < n; i++) d[i] = std::floor(a[i]); return true;
    case U_ceil: for (int i = 0; i < n; i++) d[i] = std::ceil(a[i]); return true;
    case U_round: for (int i = 0; i < n; i++) d[i] = std::round(a[i]); return true;
    case U_sign: for (int i = 0; i < n; i++) { float x = a[i]; d[i] = x > 0 ? 1.f : x < 0 ? -1.f : x; } return true;
    case U_sqrt: for (int i = 0; i < n; i++) d[i] = std::sqrt(a[i]); return true;
    case U_rsqrt: for (int i = 0; i < n; i++) d[i] = 1.f / std::sqrt(a[i]); return true;
    case U_square: for (int i = 0; i < n; i++) d[i] = a[i] * a[i]; return true;
    case U_reciprocal: for (int i = 0; i < n; i++) d[i] = 1.f / a[i]; return true;
#ifdef TL_SIMD_W
    case U_exp: {
      int i = 0;
      for (; i + TL_SIMD_W <= n; i += TL_SIMD_W) VSTORE(d + i, vexp(VLOAD(a + i)));
      for (; i < n; i++) d[i] = expf_(a[i]);
      return true;
    }
    case U_log: {
      int i = 0;
      for (; i + TL_SIMD_W <= n; i += TL_SIMD_W) VSTORE(d + i, vlog(VLOAD(a + i)));
      for (; i < n; i++) d[i] = logf_(a[i]);
      return true;
    }
    case U_tanh: {
      int i = 0;
      for (; i + TL_SIMD_W <= n; i += TL_SIMD_W) VSTORE(d + i, vtanh(VLOAD(a + i)));
      for (; i < n; i++) d[i] = tanhf_(a[i]);
      return true;
    }
#else
    case U_log: for (int i = 0; i < n; i++) d[i] = logf_(a[i]); return true;
    case U_exp: for (int i = 0; i < n; i++) d[i] = expf_(a[i]); return true;
    case U_tanh: for (int i = 0; i < n; i++) d[i] = tanhf_(a[i]); return true;
#endif
    case U_logistic: {
      int i = 0;
#ifdef TL_SIMD_W
      for (; i + TL_SIMD_W <= n; i += TL_SIMD_W) VSTORE(d + i, vlogistic(VLOAD(a + i)));
#endif
      for (; i < n; i++) {
        float x = a[i];
        float e = expf_(-std::fabs(x));
        d[i] = (x < 0 ? e : 1.f) / (1.f + e);
      }
      return true;
    }
  }
  return false;
}

bool binaryF32(int op, float* __restrict d, const float* __restrict a, const float* __restrict b, int n) {
  switch (op) {
    case B_add: for (int i = 0; i < n; i++) d[i] = a[i] + b[i]; return true;
    case B_sub: for (int i = 0; i < n; i++) d[i] = a[i] - b[i]; return true;
    case B_mul: for (int i = 0; i < n; i++) d[i] = a[i] * b[i]; return true;
    case B_div: for (int i = 0; i < n; i++) d[i] = a[i] / b[i]; return true;
    case B_max: for (int i = 0; i < n; i++) d[i] = maxf_(a[i], b[i]); return true;
    case B_min: for (int i = 0; i < n; i++) d[i] = minf_(a[i], b[i]); return true;
  }
  return false;
}

// One operand is a constant of the kernel (x * 2, x + 1, relu's max(x, 0)): no second stream
// to read. `first`: the constant is the left operand (2 - x). Same results as binaryF32.
bool binaryScalarF32(int op, float* __restrict d, const float* __restrict a, float s, bool first, int n) {
  switch (op) {
    case B_add: for (int i = 0; i < n; i++) d[i] = a[i] + s; return true;
    case B_mul: for (int i = 0; i < n; i++) d[i] = a[i] * s; return true;
    case B_sub:
      if (first) for (int i = 0; i < n; i++) d[i] = s - a[i];
      else for (int i = 0; i < n; i++) d[i] = a[i] - s;
      return true;
    case B_div:
      if (first) for (int i = 0; i < n; i++) d[i] = s / a[i];
      else for (int i = 0; i < n; i++) d[i] = a[i] / s;
      return true;
    case B_max: case B_min: {
      if (s != s) { for (int i = 0; i < n; i++) d[i] = s; return true; }  // NaN wins
      const bool mx = op == B_max;
      int i = 0;
#ifdef TL_SIMD_W
      const MaxMinConst c = maxMinConst(s, mx);
      for (; i + TL_SIMD_W <= n; i += TL_SIMD_W) VSTORE(d + i, vmaxmin(VLOAD(a + i), c));
#endif
      for (; i < n; i++) d[i] = mx ? maxf_(a[i], s) : minf_(a[i], s);
      return true;
    }
  }
  return false;
}

bool compareF32(int op, int32_t* __restrict d, const float* __restrict a, const float* __restrict b, int n) {
  switch (op) {
    case B_eq: for (int i = 0; i < n; i++) d[i] = a[i] == b[i]; return true;
    case B_ne: for (int i = 0; i < n; i++) d[i] = a[i] != b[i]; return true;
    case B_lt: for (int i = 0; i < n; i++) d[i] = a[i] < b[i]; return true;
    case B_le: for (int i = 0; i < n; i++) d[i] = a[i] <= b[i]; return true;
    case B_gt: for (int i = 0; i < n; i++) d[i] = a[i] > b[i]; return true;
    case B_ge: for (int i = 0; i < n; i++) d[i] = a[i] >= b[i]; return true;
  }
  return false;
}

void selectF32(float* __restrict d, const int32_t* __restrict c, const float* __restrict a, const float* __restrict b, int n) {
  for (int i = 0; i < n; i++) d[i] = c[i] ? a[i] : b[i];
}

void clampF32(float* __restrict d, const float* __restrict lo, const float* __restrict x, const float* __restrict hi, int n) {
  for (int i = 0; i < n; i++) d[i] = minf_(maxf_(x[i], lo[i]), hi[i]);
}

void sumRowsF32(double* __restrict acc, const float* __restrict v, int n) {
  for (int i = 0; i < n; i++) acc[i] += (double)v[i];
}

double sumF32(const float* __restrict v, int n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int t = 0; t < 8; t++) s[t] += (double)v[i + t];
  double r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; i++) r += (double)v[i];
  return r;
}

#ifdef TL_SIMD_W
namespace {
// The steps chainF32 runs in registers, each with the same results as its block loop above.
bool chainable(const ChainStep& st) {
  if (st.unary) {
    switch (st.op) {
      case U_neg: case U_abs: case U_sqrt: case U_square: case U_reciprocal: case U_exp: case U_log: case U_tanh: case U_logistic: return true;
      default: return false;
    }
  }
  switch (st.op) {
    case B_add: case B_sub: case B_mul: case B_div: case B_max: case B_min: return true;
    default: return false;
  }
}

constexpr int CHAIN_U = 4;  // vectors per step dispatch

inline void chainStep(const ChainStep& st, vf (&x)[CHAIN_U]) {
  const vf s = vset(st.s);
  if (st.unary) {
    switch (st.op) {
#define TL_EACH(expr) for (int u = 0; u < CHAIN_U; u++) { vf v = x[u]; x[u] = (expr); } break
      case U_neg: TL_EACH(vnegate(v));
      case U_abs: TL_EACH(vabs(v));
      case U_sqrt: TL_EACH(vsqrt(v));
      case U_square: TL_EACH(VMUL(v, v));
      case U_reciprocal: TL_EACH(VDIV(vset(1.f), v));
      case U_exp: TL_EACH(vexp(v));
      case U_log: TL_EACH(vlog(v));
      case U_tanh: TL_EACH(vtanh(v));
      case U_logistic: TL_EACH(vlogistic(v));
    }
    return;
  }
  switch (st.op) {
    case B_add: TL_EACH(VADD(v, s));
    case B_mul: TL_EACH(VMUL(v, s));
    case B_sub: if (st.first) { TL_EACH(VSUB(s, v)); } else { TL_EACH(VSUB(v, s)); } break;
    case B_div: if (st.first) { TL_EACH(VDIV(s, v)); } else { TL_EACH(VDIV(v, s)); } break;
    case B_max: case B_min: {
      const MaxMinConst c = maxMinConst(st.s, st.op == B_max);
      TL_EACH(vmaxmin(v, c));
    }
#undef TL_EACH
  }
}
}  // namespace

bool chainF32(const ChainStep* steps, int nsteps, float* __restrict d, const float* __restrict a, int n, bool stream) {
  for (int k = 0; k < nsteps; k++) if (!chainable(steps[k])) return false;
  if (!d) return true;  // a probe
  int i = 0;
  // Streaming stores need aligned vectors; the caller fences them.
  stream = stream && ((uintptr_t)d % (TL_SIMD_W * 4)) == 0;
  for (; i + CHAIN_U * TL_SIMD_W <= n; i += CHAIN_U * TL_SIMD_W) {
    vf x[CHAIN_U];
    for (int u = 0; u < CHAIN_U; u++) x[u] = VLOAD(a + i + u * TL_SIMD_W);
    for (int k = 0; k < nsteps; k++) chainStep(steps[k], x);
    if (stream) for (int u = 0; u < CHAIN_U; u++) VSTREAM(d + i + u * TL_SIMD_W, x[u]);
    else for (int u = 0; u < CHAIN_U; u++) VSTORE(d + i + u * TL_SIMD_W, x[u]);
  }
  // The rest step by step through the block loops (their scalar tails included), in two
  // small buffers.
  if (i < n) {
    float t0[CHAIN_U * TL_SIMD_W], t1[CHAIN_U * TL_SIMD_W];
    const int m = n - i;
    std::memcpy(t0, a + i, m * sizeof(float));
    float *src = t0, *dst = t1;
    for (int k = 0; k < nsteps; k++) {
      const ChainStep& st = steps[k];
      if (st.unary) unaryF32(st.op, dst, src, m);
      else binaryScalarF32(st.op, dst, src, st.s, st.first, m);
      std::swap(src, dst);
    }
    std::memcpy(d + i, src, m * sizeof(float));
  }
  return true;
}
#else
bool chainF32(const ChainStep*, int, float*, const float*, int, bool) { return false; }
#endif

const VecOps& ops() {
  static const VecOps o{unaryF32, binaryF32, binaryScalarF32, compareF32, selectF32, clampF32, sumRowsF32, sumF32, chainF32};
  return o;
}

}  // namespace TL_VEC_NS
}  // namespace tl
