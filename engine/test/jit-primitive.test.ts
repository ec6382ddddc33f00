// jit stays a primitive under grad, vjp, jvp and vmap (trace/ad/pjit-rules.ts): an eager
// grad(jit(f)) or vmap(jit(f)) runs compiled programs, not f's operations one by one, and a
// repeated call reuses the transformed programs. Checked at the IR level (the programs the
// eager trace runs and the primitives it dispatches) and against independent oracles: central
// finite differences in float64, per-example loops, and the same transformation without jit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, valueAndGrad, jit, vmap, jvp, jacfwd, jacrev, hessian, linearize, config, type DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { setRecorder, type Recorder } from "../src/profiler/hook.js";
import { controlImpls } from "../src/trace/control.js";
import { ELEMENTWISE } from "../src/ir/primitives.js";
import type { Jaxpr } from "../src/ir/jaxpr.js";
import { close as closeTo, list, numericGrad } from "./helpers/finite-differences.js";

config.update("enableX64", true);

const close = (actual: DeviceArray | number[], expected: DeviceArray | number[], tol = 1e-7) => closeTo(actual, expected, tol);

/** What one call does on the eager trace: the primitives dispatched one by one, and the jit programs run (by name). */
function observe<T>(fn: () => T): { result: T; eager: string[]; programs: string[] } {
  const eager: string[] = [], programs: string[] = [];
  const recorder: Recorder = {
    eager(backend, prim, params, ins, avals, outAvals) {
      eager.push(prim);
      return backend.execute(prim, params as never, ins, avals, outAvals, outAvals);
    },
    jitBegin: () => 0, jitEnd() {}, compile() {}, execute(name) { programs.push(name); },
    step() {}, deviceSteps() {}, threadSpans() {},
  };
  setRecorder(recorder);
  try { return { result: fn(), eager, programs }; } finally { setRecorder(null); }
}
const elementwise = (prims: readonly string[]) => prims.filter((p) => ELEMENTWISE.has(p));

/** The programs pjit runs while fn runs (the jaxpr objects themselves: a retrace would make new ones). */
function calledPrograms(fn: () => void): Jaxpr[] {
  const original = controlImpls.pjit!;
  const seen: Jaxpr[] = [];
  controlImpls.pjit = (args, params, outAvals, trace) => { seen.push(params.jaxpr); return original(args, params, outAvals, trace); };
  try { fn(); } finally { controlImpls.pjit = original; }
  return seen;
}

// Five elementwise operations and a reduction.
const f5 = (x: DeviceArray) => np.sum(np.sin(x).mul(x).add(np.exp(x)).mul(2).sub(np.tanh(x)));
const x0 = np.array([0.3, -1.2, 0.7, 1.5]);

test("grad(jit(f)): a forward and a backward program per call, no eager elementwise op, no retrace", () => {
  const g = grad(jit(f5));
  g(x0);
  const { result, eager, programs } = observe(() => g(x0));
  // As in JAX: the forward program also computes the residuals the backward program reads.
  assert.deepEqual(programs, ["f5", "vjp(f5)"]);
  assert.deepEqual(elementwise(eager), []);
  close(result, grad(f5)(x0), 1e-12);
  const first = calledPrograms(() => g(x0)), second = calledPrograms(() => g(x0));
  assert.equal(first.length, 2);
  first.forEach((j, i) => assert.equal(second[i], j, "the transformed programs are remembered"));
  // Without jit the same gradient costs one dispatch per operation.
  assert.ok(elementwise(observe(() => grad(f5)(x0)).eager).length >= 5);
});

test("vmap(jit(f)): one program per call, no eager op at all", () => {
  const xs = np.array([[0.3, -1.2, 0.7, 1.5], [0.1, 0.2, -0.3, 2.0], [1.1, -0.5, 0.0, 0.4]]);
  const v = vmap(jit(f5));
  v(xs);
  const { result, eager, programs } = observe(() => v(xs));
  assert.deepEqual(programs, ["vmap(f5)"]);
  assert.deepEqual(eager, []);
  close(result, [0, 1, 2].map((i) => f5(xs.get(i)).item()), 1e-12);
});

test("valueAndGrad(jit(f)) and jvp(jit(f)) run compiled and match finite differences", () => {
  const vg = valueAndGrad(jit(f5));
  vg(x0);
  const { result: [value, g], eager, programs } = observe(() => vg(x0));
  assert.equal(programs.length, 2);
  assert.deepEqual(elementwise(eager), []);
  close([value.item()], [f5(x0).item()], 1e-12);
  close(g, numericGrad(f5, x0), 1e-6);
  const t = np.array([0.5, -1, 2, 0.25]);
  const jf = jit(f5);
  jvp(jf, [x0], [t]);
  const fwd = observe(() => jvp(jf, [x0], [t]));
  assert.deepEqual(fwd.programs, ["jvp(f5)"]);
  assert.deepEqual(elementwise(fwd.eager), []);
  const h = 1e-6;
  const fd = (f5(x0.add(t.mul(h))).item() - f5(x0.sub(t.mul(h))).item()) / (2 * h);
  close([fwd.result[1].item()], [fd], 1e-6);
});

test("only the differentiated inputs get cotangents; integer and closed-over inputs pass through", () => {
  const w = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2], [0.3, 0.3]]);
  const shift = np.array([1.0, -2.0]);
  const loss = (x: DeviceArray, w2: DeviceArray, k: DeviceArray) => np.sum(np.tanh(np.matmul(x, w2).add(shift)).mul(k.astype("float64")));
  const k = np.array([1, 2], { dtype: "int32" });
  const jl = jit(loss);
  const [gx, gw] = grad(jl, { argnums: [0, 1] })(x0, w, k) as DeviceArray[];
  close(gx!, numericGrad((x) => loss(x, w, k), x0), 1e-6);
  close(gw!, numericGrad((ww) => loss(x0, ww, k), w), 1e-6);
  close(grad(jl, { argnums: 1 })(x0, w, k), gw!, 1e-12);
});

test("vmap(jit(f)) with unbatched and non-leading axes matches a loop", () => {
  const w = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2], [0.3, 0.3]]);
  const g = (x: DeviceArray, m: DeviceArray) => np.exp(np.matmul(x, m)).sub(1);
  const xsT = np.array([[0.3, 0.1], [-1.2, 0.2], [0.7, -0.3], [1.5, 2.0]]); // examples along axis 1
  const out = vmap(jit(g), { inAxes: [1, null] })(xsT, w);
  const loop = [0, 1].map((i) => list(g(xsT.T.get(i), w)));
  close(out, loop.flat(), 1e-12);
});

test("compositions: grad(grad(jit f)), jit(grad(jit f)), grad(vmap(jit f)), vmap(grad(jit f))", () => {
  const g = (x: DeviceArray) => np.sum(np.sin(x).mul(x).mul(x));
  const d2 = grad((x: DeviceArray) => grad(jit(g))(x).sum());
  for (const v of [0.3, -1.1, 2.0]) close([d2(np.array([v])).item()], [2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v)], 1e-9);
  const x2 = np.array([0.4, -0.8]);
  close(grad(grad(jit((x: DeviceArray) => np.sum(np.sin(x).mul(x)))))(np.array(0.5)), [2 * Math.cos(0.5) - 0.5 * Math.sin(0.5)], 1e-12);
  close(jit(grad(jit(g)))(x2), grad(g)(x2), 1e-12);
  const xs = np.array([[0.3, -1.2], [0.7, 1.5], [0.1, 0.2]]);
  const perRow = (x: DeviceArray) => np.sum(np.tanh(x).mul(np.exp(x)));
  close(grad((b: DeviceArray) => vmap(jit(perRow))(b).sum())(xs), grad((b: DeviceArray) => vmap(perRow)(b).sum())(xs), 1e-12);
  close(vmap(grad(jit(perRow)))(xs), [0, 1, 2].flatMap((i) => list(grad(perRow)(xs.get(i)))), 1e-12);
});

test("Jacobians, Hessians, linearize and second-order checkGrads of jit(f) agree with f's", () => {
  const vecFn = (x: DeviceArray) => np.sin(x).mul(np.exp(x.sum())).add(x.mul(x));
  const jv = jit(vecFn), js = jit(f5);
  close(jacfwd(jv)(x0), jacfwd(vecFn)(x0), 1e-12);
  close(jacrev(jv)(x0), jacrev(vecFn)(x0), 1e-12);
  close(hessian(js)(x0), hessian(f5)(x0), 1e-12);
  const t = np.array([0.5, -1, 2, 0.25]);
  close(linearize(jv, x0)[1](t), jvp(vecFn, [x0], [t])[1], 1e-12);
  checkGrads(jv, [x0], { order: 2 });
});

test("jit inside a lax.scan body: grad and vmap match the body without jit", () => {
  const step = (c: DeviceArray, x: DeviceArray): [DeviceArray, DeviceArray] => [np.sin(c).mul(x).add(c), np.cos(c)];
  const run = (body: typeof step) => (c0: DeviceArray) => {
    const [c, ys] = lax.scan(body, c0, np.array([0.5, -0.2, 1.3]));
    // No elementwise operation outside the scan: any eager one would come from its bodies.
    return np.sum(np.concatenate([c.reshape([1]), ys]));
  };
  const withJit = run(jit(step)), plain = run(step);
  const c0 = np.array(0.7);
  close(grad(withJit)(c0), grad(plain)(c0), 1e-12);
  close(grad(withJit)(c0), numericGrad(plain, c0), 1e-6);
  const c0s = np.array([0.7, -0.4]);
  close(vmap(withJit)(c0s), vmap(plain)(c0s), 1e-12);
  const { eager } = observe(() => grad(withJit)(c0));
  assert.deepEqual(elementwise(eager), [], "the scan's bodies run compiled");
});
