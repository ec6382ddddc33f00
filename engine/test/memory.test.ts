// Memory: live bytes rise and fall with arrays; dispose() and `using` release at once; a
// disposed array says so when used; jit programs free their intermediates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, liveBytes, defaultBackendName, DeviceArray } from "../src/index.js";

const backend = defaultBackendName();
// The test runner starts node with --expose-gc (scripts/run-tests.mjs).
const gc = (globalThis as { gc?: () => void }).gc!;
/** Collects garbage and lets finalizers run, so that only reachable arrays count. */
async function settled(): Promise<number> {
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
  return liveBytes(backend);
}

test("dispose releases the buffer and later use is a clear error", async () => {
  np.zeros([1], "float32"); // the shared constant 0.0 that zeros() broadcasts is made once, here
  const before = await settled();
  // Large enough for backend memory (small buffers may live on the JS heap, not counted here).
  const x = np.zeros([100_000], "float32");
  assert.equal(await settled() - before, 400_000);
  x.dispose();
  assert.equal(await settled(), before);
  assert.throws(() => x.add(1), /was disposed and can no longer be used/);
  x.dispose(); // twice is harmless
});

test("`using` releases at the end of the scope", async () => {
  const before = await settled();
  let after = 0;
  {
    using y = np.ones([256, 400], "float32");
    after = liveBytes(backend);
    assert.equal(y.shape[0], 256);
  }
  assert.ok(after - before >= 409_600);
  assert.equal(liveBytes(backend), after - 409_600, "the scope's end released the array at once");
});

test("a jitted program leaves only its outputs alive", async () => {
  const f = jit((x: DeviceArray) => np.tanh(x.mul(2)).sum({ axis: 0 }).add(np.exp(x).max()));
  const x = np.ones([64, 100_000], "float32");
  f(x).dispose();
  const before = await settled();
  const out = f(x);
  assert.equal(liveBytes(backend) - before, 100_000 * 4);
  out.dispose();
  assert.equal(await settled(), before);
});

test("garbage-collected arrays give their memory back", async () => {
  const before = await settled();
  (() => { for (let i = 0; i < 20; i++) np.ones([100_000]); })();
  assert.ok(liveBytes(backend) - before >= 20 * 400_000, "the arrays were counted while alive");
  assert.equal(await settled(), before);
});
