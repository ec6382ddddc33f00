// Block loops over float32 values for the fused evaluator, written as plain loops that the
// compiler vectorizes, and compiled once per instruction set (vec_generic.cc, vec_avx2.cc,
// vec_avx512.cc) inside the namespace TL_VEC_NS. exp/log/tanh are branch-free polynomial
// versions (Cephes' single-precision coefficients), accurate to about 2 ulp, so that they
// vectorize; the other transcendental functions go through the double-precision path.
#include <cmath>
#include <cstdint>
#include <cstring>

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
    case U_exp: for (int i = 0; i < n; i++) d[i] = expf_(a[i]); return true;
    case U_log: for (int i = 0; i < n; i++) d[i] = logf_(a[i]); return true;
    case U_tanh: for (int i = 0; i < n; i++) d[i] = tanhf_(a[i]); return true;
    case U_logistic:
      for (int i = 0; i < n; i++) {
        float x = a[i];
        float e = expf_(-std::fabs(x));
        float r = 1.f / (1.f + e);
        d[i] = x >= 0 ? r : e * r;
      }
      return true;
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

const VecOps& ops() {
  static const VecOps o{unaryF32, binaryF32, compareF32, selectF32, clampF32, sumRowsF32, sumF32};
  return o;
}

}  // namespace TL_VEC_NS
}  // namespace tl
