// Scatter combines duplicate updates in the operand's dtype on every backend: bool add is a
// logical or (and mul a logical and), integer mul wraps as int32 arithmetic does. Oracles: the
// truth table, and BigInt products reduced mod 2^32.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, setDefaultBackend } from "../src/index.js";
import { backends } from "./helpers/backends.js";

const idx = () => np.array([0, 0, 1, 2, 2, 2], "int32");

function wrappedProducts(start: number[], updates: number[], at: number[], bits: "int32" | "uint32"): number[] {
  const out = start.map(BigInt);
  at.forEach((k, j) => { out[k] = (out[k]! * BigInt(updates[j]!)) & 0xffffffffn; });
  return out.map((v) => Number(bits === "int32" ? BigInt.asIntN(32, v) : v));
}

for (const backend of backends()) {
  test(`${backend}: bool scatter add is a logical or, mul a logical and`, () => {
    setDefaultBackend(backend);
    const x = np.array([false, true, false, true], "bool");
    const u = np.array([true, true, false, true, false, true], "bool");
    for (const f of [(a: typeof x) => lax.scatter(a, idx(), u, 0, "add"), jit((a: typeof x) => lax.scatter(a, idx(), u, 0, "add"))]) {
      assert.deepEqual(Array.from(f(x).dataSync()), [1, 1, 1, 1]);
    }
    const m = lax.scatter(x, idx(), u, 0, "mul");
    assert.deepEqual(Array.from(m.dataSync()), [0, 0, 0, 1]);
    setDefaultBackend("reference");
  });

  test(`${backend}: integer scatter mul wraps as 32-bit integers`, () => {
    setDefaultBackend(backend);
    const at = [0, 0, 1, 2, 2, 2];
    const updates = [123457, 98765, -77777, 65537, 40503, -3];
    const start = [91, -5, 1 << 20, 7];
    const got = lax.scatter(np.array(start, "int32"), idx(), np.array(updates, "int32"), 0, "mul");
    assert.deepEqual(Array.from(got.dataSync()), wrappedProducts(start, updates, at, "int32"));
    const ustart = [91, 5, 1 << 20, 7], uupd = updates.map(Math.abs);
    const ugot = lax.scatter(np.array(ustart, "uint32"), idx(), np.array(uupd, "uint32"), 0, "mul");
    assert.deepEqual(Array.from(ugot.dataSync()), wrappedProducts(ustart, uupd, at, "uint32"));
    setDefaultBackend("reference");
  });
}
