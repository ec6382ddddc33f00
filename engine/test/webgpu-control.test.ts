// Control flow on values computed on the webgpu device: cond, whileLoop, forILoop and scan under
// jit and eagerly, and grad/vmap of them, against the reference backend (the oracle). Predicates
// are computed on the device (never uploaded), so they are not on the host when the program
// needs them: the backend's executor reads them back asynchronously (backend/webgpu/control.ts).
//
// Skips only when no WebGPU adapter can be found, and says why; TENSORLENS_REQUIRE_WEBGPU=1 (CI)
// makes that a failure.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, type DeviceArray } from "../src/index.js";
import { gpu, ref, same, skip } from "./helpers/webgpu-oracle.js";

/** Runs f on webgpu and on the reference backend from the same host values. */
async function both(f: (...xs: DeviceArray[]) => DeviceArray | DeviceArray[], xs: DeviceArray[], what: string) {
  const g = f(...xs.map(gpu)), w = f(...xs.map(ref));
  const gs = Array.isArray(g) ? g : [g], ws = Array.isArray(w) ? w : [w];
  assert.equal(gs.length, ws.length, `${what}: number of outputs`);
  for (let i = 0; i < ws.length; i++) await same(gs[i]!, ws[i]!, `${what}[${i}]`);
}

// A predicate on a value computed on the device: each of the inputs below takes another branch.
const pos = np.array([0.5, -1.5, 2.0, 3.0]);
const neg = np.array([-0.5, -1.5, 2.0, -3.0]);
const condF = (x: DeviceArray) => lax.cond(x.sum().gt(0), (a: DeviceArray) => a.mul(2).sin(), (a: DeviceArray) => a.sub(1).square(), x);
// Doubles until the sum passes 100: the trip count depends on the values.
const whileF = (x: DeviceArray) => lax.whileLoop((c: DeviceArray) => np.abs(c).sum().lt(100), (c: DeviceArray) => c.mul(2).add(0.25), x);
const foriF = (x: DeviceArray) => lax.forILoop(0, 5, (i: DeviceArray, c: DeviceArray) => np.tanh(c.mul(1.1)).add(i.astype("float32").mul(0.1)), x);
const scanF = (x: DeviceArray) => lax.scan((c: DeviceArray, r: DeviceArray) => [c.add(r).mul(0.9), c.mul(r)], np.zeros([2]), x.reshape([2, 2])) as unknown as DeviceArray[];

describe("webgpu control flow on device values", { skip }, () => {
  test("cond: jitted and eager, each branch", async () => {
    for (const [x, name] of [[pos, "true"], [neg, "false"]] as const) {
      await both(jit(condF), [x], `jit(cond) ${name}`);
      await both(condF, [x], `cond ${name}`);
    }
  });
  test("whileLoop with a data-dependent trip count: jitted and eager", async () => {
    await both(jit(whileF), [pos], "jit(while)");
    await both(whileF, [neg], "while");
    // Zero iterations: the loop hands back its input.
    await both(jit((x: DeviceArray) => whileF(x.mul(1000))), [pos], "jit(while) zero trips");
  });
  test("forILoop and scan: jitted and eager", async () => {
    await both(jit(foriF), [pos], "jit(forILoop)");
    await both(foriF, [pos], "forILoop");
    await both(jit(scanF), [pos], "jit(scan)");
    await both(jit((x: DeviceArray) => lax.scan((c: DeviceArray, r: DeviceArray) => [c.add(r), c], np.zeros([2]), x.reshape([2, 2]), { reverse: true }) as unknown as DeviceArray[]), [pos], "jit(scan reverse)");
  });
  test("nested: a cond inside a while inside a scan, jitted", async () => {
    const f = (x: DeviceArray) => lax.scan((c: DeviceArray, r: DeviceArray) => {
      const w = lax.whileLoop((v: DeviceArray) => v.sum().lt(20), (v: DeviceArray) => lax.cond(v.max().gt(3), (u: DeviceArray) => u.add(3), (u: DeviceArray) => u.mul(2).add(1), v), np.abs(c.add(r)));
      return [w.mul(0.1), w.sum()];
    }, np.zeros([2]), x.reshape([2, 2])) as unknown as DeviceArray[];
    await both(jit(f), [pos], "jit(scan(while(cond)))");
  });
  test("grad(jit(f)) with a cond and with a forILoop", async () => {
    const lossC = (x: DeviceArray) => condF(x).sum();
    await both((x) => grad(jit(lossC))(x) as DeviceArray, [pos], "grad(jit(cond)) true");
    await both((x) => grad(jit(lossC))(x) as DeviceArray, [neg], "grad(jit(cond)) false");
    await both((x) => grad(jit((y: DeviceArray) => foriF(y).sum()))(x) as DeviceArray, [pos], "grad(jit(forILoop))");
    await both((x) => jit(grad((y: DeviceArray) => condF(y).sum()))(x) as DeviceArray, [neg], "jit(grad(cond))");
  });
  test("vmap of a cond (the predicate is batched) and of a while, eager and jitted", async () => {
    const rows = np.stack([pos, neg]);
    await both(vmap(condF), [rows], "vmap(cond)");
    await both(jit(vmap(condF)), [rows], "jit(vmap(cond))");
    await both(vmap(jit(condF)), [rows], "vmap(jit(cond))");
    await both(jit(vmap(whileF)), [rows], "jit(vmap(while))");
  });
  test("results are asynchronous: synchronous reads say to await; work issued after waits for them", async () => {
    const y = jit(whileF)(gpu(pos));
    assert.throws(() => y.dataSync(), /await x\.data\(\)/);
    const z = y.add(1).sum(); // eager work on a result the program has not finished yet
    const w = whileF(ref(pos));
    await same(z, w.add(1).sum(), "eager op after an asynchronous program");
    await same(y, w, "the program's own result");
    assert.equal(y.dataSync().length, 4, "after it was read, synchronous reads work");
  });
  test("integer loops: np.gcd and np.lcm (a while loop) on device values", async () => {
    const a = np.array([12, 18, -7, 0], { dtype: "int32" }), b = np.array([8, 27, 21, 5], { dtype: "int32" });
    await both((x, y) => [np.gcd(x.mul(1), y), np.lcm(x, y.add(0))], [a, b], "gcd/lcm");
  });
});
