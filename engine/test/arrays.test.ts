// DeviceArray basics: dtypes and JAX's weak typing, conversions to JS, iteration,
// concretization errors inside jit, backends and device placement.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, grad, vmap, devicePut, availableBackends, DeviceArray, ConcretizationError } from "../src/index.js";

test("JS numbers are weakly typed: they take the array's dtype", () => {
  const f = np.array([1, 2], "float32"), i = np.array([1, 2], "int32"), h = np.array([1, 2], "float16");
  assert.equal(f.mul(2).dtype, "float32");
  assert.equal(i.mul(2).dtype, "int32");
  assert.equal(i.mul(0.5).dtype, "float32");
  assert.equal(h.add(1).dtype, "float16");
  assert.equal(np.add(1, 2).weakType, true);
  assert.equal(i.add(f).dtype, "float32");
  assert.equal(np.array([true, false]).dtype, "bool");
  assert.equal(np.array([1.5, 2]).dtype, "float32");
});

test("float16 arithmetic rounds to half precision", () => {
  const h = np.array([1, 2049], "float16");
  // 2049 is not representable in float16 (11-bit significand): it rounds to even, 2048.
  assert.deepEqual(h.tolist(), [1, 2048]);
  assert.deepEqual(np.array([0.1], "float16").add(np.array([0.2], "float16")).tolist(), [0.2998046875]);
});

test("item, tolist, data, iteration and destructuring", async () => {
  const x = np.array([[1, 2], [3, 4]]);
  assert.deepEqual(x.tolist(), [[1, 2], [3, 4]]);
  assert.deepEqual(Array.from(await x.data()), [1, 2, 3, 4]);
  const [r0, r1] = x;
  assert.deepEqual(r1!.tolist(), [3, 4]);
  assert.equal(r0!.get(1).item(), 2);
  assert.throws(() => x.item(), /can only convert an array of size 1/);
  assert.equal(Number(np.array(2.5)), 2.5);
  assert.ok(np.array(3).gt(2).item());
});

test("printing follows numpy", () => {
  assert.equal(String(np.array([[21, 2, 3, 0], [41, 4, 5, 0]])), "DeviceArray([[21.,  2.,  3.,  0.],\n             [41.,  4.,  5.,  0.]], dtype=float32)");
  assert.equal(String(np.array([1, 2], "int32")), "DeviceArray([1, 2], dtype=int32)");
  assert.equal(String(np.array([0.5, -1.25])), "DeviceArray([ 0.5 , -1.25], dtype=float32)");
  assert.equal(String(np.array(true)), "DeviceArray(True, dtype=bool)");
});

test("converting a traced value to a JS value inside jit is a ConcretizationError that says what to do", () => {
  const viaValueOf = jit((x: DeviceArray) => ((x.sum() as unknown as number) > 0 ? x : x.neg()));
  assert.throws(() => viaValueOf(np.array([1, 2])), (e: Error) => e instanceof ConcretizationError && /valueOf.*lax\.cond/.test(e.message));
  assert.throws(() => vmap((x: DeviceArray) => np.array(x.item()))(np.array([1, 2])), /item\(\).*inside vmap/);
  // grad of eager code may look at values, as in JAX.
  assert.equal(grad((x: DeviceArray) => (x.item() > 0 ? x.mul(x) : x.neg()))(np.array(3.0)).item(), 6);
});

test("arrays are immutable: at().set() returns a new array", () => {
  const x = np.zeros([3]);
  const y = x.at(1).set(5);
  assert.deepEqual(x.tolist(), [0, 0, 0]);
  assert.deepEqual(y.tolist(), [0, 5, 0]);
  assert.deepEqual(x.at("1:").add(2).tolist(), [0, 2, 2]);
});

test("devicePut moves arrays between backends", () => {
  const x = np.array([1, 2, 3]);
  for (const b of availableBackends()) {
    const y = devicePut(x, b);
    assert.equal(y.device, b);
    assert.deepEqual(y.tolist(), [1, 2, 3]);
  }
  assert.throws(() => devicePut(x, "nonexistent"), /unknown backend "nonexistent"/);
  assert.ok(x instanceof DeviceArray);
});

test("TENSORLENS_BACKEND chooses the default backend; an unknown name is a clear error", async () => {
  const { spawnSync } = await import("node:child_process");
  const run = (env: string) => spawnSync(process.execPath, ["--import", "tsx", "-e",
    'import("./engine/src/index.ts").then(t => console.log(t.defaultBackendName(), t.np.ones([2]).device))'],
  { encoding: "utf8", env: { ...process.env, TENSORLENS_BACKEND: env }, cwd: new URL("../..", import.meta.url).pathname });
  assert.equal(run("reference").stdout.trim(), "reference reference");
  const bad = run("tpu");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /TENSORLENS_BACKEND=tpu is not a backend; available: reference/);
});
