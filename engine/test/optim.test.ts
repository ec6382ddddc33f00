import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, np, optim, tree, type DeviceArray } from "../src/index.js";
import { assertClose, fixture, fromFx, values, type Fx } from "./nn-helpers.js";

const fx = fixture<{ p0: Fx; grads: Fx[]; cases: Record<string, Fx[]> }>("optim.json");

const makers: Record<string, () => optim.GradientTransformation<any>> = {
  sgd: () => optim.sgd(0.1),
  sgdMomentum: () => optim.sgd(0.1, { momentum: 0.9 }),
  sgdNesterov: () => optim.sgd(0.1, { momentum: 0.9, nesterov: true }),
  adam: () => optim.adam(0.01),
  adamw: () => optim.adamw(0.01, { weightDecay: 0.1 }),
  rmsprop: () => optim.rmsprop(0.01),
  adagrad: () => optim.adagrad(0.1),
  lion: () => optim.lion(0.01),
  clippedSgd: () => optim.chain(optim.clipByGlobalNorm(1), optim.sgd(0.1)),
};
const source = (name: string) => (["sgd", "sgdMomentum", "sgdNesterov", "adam", "adamw"].includes(name) ? "PyTorch's optimizer" : "Optax's update rule in numpy");

for (const [name, make] of Object.entries(makers)) {
  test(`optim.${name}: six steps match ${source(name)}, eagerly and under jit`, () => {
    for (const jitted of [false, true]) {
      const tx = make();
      let params: any = { w: fromFx(fx.p0) };
      let state = tx.init(params);
      const step = (p: any, s: any, g: DeviceArray) => { const [u, s2] = tx.update({ w: g }, s, p); return [optim.applyUpdates(p, u), s2]; };
      const run = jitted ? jit(step) : step;
      fx.grads.forEach((g, i) => {
        [params, state] = run(params, state, fromFx(g)) as [any, any];
        assertClose(params.w, fx.cases[name]![i]!, { rtol: 2e-5, atol: 2e-6, msg: `${name} step ${i + 1}${jitted ? " (jit)" : ""}` });
      });
    }
  });
}

test("schedules: constant, exponential decay (staircase), cosine decay, warmup + cosine, piecewise; under jit", () => {
  const at = (s: optim.Schedule, step: number) => values(s(step))[0]!;
  assert.equal(at(optim.constantSchedule(0.3), 7), Math.fround(0.3));
  const ed = optim.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5 });
  assert.ok(Math.abs(at(ed, 15) - 0.5 ** 1.5) < 1e-6);
  const eds = optim.exponentialDecay({ initValue: 1, transitionSteps: 10, decayRate: 0.5, staircase: true, endValue: 0.2 });
  assert.ok(Math.abs(at(eds, 15) - 0.5) < 1e-6 && Math.abs(at(eds, 100) - 0.2) < 1e-6);
  const cd = optim.cosineDecay({ initValue: 2, decaySteps: 100, alpha: 0.1 });
  for (const s of [0, 25, 50, 100, 150]) {
    const c = Math.min(s, 100);
    assert.ok(Math.abs(at(cd, s) - 2 * ((1 - 0.1) * 0.5 * (1 + Math.cos(Math.PI * c / 100)) + 0.1)) < 1e-5, `cosine at ${s}`);
  }
  const wc = optim.warmupCosineDecay({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 110, endValue: 0.1 });
  assert.ok(Math.abs(at(wc, 5) - 0.5) < 1e-6);
  assert.ok(Math.abs(at(wc, 10) - 1) < 1e-6);
  assert.ok(Math.abs(at(wc, 60) - (0.9 * 0.5 * (1 + Math.cos(Math.PI * 0.5)) + 0.1)) < 1e-5);
  assert.ok(Math.abs(at(wc, 110) - 0.1) < 1e-6);
  const pc = optim.piecewiseConstantSchedule(1, { 10: 0.1, 20: 0.5 });
  assert.deepEqual([at(pc, 5), at(pc, 10), at(pc, 25)].map((v) => Math.round(v * 1e6) / 1e6), [1, 0.1, 0.05]);
  // A schedule drives sgd through the step count in the state, under jit.
  const tx = optim.sgd(optim.exponentialDecay({ initValue: 1, transitionSteps: 1, decayRate: 0.5 }));
  let p: any = { w: np.array([0]) }, s = tx.init(p);
  const step = jit((p: any, s: any) => { const [u, s2] = tx.update({ w: np.array([1]) }, s, p); return [optim.applyUpdates(p, u), s2]; });
  for (let i = 0; i < 3; i++) [p, s] = step(p, s) as [any, any];
  assertClose(p.w, [-(1 + 0.5 + 0.25)]);
});

test("weight decay masks: adamw and lion decay only where the mask is true; masked() leaves the rest untouched", () => {
  const params = { kernel: np.array([1, 2]), bias: np.array([3]) };
  const zeroGrads = tree.map((x: DeviceArray) => np.zerosLike(x), params);
  const tx = optim.adamw(0.1, { weightDecay: 0.5, mask: (p: any) => tree.map((x: DeviceArray) => x.ndim > 0 && x.shape[0]! > 1, p) });
  const [u] = tx.update(zeroGrads, tx.init(params), params);
  assertClose(u.kernel, [-0.05, -0.1]);
  assertClose(u.bias, [0]);
  const m = optim.masked(optim.sgd(1), { kernel: true, bias: false });
  const [u2] = m.update({ kernel: np.array([1, 1]), bias: np.array([7]) }, m.init(params), params);
  assertClose(u2.kernel, [-1, -1]);
  assertClose(u2.bias, [7]);
});

test("clipByGlobalNorm scales by maxNorm / norm only above maxNorm; globalNorm over a tree", () => {
  const g = { a: np.array([3]), b: np.array([[4]]) };
  assertClose(optim.globalNorm(g), [5]);
  const [c] = optim.clipByGlobalNorm(1).update(g, {});
  assertClose(c.a, [0.6]); assertClose(c.b, [0.8]);
  const [c2] = optim.clipByGlobalNorm(10).update(g, {});
  assertClose(c2.a, [3]);
});
