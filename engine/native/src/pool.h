// A persistent pool of worker threads over all cores (TENSORLENS_NUM_THREADS overrides).
// Work is handed out in chunks from an atomic counter; a call from inside a worker runs inline,
// so kernels may nest without deadlock.
#pragma once
#include <cstdint>
#include <functional>

namespace tl {

int numThreads();
void setNumThreads(int n);

// Runs body(tid) on `nth` threads (the caller is tid 0) and waits for all of them.
void runOnThreads(int nth, void (*fn)(void* ctx, int tid), void* ctx);

// Per-thread busy intervals, for the profiler: while a log is set, every share of a job that
// runs on the pool records (thread, start ms, end ms) in buf[1 + 3i ..] for i = the next
// index; buf[0] holds the count (syncSpanCount moves it between the buffer and the counter,
// before and after each addon call). Entries past `capacity` are counted, not written.
// Off (null), the cost is one predictable branch per share.
void setSpanLog(double* buf, int64_t capacity);
void spanCountFromBuffer();
void spanCountToBuffer();
bool spanLogOn();
// steady_clock now, in milliseconds (the profiler's native clock).
double steadyMs();

// Calls f(begin, end) over [0, n) in chunks of at least `grain`, on up to all threads.
template <class F>
void parallelFor(int64_t n, int64_t grain, F&& f);

}  // namespace tl

#include <atomic>
#include <type_traits>
namespace tl {
template <class F>
void parallelFor(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int nth = numThreads();
  int64_t maxChunks = (n + grain - 1) / grain;
  if (nth <= 1 || maxChunks <= 1) { f(int64_t(0), n); return; }
  if (maxChunks < nth) nth = (int)maxChunks;
  // A few chunks per thread balance uneven progress; contiguous ranges keep locality.
  int64_t chunks = maxChunks < (int64_t)nth * 4 ? maxChunks : (int64_t)nth * 4;
  int64_t chunk = (n + chunks - 1) / chunks;
  using Fn = std::remove_reference_t<F>;
  struct Ctx { Fn* f; int64_t n, chunk; std::atomic<int64_t> next; } ctx{&f, n, chunk, {0}};
  runOnThreads(nth, [](void* p, int) {
    Ctx& c = *static_cast<Ctx*>(p);
    for (;;) {
      int64_t b = c.next.fetch_add(c.chunk);
      if (b >= c.n) break;
      int64_t e = b + c.chunk < c.n ? b + c.chunk : c.n;
      (*c.f)(b, e);
    }
  }, &ctx);
}
}  // namespace tl
