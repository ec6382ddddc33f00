// Memory: backend memory that needs an explicit free (native blocks above the heap threshold,
// 64 MiB) rises and falls with arrays; dispose() and `using` release it at once; a disposed
// array says so when used; jit programs free their intermediates. Smaller buffers are
// JavaScript ArrayBuffers: the collector frees them, also inside a synchronous loop.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, liveBytes, defaultBackendName, getBackend, DeviceArray } from "../src/index.js";

const backend = defaultBackendName();
// The test runner starts node with --expose-gc (scripts/run-tests.mjs).
const gc = (globalThis as { gc?: () => void }).gc!;
/** Collects garbage and lets finalizers run, so that only reachable arrays count. */
async function settled(): Promise<number> {
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
  return liveBytes(backend);
}
/** Above the native backend's heap threshold (64 MiB): memory that needs an explicit free. */
const BIG = 17_000_000, BIG_BYTES = BIG * 4;

test("dispose releases the buffer and later use is a clear error", async () => {
  np.zeros([1], "float32"); // the shared constant 0.0 that zeros() broadcasts is made once, here
  const before = await settled();
  const x = np.zeros([BIG], "float32");
  assert.equal(await settled() - before, BIG_BYTES);
  x.dispose();
  assert.equal(await settled(), before);
  assert.throws(() => x.add(1), /was disposed and can no longer be used/);
  x.dispose(); // twice is harmless
});

test("a heap-managed array: dispose releases its memory at once and makes later use an error", async () => {
  await settled();
  // From 1 MiB the native backend's buffers are blocks of its reuse pool (backend/native/pool.ts):
  // dispose() gives the block to the pool, which holds it for the next output of its size.
  const pooled = () => (backend === "native" ? (getBackend() as unknown as { poolStats(): { heldBytes: number } }).poolStats().heldBytes : 0);
  const ab0 = process.memoryUsage().arrayBuffers - pooled();
  const x = np.ones([1_000_000], "float32"); // 4 MB, below the threshold
  assert.equal(x.sum().item(), 1_000_000);
  if (backend === "native") assert.ok(process.memoryUsage().arrayBuffers - pooled() - ab0 >= 4e6, "lives in an ArrayBuffer");
  const data = x.dataSync();
  x.dispose();
  if (backend === "native") assert.ok(process.memoryUsage().arrayBuffers - pooled() - ab0 < 4e6 + data.byteLength, "released (or pooled) without a collection");
  assert.throws(() => x.add(1), /was disposed and can no longer be used/);
  assert.equal(data[999_999], 1, "data read before dispose is a copy and survives it");
});

test("`using` releases at the end of the scope", async () => {
  const before = await settled();
  let after = 0;
  {
    using y = np.ones([BIG / 1000, 1000], "float32");
    after = liveBytes(backend);
    assert.equal(y.shape[0], BIG / 1000);
  }
  assert.ok(after - before >= BIG_BYTES);
  assert.equal(liveBytes(backend), after - BIG_BYTES, "the scope's end released the array at once");
});

test("a jitted program leaves only its outputs alive", async () => {
  const f = jit((x: DeviceArray) => np.tanh(x.mul(2)).add(np.exp(x).max()));
  const x = np.ones([BIG], "float32");
  f(x).dispose();
  const before = await settled();
  const out = f(x);
  assert.equal(liveBytes(backend) - before, BIG_BYTES);
  out.dispose();
  assert.equal(await settled(), before);
  x.dispose();
});

test("garbage-collected arrays give their memory back", async () => {
  const before = await settled();
  (() => { for (let i = 0; i < 3; i++) np.ones([BIG]); })();
  assert.ok(liveBytes(backend) - before >= 3 * BIG_BYTES, "the arrays were counted while alive");
  assert.equal(await settled(), before);
});

test("a loop that never disposes stays bounded: the collector reclaims step outputs", () => {
  const step = jit((x: DeviceArray) => x.mul(1.0001).add(1));
  let x = np.zeros([1000, 1000], "float32"); // 4 MB per step's output
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 300; i++) x = step(x); // 1.2 GB in all if nothing were freed
  const grown = process.memoryUsage().rss - rss0;
  assert.ok(grown < 400e6, `RSS grew by ${(grown / 1e6).toFixed(0)} MB over 300 steps of 4 MB outputs`);
  const want = (1.0001 ** 300 - 1) / 0.0001; // x_n = sum of 1.0001^k for k < n: 304.53
  assert.ok(Math.abs(x.get(0, 0).item() - want) < 0.1);
});

test("freed large blocks are reused for the next arrays of their size: every step's values are its own", async () => {
  // Native blocks from 1 MiB are kept when freed and handed to the next allocation of the same
  // size (fresh ones fault in page by page); a stale or shared block would show old values here.
  const step = jit((x: DeviceArray) => x.mul(2).add(1));
  const before = await settled();
  let x = np.ones([BIG], "float32");
  for (let k = 0; k < 6; k++) {
    const y = step(x);
    x.dispose();
    x = y;
    const want = 2 ** (k + 2) - 1;
    assert.deepEqual([x.get(0).item(), x.get(BIG >> 1).item(), x.get(BIG - 1).item()], [want, want, want], `step ${k}`);
  }
  x.dispose();
  assert.equal(await settled(), before);
});

test("blocks kept for reuse go back to the system a second after the last free, once the event loop runs", { skip: backend !== "native" }, async () => {
  const { getBackend } = await import("../src/index.js");
  const addon = (getBackend("native") as unknown as { addon: { releaseReusable(): number } }).addon;
  addon.releaseReusable();
  np.ones([BIG], "float32").dispose();
  np.ones([BIG], "float32").dispose();  // reuses the first block, which is kept again
  await new Promise((r) => setTimeout(r, 1300));
  assert.equal(addon.releaseReusable(), 0, "the idle release already gave the kept block back");
  np.ones([BIG], "float32").dispose();
  assert.ok(addon.releaseReusable() >= BIG_BYTES, "a freed block is kept until then");
});

test("allocating and disposing a large native block per step does not set off a collection per step", { skip: backend !== "native" }, async () => {
  // Native blocks are reported to V8 as external memory; reporting each free at once made every
  // step look like fresh pressure, and V8 ran a full collection per step.
  const { PerformanceObserver, constants } = await import("node:perf_hooks");
  let major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
  });
  const step = jit((x: DeviceArray) => x.mul(2));
  const x = np.ones([BIG], "float32");
  step(x).dispose();
  await settled();
  obs.observe({ entryTypes: ["gc"] });
  for (let k = 0; k < 40; k++) step(x).dispose();
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  x.dispose();
  assert.ok(major <= 1, `${major} full collections over 40 steps`);
});
