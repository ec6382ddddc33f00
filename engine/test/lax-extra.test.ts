// lax.topK, lax.map, lax.associativeScan, lax.reduceWindow, lax.selectN and size= on
// unique / nonzero / argwhere, against numpy fixtures (scripts/gen_lax_fixtures.py); gradients
// against finite differences (float64), vmap against a loop, jit against eager.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, config, DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
interface Enc { shape: number[]; dtype: string; data: (number | string)[] }
const F = loadFixture<any>("lax-extra.json");
const num = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
const dec = (e: Enc, dtype?: string) => np.reshape(np.array(e.data.map(num), (dtype ?? (e.dtype.startsWith("int") ? "int32" : "float64")) as never), e.shape);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function close(a: DeviceArray, e: DeviceArray, tol: number, what: string) {
  assert.deepEqual([...a.shape], [...e.shape], `${what}: shape`);
  const x = list(a), y = list(e);
  x.forEach((v, i) => assert.ok(Object.is(v, y[i]) || Math.abs(v - y[i]!) <= tol * (1 + Math.abs(y[i]!)) || (Number.isNaN(v) && Number.isNaN(y[i]!)), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

test("topK: values and indices (ties by lower index), gradient, vmap, jit", () => {
  for (const c of F.topK) {
    const x = dec(c.x);
    const [v, i] = lax.topK(x, c.k);
    close(v, dec(c.values), 0, `topK k=${c.k} values`);
    close(i, dec(c.indices, "int32"), 0, `topK k=${c.k} indices`);
    assert.equal(i.dtype, "int32");
  }
  const x = np.array([[0.3, -1.2, 2.0, 0.7], [1.1, 0.4, -0.5, 0.9]]);
  checkGrads((v) => lax.topK(v, 2)[0], [x]);
  close(vmap((v: DeviceArray) => lax.topK(v, 2)[0])(x), lax.topK(x, 2)[0], 0, "vmap");
  close(jit((v: DeviceArray) => lax.topK(v, 3)[1])(x), lax.topK(x, 3)[1], 0, "jit");
  assert.throws(() => lax.topK(x, 5), /k must be an integer in \[0, 4\]/);
});

test("lax.map: sequential and batched (batchSize) against a loop, under jit and grad", () => {
  const xs = np.reshape(np.arange(14, { dtype: "float64" }), [7, 2]);
  const f = (x: DeviceArray) => np.sin(np.multiply(x, np.sum(x)));
  const loop = np.stack([...Array(7).keys()].map((i) => f(np.take(xs, i, 0))));
  close(lax.map(f, xs), loop, 1e-12, "map");
  close(lax.map(f, xs, { batchSize: 3 }), loop, 1e-12, "map batchSize 3 (with a remainder)");
  close(jit((v: DeviceArray) => lax.map(f, v, { batchSize: 7 }))(xs), loop, 1e-12, "jit map");
  const tree = lax.map((p: { a: DeviceArray; b: DeviceArray }) => ({ s: np.add(p.a, p.b) }), { a: xs, b: xs }) as { s: DeviceArray };
  close(tree.s, np.multiply(xs, 2), 0, "pytree in and out");
  checkGrads((v) => lax.map(f, v), [np.multiply(xs, 0.1)]);
});

test("associativeScan: sums, running max, reverse, axis, and a pytree linear recurrence", () => {
  const A = F.assoc;
  const v = dec(A.v);
  close(lax.associativeScan(np.add, v), dec(A.cumsum0), 1e-12, "cumsum axis 0");
  close(lax.associativeScan(np.add, v, false, 1), dec(A.cumsum1), 1e-12, "cumsum axis 1");
  close(lax.associativeScan(np.maximum, v), dec(A.cummax0), 0, "running max");
  close(lax.associativeScan(np.add, v, true), dec(A.revcumsum0), 1e-12, "reverse");
  // (a1, b1) then (a2, b2) = (a1 a2, a2 b1 + b2): h_t = a_t h_{t-1} + b_t.
  const rec = (p: DeviceArray[], q: DeviceArray[]) => [np.multiply(p[0]!, q[0]!), np.add(np.multiply(q[0]!, p[1]!), q[1]!)];
  const a = dec(A.a), b = dec(A.b);
  close(lax.associativeScan(rec, [a, b])[1]!, dec(A.h), 1e-12, "linear recurrence");
  close(lax.associativeScan(rec, [a, b], true)[1]!, dec(A.hr), 1e-12, "reverse linear recurrence");
  checkGrads((x, y) => lax.associativeScan(rec, [x, y])[1]!, [a, b], { order: 2 });
  close(jit((x: DeviceArray) => lax.associativeScan(np.add, x))(v), dec(A.cumsum0), 1e-12, "jit");
  close(vmap((x: DeviceArray) => lax.associativeScan(np.add, x), { inAxes: 1, outAxes: 1 })(v), dec(A.cumsum0), 1e-12, "vmap");
  for (const n of [1, 2, 3, 5, 8]) close(lax.associativeScan(np.add, np.ones([n])), np.arange(1, n + 1), 0, `length ${n}`);
});

test("reduceWindow: add, max, min with strides, SAME/VALID/explicit padding and dilations", () => {
  const x = dec(F.reduceWindowX);
  for (const c of F.reduceWindow) {
    const init = num(c.init);
    const pad = typeof c.padding === "string" ? c.padding : c.padding.map((p: number[]) => [p[0], p[1]]);
    const got = lax.reduceWindow(x, init, c.computation, c.window, c.strides, pad, c.baseDilation, c.windowDilation);
    close(got, dec(c.out), 1e-12, `reduceWindow ${c.computation} ${JSON.stringify([c.window, c.strides, c.padding, c.baseDilation, c.windowDilation])}`);
    // A function computation is the same.
    const fn = { add: np.add, max: np.maximum, min: np.minimum }[c.computation as "add"];
    close(lax.reduceWindow(x, init, fn, c.window, c.strides, pad, c.baseDilation, c.windowDilation), dec(c.out), 1e-12, "function computation");
  }
  checkGrads((v) => lax.reduceWindow(v, 0, "add", [2, 3], [1, 2], "SAME"), [x]);
  checkGrads((v) => lax.reduceWindow(v, -Infinity, "max", [2, 2], [2, 2], "VALID"), [x]);
  const batch = np.stack([x, np.multiply(x, -1)]);
  const f = (v: DeviceArray) => lax.reduceWindow(v, -Infinity, "max", [3, 3], [2, 2], "SAME");
  close(vmap(f)(batch), np.stack([f(x), f(np.multiply(x, -1))]), 0, "vmap");
  close(jit(f)(x), f(x), 0, "jit");
});

test("selectN: bool and integer selectors, scalar which, gradients", () => {
  const c0 = np.array([1, 2, 3]), c1 = np.array([10, 20, 30]), c2 = np.array([100, 200, 300]);
  close(lax.selectN(np.array([true, false, true]), c0, c1), np.array([10, 2, 30]), 0, "bool");
  close(lax.selectN(np.array([2, 0, 1], "int32"), c0, c1, c2), np.array([100, 2, 30]), 0, "int");
  close(lax.selectN(np.array(1, "int32"), c0, c1, c2), c1, 0, "scalar which");
  const g = grad((v: DeviceArray) => np.sum(lax.selectN(np.array([0, 1, 0], "int32"), v, np.multiply(v, 3))))(c0);
  close(g, np.array([1, 3, 1]), 0, "grad");
  close(vmap((w: DeviceArray) => lax.selectN(w, c0, c1))(np.array([[true, false, false], [false, true, true]])), np.array([[10, 2, 3], [1, 20, 30]]), 0, "vmap");
  assert.throws(() => lax.selectN(np.array([true, false, true]), c0, c1, c2), /at most two/);
});

test("size= on nonzero, argwhere and unique: numpy's values padded as JAX, and traceable under jit and vmap", () => {
  const S = F.sized;
  const m = dec(S.m), u = dec(S.u);
  for (const c of S.nonzero) {
    const got = np.nonzero(m, { size: c.size, fillValue: c.fill });
    got.forEach((g: DeviceArray, k: number) => close(g, dec(c.out[k], "int32"), 0, `nonzero size=${c.size} axis ${k}`));
    const jitted = jit((v: DeviceArray) => np.nonzero(v, { size: c.size, fillValue: c.fill }))(m) as DeviceArray[];
    jitted.forEach((g, k) => close(g, dec(c.out[k], "int32"), 0, `jit nonzero size=${c.size}`));
  }
  for (const c of S.argwhere) close(jit((v: DeviceArray) => np.argwhere(v, { size: c.size, fillValue: c.fill }))(m), dec(c.out, "int32"), 0, `argwhere size=${c.size}`);
  for (const c of S.unique) {
    const opts = { size: c.size, fillValue: c.fill ?? undefined };
    close(np.unique(u, opts), dec(c.out), 0, `unique size=${c.size} fill=${c.fill}`);
    close(jit((v: DeviceArray) => np.unique(v, opts))(u), dec(c.out), 0, `jit unique size=${c.size}`);
  }
  // vmap against a loop.
  const rows = np.array([[0, 1, 0, 2], [3, 0, 0, 0]]);
  const f = (r: DeviceArray) => np.nonzero(r, { size: 2, fillValue: -1 })[0]!;
  close(vmap(f)(rows), np.stack([f(np.take(rows, 0, 0)), f(np.take(rows, 1, 0))]), 0, "vmap nonzero");
  close(np.flatnonzero(m, { size: 3 }), np.array([1, 3, 5], "int32"), 0, "flatnonzero size");
  // Without size, inside jit, the error says what to do.
  assert.throws(() => jit((v: DeviceArray) => np.nonzero(v))(m), /ConcretizationError|concrete/);
});

test("take: JAX's out-of-range modes fill (default), clip, wrap, promise_in_bounds", () => {
  const T = F.take;
  const a = dec(T.a), i = dec(T.i, "int32");
  close(np.take(a, i, 1), dec(T.fill), 0, "fill (default: NaN)");
  close(np.take(a, i, 1, { fillValue: 7 }), dec(T.fill7), 0, "fill with fillValue");
  close(np.take(a, i, 1, { mode: "clip" }), dec(T.clip), 0, "clip");
  close(np.take(a, i, 1, { mode: "wrap" }), dec(T.wrap), 0, "wrap");
  close(jit((v: DeviceArray) => np.take(v, i, 1, { mode: "wrap" }))(a), dec(T.wrap), 0, "jit wrap");
  assert.equal(np.take(np.array([1, 2, 3], "int32"), np.array([5], "int32")).item(), -2147483648);
  // The gradient of a filled position is zero.
  const g = grad((v: DeviceArray) => np.sum(np.take(v, np.array([0, 9, 0], "int32"), null, { fillValue: 0 })))(np.array([1.0, 2.0]));
  close(g, np.array([2, 0]), 0, "grad through fill");
  assert.throws(() => np.take(a, i, 1, { mode: "raise" as never }), /mode/);
});
