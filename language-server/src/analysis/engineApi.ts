/**
 * The engine's public functions as the analysis sees them: each path ("np.matmul",
 * "random.normal", "array.reshape" for methods) maps to a handler that computes the result's
 * shape and dtype with the engine's own rules. Transformations live in transforms.ts.
 */
import ts from "typescript";
import {
  broadcastShapes, matmulShape, dotShape, einsumShape, reshapeShape, transposeShape, reduceShape,
  expandDimsShape, squeezeShape, broadcastToShape, concatenateShape, stackShape, tileShape,
  splitSizes, promoteTypes, convShape, normalizeAxis, accumulationDType, type Dim, type DType, type Padding,
} from "./engineShapes.js";
import type { CallSite } from "./callContext.js";
import { checkRule, label } from "./shapeCheck.js";
import { broadcastFixes, matmulFixes } from "./shapeFixes.js";
import { checkWhereNaN } from "./gradHazards.js";
import { indexHandler, sliceValue, take, takeAlongAxis } from "./indexing.js";
import { asArray, result } from "./handlerArrays.js";
import { ARRAY_METHODS } from "./declaredArgs.js";
import {
  axisArg, type AxisArg, boolOption, dimOf, DTYPES, dtypeArg, dtypeOf, intListOf, intOf, isFloat, isInt, isOptions, option, shapeOf,
} from "./engineArgs.js";
import {
  arrayOf, isArray, num, unknown, UNKNOWN_DIM, type ArrayValue, type Value,
} from "./values.js";

export type Handler = (c: CallSite) => Value;

/** Result dtype with JAX's promotion (JS numbers are weakly typed); null if any is unknown. */
function promote(values: readonly Value[]): string | null {
  const typed = [];
  for (const v of values) {
    if (v.kind === "number") typed.push({ dtype: (v.value !== undefined && !Number.isInteger(v.value) ? "float32" : "int32") as DType, weak: true });
    else if (v.kind === "bool") typed.push({ dtype: "bool" as DType, weak: true });
    else if (v.kind === "array" && v.dtype && v.origin?.op !== "number") typed.push({ dtype: v.dtype as DType, weak: false });
    else if (v.kind === "array" && v.origin?.op === "number") typed.push({ dtype: "int32" as DType, weak: true });
    else return null;
  }
  try {
    return typed.length ? promoteTypes(...typed).dtype : null;
  } catch {
    return null;
  }
}

const floatOf = (d: string | null) => (d === null ? null : isFloat(d) ? d : "float32");

// ---- elementwise ----------------------------------------------------------------------------

function unary(kind: "float" | "same" | "bool" | "zero"): Handler {
  return (c) => {
    const x = asArray(c.args[0]);
    if (!x) return unknown;
    const dtype = kind === "float" ? floatOf(x.dtype) : kind === "bool" ? "bool" : x.dtype;
    return result(c, x.shape, dtype, [x], { grad: kind === "zero" || kind === "bool" ? "zero" : "pass", rule: "elementwise (shape preserved)" });
  };
}

/** n-ary elementwise with numpy broadcasting (add, where, maximum...). */
function broadcasting(kind: "promote" | "bool" | "float", operands: (c: CallSite) => readonly Value[] = (c) => c.args.slice(0, 2)): Handler {
  return (c) => {
    const vals = operands(c);
    const arrays = vals.map(asArray);
    if (arrays.some((a) => !a)) return unknown;
    const as = arrays as ArrayValue[];
    const shape = checkRule(c, as.map((a) => a.shape), (s) => broadcastShapes(c.path.split(".").pop()!, ...s),
      () => broadcastFixes(c, as.map((a) => a.shape!), c.argNodes.slice(c.path.startsWith("array.") ? -1 : 0)));
    const dtype = kind === "bool" ? "bool" : kind === "float" ? floatOf(promote(vals)) : promote(vals);
    return result(c, shape, dtype, vals, { grad: kind === "bool" ? "zero" : "pass", rule: "broadcastShapes", detail: as.map(label).join(" ⊕ ") });
  };
}

function where(c: CallSite): Value {
  const [cond, a, b] = c.args;
  const arrays = [cond, a, b].map(asArray);
  if (arrays.some((x) => !x)) return unknown;
  const as = arrays as ArrayValue[];
  const shape = checkRule(c, as.map((x) => x.shape), (s) => broadcastShapes("where", ...s));
  if (c.inGrad) checkWhereNaN(c);
  // The condition carries no gradient; only the two branches do.
  return result(c, shape, promote([a!, b!]), [a!, b!], { rule: "broadcastShapes", detail: `where(${as.map(label).join(", ")})` });
}

/** np.select(condlist, choicelist, default): every condition and choice broadcast together. */
function selectList(c: CallSite): Value {
  const [conds, choices, dflt] = c.args;
  if (conds?.kind !== "list" || choices?.kind !== "list") return result(c, null, null, []);
  const vals = [...conds.items, ...choices.items, dflt ?? num(0)];
  const arrays = vals.map(asArray);
  if (arrays.some((a) => !a)) return unknown;
  const as = arrays as ArrayValue[];
  const shape = checkRule(c, as.map((a) => a.shape), (s) => broadcastShapes("select", ...s));
  return result(c, shape, promote([...choices.items, dflt ?? num(0)]), [...choices.items, ...(dflt ? [dflt] : [])], { rule: "broadcastShapes" });
}

function clip(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  // The bounds promote with x (np.clip(int32, 0.5, 1) is float32), as the engine's maximum/minimum do.
  const bounds = c.args.slice(1, 3).filter((b): b is Value => b !== undefined && b.kind !== "null");
  return result(c, x.shape, promote([x, ...bounds]), [x], { rule: "elementwise (shape preserved)" });
}

// ---- linear algebra -------------------------------------------------------------------------

function matmulLike(op: "matmul" | "dot"): Handler {
  return (c) => {
    const [a, b] = [asArray(c.args[0]), asArray(c.args[1])];
    if (!a || !b) return unknown;
    const labels = [label(a), label(b)] as const;
    const n = c.argNodes.length;
    const [aNode, bNode] = c.path.startsWith("array.") ? [undefined, c.argNodes[n - 1]] : [c.argNodes[0], c.argNodes[1]];
    const shape = checkRule(c, [a.shape, b.shape], ([x, y]) => (op === "matmul" ? matmulShape(x!, y!, labels) : dotShape(x!, y!, labels)),
      () => matmulFixes(c, a.shape!, b.shape!, aNode, bNode));
    return result(c, shape, promote([a, b]), [a, b], { rule: op === "matmul" ? "matmulShape" : "dotShape", detail: `${labels[0]} @ ${labels[1]}` });
  };
}

function einsum(c: CallSite): Value {
  const spec = c.args[0];
  const ops = c.args.slice(1).map(asArray);
  if (spec?.kind !== "string" || spec.value === undefined || ops.some((x) => !x)) return unknown;
  const as = ops as ArrayValue[];
  const shape = checkRule(c, as.map((a) => a.shape), (s) => einsumShape(spec.value!, s));
  return result(c, shape, promote(as), as, { rule: "einsumShape", detail: `"${spec.value}" on ${as.map(label).join(", ")}` });
}

function outer(c: CallSite): Value {
  const [a, b] = [asArray(c.args[0]), asArray(c.args[1])];
  if (!a || !b) return unknown;
  const size = (x: ArrayValue): Dim => (x.shape?.length === 1 ? x.shape[0]! : UNKNOWN_DIM);
  return result(c, [size(a), size(b)], promote([a, b]), [a, b], { rule: "outer" });
}

function tensordot(c: CallSite): Value {
  const [a, b] = [asArray(c.args[0]), asArray(c.args[1])];
  if (!a?.shape || !b?.shape) return unknown;
  const n = intOf(c.args[2] ?? num(2));
  if (n === undefined) return result(c, null, promote([a, b]), [a, b]);
  const shape = checkRule(c, [a.shape, b.shape], ([x, y]) => {
    const ka = x!.slice(x!.length - n), kb = y!.slice(0, n);
    return matmulShape([dimsProduct(ka)], [dimsProduct(kb)]) && [...x!.slice(0, x!.length - n), ...y!.slice(n)];
  });
  return result(c, shape, promote([a, b]), [a, b], { rule: "tensordot" });
}
const dimsProduct = (dims: Dim[]): Dim => dims.reduce<Dim>((p, d) => (typeof p === "number" && typeof d === "number" ? p * d : `${p}*${d}`), 1);

// ---- reductions -----------------------------------------------------------------------------

/**
 * The engine's accumulating dtype (numpy/reductions.ts): an explicit dtype, else the engine's
 * accumulationDType (bool and small ints sum in int32, uint8 in uint32); running max / min
 * (`widen` false) widen only bools.
 */
function accumulated(c: CallSite, x: ArrayValue, dtypeAt: number, widen = true): string | null {
  const d = dtypeArg(c.args.slice(0, dtypeAt + 1), dtypeAt);
  if (d !== undefined) return d;
  if (x.dtype === "bool" || (widen && x.dtype !== null && DTYPES.has(x.dtype as DType))) return x.dtype === null ? null : accumulationDType(x.dtype as DType);
  return x.dtype;
}

function reduction(kind: "same" | "float" | "index" | "bool" | "accumulate"): Handler {
  return (c) => {
    const x = asArray(c.args[0]);
    if (!x) return unknown;
    const opts = c.args[1];
    const ax = axisArg(opts);
    // Declared order: keepdims is keyword-only, in the trailing options object (argmax: args[2], sum: args[3]).
    const kw = c.args.length > 2 ? c.args[c.args.length - 1] : undefined;
    const keepdims = kw?.kind === "object" ? (kw.fields.has("keepdims") ? boolOption(kw, "keepdims") : false)
      : isOptions(opts) && opts!.kind === "object" && opts!.fields.has("keepdims") ? boolOption(opts, "keepdims") : false;
    const op = c.path.split(".").pop()!;
    const shape = ax.known && keepdims !== undefined ? checkRule(c, [x.shape], ([s]) => reduceShape(op, s!, ax.axis, keepdims)) : null;
    const dtype = kind === "index" ? "int32" : kind === "bool" ? "bool" : kind === "float" ? floatOf(x.dtype) : kind === "accumulate" && !c.path.startsWith("lax.") ? accumulated(c, x, 2) : x.dtype;
    return result(c, shape, dtype, [x], { grad: kind === "index" || kind === "bool" ? "zero" : "pass", rule: "reduceShape", detail: `${op} over axis ${ax.known ? JSON.stringify(ax.axis) : "?"}` });
  };
}

function cumulative(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const ax = axisArg(c.args[1]);
  const size = x.shape ? dimsProduct([...x.shape]) : UNKNOWN_DIM;
  const shape = ax.known && ax.axis === null ? [size] : ax.known ? checkRule(c, [x.shape], ([s]) => (reduceShape("cumsum", s!, ax.axis), s!)) : null;
  return result(c, shape, accumulated(c, x, 2, !/cum(max|min)$/.test(c.path)), [x], { rule: "cumulative (shape preserved)" });
}

// ---- creation -------------------------------------------------------------------------------

function filled(dtypeFrom: number, fillFrom?: number): Handler {
  return (c) => {
    const shape = shapeOf(c.args[0]);
    const fill = fillFrom === undefined ? undefined : c.args[fillFrom];
    const dtype = dtypeArg(c.args, dtypeFrom) ?? (fill?.kind === "array" ? fill.dtype : fill?.kind === "bool" ? "bool" : "float32");
    return result(c, shape, dtype, [], { rule: "shape argument" });
  };
}

function like(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  return result(c, x.shape, dtypeArg(c.args, 1) ?? x.dtype, [], { rule: "shape of the argument" });
}

function array(c: CallSite): Value {
  const v = c.args[0];
  const x = asArray(v);
  if (!x) return result(c, null, dtypeArg(c.args, 1) ?? null, []);
  const dtype = dtypeArg(c.args, 1) ?? (v?.kind === "array" ? x.dtype : x.dtype ?? "float32");
  return result(c, x.shape, dtype, v?.kind === "array" ? [v] : [], { rule: "nested literal" });
}

function arange(c: CallSite): Value {
  const nums = c.args.filter((a) => a?.kind === "number");
  // The engine's rule (numpy/creation.ts): int32 when start, stop and step are all integers, else the default float.
  const bounds = c.args.slice(0, 3).filter((a) => a !== undefined && a.kind !== "null");
  const inferred = bounds.some((a) => a.kind === "number" && a.value !== undefined && !Number.isInteger(a.value)) ? "float32"
    : bounds.every((a) => a.kind === "number" && a.value !== undefined) ? "int32" : null;
  const explicit = dtypeArg(c.args, 3);
  const dtype = explicit === undefined ? inferred : explicit;
  const vals = nums.map((n) => (n.kind === "number" ? n.value : undefined));
  let size: Dim = UNKNOWN_DIM;
  if (vals.every((v) => v !== undefined)) {
    const [a, b, s] = vals.length === 1 ? [0, vals[0]!, 1] : [vals[0]!, vals[1]!, vals[2] ?? 1];
    size = Math.max(0, Math.ceil((b - a) / s));
  } else if (nums.length === 1) size = dimOf(nums[0]);
  return result(c, [size], dtype, [], { rule: "arange size" });
}

function linspace(c: CallSite): Value {
  const n = c.args[2] === undefined ? 50 : c.args[2].kind === "number" ? dimOf(c.args[2]) : dimOf(option(c.args[2], "num"));
  return result(c, [n], dtypeArg(c.args, 3) ?? "float32", [], { rule: "linspace num" });
}

function eye(c: CallSite): Value {
  const n = dimOf(c.args[0]);
  const m = c.args[1]?.kind === "number" ? dimOf(c.args[1]) : n;
  return result(c, [n, m], dtypeArg(c.args, 1) ?? "float32", [], { rule: "eye" });
}

// ---- structure ------------------------------------------------------------------------------

function reshape(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const rest = c.args.slice(1);
  const target = rest.length > 1 && rest.every((a) => a.kind === "number") ? rest.map(dimOf) : shapeOf(rest[0]);
  const shape = target ? checkRule(c, [x.shape, target], ([s, t]) => reshapeShape(s!, t!)) : null;
  return result(c, shape, x.dtype, [x], { rule: "reshapeShape", detail: `${label(x)} → [${target?.join(",") ?? "?"}]` });
}

function transpose(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const axesArg = c.args[1];
  const axes = axesArg === undefined ? undefined : intListOf(axesArg);
  if (axesArg !== undefined && axes === undefined) return result(c, x.shape?.map(() => UNKNOWN_DIM) ?? null, x.dtype, [x]);
  const shape = checkRule(c, [x.shape], ([s]) => transposeShape(s!, axes));
  return result(c, shape, x.dtype, [x], { rule: "transposeShape" });
}

/** swapaxes(x, a, b) / moveaxis(x, src, dst) as permutations, through the engine's transposeShape. */
function swapaxes(c: CallSite): Value {
  const x = asArray(c.args[0]);
  const [a, b] = [intOf(c.args[1]), intOf(c.args[2])];
  if (!x) return unknown;
  if (a === undefined || b === undefined || !x.shape) return result(c, x.shape?.map(() => UNKNOWN_DIM) ?? null, x.dtype, [x]);
  const shape = checkRule(c, [x.shape], ([s]) => {
    const [i, j] = [normalizeAxis("swapaxes", a, s!.length, s!), normalizeAxis("swapaxes", b, s!.length, s!)];
    const perm = s!.map((_, k) => (k === i ? j : k === j ? i : k));
    return transposeShape(s!, perm);
  });
  return result(c, shape, x.dtype, [x], { rule: "transposeShape" });
}

function moveaxis(c: CallSite): Value {
  const x = asArray(c.args[0]);
  const [src, dst] = [intListOf(c.args[1]), intListOf(c.args[2])];
  if (!x) return unknown;
  if (!src || !dst || src.length !== dst.length || !x.shape) return result(c, x.shape?.map(() => UNKNOWN_DIM) ?? null, x.dtype, [x]);
  const shape = checkRule(c, [x.shape], ([s]) => {
    const n = s!.length;
    const from = src.map((a) => normalizeAxis("moveaxis", a, n, s!)), to = dst.map((a) => normalizeAxis("moveaxis", a, n, s!));
    const perm: number[] = [...Array(n).keys()].filter((k) => !from.includes(k));
    [...to.keys()].sort((p, q) => to[p]! - to[q]!).forEach((k) => perm.splice(to[k]!, 0, from[k]!));
    return transposeShape(s!, perm);
  });
  return result(c, shape, x.dtype, [x], { rule: "transposeShape" });
}

function withAxis(rule: (shape: Dim[], axis: number | number[]) => Dim[], name: string): Handler {
  return (c) => {
    const x = asArray(c.args[0]);
    if (!x) return unknown;
    const ax = axisArg(c.args[1]);
    const shape = ax.known && ax.axis !== null ? checkRule(c, [x.shape], ([s]) => rule(s!, ax.axis as number | number[])) : null;
    return result(c, shape, x.dtype, [x], { rule: name });
  };
}

function squeeze(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const ax = axisArg(c.args[1]);
  const shape = ax.known ? checkRule(c, [x.shape], ([s]) => squeezeShape(s!, ax.axis)) : null;
  return result(c, shape, x.dtype, [x], { rule: "squeezeShape" });
}

function broadcastTo(c: CallSite): Value {
  const x = asArray(c.args[0]);
  const target = shapeOf(c.args[1]);
  if (!x) return unknown;
  const shape = target ? checkRule(c, [x.shape, target], ([s, t]) => broadcastToShape(s!, t!)) : null;
  return result(c, shape, x.dtype, [x], { rule: "broadcastToShape" });
}

function joinArrays(kind: "concatenate" | "stack" | "hstack" | "vstack"): Handler {
  return (c) => {
    const list = c.args[0];
    if (list?.kind === "seq") return joinSeq(c, kind, list.item);
    if (list?.kind !== "list") return result(c, null, null, []);
    // An empty list is certain only when written so: a list from elsewhere may have been filled
    // where we cannot see (a callee that pushed into it).
    if (list.items.length === 0 && !(c.argNodes[0] && ts.isArrayLiteralExpression(c.argNodes[0]))) return result(c, null, null, []);
    const arrays = list.items.map(asArray);
    if (arrays.some((a) => !a)) return unknown;
    // vstack makes 0-d and 1-d arrays rows [1, n] first (numpy's atleast_2d); hstack joins 1-d arrays on axis 0.
    const as = (arrays as ArrayValue[]).map((a) => stackRow(kind, a));
    const ax = kind === "hstack" ? hstackAxis(as[0]) : axisArg(c.args[1], 0);
    const axis = ax.known && typeof ax.axis === "number" ? ax.axis : undefined;
    const shape = axis === undefined ? null : checkRule(c, as.map((a) => a.shape),
      (s) => (kind === "stack" ? stackShape(s, axis) : concatenateShape(s, axis, "concatenate")));
    return result(c, shape, promote(as), as, { rule: kind === "stack" ? "stackShape" : "concatenateShape", detail: as.map(label).join(", ") });
  };
}

/** vstack makes 0-d and 1-d arrays rows [1, n] (numpy's atleast_2d); hstack makes 0-d arrays [1]. */
function stackRow(kind: string, a: ArrayValue): ArrayValue {
  if (!a.shape) return a;
  if (kind === "vstack" && a.shape.length < 2) return { ...a, shape: a.shape.length === 0 ? [1, 1] : [1, a.shape[0]!] };
  if (kind === "hstack" && a.shape.length === 0) return { ...a, shape: [1] };
  return a;
}

/** hstack joins 1-d arrays on axis 0 and others on axis 1 (numpy). */
function hstackAxis(first: ArrayValue | undefined): AxisArg {
  const r = first?.shape?.length;
  return r === undefined ? { known: false } : { known: true, axis: r <= 1 ? 0 : 1 };
}

/** stack / concatenate of a list of unknown length whose items are all `item`: the joined axis is unknown. */
function joinSeq(c: CallSite, kind: "concatenate" | "stack" | "hstack" | "vstack", item: Value): Value {
  const item0 = asArray(item);
  if (!item0) return result(c, null, null, []);
  const a = stackRow(kind, item0);
  const ax = kind === "hstack" ? hstackAxis(a) : axisArg(c.args[1], 0);
  if (!a.shape || !ax.known || typeof ax.axis !== "number") return result(c, null, a.dtype, [a]);
  const rank = a.shape.length + (kind === "stack" ? 1 : 0);
  const axis = ax.axis < 0 ? ax.axis + rank : ax.axis;
  if (axis < 0 || axis >= rank) return result(c, null, a.dtype, [a]);
  const shape = [...a.shape];
  if (kind === "stack") shape.splice(axis, 0, UNKNOWN_DIM); else shape[axis] = UNKNOWN_DIM;
  return result(c, shape, a.dtype, [a], { rule: kind === "stack" ? "stackShape" : "concatenateShape", detail: `a list of unknown length of ${label(a)}` });
}

function split(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x?.shape) return unknown;
  const sections = c.args[1]?.kind === "number" ? intOf(c.args[1]) : intListOf(c.args[1]);
  const ax = axisArg(c.args[2], 0);
  if (sections === undefined || !ax.known || typeof ax.axis !== "number") return unknown;
  const axis = ax.axis;
  const sizes = checkRule(c, [x.shape], ([s]) => splitSizes(s!, sections, axis));
  if (!sizes) return unknown;
  const norm = axis < 0 ? axis + x.shape.length : axis;
  return { kind: "list", items: sizes.map((n) => result(c, x.shape!.map((d, i) => (i === norm ? n : d)), x.dtype, [x], { rule: "splitSizes" })) };
}

function tile(c: CallSite): Value {
  const x = asArray(c.args[0]);
  const reps = intListOf(c.args[1]);
  if (!x) return unknown;
  const shape = reps ? checkRule(c, [x.shape], ([s]) => tileShape(s!, reps)) : null;
  return result(c, shape, x.dtype, [x], { rule: "tileShape" });
}

/** np.repeat(x, repeats, axis): the engine's rule (numpy/manipulation.ts); no axis flattens first. */
function repeat(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const r = c.args[1]?.kind === "number" ? dimOf(c.args[1]) : UNKNOWN_DIM;
  const times = (d: Dim): Dim => (typeof d === "number" && typeof r === "number" ? d * r : d === UNKNOWN_DIM || r === UNKNOWN_DIM ? UNKNOWN_DIM : dimsProduct([d, r]));
  const ax = axisArg(c.args[2]);
  if (!ax.known || Array.isArray(ax.axis) || !x.shape) return result(c, ax.known && ax.axis === null ? [UNKNOWN_DIM] : null, x.dtype, [x], { rule: "repeat" });
  if (ax.axis === null) return result(c, [times(dimsProduct([...x.shape]))], x.dtype, [x], { rule: "repeat: flattened, each element repeated" });
  const axis = ax.axis as number;
  const shape = checkRule(c, [x.shape], ([s]) => { const k = normalizeAxis("repeat", axis, s!.length, s!); return s!.map((d, i) => (i === k ? times(d) : d)); });
  return result(c, shape, x.dtype, [x], { rule: "repeat: the axis grows by repeats" });
}

/** np.diagonal(x, offset, axis1, axis2): the two axes are replaced by the diagonal's length, last (numpy/linalg.ts). */
function diagonal(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const [offset, a1, a2] = [intOf(c.args[1] ?? num(0)), intOf(c.args[2] ?? num(0)), intOf(c.args[3] ?? num(1))];
  if (offset === undefined || a1 === undefined || a2 === undefined || !x.shape) return result(c, null, x.dtype, [x], { rule: "diagonal" });
  const shape = checkRule(c, [x.shape], ([s]) => {
    const i1 = normalizeAxis("diagonal", a1, s!.length, s!), i2 = normalizeAxis("diagonal", a2, s!.length, s!);
    const [n, m] = [s![i1]!, s![i2]!];
    const len: Dim = typeof n === "number" && typeof m === "number" ? Math.max(0, Math.min(n - Math.max(0, -offset), m - Math.max(0, offset)))
      : offset === 0 && n === m ? n : UNKNOWN_DIM;
    return [...s!.filter((_, i) => i !== i1 && i !== i2), len];
  });
  return result(c, shape, x.dtype, [x], { rule: "diagonal: the two axes become the diagonal's length" });
}

function pad(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x?.shape) return unknown;
  const w = c.args[1];
  const pairs: ([number, number] | undefined)[] = [];
  const n = intOf(w);
  if (n !== undefined) x.shape.forEach(() => pairs.push([n, n]));
  else if (w?.kind === "list") {
    const flat = intListOf(w);
    if (flat && flat.length === 2) x.shape.forEach(() => pairs.push([flat[0]!, flat[1]!]));
    else for (const p of w.items) { const l = intListOf(p); pairs.push(l && l.length === 2 ? [l[0]!, l[1]!] : l && l.length === 1 ? [l[0]!, l[0]!] : undefined); }
  }
  if (pairs.length !== x.shape.length) return result(c, x.shape.map(() => UNKNOWN_DIM), x.dtype, [x]);
  const shape = x.shape.map((d, i) => { const p = pairs[i]; return p && typeof d === "number" ? d + p[0] + p[1] : p && p[0] + p[1] === 0 ? d : UNKNOWN_DIM; });
  return result(c, shape, x.dtype, [x], { rule: "pad widths" });
}

function astype(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const dtype = dtypeArg(c.args, 1) ?? null;
  const zero = dtype !== null && !isFloat(dtype);
  return result(c, x.shape, dtype, [x], { grad: zero ? "zero" : "pass", rule: "astype (shape preserved)" });
}

function oneHot(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const n = dimOf(c.args[1]);
  return result(c, x.shape ? [...x.shape, n] : null, dtypeArg(c.args, 2) ?? "float32", [x], { grad: "zero", rule: "oneHot appends the class axis" });
}

function softmaxLike(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const ax = axisArg(c.args[1], -1);
  if (ax.known && x.shape) checkRule(c, [x.shape], ([s]) => reduceShape("softmax", s!, ax.axis));
  return result(c, x.shape, floatOf(x.dtype), [x], { rule: "elementwise along an axis (shape preserved)" });
}

function norm(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  // Declared order: norm(x, ord, axis, keepdims).
  const ax = axisArg(c.args[2]);
  const k = c.args[3];
  const keep = k === undefined ? false : k.kind === "bool" ? k.value : undefined;
  if (keep === undefined) return result(c, null, floatOf(x.dtype), [x], { rule: "reduceShape" });
  const shape = ax.known ? checkRule(c, [x.shape], ([s]) => reduceShape("norm", s!, ax.axis, keep)) : null;
  return result(c, shape, floatOf(x.dtype), [x], { rule: "reduceShape" });
}

/** lax.conv(lhs, rhs, strides, padding): NC.. x OI.. -> NO.., with the engine's convShape. */
function conv(c: CallSite): Value {
  const [x, k] = [asArray(c.args[0]), asArray(c.args[1])];
  if (!x || !k) return unknown;
  const strides = intListOf(c.args[2]) ?? (x.shape ? x.shape.slice(2).map(() => 1) : undefined);
  const p = c.args[3];
  const padding: Padding | undefined = p === undefined ? "VALID" : p.kind === "string" && (p.value === "SAME" || p.value === "VALID") ? p.value : undefined;
  if (!strides || !padding) return result(c, null, promote([x, k]), [x, k]);
  const shape = checkRule(c, [x.shape, k.shape], ([a, b]) => convShape(a!, b!, { strides, padding }));
  return result(c, shape, promote([x, k]), [x, k], { rule: "convShape", detail: `${label(x)} * ${label(k)}` });
}

// ---- random ---------------------------------------------------------------------------------

let keyCounter = 0;
const newKey = (c: CallSite, shape: Dim[]): ArrayValue =>
  arrayOf(shape, "uint32", { keyId: `k${++keyCounter}`, traced: c.inJit, origin: { op: c.path, rule: "threefry key: uint32[2]" } });

function sampler(shapeAt: number, dtype: (c: CallSite) => string | null, dtypeAt?: number): Handler {
  return (c) => {
    c.consumeKey(c.args[0]);
    const shapeArg = c.args[shapeAt];
    const shape = shapeArg === undefined ? [] : isOptions(shapeArg) ? shapeOf(option(shapeArg, "shape")) ?? [] : shapeOf(shapeArg);
    const dt = (dtypeAt !== undefined ? dtypeArg(c.args, dtypeAt) : undefined) ?? dtype(c);
    return result(c, shape, dt, [], { rule: "shape argument", detail: "sampled" });
  };
}

function splitKey(c: CallSite): Value {
  c.consumeKey(c.args[0]);
  const key = c.args[0];
  const n = c.args[1] === undefined ? 2 : dimOf(c.args[1]);
  const parent = key?.kind === "array" && key.keyId ? key.keyId : `k${++keyCounter}`;
  return arrayOf([n, 2], "uint32", { keyId: `${parent}/split${++keyCounter}`, traced: c.inJit, origin: { op: "random.split", rule: "n keys: uint32[n,2]" } });
}

function bernoulli(c: CallSite): Value {
  c.consumeKey(c.args[0]);
  const p = asArray(c.args[1]);
  const shape = c.args[2] !== undefined ? shapeOf(c.args[2]) : p?.shape ?? [];
  return result(c, shape, "bool", [], { rule: "shape argument" });
}

function categorical(c: CallSite): Value {
  c.consumeKey(c.args[0]);
  const logits = asArray(c.args[1]);
  // Declared order: categorical(key, logits, axis, shape).
  const explicit = c.args[3] ? shapeOf(c.args[3]) : null;
  if (explicit) return result(c, explicit, "int32", []);
  const ax = axisArg(c.args[2], -1);
  const shape = logits && ax.known ? checkRule(c, [logits.shape], ([s]) => reduceShape("categorical", s!, ax.axis)) : null;
  return result(c, shape, "int32", [], { grad: "zero", rule: "reduceShape over the class axis" });
}

/** gamma / beta / poisson(key, params..., shape, dtype): the shape given, else the parameters' broadcast shape. */
function paramSampler(nParams: number, dtype: string): Handler {
  return (c) => {
    c.consumeKey(c.args[0]);
    const params = c.args.slice(1, 1 + nParams);
    const shapeArg = c.args[1 + nParams];
    const dt = dtypeArg(c.args.slice(0, 3 + nParams), 2 + nParams);
    const out = dt === undefined ? dtype : dt;
    if (shapeArg && shapeArg.kind !== "null") return result(c, shapeOf(shapeArg), out, [], { rule: "shape argument", detail: "sampled" });
    const arrays = params.map(asArray);
    if (arrays.some((a) => !a)) return result(c, null, out, []);
    const shape = checkRule(c, (arrays as ArrayValue[]).map((a) => a.shape), (s) => broadcastShapes(c.path.split(".").pop()!, ...s));
    return result(c, shape, out, [], { rule: "broadcast shape of the parameters", detail: "sampled" });
  };
}

/** scipy.special.logsumexp(a, axis, b, keepdims): all positional, keepdims a boolean. */
function scipyLogsumexp(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return unknown;
  const ax = axisArg(c.args[1]);
  const k = c.args[3];
  const keep = k === undefined ? false : k.kind === "bool" ? k.value : undefined;
  const shape = ax.known && keep !== undefined && c.args[2] === undefined ? checkRule(c, [x.shape], ([s]) => reduceShape("logsumexp", s!, ax.axis, keep)) : null;
  return result(c, shape, floatOf(x.dtype), [x], { rule: "reduceShape" });
}

function permutation(c: CallSite): Value {
  c.consumeKey(c.args[0]);
  const x = c.args[1];
  if (x?.kind === "number") return result(c, [dimOf(x)], "int32", []);
  const a = asArray(x);
  return a ? result(c, a.shape, a.dtype, [a]) : unknown;
}

function foldIn(c: CallSite): Value {
  return newKey(c, [2]);
}

// ---- table ----------------------------------------------------------------------------------

const FLOAT_UNARY = ["deg2rad", "rad2deg", "radians", "degrees", "sinc", "asin", "acos", "atan", "asinh", "acosh", "atanh", "exp", "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "cbrt", "sin", "cos", "tan", "tanh",
  "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sigmoid", "gelu", "silu", "swish", "softplus",
  "softSign", "logSigmoid", "elu", "selu", "celu", "leakyRelu", "reciprocal", "erf", "erfc", "erfinv", "lgamma", "digamma", "hardTanh",
  "hardSigmoid", "hardSwish", "mish", "standardize"];
const SAME_UNARY = ["bitwiseNot", "invert", "bitwiseInvert", "conjugate", "abs", "absolute", "negative", "neg", "square", "relu", "relu6", "positive", "conj", "real", "flip", "fliplr", "flipud",
  "sort", "copy", "stopGradient", "nanToNum", "roll", "triu", "tril", "fabs"];
const ZERO_UNARY = ["sign", "floor", "ceil", "round", "rint", "trunc", "fix"];
const BOOL_UNARY = ["isnan", "isinf", "isfinite", "logicalNot", "signbit", "isposinf", "isneginf"];
const PROMOTE_BINARY = ["add", "subtract", "sub", "multiply", "mul", "maximum", "minimum", "power", "pow", "mod", "remainder",
  "floorDivide", "fmax", "fmin", "fmod", "bitwiseAnd", "bitwiseOr", "bitwiseXor", "leftShift", "rightShift",
  "bitwiseLeftShift", "bitwiseRightShift", "heaviside", "gcd", "lcm"];
const FLOAT_BINARY = ["divide", "div", "trueDivide", "atan2", "floatPower", "copysign", "nextafter", "arctan2", "hypot", "logaddexp", "logaddexp2"];
const BOOL_BINARY = ["greater", "less", "equal", "notEqual", "greaterEqual", "lessEqual", "gt", "lt", "ge", "le", "eq", "ne",
  "logicalAnd", "logicalOr", "logicalXor", "isclose"];

const NP: Record<string, Handler> = {
  matmul: matmulLike("matmul"), dot: matmulLike("dot"), vdot: matmulLike("dot"), inner: matmulLike("dot"), einsum, outer, tensordot,
  where, clip, select: selectList,
  sum: reduction("accumulate"), prod: reduction("accumulate"), max: reduction("same"), min: reduction("same"), amax: reduction("same"), amin: reduction("same"),
  mean: reduction("float"), var: reduction("float"), std: reduction("float"), logsumexp: reduction("float"), median: reduction("float"),
  nansum: reduction("accumulate"), nanmean: reduction("float"), ptp: reduction("same"),
  nanprod: reduction("accumulate"), nanmax: reduction("same"), nanmin: reduction("same"), nanmedian: reduction("float"),
  variance: reduction("float"), nanvar: reduction("float"), nanstd: reduction("float"),
  nanargmax: reduction("index"), nanargmin: reduction("index"), nancumsum: cumulative, nancumprod: cumulative,
  swapaxes, moveaxis, matrixTranspose: (c) => swapaxes({ ...c, args: [c.args[0]!, num(-2), num(-1)] } as CallSite),
  argmax: reduction("index"), argmin: reduction("index"), all: reduction("bool"), any: reduction("bool"), countNonzero: reduction("index"),
  cumsum: cumulative, cumprod: cumulative, cummax: cumulative, cummin: cumulative,
  zeros: filled(1), ones: filled(1), empty: filled(1), full: filled(2, 1),
  zerosLike: like, onesLike: like, emptyLike: like, fullLike: like,
  array: array, asarray: array,
  arange, linspace, eye, identity: eye,
  reshape, ravel: (c) => reshape({ ...c, args: [c.args[0]!, { kind: "list", items: [num(-1)] }] } as CallSite),
  flatten: (c) => reshape({ ...c, args: [c.args[0]!, { kind: "list", items: [num(-1)] }] } as CallSite),
  transpose, permuteDims: transpose,
  expandDims: withAxis((s, a) => expandDimsShape(s, a), "expandDimsShape"),
  squeeze, broadcastTo, concatenate: joinArrays("concatenate"), concat: joinArrays("concatenate"), stack: joinArrays("stack"),
  hstack: joinArrays("hstack"), vstack: joinArrays("vstack"),
  split, take, takeAlongAxis, tile, pad, astype, norm, repeat, diagonal,
  index: indexHandler, get: indexHandler, s: sliceValue,
};
for (const n of FLOAT_UNARY) NP[n] = unary("float");
for (const n of SAME_UNARY) NP[n] ??= unary("same");
for (const n of ZERO_UNARY) NP[n] = unary("zero");
for (const n of BOOL_UNARY) NP[n] = unary("bool");
// Indices: int32, shape preserved, no gradient.
NP.argsort = (c) => { const x = asArray(c.args[0]); return x ? result(c, x.shape, "int32", [x], { grad: "zero", rule: "argsort (shape preserved)" }) : unknown; };
for (const n of PROMOTE_BINARY) NP[n] = broadcasting("promote");
for (const n of FLOAT_BINARY) NP[n] = broadcasting("float");
for (const n of BOOL_BINARY) NP[n] = broadcasting("bool");

const NN: Record<string, Handler> = {
  softmax: softmaxLike, logSoftmax: softmaxLike, oneHot, logsumexp: reduction("float"),
  normalize: softmaxLike,
};
for (const n of ["relu", "relu6", "sigmoid", "gelu", "silu", "swish", "tanh", "softplus", "elu", "selu", "celu", "leakyRelu",
  "logSigmoid", "softSign", "hardTanh", "hardSigmoid", "hardSwish", "mish", "standardize", "glu"]) NN[n] = NP[n] ?? unary("float");

const RANDOM: Record<string, Handler> = {
  key: (c) => newKey(c, [2]), PRNGKey: (c) => newKey(c, [2]), split: splitKey, foldIn, fold_in: foldIn,
  normal: sampler(1, () => "float32", 2), uniform: sampler(1, () => "float32", 2), truncatedNormal: sampler(3, () => "float32", 4),
  gumbel: sampler(1, () => "float32", 2), exponential: sampler(1, () => "float32", 2), laplace: sampler(1, () => "float32", 2),
  logistic: sampler(1, () => "float32", 2), cauchy: sampler(1, () => "float32", 2), randint: sampler(1, () => "int32", 4),
  bits: sampler(1, () => "uint32"), bernoulli, categorical, permutation,
  gamma: paramSampler(1, "float32"), beta: paramSampler(2, "float32"), poisson: paramSampler(1, "int32"),
};

const SCIPY: Record<string, Handler> = {
  "special.xlogy": broadcasting("float"), "special.xlog1py": broadcasting("float"), "special.logsumexp": scipyLogsumexp,
};
for (const n of ["gammaln", "digamma", "erf", "erfc", "erfinv", "expit", "logit", "logNdtr", "ndtr", "ndtri"]) SCIPY[`special.${n}`] = unary("float");
// norm.pdf(x, loc, scale) and friends: x, loc and scale broadcast; a float result.
for (const n of ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf"]) SCIPY[`stats.norm.${n}`] = broadcasting("float", (c) => [c.args[0] ?? unknown, c.args[1] ?? num(0), c.args[2] ?? num(1)]);

const LAX_SIMPLE: Record<string, Handler> = {
  stopGradient: (c) => {
    const x = c.args[0];
    c.cutGradient("stop", x ? [x] : []);
    return x?.kind === "array" ? { ...x, deps: new Set() } : x ?? unknown;
  },
  conv, convGeneralDilated: conv, convWithGeneralPadding: conv,
  select: where, dot: matmulLike("dot"), add: broadcasting("promote"), mul: broadcasting("promote"), sub: broadcasting("promote"),
  div: broadcasting("float"), max: broadcasting("promote"), min: broadcasting("promote"), exp: unary("float"), log: unary("float"),
  tanh: unary("float"), logistic: unary("float"), neg: unary("same"), abs: unary("same"), sign: unary("zero"),
  sin: unary("float"), cos: unary("float"), sqrt: unary("float"), rsqrt: unary("float"), floor: unary("zero"), square: unary("same"),
  reciprocal: unary("float"), erf: unary("float"), erfInv: unary("float"), lgamma: unary("float"), digamma: unary("float"),
  pow: broadcasting("promote"), eq: broadcasting("bool"), ne: broadcasting("bool"), lt: broadcasting("bool"), le: broadcasting("bool"),
  gt: broadcasting("bool"), ge: broadcasting("bool"),
  reduceSum: reduction("same"), reduceMax: reduction("same"), reduceMin: reduction("same"), reduceProd: reduction("same"),
  reshape, transpose, broadcastTo, concatenate: joinArrays("concatenate"), expandDims: withAxis((s, a) => expandDimsShape(s, a), "expandDimsShape"),
};


export function engineHandler(path: string): Handler | undefined {
  const dot = path.indexOf(".");
  const ns = dot < 0 ? "" : path.slice(0, dot);
  const name = path.slice(dot + 1);
  switch (ns) {
    case "np": case "numpy": case "jnp": return NP[name];
    case "nn": return NN[name] ?? NP[name];
    case "random": return RANDOM[name];
    case "lax": return LAX_SIMPLE[name];
    case "scipy": return SCIPY[name];
    case "array": return NP[ARRAY_METHODS[name] ?? name];
    default: return undefined;
  }
}

/** `x.shape`, `x.T` and other properties of an array value. */
export function arrayProperty(x: ArrayValue, name: string, traced: boolean): Value | undefined {
  switch (name) {
    case "shape": return x.shape ? { kind: "list", items: x.shape.map((d) => (typeof d === "number" ? num(d) : num(undefined, d === UNKNOWN_DIM ? undefined : d))) } : unknown;
    case "ndim": return x.shape ? num(x.shape.length) : num();
    case "size": { if (!x.shape) return num(); const p = dimsProduct([...x.shape]); return typeof p === "number" ? num(p) : num(undefined, p); }
    case "dtype": return x.dtype ? { kind: "string", value: x.dtype } : { kind: "string" };
    case "T": return arrayOf(x.shape ? [...x.shape].reverse() : null, x.dtype, { traced: traced || x.traced, deps: x.deps, origin: { op: "x.T", rule: "transposeShape" } });
    case "mT": return arrayOf(x.shape && x.shape.length >= 2 ? [...x.shape.slice(0, -2), x.shape[x.shape.length - 1]!, x.shape[x.shape.length - 2]!] : null, x.dtype, { traced: x.traced, deps: x.deps });
    default: return undefined;
  }
}

export { isInt, dtypeOf };
export const isArrayValue = isArray;
