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
  const x = np.zeros([1000], "float32");
  assert.equal(await settled() - before, 4000);
  x.dispose();
  assert.equal(await settled(), before);
  assert.throws(() => x.add(1), /was disposed and can no longer be used/);
  x.dispose(); // twice is harmless
});

test("`using` releases at the end of the scope", async () => {
  const before = await settled();
  let after = 0;
  {
    using y = np.ones([256, 4], "float32");
    after = liveBytes(backend);
    assert.equal(y.shape[0], 256);
  }
  assert.ok(after - before >= 4096);
  assert.equal(liveBytes(backend), after - 4096, "the scope's end released the array at once");
});

test("a jitted program leaves only its outputs alive", async () => {
  const f = jit((x: DeviceArray) => np.tanh(x.mul(2)).sum({ axis: 0 }).add(np.exp(x).max()));
  const x = np.ones([64, 64], "float32");
  f(x).dispose();
  const before = await settled();
  const out = f(x);
  assert.equal(liveBytes(backend) - before, 64 * 4);
  out.dispose();
  assert.equal(await settled(), before);
});

test("garbage-collected arrays give their memory back", async () => {
  const before = await settled();
  (() => { for (let i = 0; i < 100; i++) np.ones([1000]); })();
  assert.ok(liveBytes(backend) - before >= 100 * 4000, "the arrays were counted while alive");
  assert.equal(await settled(), before);
});
