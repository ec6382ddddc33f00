#include "common.h"
#include "portable.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tl {

static std::atomic<int64_t> live{0};

// Large blocks are kept for reuse when freed. A fresh large block comes straight from the
// kernel: every page faults and is zeroed on first touch, which for a 128 MiB array costs
// more than the op that fills it; loops allocate the same sizes every step.
namespace {
constexpr size_t REUSE_MIN = size_t(1) << 20;           // blocks from 1 MiB
constexpr size_t REUSE_MAX_BYTES = size_t(256) << 20;   // held in all, oldest released first
constexpr size_t HUGE_ALIGN = size_t(2) << 20;          // large blocks start on a huge page
// Never destroyed: blocks are still freed by other objects' destructors at exit.
struct Reusable {
  std::mutex m;
  std::vector<std::pair<size_t, void*>> blocks;  // (raw size, raw block), oldest first
  size_t bytes = 0;
};
Reusable& reuse() {
  static Reusable* r = new Reusable;
  return *r;
}

void rawFree(void* raw) {
#if defined(_WIN32)
  _aligned_free(raw);
#else
  std::free(raw);
#endif
}

void* rawAlloc(size_t n) {
  size_t align = n >= 2 * HUGE_ALIGN ? HUGE_ALIGN : 64;
  void* raw = nullptr;
#if defined(_WIN32)
  raw = _aligned_malloc(n, align);
#else
  if (posix_memalign(&raw, align, n) != 0) raw = nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Transparent huge pages where the system leaves it to the program: 512x fewer faults.
  if (raw && align == HUGE_ALIGN) madvise(raw, n & ~(HUGE_ALIGN - 1), MADV_HUGEPAGE);
#endif
#endif
  return raw;
}
}  // namespace

void* alignedAlloc(size_t bytes) {
  // The size is kept in the 64 bytes before the block, for the live-bytes count.
  size_t n = ((bytes + 63) / 64) * 64 + 64;
  void* raw = nullptr;
  if (n >= REUSE_MIN) {
    Reusable& R = reuse();
    std::lock_guard<std::mutex> g(R.m);
    for (size_t i = R.blocks.size(); i-- > 0;)
      if (R.blocks[i].first == n) {
        raw = R.blocks[i].second;
        R.blocks.erase(R.blocks.begin() + (std::ptrdiff_t)i);
        R.bytes -= n;
        break;
      }
  }
  if (!raw) raw = rawAlloc(n);
  if (!raw) return nullptr;
  *static_cast<int64_t*>(raw) = (int64_t)bytes;
  live.fetch_add((int64_t)bytes, std::memory_order_relaxed);
  return static_cast<char*>(raw) + 64;
}

void alignedFree(void* p) {
  if (!p) return;
  void* raw = static_cast<char*>(p) - 64;
  int64_t bytes = *static_cast<int64_t*>(raw);
  live.fetch_sub(bytes, std::memory_order_relaxed);
  size_t n = (((size_t)bytes + 63) / 64) * 64 + 64;
  if (n >= REUSE_MIN && n <= REUSE_MAX_BYTES) {
    std::vector<void*> release;
    {
      Reusable& R = reuse();
      std::lock_guard<std::mutex> g(R.m);
      R.blocks.emplace_back(n, raw);
      R.bytes += n;
      while (R.bytes > REUSE_MAX_BYTES) {
        R.bytes -= R.blocks.front().first;
        release.push_back(R.blocks.front().second);
        R.blocks.erase(R.blocks.begin());
      }
    }
    for (void* r : release) rawFree(r);
    return;
  }
  rawFree(raw);
}

int64_t releaseReusable() {
  std::vector<std::pair<size_t, void*>> all;
  {
    Reusable& R = reuse();
    std::lock_guard<std::mutex> g(R.m);
    all.swap(R.blocks);
    R.bytes = 0;
  }
  int64_t n = 0;
  for (auto& b : all) { n += (int64_t)b.first; rawFree(b.second); }
  return n;
}

int64_t liveBytes() { return live.load(std::memory_order_relaxed); }

static int detect() {
  int level = SIMD_GENERIC;
#if defined(__x86_64__) || defined(_M_X64)
  if (cpuHasAvx2Fma()) level = SIMD_AVX2;
  if (level == SIMD_AVX2 && cpuHasAvx512()) level = SIMD_AVX512;
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
