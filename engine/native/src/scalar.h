// Scalar semantics of the elementwise primitives in double precision, mirroring
// engine/src/backend/reference/scalar.ts (the oracle) case by case: the fused evaluator uses
// these for float64, for integer dtypes, and for every float32 op without a vector loop.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common.h"

namespace tl {

// The order of UNARY_PRIMITIVES / BINARY_PRIMITIVES in engine/src/core/primitives.ts; the
// TypeScript side maps names to these codes through the list the addon reports.
#define TL_UNARY_OPS(X) X(neg) X(sign) X(floor) X(ceil) X(round) X(abs) X(exp) X(exp2) X(log) X(log1p) X(expm1) \
  X(sqrt) X(rsqrt) X(cbrt) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) \
  X(atanh) X(logistic) X(erf) X(erfc) X(erf_inv) X(lgamma) X(digamma) X(not) X(is_finite) X(square) X(reciprocal)
#define TL_BINARY_OPS(X) X(add) X(sub) X(mul) X(div) X(rem) X(pow) X(max) X(min) X(atan2) X(nextafter) X(and) X(or) \
  X(xor) X(eq) X(ne) X(lt) X(le) X(gt) X(ge) X(shift_left) X(shift_right_logical) X(shift_right_arithmetic)

#define TL_ENUM(n) U_##n,
enum UnaryOp { TL_UNARY_OPS(TL_ENUM) NUM_UNARY };
#undef TL_ENUM
#define TL_ENUM(n) B_##n,
enum BinaryOp { TL_BINARY_OPS(TL_ENUM) NUM_BINARY };
#undef TL_ENUM

// dtype.ts castScalar: NaN -> 0; integers wrap between int32/uint32, other values saturate.
inline double castTo(double x, int dt) {
  switch (dt) {
    case F32: return (double)(float)x;
    case F16: return (double)roundHalf((float)x);
    case BF16: return (double)roundBf16((float)x);
    case F64: return x;
    case BOOL: return (x != 0 && !std::isnan(x)) ? 1 : 0;
    default: {
      // Integral values in [-2^31, 2^32) keep their low bits (int32 300 -> int8 44); others saturate.
      if (std::isnan(x)) return 0;
      if (x == std::trunc(x) && x >= -2147483648.0 && x <= 4294967295.0) return wrapBits((uint32_t)(int64_t)x, dt);
      int bits = intBits(dt);
      bool uns = dt == U32 || dt == U8;
      double lo = uns ? 0 : -std::ldexp(1.0, bits - 1), hi = std::ldexp(1.0, uns ? bits : bits - 1) - 1;
      return std::trunc(x < lo ? lo : x > hi ? hi : x);
    }
  }
}

// The store of an op's result into its typed array (reference ops.ts): floats round, integers
// wrap modulo 2^32 as JAX's do (castTo saturates: that is convert_element_type).
inline double wrapTo(double x, int dt) {
  if (isIntDt(dt)) {
    if (!std::isfinite(x)) return 0;
    int64_t w = (int64_t)std::fmod(std::trunc(x), 4294967296.0);
    return wrapBits((uint32_t)w, dt);
  }
  return castTo(x, dt);
}

// JS ToInt32 / ToUint32 of an integral double in range of either type.
inline int32_t toI32(double x) { return (int32_t)(uint32_t)(int64_t)x; }
inline uint32_t toU32(double x) { return (uint32_t)(int64_t)x; }

inline double jsMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? b : a;  // Math.max(-0, 0) is 0
  return a > b ? a : b;
}
inline double jsMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

double erfInvD(double y);
double lgammaD(double x);
double digammaD(double x);

inline double unaryD(int op, double x, int dt) {
  switch (op) {
    case U_neg: return -x;
    case U_sign: return std::isnan(x) ? NAN : x > 0 ? 1 : x < 0 ? -1 : x;
    case U_floor: return std::floor(x);
    case U_ceil: return std::ceil(x);
    case U_round: return x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5);
    case U_abs: return std::fabs(x);
    case U_exp: return std::exp(x);
    case U_exp2: return std::pow(2.0, x);
    case U_log: return std::log(x);
    case U_log1p: return std::log1p(x);
    case U_expm1: return std::expm1(x);
    case U_sqrt: return std::sqrt(x);
    case U_rsqrt: return 1.0 / std::sqrt(x);
    case U_cbrt: return std::cbrt(x);
    case U_sin: return std::sin(x);
    case U_cos: return std::cos(x);
    case U_tan: return std::tan(x);
    case U_asin: return std::asin(x);
    case U_acos: return std::acos(x);
    case U_atan: return std::atan(x);
    case U_sinh: return std::sinh(x);
    case U_cosh: return std::cosh(x);
    case U_tanh: return std::tanh(x);
    case U_asinh: return std::asinh(x);
    case U_acosh: return std::acosh(x);
    case U_atanh: return std::atanh(x);
    case U_logistic: return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
    case U_erf: return std::erf(x);
    case U_erfc: return std::erfc(x);
    case U_erf_inv: return erfInvD(x);
    case U_lgamma: return lgammaD(x);
    case U_digamma: return digammaD(x);
    case U_not: return dt == BOOL ? (x != 0 ? 0 : 1) : dt == U32 ? (double)(uint32_t)~toU32(x) : (double)~toI32(x);
    case U_is_finite: return std::isfinite(x) ? 1 : 0;
    case U_square: return x * x;
    case U_reciprocal: return 1 / x;
  }
  return NAN;
}

inline int32_t intPow(int32_t a, double bd) {
  if (bd < 0) return a == 1 ? 1 : a == -1 ? (std::fmod(bd, 2) == 0 ? 1 : -1) : 0;
  uint32_t r = 1, base = (uint32_t)a;
  uint64_t e = (uint64_t)bd;
  while (e > 0) { if (e & 1) r *= base; base *= base; e >>= 1; }
  return (int32_t)r;
}

inline double binaryD(int op, double a, double b, int dt) {
  bool isInt = isIntDt(dt);
  switch (op) {
    case B_add: return a + b;
    case B_sub: return a - b;
    case B_mul:
      if (dt == I32) return (double)(int32_t)((uint32_t)toI32(a) * (uint32_t)toI32(b));
      if (dt == U32) return (double)(uint32_t)(toU32(a) * toU32(b));
      return a * b;
    case B_div:
      if (isInt) { if (b == 0) return dt == U32 ? 4294967295.0 : dt == U8 ? 255.0 : -1; return std::trunc(a / b); }
      return a / b;
    case B_rem: return isInt && b == 0 ? a : std::fmod(a, b);
    case B_pow:
      if (isInt) return (double)intPow(toI32(a), b);
      if (std::isnan(b) || (std::fabs(a) == 1 && std::isinf(b))) return NAN;  // Math.pow, not C pow
      return std::pow(a, b);
    case B_max: return jsMax(a, b);
    case B_min: return jsMin(a, b);
    case B_atan2: return std::atan2(a, b);
    case B_nextafter:
      if (std::isnan(a) || std::isnan(b)) return NAN;
      return dt == F64 ? std::nextafter(a, b) : (double)std::nextafter((float)a, (float)b);
    case B_and: return dt == BOOL ? (a != 0 && b != 0 ? 1 : 0) : dt == U32 ? (double)(toU32(a) & toU32(b)) : (double)(toI32(a) & toI32(b));
    case B_or: return dt == BOOL ? (a != 0 || b != 0 ? 1 : 0) : dt == U32 ? (double)(toU32(a) | toU32(b)) : (double)(toI32(a) | toI32(b));
    case B_xor: return dt == BOOL ? ((a != 0) != (b != 0) ? 1 : 0) : dt == U32 ? (double)(toU32(a) ^ toU32(b)) : (double)(toI32(a) ^ toI32(b));
    case B_eq: return a == b;
    case B_ne: return a != b;
    case B_lt: return a < b;
    case B_le: return a <= b;
    case B_gt: return a > b;
    case B_ge: return a >= b;
    case B_shift_left:
      if (b >= 32 || b < 0) return 0;
      return dt == U32 ? (double)(uint32_t)(toU32(a) << (int)b) : (double)(int32_t)(toU32(a) << (int)b);
    case B_shift_right_logical:
      if (b >= intBits(dt) || b < 0) return 0;
      if (intBits(dt) < 32) return (double)((toU32(a) & ((1u << intBits(dt)) - 1)) >> (int)b);  // the narrow type's bits
      return dt == I32 ? (double)(int32_t)(toU32(a) >> (int)b) : (double)(toU32(a) >> (int)b);
    case B_shift_right_arithmetic:
      if (dt == I32 || dt == I8 || dt == I16) return (double)(toI32(a) >> (int)(b < 0 ? 0 : b > 31 ? 31 : b));
      return b >= 32 ? 0 : (double)(toU32(a) >> (int)b);
  }
  return NAN;
}

}  // namespace tl
