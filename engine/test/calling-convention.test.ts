// One calling convention (issue 13): every row of the issue's table as a test, with numpy's
// answers worked out by hand for tiny inputs; then a walk over every exported function of np,
// nn, lax, random and the transformations with wrong-typed arguments.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import assert from "node:assert/strict";
import { np, nn, lax, random, tree, optim, grad, valueAndGrad, vmap, jit, jvp, vjp, linearize, jacfwd, jacrev, hessian, makeJaxpr, evalShape, DeviceArray, SIGNATURES } from "../src/index.js";
import { describeTypes, type Param, type Signature } from "../src/signatures/signature.js";
import { declareFunction } from "../src/api/declared.js";

const list = (x: unknown) => Array.from((x as DeviceArray).dataSync(), Number);
function equal(x: unknown, shape: number[], values: number[], dtype?: string, tol = 1e-6) {
  const a = x as DeviceArray;
  assert.ok(a instanceof DeviceArray, `expected an array, got ${String(x)}`);
  assert.deepEqual([...a.shape], shape, `shape [${a.shape}] vs [${shape}]`);
  if (dtype) assert.equal(a.dtype, dtype);
  const got = list(a);
  assert.equal(got.length, values.length);
  got.forEach((v, i) => assert.ok(Math.abs(v - values[i]!) <= tol * (1 + Math.abs(values[i]!)), `element ${i}: ${v} vs ${values[i]}`));
}
/** Asserts a TypeError whose message matches every pattern. */
function typeError(f: () => unknown, ...patterns: RegExp[]) {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  assert.ok(err instanceof TypeError, `expected a TypeError, got ${err === undefined ? "no error" : String(err)}`);
  for (const p of patterns) assert.match((err as Error).message, p);
  return err as TypeError;
}
const THIS_FILE = /calling-convention\.test\.ts:\d+:\d+/;

const m23 = np.array([[1, 2, 3], [4, 5, 6]]);

// ---- row 1: a positional axis is the axis ---------------------------------------------------
test("row 1: np.sum(np.ones([2,3]), 1) and other reductions take a positional axis", () => {
  equal(np.sum(np.ones([2, 3]), 1), [2], [3, 3]);
  equal(np.sum(m23, 0), [3], [5, 7, 9]);
  equal(np.mean(m23, 1), [2], [2, 5]);
  equal(np.max(m23, 1), [2], [3, 6]);
  equal(np.min(m23, 0), [3], [1, 2, 3]);
  equal(np.prod(m23, 1), [2], [6, 120]);
  equal(np.argmax(np.array([[1, 3], [4, 2]]), 1), [2], [1, 0], "int32");
  equal(np.argmin(np.array([[1, 3], [4, 2]]), 0), [2], [0, 1], "int32");
  equal(np.std(np.array([[1, 3], [2, 2]]), 1), [2], [1, 0]);
  // var([1, 2, 3, 4]) = 1.25; with ddof=1, 5/3; a dtype is honoured (it was ignored).
  equal(np.var(np.array([1, 2, 3, 4]), { ddof: 1 }), [], [5 / 3]);
  equal(np.var(np.array([1, 2, 3, 4]), 0, "float32"), [], [1.25], "float32");
  equal(np.any(np.array([[0, 1], [0, 0]]), 1), [2], [1, 0]);
  equal(np.cumsum(m23, 1), [2, 3], [1, 3, 6, 4, 9, 15]);
  // numpy's positional dtype after the axis: np.sum(x, 0, "int32").
  equal(np.sum(np.array([[1.5, 2], [3, 4]]), 0, "int32"), [2], [4, 6], "int32");
  // The options object still works, and both forms mix: np.sum(x, 1, { keepdims: true }).
  equal(np.sum(m23, { axis: 1, keepdims: true }), [2, 1], [6, 15]);
  equal(np.sum(m23, 1, { keepdims: true }), [2, 1], [6, 15]);
  equal(np.sum(m23, null), [], [21]);
});

test("row 1: methods follow the same rule (x.sum(1), x.mean({ axis: 0 }), x.reshape(3, 2))", () => {
  equal(m23.sum(1), [2], [6, 15]);
  equal(m23.mean({ axis: 0 }), [3], [2.5, 3.5, 4.5]);
  equal(m23.max(0, { keepdims: true }), [1, 3], [4, 5, 6]);
  equal(m23.argmax(1), [2], [2, 2], "int32");
  equal(m23.reshape(3, 2), [3, 2], [1, 2, 3, 4, 5, 6]);
  equal(m23.transpose(1, 0), [3, 2], [1, 4, 2, 5, 3, 6]);
  typeError(() => m23.sum("1" as any), /np\.sum/, /axis/, /"1" \(a string\)/);
});

// ---- row 2: options objects on functions that took a positional axis ------------------------
test("row 2: np.concatenate(xs, { axis }) and np.split(x, n, { axis })", () => {
  equal(np.concatenate([np.array([1, 2]), np.array([3])], { axis: 0 }), [3], [1, 2, 3]);
  equal(np.concatenate([np.array([[1], [2]]), np.array([[3], [4]])], { axis: 1 }), [2, 2], [1, 3, 2, 4]);
  equal(np.concatenate([np.array([[1], [2]]), np.array([[3], [4]])], 1), [2, 2], [1, 3, 2, 4]);
  const parts = np.split(np.arange(4), 2, { axis: 0 });
  assert.equal(parts.length, 2);
  equal(parts[0], [2], [0, 1]);
  equal(parts[1], [2], [2, 3]);
  const cols = np.split(np.array([[1, 2], [3, 4]]), 2, { axis: 1 });
  equal(cols[1], [2, 1], [2, 4]);
  equal(np.stack([np.array([1, 2]), np.array([3, 4])], { axis: 1 }), [2, 2], [1, 3, 2, 4]);
});

// ---- row 3: options objects on axis/axes-taking functions ------------------------------------
test("row 3: nn.softmax, np.expandDims, np.squeeze, np.transpose with options objects", () => {
  // softmax over axis 0 of [[0, 0], [ln 3, ln 3]]: each column is [1/4, 3/4].
  equal(nn.softmax(np.array([[0, 0], [Math.log(3), Math.log(3)]]), { axis: 0 }), [2, 2], [0.25, 0.25, 0.75, 0.75]);
  equal(nn.softmax(np.array([[0, Math.log(3)]]), 1), [1, 2], [0.25, 0.75]);
  equal(nn.logSoftmax(np.array([0, 0]), { axis: 0 }), [2], [-Math.LN2, -Math.LN2]);
  equal(np.expandDims(np.array([1, 2]), { axis: 0 }), [1, 2], [1, 2]);
  equal(np.squeeze(np.array([[1, 2]]), { axis: 0 }), [2], [1, 2]);
  equal(np.transpose(np.array([[1, 2, 3], [4, 5, 6]]), { axes: [1, 0] }), [3, 2], [1, 4, 2, 5, 3, 6]);
  equal(np.flip(np.array([1, 2, 3]), { axis: 0 }), [3], [3, 2, 1]);
  equal(np.moveaxis(np.zeros([2, 3, 4]), { source: 0, destination: 2 }), [3, 4, 2], new Array(24).fill(0));
});

// ---- rows 4 and 5: dtype and friends in options objects --------------------------------------
test("row 4: np.zeros([2], { dtype: 'int32' }) is np.zeros([2], 'int32')", () => {
  equal(np.zeros([2], { dtype: "int32" }), [2], [0, 0], "int32");
  equal(np.zeros([2], "int32"), [2], [0, 0], "int32");
  equal(np.ones(3, { dtype: "bool" }), [3], [1, 1, 1], "bool");
  equal(np.full([2], 7, { dtype: "int32" }), [2], [7, 7], "int32");
  equal(np.array([1.7, 2], { dtype: "int32" }), [2], [1, 2], "int32");
  typeError(() => np.zeros([2], { dtype: "int33" } as any), /np\.zeros/, /dtype/, /"int33"/);
});

test("row 5: np.arange(5, { dtype }) and np.eye(3, { k: 1, dtype })", () => {
  equal(np.arange(5, { dtype: "int32" }), [5], [0, 1, 2, 3, 4], "int32");
  equal(np.arange(5, { dtype: "float32" }), [5], [0, 1, 2, 3, 4], "float32");
  equal(np.arange(1, 7, 2), [3], [1, 3, 5], "int32");
  equal(np.arange(1, 7, { step: 3 }), [2], [1, 4]);
  equal(np.eye(3, { k: 1, dtype: "int32" }), [3, 3], [0, 1, 0, 0, 0, 1, 0, 0, 0], "int32");
  equal(np.eye(2, 3, { k: -1 }), [2, 3], [0, 0, 0, 1, 0, 0], "float32");
  equal(np.identity(2, { dtype: "int32" }), [2, 2], [1, 0, 0, 1], "int32");
  typeError(() => np.arange({ dtype: "int32" } as any), /np\.arange/, /start/);
});

// ---- row 6: linspace's endpoint ---------------------------------------------------------------
test("row 6: np.linspace(0, 1, 4, false) honours endpoint", () => {
  equal(np.linspace(0, 1, 4, false), [4], [0, 0.25, 0.5, 0.75]);
  equal(np.linspace(0, 1, 4, { endpoint: false }), [4], [0, 0.25, 0.5, 0.75]);
  equal(np.linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1]);
  equal(np.linspace(2, 3, 3, true, { dtype: "float32" }), [3], [2, 2.5, 3], "float32");
  equal(np.logspace(0, 2, 2, false), [2], [1, 10]);
});

// ---- row 7: unknown option names --------------------------------------------------------------
test("row 7: grad(f, { argnum: 1 }) and other unknown option names are TypeErrors naming the option", () => {
  const f = (a: DeviceArray, b: DeviceArray) => a.mul(b).sum();
  typeError(() => grad(f, { argnum: 1 } as any), /^grad: unknown option "argnum" \(did you mean "argnums"\?\)/, THIS_FILE);
  typeError(() => valueAndGrad(f, { hasaux: true } as any), /valueAndGrad/, /"hasaux"/, /hasAux/);
  typeError(() => vmap(f, { inAxis: 0 } as any), /vmap/, /"inAxis"/, /inAxes/);
  typeError(() => jit(f, { staticArgnum: 0 } as any), /jit/, /"staticArgnum"/, /staticArgnums/);
  typeError(() => np.sum(m23, { axes: 0 } as any), /np\.sum/, /"axes"/, /axis/);
  typeError(() => np.linspace(0, 1, 4, { endPoint: false } as any), /np\.linspace/, /"endPoint"/, /endpoint/);
  typeError(() => nn.softmax(m23, { axes: 0 } as any), /nn\.softmax/, /"axes"/);
  typeError(() => np.sum(m23, 1, { axis: 0 }), /np\.sum/, /"axis" was given both positionally and in the options object/);
  // A right name still works: grad with argnums 1 gives d(a*b)/db = a.
  equal(grad(f, { argnums: 1 })(np.array([2, 3]), np.array([5, 7])), [2], [2, 3]);
  equal(grad(f, 1)(np.array([2, 3]), np.array([5, 7])), [2], [2, 3]);
});

// ---- rows 8 and 9: non-arrays where arrays belong ---------------------------------------------
test("row 8: np.add('hello', 1) and np.add(null, 1) are TypeErrors naming the op and the argument", () => {
  typeError(() => np.add("hello" as any, 1), /^np\.add: argument 0 \(x\) must be an array/, /"hello" \(a string\)/, THIS_FILE);
  typeError(() => np.add(null as any, 1), /^np\.add: argument 0 \(x\)/, /got null/);
  typeError(() => np.add(1, {} as any), /^np\.add: argument 1 \(y\)/, /an object/);
  typeError(() => np.add([1, "2"] as any, 1), /^np\.add: argument 0/);
  typeError(() => np.exp("1" as any), /^np\.exp: argument 0 \(x\)/);
  typeError(() => m23.add("hello" as any), /np\.add: argument 1 \(y\)/);
  typeError(() => np.add(1, 2, 3 as any), /np\.add: takes 2 positional arguments/);
  // Valid non-array operands still work: numbers, booleans, nested lists.
  equal(np.add([1, 2], true), [2], [2, 3]);
});

test("row 9: np.matmul(undefined, x) is a TypeError: argument 0 is undefined", () => {
  typeError(() => np.matmul(undefined as any, np.ones([2])), /^np\.matmul: argument 0 \(x\) is undefined/, THIS_FILE);
  typeError(() => np.matmul(np.ones([2]), undefined as any), /^np\.matmul: argument 1 \(y\) is undefined/);
  typeError(() => (np.matmul as any)(np.ones([2])), /np\.matmul: argument 1 \(y\) is undefined/);
  typeError(() => np.reshape(m23, undefined as any), /np\.reshape: argument 1 \(shape\) is undefined/);
});

// ---- row 10: vmap's in_axes positionally ------------------------------------------------------
test("row 10: vmap(f, [0, null]) maps the first argument only, as in JAX", () => {
  const f = (a: DeviceArray, b: DeviceArray) => a.add(b);
  const xs = np.array([[1, 2], [3, 4], [5, 6]]), b = np.array([10, 20]);
  equal(vmap(f, [0, null])(xs, b), [3, 2], [11, 22, 13, 24, 15, 26]);
  equal(vmap(f, { inAxes: [0, null] })(xs, b), [3, 2], [11, 22, 13, 24, 15, 26]);
  // in_axes then out_axes positionally: the batch axis of the result moves to 1.
  equal(vmap(f, [0, null], 1)(xs, b), [2, 3], [11, 13, 15, 22, 24, 26]);
  typeError(() => vmap(f, "0" as any), /^vmap: argument 1 \(inAxes\)/);
});

// ---- row 11: options that were silently ignored -----------------------------------------------
test("row 11: pad's symmetric mode is numpy's", () => {
  // numpy: np.pad([1, 2, 3], 2, mode="symmetric") -> [2, 1, 1, 2, 3, 3, 2]; "reflect" -> [3, 2, 1, 2, 3, 2, 1].
  equal(np.pad(np.array([1, 2, 3]), 2, { mode: "symmetric" }), [7], [2, 1, 1, 2, 3, 3, 2]);
  equal(np.pad(np.array([1, 2, 3]), 2, "symmetric"), [7], [2, 1, 1, 2, 3, 3, 2]);
  equal(np.pad(np.array([1, 2, 3]), 2, { mode: "reflect" }), [7], [3, 2, 1, 2, 3, 2, 1]);
  equal(np.pad(np.array([1, 2, 3]), [1, 0], { mode: "edge" }), [4], [1, 1, 2, 3]);
  typeError(() => np.pad(np.array([1, 2, 3]), 2, { mode: "mean" } as any), /np\.pad/, /mode/, /"mean"/);
  typeError(() => np.pad(np.array([1, 2, 3]), 2, { mode: "constant", stat_length: 2 } as any), /np\.pad: unknown option "stat_length"/);
  // numpy raises for constant_values with mode="edge"; so do we (it used to be ignored).
  typeError(() => np.pad(np.array([1, 2, 3]), 1, { mode: "edge", constantValues: 5 }), /pad: constantValues applies only to mode "constant", not "edge"/);
});

test("row 11: interp's period is numpy's", () => {
  // numpy's documented example: np.interp(x, xp, fp, period=360).
  const x = np.array([-180, -170, -185, 185, -10, -5, 0, 365]);
  const xp = np.array([190, -190, 350, -350]), fp = np.array([5, 10, 3, 4]);
  equal(np.interp(x, xp, fp, { period: 360 }), [8], [7.5, 5, 8.75, 6.25, 3, 3.25, 3.5, 3.75], undefined, 1e-5);
  // Without a period, left/right apply: interp(2.5, [1, 2, 3], [3, 2, 0]) = 1; below the range, left.
  equal(np.interp(np.array([2.5, 0]), np.array([1, 2, 3]), np.array([3, 2, 0]), { left: -1 }), [2], [1, -1]);
});

test("row 11: cumulativeSum's includeInitial and unique's size are honoured", () => {
  equal(np.cumulativeSum(np.array([1, 2, 3]), { includeInitial: true }), [4], [0, 1, 3, 6]);
  equal(np.cumulativeSum(np.array([1, 2, 3])), [3], [1, 3, 6]);
  equal(np.cumulativeProd(np.array([1, 2, 3]), { includeInitial: true }), [4], [1, 1, 2, 6]);
  equal(np.cumulativeSum(np.array([[1, 2], [3, 4]]), { axis: 1, includeInitial: true }), [2, 3], [0, 1, 3, 0, 3, 7]);
  assert.throws(() => np.cumulativeSum(np.array([[1, 2], [3, 4]])), /axis must be given/);
  // jnp.unique(x, size=4): sorted unique values, padded with the smallest (or fill_value).
  equal(np.unique(np.array([3, 1, 1]), { size: 4 }), [4], [1, 3, 1, 1]);
  equal(np.unique(np.array([3, 1, 1]), { size: 4, fillValue: -1 }), [4], [1, 3, -1, -1]);
  equal(np.unique(np.array([3, 1, 2, 1]), { size: 2 }), [2], [1, 2]);
  typeError(() => np.unique(np.array([1]), { returnCounts: true } as any), /np\.unique: unknown option "returnCounts"/);
});

test("row 11: nn.oneHot's axis puts the class axis where asked (it was ignored)", () => {
  // jax.nn.one_hot([0, 2], 3, axis=0) -> [[1, 0], [0, 0], [0, 1]].
  equal(nn.oneHot(np.array([0, 2], "int32"), 3, { axis: 0 }), [3, 2], [1, 0, 0, 0, 0, 1]);
  equal(nn.oneHot(np.array([0, 2], "int32"), 3), [2, 3], [1, 0, 0, 0, 0, 1]);
});

// ---- row 13: transformation-level errors name the user's line ---------------------------------
test("row 13: grad, vmap, random and tree errors name the user's file:line", () => {
  const err = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return "no error"; };
  assert.match(err(() => grad((x: DeviceArray) => x.mul(2))(np.array([1, 2]))), /grad: the function must return a scalar.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => grad((x: DeviceArray) => x.sum())(np.array([1, 2], "int32"))), /dtype int32.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => vmap((a: DeviceArray, b: DeviceArray) => a.add(b))(np.ones([2]), np.ones([3]))), /vmap: mapped axes have different sizes.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => vmap((a: DeviceArray) => a, [0, 0])(np.ones([2]))), /vmap: inAxes has 2 entries.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => random.normal(np.ones([2]), [3])), /random\.normal: a PRNG key has dtype uint32.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => random.split(np.ones([3], "uint32"))), /random\.split.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => tree.map((a: number, b: number) => a + b, [1, 2], [1])), /tree\.map: tree \d+ has structure.*calling-convention\.test\.ts:\d+/);
  assert.match(err(() => jvp((x: DeviceArray) => x, [np.ones([2])], [np.ones([3])])), /jvp: primal 0.*calling-convention\.test\.ts:\d+/);
  // An optimizer's state that does not match the gradients' tree.
  const opt = optim.adam(1e-3);
  const state = opt.init({ w: np.ones([2]), b: np.ones([1]) });
  assert.match(err(() => opt.update({ w: np.ones([2]) }, state)), /tree\.map: tree \d+ has structure.*calling-convention\.test\.ts:\d+/);
});

// ---- the walk: every exported function, wrong-typed arguments ---------------------------------

/** The public namespaces and their functions, with the path their declarations use. */
function publicFunctions(): { path: string; fn: (...a: any[]) => any }[] {
  const out: { path: string; fn: (...a: any[]) => any }[] = [];
  // Classes (and nn's module classes, which are callable proxies of classes) are constructors, not functions.
  const isClass = (f: any) => /^class[\s{]/.test(Function.prototype.toString.call(f)) || f.prototype instanceof (nn as any).Module;
  const walk = (prefix: string, ns: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(ns)) {
      const path = `${prefix}.${k}`;
      if (typeof v === "function" && !isClass(v)) out.push({ path, fn: v as (...a: any[]) => any });
      else if (v && typeof v === "object" && !(v instanceof DeviceArray) && !Array.isArray(v) && (k === "linalg" || k === "initializers") && !path.endsWith("initializers.initializers")) walk(path, v as Record<string, unknown>);
    }
  };
  walk("np", np as any); walk("nn", nn as any); walk("lax", lax as any); walk("random", random as any);
  const transforms = { grad, valueAndGrad, vmap, jit, jvp, vjp, linearize, jacfwd, jacrev, hessian, makeJaxpr, evalShape };
  for (const [k, v] of Object.entries(transforms)) out.push({ path: k, fn: v });
  return out;
}

/** A value the declaration accepts for a parameter (only the wrapper sees it: a wrong one elsewhere stops the call first). */
function validValue(p: Param): unknown {
  const t = p.types[0]!;
  switch (t.kind) {
    case "array": return 1;
    case "arrays": return [1];
    case "int": case "number": case "axes": case "any": case "tree": return 0;
    case "bool": return false;
    case "string": return "a";
    case "shape": case "ints": case "numbers": return [1];
    case "dtype": return "float32";
    case "fn": return () => 0;
    case "fns": return [() => 0];
    case "key": return random.key(0);
    case "object": return { contract: [[], []], batch: [[], []] };
    case "null": return null;
    case "slice": return np.s(0, 1);
    case "list": return [];
    case "bigint": return 1n;
    case "literal": return t.value;
  }
}

/** A value the declaration rejects, chosen by kind (independent of the validator's code). */
function wrongValue(p: Param): unknown | typeof SKIP {
  const kinds = new Set(p.types.map((t) => t.kind));
  if (kinds.has("any") || kinds.has("tree")) return SKIP;
  if (!kinds.has("string") && !kinds.has("literal") && !kinds.has("dtype")) return "hello";
  return Symbol("wrong");
}
const SKIP = Symbol("skip");

test("every exported function of np, nn, lax, random and the transformations is declared", () => {
  const missing = publicFunctions().filter(({ path }) => !SIGNATURES.has(path)).map((f) => f.path);
  assert.deepEqual(missing, [], `undeclared: ${missing.join(", ")}`);
  const fns = publicFunctions();
  assert.ok(fns.length > 450, `only ${fns.length} functions found`);
});

test("every exported function rejects wrong-typed arguments with a TypeError naming it and the parameter", () => {
  let calls = 0;
  for (const { path, fn } of publicFunctions()) {
    const sig = SIGNATURES.get(path) as Signature;
    const base = sig.positional.filter((p) => !p.optional).map(validValue);
    // Each positional parameter in turn gets a wrong value (the others valid or absent).
    sig.positional.forEach((p, i) => {
      const bad = wrongValue(p);
      if (bad === SKIP) return;
      const args = sig.positional.slice(0, i + 1).map((q, j) => (j === i ? bad : j < base.length ? base[j] : validValue(q)));
      let err: unknown, result: unknown;
      try { result = fn(...args); } catch (e) { err = e; }
      calls++;
      assert.ok(err instanceof TypeError, `${path}(${describeArgs(args)}): expected a TypeError, got ${err ? String(err) : `a result ${String(result).slice(0, 60)}`}`);
      const msg = (err as Error).message;
      assert.ok(msg.startsWith(`${path}: `), `${path}: the message does not name the function: ${msg}`);
      assert.ok(msg.includes(p.name), `${path}: the message does not name the parameter ${p.name}: ${msg}`);
      assert.ok(!/is not a function|\[object Object\]|NaN/.test(msg), `${path}: ${msg}`);
    });
    // A required argument left out is "undefined", named.
    if (sig.required > 0) {
      let err: unknown;
      try { fn(...base.slice(0, sig.required - 1)); } catch (e) { err = e; }
      assert.ok(err instanceof TypeError && (err as Error).message.includes("is undefined"), `${path} with a missing argument: ${String(err)}`);
    }
    // An unknown option name, where the function reads an options object.
    const next = base.length < sig.positional.length ? sig.positional[base.length] : sig.rest;
    if (sig.takesOptions && !next?.takesObjects) {
      let err: unknown;
      try { fn(...base, { notAnOption: 1 }); } catch (e) { err = e; }
      assert.ok(err instanceof TypeError && /unknown option "notAnOption"/.test((err as Error).message), `${path} with an unknown option: ${String(err)}`);
    }
  }
  assert.ok(calls > 600, `only ${calls} wrong-typed calls`);
});

function describeArgs(args: unknown[]) {
  return args.map((a) => (typeof a === "symbol" ? "Symbol" : typeof a === "function" ? "fn" : JSON.stringify(a) ?? String(a))).join(", ");
}

test("the declarations say in words what each parameter takes", () => {
  const sig = SIGNATURES.get("np.sum")!;
  assert.equal(describeTypes(sig.byName.get("axis")!), "an integer or a list of integers or null");
  assert.deepEqual(sig.positional.map((p) => p.name), ["x", "axis", "dtype"]);
  assert.equal(sig.byName.get("keepdims")!.keywordOnly, true);
});

test("docs/api-coverage.md is the page scripts/api-coverage.ts generates from the declarations", () => {
  const root = join(import.meta.dirname, "..", "..");
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/api-coverage.ts", "--check"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr || r.stdout);
});

test("the compiled wrappers and the closure fallback (where code generation is not allowed) agree", () => {
  const calls: [string, unknown[]][] = [
    ["np.sum", [m23]], ["np.sum", [m23, 1]], ["np.sum", [m23, { axis: 1, keepdims: true }]], ["np.sum", [m23, 1, { keepdims: true }]],
    ["np.sum", [m23, "1"]], ["np.sum", [m23, { axes: 1 }]], ["np.sum", [m23, 1, { axis: 0 }]], ["np.sum", [m23, 1, "int32", 3]], ["np.sum", []],
    ["np.linspace", [0, 1, 4, false]], ["np.linspace", [0, 1, { num: 3, dtype: "int32" }]], ["np.concatenate", [[1, 2], { axis: null }]],
    ["np.concatenate", [[1, 2], 0]], ["np.pad", [m23, 1, "symmetric"]], ["np.pad", [m23, 1, { mode: "mean" }]], ["np.eye", [3, { k: 1 }]],
    ["np.expandDims", [m23, { axis: 0 }]], ["np.reshape", [m23]], ["grad", [() => 0, { argnum: 1 }]], ["grad", [() => 0, 1, true]],
    ["vmap", [() => 0, [0, null], 1]], ["random.normal", [random.key(0), { shape: [2] }]], ["lax.scan", [() => 0, 0, { a: 1 }, { length: 2 }]],
  ];
  const record = (...args: unknown[]) => args;
  for (const [path, args] of calls) {
    const sig = SIGNATURES.get(path)!;
    const run = (compile: boolean) => {
      try { return { ok: declareFunction(sig, record, { compile })(...args) }; } catch (e) { return { error: (e as Error).message.replace(/ at \S+$/, "") }; }
    };
    assert.deepEqual(run(true), run(false), `${path}(${describeArgs(args)})`);
  }
});
