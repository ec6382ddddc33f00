#include "common.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace tl {

static std::atomic<int64_t> live{0};

void* alignedAlloc(size_t bytes) {
  // The size is kept in the 64 bytes before the block, for the live-bytes count.
  size_t n = ((bytes + 63) / 64) * 64 + 64;
  void* raw = nullptr;
#if defined(_WIN32)
  raw = _aligned_malloc(n, 64);
#else
  if (posix_memalign(&raw, 64, n) != 0) raw = nullptr;
#endif
  if (!raw) return nullptr;
  *static_cast<int64_t*>(raw) = (int64_t)bytes;
  live.fetch_add((int64_t)bytes, std::memory_order_relaxed);
  return static_cast<char*>(raw) + 64;
}

void alignedFree(void* p) {
  if (!p) return;
  void* raw = static_cast<char*>(p) - 64;
  live.fetch_sub(*static_cast<int64_t*>(raw), std::memory_order_relaxed);
#if defined(_WIN32)
  _aligned_free(raw);
#else
  std::free(raw);
#endif
}

int64_t liveBytes() { return live.load(std::memory_order_relaxed); }

static int detect() {
  int level = SIMD_GENERIC;
#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = SIMD_AVX2;
  if (level == SIMD_AVX2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    level = SIMD_AVX512;
#endif
#elif defined(__aarch64__)
  level = SIMD_NEON;
#endif
  const char* e = std::getenv("TENSORLENS_SIMD");
  if (e) {
    int want = !std::strcmp(e, "generic") ? SIMD_GENERIC : !std::strcmp(e, "avx2") ? SIMD_AVX2 : !std::strcmp(e, "avx512") ? SIMD_AVX512 : level;
    // Only lower than what the CPU has: a higher level would fault.
    if (level != SIMD_NEON && want < level) level = want;
    if (level == SIMD_NEON && want == SIMD_GENERIC) level = SIMD_GENERIC;
  }
  return level;
}

int simdLevel() {
  static int level = detect();
  return level;
}

const char* simdName(int level) {
  switch (level) {
    case SIMD_AVX2: return "avx2+fma";
    case SIMD_AVX512: return "avx512";
    case SIMD_NEON: return "neon";
    default: return "generic";
  }
}

}  // namespace tl
