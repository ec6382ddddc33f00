// jit's donateArgnums (api/donate.ts, backend/native/donation.ts): a program may write its
// outputs into donated inputs' buffers; the results are those of the same call without
// donation; a donated array is deleted and says so when used; an output is never written into
// an input that a later step, a transposing load or a GEMM still reads; on a backend that does
// not take donations it is a no-op.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, grad, devicePut, defaultBackendName, availableBackends, type DeviceArray } from "../src/index.js";
import type { NativeBuffer } from "../src/backend/native/backend.js";
import { randomArray, rng } from "./native-helpers.js";

const onNative = defaultBackendName() === "native";
const skip = onNative ? false : "the default backend is not native";
const arr = (shape: number[], seed: number) => np.array(randomArray("float32", shape, rng(seed)) as Float32Array).reshape(shape);
const ptrOf = (a: DeviceArray) => (a._buffer as NativeBuffer).ptr;
const values = (a: DeviceArray) => Array.from(a.dataSync());

// A small MLP regression step: params in, params out (the case donation exists for).
type Params = DeviceArray[];
function loss(p: Params, x: DeviceArray, y: DeviceArray): DeviceArray {
  const h = np.tanh(np.matmul(x, p[0]!).add(p[1]!));
  const d = np.matmul(h, p[2]!).sub(y);
  return d.mul(d).mean();
}
const sgd = (p: Params, x: DeviceArray, y: DeviceArray) => {
  const g = grad(loss)(p, x, y) as Params;
  return p.map((w, i) => w.sub(g[i]!.mul(0.1)));
};

test("a training loop with donated params gives the numbers of the loop without donation", { skip }, () => {
  const x = arr([64, 300], 1), y = arr([64, 4], 2);
  const init = () => [arr([300, 1000], 3).mul(0.05), arr([1000], 4).mul(0.1), arr([1000, 4], 5).mul(0.05)];
  const plain = jit(sgd), donating = jit(sgd, { donateArgnums: 0 });
  let a = init(), b = init();
  let reused = 0;
  for (let step = 0; step < 5; step++) {
    const before = b.map(ptrOf);
    const nb = donating(b, x, y) as Params;
    reused += nb.filter((w, i) => ptrOf(w) === before[i]).length;
    for (const w of b) assert.ok(w.isDisposed, "a donated parameter is deleted");
    b = nb;
    a = plain(a, x, y) as Params;
  }
  assert.ok(reused >= 10, `new parameters were written into the donated buffers (${reused} of 15)`);
  a.forEach((w, i) => assert.deepEqual(values(b[i]!), values(w), `param ${i} after 5 steps`));
});

test("using a donated array throws, naming it as donated; donating it again too", { skip }, () => {
  const f = jit((x: DeviceArray) => x.mul(2).add(1), { donateArgnums: [0] });
  const x = arr([1000], 7);
  const want = values(x).map((v) => Math.fround(Math.fround(v * 2) + 1));
  const y = f(x);
  assert.deepEqual(values(y), want);
  assert.throws(() => x.dataSync(), /donated to a jitted function/);
  assert.throws(() => x.add(1), /donated/);
  assert.throws(() => f(x), /donated/);
  x.dispose();  // harmless
});

test("a donated argument that is also returned, or passed twice, stays correct", { skip }, () => {
  const p = arr([3000], 8), g = arr([3000], 9);
  const pv = values(p), gv = values(g);
  const f = jit((p: DeviceArray, g: DeviceArray) => [p, p.sub(g)], { donateArgnums: 0 });
  const [same, diff] = f(p, g) as DeviceArray[];
  assert.deepEqual(values(same!), pv, "the returned argument keeps its values");
  assert.deepEqual(values(diff!), pv.map((v, i) => Math.fround(v - gv[i]!)));
  assert.ok(p.isDisposed && !g.isDisposed);
  // The same array as a donated and a kept argument: read through both positions.
  const q = arr([3000], 10), qv = values(q);
  const h = jit((a: DeviceArray, b: DeviceArray) => a.add(b).mul(b), { donateArgnums: 0 });
  assert.deepEqual(values(h(q, q) as DeviceArray), qv.map((v) => Math.fround(Math.fround(v + v) * v)));
  assert.ok(q.isDisposed, "the donated array is deleted");
  // Donated twice in one call.
  const r = arr([3000], 11), rv = values(r);
  const k = jit((a: DeviceArray, b: DeviceArray) => a.mul(b), { donateArgnums: [0, 1] });
  assert.deepEqual(values(k(r, r) as DeviceArray), rv.map((v) => Math.fround(v * v)));
});

test("outputs are not written into a donated input that is still read (transpose, matmul, later steps)", { skip }, () => {
  const cases: [string, (x: DeviceArray) => DeviceArray | DeviceArray[]][] = [
    ["x.T + x", (x) => x.transpose().add(x)],
    ["x @ x", (x) => np.matmul(x, x)],
    ["reverse", (x) => np.flip(x, 0).mul(2)],
    ["two outputs, the second reads x after the first", (x) => [np.exp(x), np.matmul(x, x).add(x)]],
    ["in place, same index", (x) => np.tanh(x.mul(3)).sub(x)],
  ];
  for (const [what, fn] of cases) {
    const x1 = arr([300, 300], 12), x2 = arr([300, 300], 12);
    const want = [fn(x1)].flat().map(values);
    const got = [jit(fn, { donateArgnums: 0 })(x2)].flat().map(values);
    assert.deepEqual(got, want, what);
    assert.ok(x2.isDisposed, `${what}: donated`);
  }
});

test("on the reference backend donation is a no-op: the arrays stay usable", { skip: availableBackends().includes("reference") ? false : "no reference backend" }, () => {
  const x = devicePut(arr([100], 13), "reference");
  const f = jit((x: DeviceArray) => x.mul(2), { donateArgnums: 0 });
  const y = f(x);
  assert.equal(x.isDisposed, false);
  assert.deepEqual(values(y), values(x).map((v) => v * 2));
});

test("donateArgnums is checked: out of range or also static is an error", () => {
  const f = jit((x: DeviceArray) => x.add(1), { donateArgnums: 3 });
  assert.throws(() => f(np.ones([2])), /out of range/);
  const g = jit((x: DeviceArray, n: number) => x.add(n), { donateArgnums: 1, staticArgnums: 1 });
  assert.throws(() => g(np.ones([2]), 2), /both static and donated/);
});
