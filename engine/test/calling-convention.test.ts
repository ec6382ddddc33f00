// One calling convention (issue 13): every row of the issue's table as a test, with numpy's
// answers worked out by hand for tiny inputs; then a walk over every exported function of np,
// nn, lax, random and the transformations with wrong-typed arguments; then the library layers
// (nn's module constructors and init/apply, optim, losses, tree), walked the same way.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import assert from "node:assert/strict";
import { np, nn, lax, random, tree, optim, losses, grad, valueAndGrad, vmap, jit, jvp, vjp, linearize, jacfwd, jacrev, hessian, makeJaxpr, evalShape, DeviceArray, SIGNATURES, ALL_SIGNATURES, LIBRARY_SIGNATURES } from "../src/index.js";
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

/** The public namespaces and their functions, with the path their declarations use (with `library`: optim, losses, tree and nn's module classes too). */
function publicFunctions(library = false): { path: string; fn: (...a: any[]) => any }[] {
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
  if (library) {
    walk("optim", optim as any); walk("losses", losses as any); walk("tree", tree as any);
    // nn's module classes, by their constructors (called without `new`, as Flax allows; nn.Module itself is abstract).
    for (const [k, v] of Object.entries(nn)) if (typeof v === "function" && (v as any).prototype instanceof (nn as any).Module) out.push({ path: `nn.${k}`, fn: v as (...a: any[]) => any });
  }
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
  for (const { path, fn } of publicFunctions(true)) {
    const sig = ALL_SIGNATURES.get(path) as Signature;
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
  assert.ok(calls > 650, `only ${calls} wrong-typed calls`);
});

test("every function of optim, losses and tree and every nn module class is declared (signatures/library.ts)", () => {
  const lib = publicFunctions(true).filter(({ path }) => !SIGNATURES.has(path));
  const missing = lib.filter(({ path }) => !LIBRARY_SIGNATURES.has(path)).map((f) => f.path);
  assert.deepEqual(missing, [], `undeclared: ${missing.join(", ")}`);
  const count = (prefix: string) => lib.filter(({ path }) => path.startsWith(prefix)).length;
  assert.ok(count("optim.") >= 30 && count("losses.") >= 8 && count("tree.") >= 8 && count("nn.") >= 13, `only ${lib.length} library functions found`);
  // Every declaration is of something exported (no stale line), nn.Module's methods aside.
  const exported = new Set(publicFunctions(true).map((f) => f.path));
  const stale = [...LIBRARY_SIGNATURES.keys()].filter((p) => !p.startsWith("nn.Module.") && !exported.has(p));
  assert.deepEqual(stale, []);
});

// ---- the library layers: module constructors, init/apply options, optimizers ---------------------
test("a misspelled module option is a TypeError naming the constructor and the option: new nn.Dense(4, { use_bias: false })", () => {
  typeError(() => new nn.Dense(4, { use_bias: false } as any), /^nn\.Dense: unknown option "use_bias" \(did you mean "useBias"\?\)/, /takes \{ .*useBias/, THIS_FILE);
  typeError(() => nn.Dense(4, { kernel_init: nn.initializers.zeros } as any), /^nn\.Dense: unknown option "kernel_init" \(did you mean "kernelInit"\?\)/);
  typeError(() => new nn.Conv(8, [3, 3], { stride: 2 } as any), /^nn\.Conv: unknown option "stride" \(did you mean "strides"\?\)/);
  typeError(() => new nn.BatchNorm({ use_running_average: true } as any), /^nn\.BatchNorm: unknown option "use_running_average"/);
  typeError(() => nn.LayerNorm({ eps: 1e-5 } as any), /^nn\.LayerNorm: unknown option "eps"/, /epsilon/);
  typeError(() => new nn.Dropout(0.5, { determinstic: true } as any), /^nn\.Dropout: unknown option "determinstic" \(did you mean "deterministic"\?\)/);
  typeError(() => nn.Embed(10, 4, { embedding_init: nn.initializers.zeros } as any), /^nn\.Embed: unknown option "embedding_init" \(did you mean "embeddingInit"\?\)/);
  typeError(() => nn.Sequential([nn.relu], { nmae: "seq" } as any), /^nn\.Sequential: unknown option "nmae" \(did you mean "name"\?\)/);
  // Options a layer does not have were silently ignored: ConvTranspose has no featureGroupCount, RMSNorm no bias.
  typeError(() => nn.ConvTranspose(3, [3, 3], { featureGroupCount: 2 } as any), /^nn\.ConvTranspose: unknown option "featureGroupCount"/);
  typeError(() => nn.RMSNorm({ useBias: true } as any), /^nn\.RMSNorm: unknown option "useBias"/);
  // Wrong types, extra positional arguments, a missing one.
  typeError(() => new nn.Dense("4" as any), /^nn\.Dense: argument 0 \(features\) must be an integer; got "4" \(a string\)/);
  typeError(() => new nn.Dense(4, { useBias: "no" } as any), /^nn\.Dense: option "useBias" must be a boolean/);
  typeError(() => new nn.Dense(4, true as any), /^nn\.Dense: takes 1 positional argument/);
  typeError(() => new (nn.Dense as any)(), /^nn\.Dense: argument 0 \(features\) is undefined/);
  typeError(() => nn.Conv(8, [3, 3], { padding: "same" } as any), /^nn\.Conv: option "padding" must be "SAME"/);
});

test("declared module classes are still classes: new, a call without new, instanceof, extends, and their options work", () => {
  const d = new nn.Dense(3, { useBias: false });
  assert.ok(d instanceof nn.Dense && d instanceof nn.Module);
  assert.ok(nn.Dense(3) instanceof nn.Dense);
  assert.equal(d.constructor.name, "Dense");
  assert.ok(nn.SelfAttention(2) instanceof nn.MultiHeadDotProductAttention);
  const vars = d.init(random.key(0), np.ones([2, 4]));
  assert.deepEqual(Object.keys((vars as any).params), ["kernel"]);
  // Subclassing a declared class and nn.Module: super() passes the subclass's own arguments through.
  class Wide extends nn.Dense { constructor(opts: { scale: number }) { super(8, { name: `wide${opts.scale}` } as any); } }
  const w = new Wide({ scale: 2 });
  assert.ok(w instanceof Wide && w instanceof nn.Dense && w instanceof nn.Module);
  assert.equal(w.name, "wide2");
  class Net extends nn.Module {
    constructor(readonly features: number, opts: { name?: string; extra?: number } = {}) { super(opts as any); }
    call(x: DeviceArray) { return nn.Dense(this.features, { useBias: false })(x); }
  }
  const net = new Net(2, { extra: 1 });
  const p = net.init(random.key(1), np.ones([1, 3]));
  assert.deepEqual([...(p as any).params.Dense_0.kernel.shape], [3, 2]);
  equal(net.apply(p, np.zeros([1, 3])), [1, 2], [0, 0]);
  // DenseGeneral's dtype was ignored; it is honoured now.
  const dg = nn.DenseGeneral(2, { dtype: "float16" });
  assert.equal(dg.apply(dg.init(random.key(0), np.ones([1, 3])), np.ones([1, 3])).dtype, "float16");
});

test("nn.Module's init/apply options are declared: a misspelled one is a TypeError, not an input", () => {
  const bn = nn.BatchNorm({ useRunningAverage: false });
  const x = np.array([[1, 2], [3, 4]]);
  const vars = bn.init(random.key(0), x);
  typeError(() => bn.apply(vars, x, { mutabel: ["batchStats"] } as any), /^nn\.Module\.apply: unknown option "mutabel" \(did you mean "mutable"\?\)/, THIS_FILE);
  typeError(() => bn.apply(vars, x, { mutable: ["batchStats"], rng: { dropout: random.key(1) } } as any), /^nn\.Module\.apply: unknown option "rng" \(did you mean "rngs"\?\)/);
  typeError(() => bn.apply(vars, x, { mutable: 3 } as any), /^nn\.Module\.apply: option "mutable" must be a boolean, a string or a list; got 3/);
  typeError(() => bn.apply(vars, x, { rngs: { dropout: 0 } } as any), /^nn\.Module\.apply: rng stream "dropout" must be a PRNG key/);
  typeError(() => bn.apply(undefined as any, x), /^nn\.Module\.apply: argument 0 \(variables\) is undefined/);
  typeError(() => bn.init(0 as any, x), /^nn\.Module\.init: argument 0 \(rngs\) must be a PRNG key/);
  typeError(() => bn.init(random.key(0), x, { methd: "call" } as any), /^nn\.Module\.init: unknown option "methd" \(did you mean "method"\?\)/);
  typeError(() => bn.initWithOutput(random.key(0), x, { method: 1 } as any), /^nn\.Module\.initWithOutput: option "method" must be a string/);
  // The right options work; a trailing dict of arrays is still an input.
  const [y, updates] = bn.apply(vars, x, { mutable: ["batchStats"] });
  equal(y, [2, 2], [-1, -1, 1, 1], undefined, 1e-4);
  assert.deepEqual(Object.keys(updates), ["batchStats"]);
  class Pick extends nn.Module { call(d: { a: DeviceArray; b: DeviceArray }) { return d.b; } }
  const pick = new Pick();
  equal(pick.apply(pick.init(random.key(0), { a: np.ones([1]), b: np.zeros([2]) }), { a: np.ones([1]), b: np.zeros([2]) }), [2], [0, 0]);
});

test("optimizers, transformations and schedules are declared: optim.adam(1e-3, { beta1: 0.9 }) is a TypeError", () => {
  typeError(() => optim.adam(1e-3, { beta1: 0.9 } as any), /^optim\.adam: unknown option "beta1"; optim\.adam takes \{ b1, b2, eps, epsRoot \}/, THIS_FILE);
  typeError(() => optim.adamw(1e-3, { weight_decay: 0.1 } as any), /^optim\.adamw: unknown option "weight_decay" \(did you mean "weightDecay"\?\)/);
  typeError(() => optim.sgd(0.1, { momentun: 0.9 } as any), /^optim\.sgd: unknown option "momentun" \(did you mean "momentum"\?\)/);
  typeError(() => optim.sgd("0.1" as any), /^optim\.sgd: argument 0 \(learningRate\) must be a number or a function/);
  typeError(() => optim.clipByGlobalNorm(undefined as any), /^optim\.clipByGlobalNorm: argument 0 \(maxNorm\) is undefined/);
  typeError(() => optim.exponentialDecay({ initValue: 1, transitionSteps: 10, decay_rate: 0.5 } as any), /^optim\.exponentialDecay: unknown option "decay_rate" \(did you mean "decayRate"\?\)/);
  typeError(() => optim.cosineDecay({ initValue: 1 } as any), /^optim\.cosineDecay: argument 1 \(decaySteps\) is undefined/);
  typeError(() => optim.chain(optim.sgd(1), 3 as any), /^optim\.chain: argument 1 \(transforms\) must be an options object; got 3/);
  typeError(() => optim.losses.softmaxCrossEntropy(np.zeros([2]), np.zeros([2]), { axes: 0 } as any), /^losses\.softmaxCrossEntropy: unknown option "axes" \(did you mean "axis"\?\)/);
  typeError(() => losses.huberLoss(np.zeros([2]), np.zeros([2]), { delta: "1" } as any), /^losses\.huberLoss: option "delta" must be a number/);
  typeError(() => tree.map("f" as any, [1]), /^tree\.map: argument 0 \(f\) must be a function/);
  typeError(() => tree.leaves([1], { is_leaf: () => true } as any), /^tree\.leaves: unknown option "is_leaf" \(did you mean "isLeaf"\?\)/);
  // Optax's positional form works, as does the options object: sgd(lr, momentum); adam(lr, b1).
  const params = { w: np.array([1, 2]) }, g = { w: np.array([1, 1]) };
  const step = (tx: ReturnType<typeof optim.sgd>, n = 2) => { let s = tx.init(params), p = params; for (let i = 0; i < n; i++) { const [u, s2] = tx.update(g, s, p); p = optim.applyUpdates(p, u); s = s2; } return p.w; };
  // Momentum 0.5: the trace is 1, then 1.5: w - 0.1 * (1 + 1.5).
  equal(step(optim.sgd(0.1, 0.5)), [2], [0.75, 1.75]);
  equal(step(optim.sgd(0.1, { momentum: 0.5 })), [2], [0.75, 1.75]);
  equal(step(optim.adam(0.1, 0.5)), [2], [0.8, 1.8], undefined, 1e-5);
  // adamw's mask may be null (optax's None: decay everywhere).
  equal(step(optim.adamw(0.1, { weightDecay: 0, mask: null }), 1), [2], [0.9, 1.9], undefined, 1e-5);
  equal(losses.l2Loss(np.array([2]), null), [1], [2]);
  equal(losses.sigmoidBinaryCrossEntropy([0], [1]), [1], [Math.LN2], undefined, 1e-5);
  assert.equal(optim.losses, losses);
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
