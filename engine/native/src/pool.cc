#include "pool.h"
#include "common.h"
#include "portable.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define TL_PAUSE() _mm_pause()
#else
#define TL_PAUSE() std::this_thread::yield()
#endif

namespace tl {
namespace {

thread_local bool inWorker = false;

double* spanBuf = nullptr;  // the span log (see pool.h), null when off
int64_t spanCap = 0;
std::atomic<int64_t> spanCount{0};

inline double nowMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Runs one share, recording its busy interval on `thread` when the span log is on.
inline void runShare(void (*f)(void*, int), void* c, int tid, int thread) {
  double* b = spanBuf;
  if (TL_LIKELY(b == nullptr)) { f(c, tid); return; }
  double t0 = nowMs();
  f(c, tid);
  double t1 = nowMs();
  int64_t i = spanCount.fetch_add(1, std::memory_order_relaxed);
  if (i < spanCap) { b[1 + 3 * i] = thread; b[2 + 3 * i] = t0; b[3 + 3 * i] = t1; }
}

struct Pool {
  std::vector<std::thread> workers;
  std::mutex m;
  std::condition_variable cv;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  void (*fn)(void*, int) = nullptr;
  void* ctx = nullptr;
  int active = 0;  // workers taking part in the current job (tids 1..active)
  bool stop = false;

  std::vector<std::atomic<int>> claimed;  // per tid: 1 once someone runs that share of the current job

  explicit Pool(int n) : claimed(n) {
    for (auto& c : claimed) c.store(1);
    for (int i = 1; i < n; i++) workers.emplace_back([this, i] { loop(i); });
  }
  ~Pool() {
    { std::lock_guard<std::mutex> g(m); stop = true; generation++; }
    cv.notify_all();
    for (auto& t : workers) t.join();
  }
  void loop(int tid) {
    inWorker = true;
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly: back-to-back kernels of one program then start without a wake-up.
      auto t0 = std::chrono::steady_clock::now();
      int spins = 0;
      while (generation.load(std::memory_order_acquire) == seen) {
        TL_PAUSE();
        if (++spins % 1024 == 0 && std::chrono::steady_clock::now() - t0 > std::chrono::microseconds(200)) {
          std::unique_lock<std::mutex> lk(m);
          cv.wait(lk, [&] { return generation.load() != seen; });
          break;
        }
      }
      seen = generation.load(std::memory_order_acquire);
      if (stop) return;
      // A share is claimed before it runs: the caller claims (and runs) the shares of workers
      // that have not started by the time it finishes its own, so a descheduled worker on a
      // busy machine delays nobody.
      if (tid < (int)claimed.size() && claimed[tid].exchange(1, std::memory_order_acq_rel) == 0) {
        runShare(fn, ctx, tid, tid);
        pending.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }
  void run(int nth, void (*f)(void*, int), void* c) {
    int extra = nth - 1;
    if (extra > (int)workers.size()) extra = (int)workers.size();
    {
      std::lock_guard<std::mutex> g(m);
      fn = f; ctx = c; active = extra;
      pending.store(extra, std::memory_order_release);
      for (int t = 1; t <= extra; t++) claimed[t].store(0, std::memory_order_release);
      generation.fetch_add(1, std::memory_order_acq_rel);
    }
    cv.notify_all();
    inWorker = true;
    // Shares the caller runs (its own and those it claims) are busy time of thread 0.
    runShare(f, c, 0, 0);
    for (int t = 1; t <= extra; t++)
      if (claimed[t].exchange(1, std::memory_order_acq_rel) == 0) {
        runShare(f, c, t, 0);
        pending.fetch_sub(1, std::memory_order_acq_rel);
      }
    inWorker = false;
    while (pending.load(std::memory_order_acquire) != 0) TL_PAUSE();
  }
};

int threadsFromEnv() {
  const char* e = std::getenv("TENSORLENS_NUM_THREADS");
  int n = e ? std::atoi(e) : 0;
  if (n <= 0) n = (int)std::thread::hardware_concurrency();
  return n < 1 ? 1 : n > 256 ? 256 : n;
}

int configured = 0;
Pool* pool = nullptr;
std::mutex poolMutex;

Pool& getPool() {
  if (!pool) {
    std::lock_guard<std::mutex> g(poolMutex);
    if (!configured) configured = threadsFromEnv();
    if (!pool) pool = new Pool(configured);
  }
  return *pool;
}

}  // namespace

void setSpanLog(double* buf, int64_t capacity) {
  spanBuf = buf;
  spanCap = buf ? capacity : 0;
  spanCount.store(0);
}
void spanCountFromBuffer() { if (spanBuf) spanCount.store((int64_t)spanBuf[0], std::memory_order_relaxed); }
void spanCountToBuffer() { if (spanBuf) spanBuf[0] = (double)spanCount.load(std::memory_order_relaxed); }
bool spanLogOn() { return spanBuf != nullptr; }
double steadyMs() { return nowMs(); }

int numThreads() {
  if (!configured) configured = threadsFromEnv();
  return configured;
}

void setNumThreads(int n) {
  std::lock_guard<std::mutex> g(poolMutex);
  if (n < 1) n = threadsFromEnv();
  if (pool && n == configured) return;
  delete pool;
  pool = nullptr;
  configured = n;
}

void runOnThreads(int nth, void (*fn)(void*, int), void* ctx) {
  if (nth <= 1 || inWorker) {
    // Nested or serial: every share runs here, in order.
    for (int t = 0; t < (nth < 1 ? 1 : nth); t++) fn(ctx, t);
    return;
  }
  getPool().run(nth, fn, ctx);
}

}  // namespace tl
