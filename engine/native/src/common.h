// Shared definitions of the native backend: dtype codes (the same numbers as the TypeScript
// side, see engine/src/backend/native/codes.ts), aligned memory, CPU feature levels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tl {

using i64 = int64_t;

enum DType : int { F32 = 0, F16 = 1, F64 = 2, I32 = 3, U32 = 4, BOOL = 5, I8 = 6, U8 = 7, I16 = 8, BF16 = 9 };

// The 16-bit floats are held widened as f32 and the 8/16-bit ints as i32 (dtype.ts says why);
// every op that produces one narrows its result (castTo / wrapTo in scalar.h).
inline int itemSize(int dt) { return dt == F64 ? 8 : dt == BOOL ? 1 : 4; }
inline int storageOf(int dt) { return dt == F16 || dt == BF16 ? F32 : dt == I8 || dt == U8 || dt == I16 ? I32 : dt; }
inline bool isNarrowed(int dt) { return storageOf(dt) != dt; }
inline bool isIntDt(int dt) { return dt == I32 || dt == U32 || dt == I8 || dt == U8 || dt == I16; }
inline int intBits(int dt) { return dt == I8 || dt == U8 ? 8 : dt == I16 ? 16 : 32; }

// 64-byte aligned allocation (a cache line, and an AVX-512 vector); size 0 still returns a
// distinct pointer so that every buffer has an identity.
void* alignedAlloc(size_t bytes);
void alignedFree(void* p);
int64_t liveBytes();
// Gives the freed blocks kept for reuse back to the system; returns their bytes.
int64_t releaseReusable();

// A float buffer that grows to the largest size asked of it and is reused after that; kernels
// keep one per thread (`thread_local`) for packed panels, im2col columns and partial tiles, so
// that a call allocates nothing once warm. 64-byte aligned; contents are not kept on growth.
class ScratchFloats {
 public:
  float* get(size_t floats) {
    if (floats > n_) { alignedFree(p_); p_ = static_cast<float*>(alignedAlloc(floats * sizeof(float))); n_ = floats; }
    return p_;
  }
  ~ScratchFloats() { alignedFree(p_); }

 private:
  float* p_ = nullptr;
  size_t n_ = 0;
};

// Reads the Float64Array descriptions the TypeScript side encodes (ops, fused kernels,
// programs) front to back. Reading past the end yields 0 and still advances, so a decoder reads
// all its fields first and then asks atEnd() once: a short or long description fails there.
struct F64Reader {
  const double* p;
  size_t n, i = 0;
  F64Reader(const double* data, size_t size) : p(data), n(size) {}
  double next() { return i < n ? p[i++] : (i++, 0.0); }
  int nextInt() { return (int)next(); }
  int64_t nextI64() { return (int64_t)next(); }
  bool atEnd() const { return i == n; }
};

enum SimdLevel : int { SIMD_GENERIC = 0, SIMD_AVX2 = 1, SIMD_AVX512 = 2, SIMD_NEON = 3 };
// The level kernels dispatch on: detected at load, lowered by env TENSORLENS_SIMD=generic|avx2.
int simdLevel();
const char* simdName(int level);

// float <-> IEEE half rounding, as dtype.ts roundToFloat16 (round to nearest even).
inline float roundHalf(float x) {
  uint32_t b; std::memcpy(&b, &x, 4);
  uint32_t sign = b & 0x80000000u, a = b & 0x7fffffffu;
  if (a >= 0x7f800000u) return x;  // inf, nan
  float out;
  if (a >= 0x477ff000u) {  // rounds to >= 65520: overflow to inf
    uint32_t r = sign | 0x7f800000u; std::memcpy(&out, &r, 4); return out;
  }
  if (a < 0x38800000u) {  // below the smallest normal half (2^-14): a multiple of 2^-24
    float ax; std::memcpy(&ax, &a, 4);
    // Adding 2^-24 * 2^23 (= 0.5) forces rounding to a multiple of 2^-24, ties to even.
    float t = ax + 0.5f;
    float r = t - 0.5f;
    uint32_t rb; std::memcpy(&rb, &r, 4); rb |= sign; std::memcpy(&out, &rb, 4); return out;
  }
  // Normal: keep 10 mantissa bits, round to nearest even.
  uint32_t lsb = (a >> 13) & 1u;
  uint32_t r = (a + 0xfffu + lsb) & ~0x1fffu;
  r |= sign; std::memcpy(&out, &r, 4); return out;
}

// float -> bfloat16 (the upper 16 bits of the float32), round to nearest even, as dtype.ts
// roundToBfloat16; NaN stays NaN.
inline float roundBf16(float x) {
  if (x != x) return x;
  uint32_t b; std::memcpy(&b, &x, 4);
  b = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
  float out; std::memcpy(&out, &b, 4); return out;
}

// The low bits of an integer kept in an integer dtype (two's complement wrap, as C and XLA).
inline double wrapBits(uint32_t u, int dt) {
  switch (dt) {
    case I8: return (double)(int8_t)(uint8_t)u;
    case U8: return (double)(uint8_t)u;
    case I16: return (double)(int16_t)(uint16_t)u;
    case U32: return (double)u;
    default: return (double)(int32_t)u;
  }
}

}  // namespace tl
