/**
 * Transformations and control flow, shaped as JAX shapes them: grad returns the argument's
 * tree of shapes, vmap removes the mapped axis going in and adds it coming out, jit traces,
 * lax.scan stacks per-step outputs, lax.cond joins two branches that must agree.
 */
import ts from "typescript";
const { SyntaxKind } = ts;
import type { CallMode, CallSite } from "./callContext.js";
import { dtypeOf, intOf, intListOf, option } from "./engineArgs.js";
import { formatValue } from "./format.js";
import { reportGradFlow } from "./gradFlow.js";
import type { Interpreter } from "./interpreter.js";
import {
  arrayOf, indexValue, join, leavesOf, mapLeaves, sameValue, unknown, UNKNOWN_DIM, unionDeps, type TransformedValue, type Value,
} from "./values.js";
import type { Dim } from "./engineShapes.js";

export const TRANSFORMS: Record<string, TransformedValue["transform"]> = {
  grad: "grad", valueAndGrad: "valueAndGrad", value_and_grad: "valueAndGrad", vmap: "vmap", jit: "jit",
  jacfwd: "jacfwd", jacrev: "jacrev", hessian: "hessian",
};

/** Calls that differentiate at given primals (not function transformations): jvp, vjp, linearize. */
export const AD_CALLS = new Set(["jvp", "vjp", "linearize"]);

const CONTROL_FLOW = new Set(["lax.scan", "lax.cond", "lax.switch", "lax.forILoop", "lax.fori_loop", "lax.whileLoop", "lax.while_loop",
  "lax.map", "tree.map", "tree.leaves", "evalShape", "checkpoint", "remat"]);
export const isControlFlow = (path: string) => CONTROL_FLOW.has(path);

export function callTransformed(it: Interpreter, t: TransformedValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value {
  it.pendingTransforms.delete(t.site as ts.Node);
  switch (t.transform) {
    case "jit": {
      const statics = intListOf(option(t.options, "staticArgnums")) ?? [];
      const tracedArgs = args.map((a, i) => (statics.includes(i) ? a : markTraced(a)));
      return it.callValue(t.fn, tracedArgs, node, { ...mode, jit: true, via: "jit" });
    }
    case "vmap": return vmap(it, t, args, node, mode);
    case "jacfwd": case "jacrev": case "hessian": return jacobian(it, t, args, node, mode);
    default: return grad(it, t, args, node, mode);
  }
}

function markTraced(v: Value): Value {
  return mapLeaves(v, (leaf) => (leaf.kind === "array" ? { ...leaf, traced: true } : leaf));
}

// ---- grad -------------------------------------------------------------------------------------

function grad(it: Interpreter, t: TransformedValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode): Value {
  const argnumsValue = option(t.options, "argnums");
  const argnums = argnumsValue === undefined ? [0] : intListOf(argnumsValue);
  const hasAux = option(t.options, "hasAux")?.kind === "bool" && (option(t.options, "hasAux") as { value?: boolean }).value === true;
  if (!argnums) { it.callValue(t.fn, args, node, mode); return unknown; }
  const site = t.site as ts.CallExpression;
  const names = paramNames(t.fn);
  const leaves: { id: string; path: string; leaf: Value }[] = [];
  const marked = args.map((a, i) => {
    if (!argnums.includes(i)) return a;
    const name = names[i] ?? `arg${i}`;
    return mapLeaves(a, (leaf, path) => {
      if (leaf.kind !== "array") return leaf;
      const id = `${site.pos}:${name}${path ? (path.startsWith("[") ? path : `.${path}`) : ""}`;
      leaves.push({ id, path: id.slice(id.indexOf(":") + 1), leaf });
      return { ...leaf, deps: new Set([...leaf.deps, id]) };
    });
  });
  const savedEvents = it.gradEvents;
  it.gradEvents = [];
  it.gradDepth++;
  let out: Value;
  let events;
  try {
    out = it.callValue(t.fn, marked, node, mode);
  } finally {
    events = it.gradEvents;
    it.gradDepth--;
    it.gradEvents = savedEvents;
  }
  const loss = hasAux ? indexValue(out, 0) : out;
  const aux = hasAux ? indexValue(out, 1) : undefined;
  reportGradFlow(it, {
    site, callNode: node, transform: t.transform, fnName: t.fn.kind === "function" ? t.fn.name : "f",
    argNames: argnums.map((i) => names[i] ?? `arg${i}`), leaves, loss, events,
  });
  // Gradients have the shapes of the differentiated arguments; they depend on every input.
  const inputDeps = unionDeps([...args.flatMap((a) => leavesOf(a).map((l) => l.leaf)), loss]);
  const deps = new Set([...inputDeps].filter((d) => !leaves.some((l) => l.id === d)));
  const grads = argnums.map((i) => mapLeaves(args[i] ?? unknown, (leaf) =>
    leaf.kind === "array" ? arrayOf(leaf.shape, leaf.dtype, { traced: leaf.traced || it.inJit, deps, origin: { op: "grad", rule: "a gradient has its argument's shape" } }) : leaf.kind === "number" ? arrayOf([], "float32") : unknown));
  const g: Value = argnumsValue?.kind === "list" ? { kind: "list", items: grads } : grads[0]!;
  if (t.transform === "grad") return hasAux ? { kind: "list", items: [g, aux ?? unknown] } : g;
  const value = loss.kind === "array" ? { ...loss, deps } : loss;
  return { kind: "list", items: [hasAux ? { kind: "list", items: [value, aux ?? unknown] } : value, g] };
}

function paramNames(fn: Value): string[] {
  if (fn.kind !== "function") return [];
  const decl = fn.decl as ts.SignatureDeclaration;
  return decl.parameters.map((p) => p.name.getText());
}

// ---- jacobians, jvp, vjp, linearize -------------------------------------------------------------

/** A value with the shape (tree) of `v` and fresh dependencies: a tangent or cotangent. */
function likeOf(it: Interpreter, v: Value, op: string): Value {
  return mapLeaves(v, (leaf) => leaf.kind === "array"
    ? arrayOf(leaf.shape, leaf.dtype, { traced: leaf.traced || it.inJit, deps: leaf.deps, origin: { op, rule: "a tangent has its primal's shape" } })
    : leaf.kind === "number" ? arrayOf([], "float32") : leaf);
}

/** jacfwd/jacrev of f: R^in -> R^out give out.shape + in.shape; hessian gives out + in + in. */
function jacobian(it: Interpreter, t: TransformedValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode): Value {
  const argnum = intOf(option(t.options, "argnums")) ?? 0;
  const out = it.callValue(t.fn, args, node, mode);
  const x = args[argnum];
  const xs = x?.kind === "array" ? x.shape : x?.kind === "number" ? [] : null;
  const o = out.kind === "array" ? out : out.kind === "number" ? arrayOf([], "float32") : undefined;
  if (!o || x === undefined) return unknown;
  const inner = t.transform === "hessian" && xs ? [...xs, ...xs] : xs;
  const shape = o.shape && inner ? [...o.shape, ...inner] : null;
  return arrayOf(shape, o.dtype, {
    traced: o.traced || it.inJit, deps: unionDeps([o, ...args]),
    origin: { op: t.transform, rule: t.transform === "hessian" ? "hessian: out.shape + in.shape + in.shape" : `${t.transform}: out.shape + in.shape` },
  });
}

/** jvp(f, primals, tangents) -> [out, tangentOut]; vjp(f, ...primals) -> [out, vjpFn]; linearize -> [out, fJvp]. */
export function callAd(it: Interpreter, path: string, args: readonly Value[], node: ts.CallExpression): Value {
  const f = args[0] ?? unknown;
  if (path === "jvp") {
    const primals = args[1]?.kind === "list" ? args[1].items : undefined;
    if (!primals) { return { kind: "list", items: [unknown, unknown] }; }
    const out = it.callValue(f, primals, node);
    return { kind: "list", items: [out, likeOf(it, out, "jvp")] };
  }
  const primals = args.slice(1);
  const out = it.callValue(f, primals, node);
  if (path === "vjp") return { kind: "list", items: [out, { kind: "engine", path: "$ad.vjpFn", self: { kind: "list", items: primals } }] };
  return { kind: "list", items: [out, { kind: "engine", path: "$ad.linearized", self: out }] };
}

/** Calling the function that vjp / linearize returned. */
export function callAdResult(it: Interpreter, path: string, self: Value | undefined): Value {
  if (!self) return unknown;
  if (path === "$ad.vjpFn") return self.kind === "list" ? { kind: "list", items: self.items.map((p) => likeOf(it, p, "vjp")) } : unknown;
  return likeOf(it, self, "linearize");
}

// ---- vmap -------------------------------------------------------------------------------------

function vmap(it: Interpreter, t: TransformedValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode): Value {
  const inAxes = option(t.options, "inAxes");
  const outAxis = intOf(option(t.options, "outAxes")) ?? 0;
  const names = paramNames(t.fn);
  const sizes: { dim: Dim; who: string }[] = [];
  const at = node ?? (t.site as ts.Node);
  // The engine checks the count first (api/vmap): a list of inAxes needs one entry per argument.
  if (inAxes?.kind === "list" && node && !node.arguments.some((a) => a.kind === SyntaxKind.SpreadElement) && inAxes.items.length !== args.length) {
    it.report(at, "error", "vmap/in-axes",
      `vmap: inAxes has ${inAxes.items.length} entries but the function was called with ${args.length} arguments [rule: one inAxes entry per argument]. Fix: give one axis (or null) per argument.`);
    return unknown;
  }
  const unbatched = args.map((a, i) => {
    const ax = inAxes === undefined ? 0 : inAxes.kind === "list" ? axisOrNull(inAxes.items[i]) : axisOrNull(inAxes);
    if (ax === null) return a;
    if (ax === undefined) return mapLeaves(a, (leaf) => (leaf.kind === "array" ? { ...leaf, shape: null } : leaf));
    return mapLeaves(a, (leaf, path) => {
      if (leaf.kind !== "array") return leaf;
      if (!leaf.shape) return { ...leaf, traced: true };
      const n = ax < 0 ? ax + leaf.shape.length : ax;
      if (n < 0 || n >= leaf.shape.length) {
        it.report(node?.arguments[i] ?? at, "error", "shape/axis", `vmap: inAxes ${ax} is out of range for argument \`${names[i] ?? i}${path ? `.${path}` : ""}\` of shape ${formatValue(leaf)} [rule: axis out of range]. Fix: map over an existing axis, or pass null for an argument that is not batched.`);
        return { ...leaf, shape: null };
      }
      sizes.push({ dim: leaf.shape[n]!, who: `\`${names[i] ?? `argument ${i}`}${path ? `.${path}` : ""}\` axis ${ax} has ${leaf.shape[n]}` });
      return { ...leaf, traced: true, shape: leaf.shape.filter((_, k) => k !== n) };
    });
  });
  const concrete = sizes.filter((s) => typeof s.dim === "number");
  const mismatch = concrete.find((s) => s.dim !== concrete[0]!.dim);
  if (mismatch) {
    it.report(at, "error", "shape/vmap-axis-size",
      `vmap: the mapped axes have different sizes: ${concrete[0]!.who}, ${mismatch.who} [rule: every mapped axis must have the same size]. Fix: map over axes of equal size, or set inAxes to null for an argument that should be shared.`);
  }
  const batch: Dim = mismatch ? UNKNOWN_DIM : concrete[0]?.dim ?? sizes.find((s) => s.dim !== UNKNOWN_DIM)?.dim ?? UNKNOWN_DIM;
  const out = it.callValue(t.fn, unbatched, node, { ...mode, via: "vmap" });
  return mapLeaves(out, (leaf) => {
    if (leaf.kind === "number") return arrayOf([batch], "float32");
    if (leaf.kind !== "array") return leaf;
    if (!leaf.shape) return leaf;
    const shape = [...leaf.shape];
    const k = outAxis < 0 ? outAxis + shape.length + 1 : outAxis;
    shape.splice(Math.max(0, Math.min(k, shape.length)), 0, batch);
    return { ...leaf, shape, origin: { op: "vmap", rule: "the mapped axis is added back at outAxes" } };
  });
}

function axisOrNull(v: Value | undefined): number | null | undefined {
  if (v === undefined) return 0;
  if (v.kind === "null") return null;
  return intOf(v);
}

// ---- control flow -----------------------------------------------------------------------------

export function callControlFlow(it: Interpreter, path: string, c: CallSite): Value {
  const a = c.args;
  switch (path) {
    case "lax.scan": return scan(it, c);
    case "lax.cond": {
      const ops = a.slice(3);
      const branches = [a[1], a[2]].map((f) => (f ? c.call(f, ops, { via: "cond" }) : unknown));
      checkBranches(c, branches, "lax.cond");
      return branches.reduce(join);
    }
    case "lax.switch": {
      const fns = a[1]?.kind === "list" ? a[1].items : [];
      const outs = fns.map((f) => c.call(f, a.slice(2), { via: "switch" }));
      if (outs.length) checkBranches(c, outs, "lax.switch");
      return outs.length ? outs.reduce(join) : unknown;
    }
    case "lax.forILoop": case "lax.fori_loop":
      return loopCarry(c, a[3] ?? unknown, (carry) => c.call(a[2] ?? unknown, [arrayOf([], "int32", { traced: true }), carry]), "lax.forILoop");
    case "lax.whileLoop": case "lax.while_loop":
      return loopCarry(c, a[2] ?? unknown, (carry) => { c.call(a[0] ?? unknown, [carry]); return c.call(a[1] ?? unknown, [carry]); }, "lax.whileLoop");
    case "lax.map": {
      const xs = a[1] ?? unknown;
      const n = firstAxis(xs);
      const out = c.call(a[0] ?? unknown, [sliceFirst(xs)]);
      return stackFirst(out, n);
    }
    case "tree.map": {
      const f = a[0] ?? unknown;
      const rest = a.slice(2);
      return mapLeaves(a[1] ?? unknown, (leaf, p) => c.call(f, [leaf, ...rest.map((r) => leafAt(r, p))]));
    }
    case "tree.leaves": return { kind: "list", items: leavesOf(a[0] ?? unknown).map((l) => l.leaf) };
    case "evalShape": return c.call(a[0] ?? unknown, a.slice(1));
    case "checkpoint": case "remat": return a[0] ?? unknown;
    default: return unknown;
  }
}

function scan(it: Interpreter, c: CallSite): Value {
  const [f = unknown, init = unknown, xs] = c.args;
  const length = intOf(option(c.args[3], "length")) ?? intOf(c.args[3]);
  const steps: Dim = xs && xs.kind !== "null" ? firstAxis(xs) : length ?? UNKNOWN_DIM;
  const x = xs && xs.kind !== "null" ? sliceFirst(xs) : { kind: "null" as const };
  let carry = init;
  let out: Value = unknown;
  for (let i = 0; i < 4; i++) {
    out = c.call(f, [carry, x], { via: "scan" });
    const next = indexValue(out, 0);
    if (i === 0) checkCarry(c, init, next, "lax.scan");
    const joined = join(carry, next);
    if (sameValue(joined, carry)) break;
    carry = joined;
  }
  void it;
  return { kind: "list", items: [carry, stackFirst(indexValue(out, 1), steps)] };
}

function loopCarry(c: CallSite, init: Value, step: (carry: Value) => Value, op: string): Value {
  let carry = init;
  for (let i = 0; i < 4; i++) {
    const next = step(carry);
    if (i === 0) checkCarry(c, init, next, op);
    const joined = join(carry, next);
    if (sameValue(joined, carry)) break;
    carry = joined;
  }
  return carry;
}

/** The carry must keep its structure and shapes from one step to the next. */
function checkCarry(c: CallSite, before: Value, after: Value, op: string): void {
  const problem = structureMismatch(before, after);
  if (problem) c.report("shape/carry", `${op}: the carry changes from one step to the next: ${problem} [rule: carry in and carry out must have the same structure, shapes and dtypes]. Fix: return a carry shaped like the initial one.`);
}

function checkBranches(c: CallSite, outs: readonly Value[], op: string): void {
  for (let i = 1; i < outs.length; i++) {
    const problem = structureMismatch(outs[0]!, outs[i]!);
    if (problem) {
      c.report("shape/cond-branches", `${op}: branches return different structures: ${problem} [rule: every branch must return the same tree of shapes and dtypes]. Fix: make both branches return matching arrays (broadcast or reshape one of them).`);
      return;
    }
  }
}

/**
 * A certain difference between two trees (structure, rank, a concrete dim, a dtype), described;
 * undefined when some values of the unknowns would make them agree. A subtree we know nothing
 * about (a value from outside the file, an unmodeled call) matches any tree.
 */
function structureMismatch(a: Value, b: Value, path = ""): string | undefined {
  const where = path ? `at ${path}: ` : "";
  const show = (v: Value) => formatValue(v) ?? describeKind(v);
  if (a.kind === "unknown" || b.kind === "unknown" || a.kind === "seq" || b.kind === "seq") return undefined;
  if (a.kind === "list" && b.kind === "list") {
    if (a.items.length !== b.items.length) return `${where}${show(a)} vs ${show(b)} (lists of ${a.items.length} vs ${b.items.length} items)`;
    for (let i = 0; i < a.items.length; i++) {
      const p = structureMismatch(a.items[i]!, b.items[i]!, `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (a.kind === "object" && b.kind === "object") {
    const ka = [...a.fields.keys()].sort(), kb = [...b.fields.keys()].sort();
    if (ka.join() !== kb.join()) return `${where}${show(a)} vs ${show(b)} (keys ${ka.join(", ") || "none"} vs ${kb.join(", ") || "none"})`;
    for (const k of ka) {
      const p = structureMismatch(a.fields.get(k)!, b.fields.get(k)!, path ? `${path}.${k}` : k);
      if (p) return p;
    }
    return undefined;
  }
  // An array we know nothing about (an unmodeled call's result) may stand for any tree.
  if ((a.kind === "array" && !a.shape && !a.dtype) || (b.kind === "array" && !b.shape && !b.dtype)) return undefined;
  const container = (v: Value) => v.kind === "list" || v.kind === "object";
  const leaf = (v: Value) => v.kind === "array" || v.kind === "number" || v.kind === "bool";
  if ((container(a) && leaf(b)) || (leaf(a) && container(b))) return `${where}${show(a)} vs ${show(b)}`;
  if (a.kind !== "array" || b.kind !== "array") return undefined;
  if (a.shape && b.shape) {
    if (a.shape.length !== b.shape.length) return `${where}${formatValue(a)} vs ${formatValue(b)}`;
    if (a.shape.some((d, k) => typeof d === "number" && typeof b.shape![k] === "number" && d !== b.shape![k])) return `${where}${formatValue(a)} vs ${formatValue(b)}`;
  }
  if (a.dtype && b.dtype && a.dtype !== b.dtype && a.keyId === undefined) return `${where}${formatValue(a)} vs ${formatValue(b)}`;
  return undefined;
}

const describeKind = (v: Value) => (v.kind === "list" ? "a list" : v.kind === "object" ? "an object" : v.kind === "number" ? "a number" : v.kind);

function firstAxis(v: Value): Dim {
  for (const { leaf } of leavesOf(v)) if (leaf.kind === "array" && leaf.shape && leaf.shape.length) return leaf.shape[0]!;
  return UNKNOWN_DIM;
}

function sliceFirst(v: Value): Value {
  return mapLeaves(v, (leaf) => (leaf.kind === "array" ? { ...indexValue(leaf, 0), traced: true } : leaf));
}

function stackFirst(v: Value, n: Dim): Value {
  return mapLeaves(v, (leaf) => {
    if (leaf.kind === "number") return arrayOf([n], "float32");
    if (leaf.kind !== "array" || !leaf.shape) return leaf;
    return { ...leaf, shape: [n, ...leaf.shape], origin: { op: "lax.scan", rule: "per-step outputs are stacked on a new leading axis" } };
  });
}

function leafAt(tree: Value, path: string): Value {
  for (const l of leavesOf(tree)) if (l.path === path) return l.leaf;
  return unknown;
}

export { dtypeOf };
