// enableChecks (config.update("enableChecks", true) or TENSORLENS_CHECKS=1): the IR checker runs
// after tracing, after each pass and after lowering, and the kernel IR is validated before a
// backend sees it. Broken programs are built by hand here; a failure names the stage and the
// equation or step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { np, lax, grad, jit, vmap, makeJaxpr, config, DeviceArray } from "../src/index.js";
import { ShapedArray } from "../src/ir/aval.js";
import { IRCheckError } from "../src/ir/check.js";
import { checkProgram } from "../src/jit/check-program.js";
import { Jaxpr, Var, type Eqn } from "../src/ir/jaxpr.js";
import { lowerJaxpr } from "../src/jit/lower.js";
import { optimize } from "../src/jit/program.js";
import { bind } from "../src/trace/trace.js";
import type { Program, Step } from "../src/backend/kernel.js";

const f32 = (...shape: number[]) => new ShapedArray(shape, "float32");
const source = { file: "model.ts", line: 7, column: 3 };

function withChecks<T>(on: boolean, fn: () => T): T {
  const before = config.read("enableChecks");
  config.update("enableChecks", on);
  try { return fn(); } finally { config.update("enableChecks", before); }
}

/** exp of an f32[2] declared to give f32[3]: a program no shape rule would produce. */
function wrongOutputType(): Jaxpr {
  const x = new Var(f32(2)), y = new Var(f32(3)), z = new Var(f32(3));
  const eqns: Eqn[] = [
    { prim: "exp", params: {}, inputs: [x], outputs: [y], source },
    { prim: "neg", params: {}, inputs: [y], outputs: [z] },
  ];
  return new Jaxpr([x], eqns, [z]);
}

test("a wrongly typed equation is caught after the first pass, naming the pass and the equation", () => {
  try {
    withChecks(true, () => optimize(wrongOutputType()));
    assert.fail("optimize accepted an ill-typed program");
  } catch (e) {
    assert.ok(e instanceof IRCheckError);
    assert.equal(e.stage, "pass dce");
    assert.match(e.message, /after pass dce/);
    assert.match(e.message, /exp f32\[2\] at model\.ts:7:3/);
    assert.match(e.message, /output 0 is f32\[3\] but the rule gives f32\[2\]/);
  }
  // Off, nothing is checked (the flag costs nothing in normal runs).
  withChecks(false, () => optimize(wrongOutputType()));
});

test("a variable used before its definition is caught", () => {
  const x = new Var(f32(2)), y = new Var(f32(2)), z = new Var(f32(2));
  const j = new Jaxpr([x], [
    { prim: "neg", params: {}, inputs: [y], outputs: [z] },
    { prim: "exp", params: {}, inputs: [x], outputs: [y] },
  ], [z]);
  withChecks(true, () => assert.throws(() => optimize(j), /after pass dce.*used before definition in neg f32\[2\]/s));
});

test("a jit call given operands its program does not take is caught, in a traced program and eagerly", () => {
  const body = makeJaxpr((x: DeviceArray) => np.exp(x))(np.zeros([2]));
  const x = new Var(f32(3)), y = new Var(f32(2));
  const j = new Jaxpr([x], [{ prim: "pjit", params: { jaxpr: body, name: "g" }, inputs: [x], outputs: [y], source }], [y]);
  withChecks(true, () => assert.throws(() => optimize(j), /pjit f32\[3\] at model\.ts:7:3: the called program's input 0 is f32\[2\], it is given f32\[3\]/));
  withChecks(true, () => assert.throws(() => bind("pjit", [np.zeros([3], { dtype: "float32" })], { jaxpr: body, name: "g" }), /pjit \(g\)/));
});

/** A program lowered from a small function, and copies of it with one thing broken. */
function lowered(): Program {
  const j = makeJaxpr((x: DeviceArray, y: DeviceArray) => np.exp(x).mul(y).sum({ axis: 0 }))(np.zeros([4, 3]), np.zeros([4, 3]));
  return lowerJaxpr(optimize(j), 0, []);
}
const withSteps = (p: Program, steps: Step[]): Program => ({ ...p, steps, toString: p.toString });

test("the kernel IR validator accepts lowered programs and rejects broken ones, naming the step", () => {
  const p = lowered();
  checkProgram(p);
  const k = p.steps.findIndex((s) => s.kind === "kernel");
  const kernel = p.steps[k] as Extract<Step, { kind: "kernel" }>;
  // A load past the end of its buffer.
  const shifted = JSON.parse(JSON.stringify(kernel.kernel.expr).replace(/"offset":0/, '"offset":5'));
  const oob = p.steps.map((s, i) => (i === k ? { ...kernel, kernel: { ...kernel.kernel, expr: shifted } } : s));
  assert.throws(() => checkProgram(withSteps(p, oob)), new RegExp(`step ${k} \\(fused\\[.*out of bounds`));
  // Freeing an input the program only borrows.
  const freeInput = [{ kind: "free", slots: [0] } as Step, ...p.steps];
  assert.throws(() => checkProgram(withSteps(p, freeInput)), /step 0 \(free\) frees %0, an input/);
  // Reading a slot after its free.
  const readAfterFree = [...p.steps.filter((s) => s.kind !== "free"), ...p.steps.filter((s) => s.kind === "free"), kernel];
  assert.throws(() => checkProgram(withSteps(p, readAfterFree)), /reads slot %\d+, which is not live|writes slot %\d+ a second time/);
  // A kernel whose output is not its slot's type.
  const wrongOut = p.steps.map((s, i) => (i === k ? { ...kernel, kernel: { ...kernel.kernel, output: new ShapedArray(kernel.kernel.output.shape, "int32") } } : s));
  assert.throws(() => checkProgram(withSteps(p, wrongOut)), /its output is i32/);
});

test("with checks on, traced, transformed and lowered programs all pass", () => {
  withChecks(true, () => {
    const f = (x: DeviceArray) => np.sum(np.tanh(x).mul(np.exp(x)));
    const xs = np.array([[0.3, -1.2], [0.7, 1.5]]);
    const scanned = (c: DeviceArray) => lax.scan((h: DeviceArray, x: DeviceArray) => [np.sin(h).mul(x), h] as [DeviceArray, DeviceArray], c, xs)[0].sum();
    grad(jit(f))(xs);
    vmap(jit(f))(xs);
    jit(grad(scanned))(np.array([0.1, 0.2]));
    grad(scanned)(np.array([0.1, 0.2]));
  });
});

test("TENSORLENS_CHECKS=1 turns the flag on", () => {
  const index = new URL("../src/index.ts", import.meta.url).href;
  const code = `import { config } from ${JSON.stringify(index)}; console.log(config.read("enableChecks"));`;
  const run = (env: string) => spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    env: { ...process.env, TENSORLENS_CHECKS: env }, encoding: "utf8",
  }).stdout.trim();
  assert.equal(run("1"), "true");
  assert.equal(run("0"), "false");
});
