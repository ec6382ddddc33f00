/**
 * numpy indexing as the engine implements it (engine/src/numpy/indexing.ts): `x.get(...idx)`,
 * `np.index(x, ...idx)`, `x.at(...idx).set(v)`, `np.take`, `np.takeAlongAxis`. An index element
 * is an integer (removes the axis), a slice ("1:3", ":", "::-1", np.s(a, b, c)), "..." (as many
 * ":" as needed), null (a new axis of size 1) or an integer array (gather: the index shape
 * replaces the axis; several broadcast together and go first when they are not adjacent).
 */
import { broadcastShapes, normalizeAxis, ShapeError, sliceIndices, type Dim } from "./engineShapes.js";
import type { CallSite } from "./callContext.js";
import { checkRule, label } from "./shapeCheck.js";
import { intOf } from "./engineArgs.js";
import { UNKNOWN_DIM, type ArrayValue, type Value } from "./values.js";
import { asArray, result } from "./handlerArrays.js";

type Slice = { start: number | null; stop: number | null; step: number | null };
type Element =
  | { kind: "int"; value: number | undefined }
  | { kind: "slice"; slice: Slice | undefined }
  | { kind: "new" }
  | { kind: "ellipsis" }
  /** Gather by an integer array of this shape (null: unknown shape). */
  | { kind: "array"; shape: readonly Dim[] | null; operand: number };

/** `np.s(start, stop, step)`: a slice, kept as a marked object. */
export function sliceValue(c: CallSite): Value {
  const field = (v: Value | undefined): Value => (v === undefined ? { kind: "null" } : v);
  return { kind: "object", fields: new Map<string, Value>([["$slice", { kind: "bool", value: true }], ["start", field(c.args[0])], ["stop", field(c.args[1])], ["step", field(c.args[2])]]) };
}

function parseSlice(text: string): Slice | undefined {
  const parts = text.split(":").map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) return undefined;
  const vals = parts.map((p) => (p === "" ? null : Number(p)));
  if (vals.some((v) => v !== null && !Number.isInteger(v))) return undefined;
  return { start: vals[0] ?? null, stop: vals[1] ?? null, step: vals[2] ?? null };
}

/** Reads one index element; undefined when it cannot be classified (the result is then unknown). */
function element(v: Value, operand: number): Element | undefined {
  switch (v.kind) {
    case "null": return { kind: "new" };
    case "number": return { kind: "int", value: intOf(v) };
    case "string":
      if (v.value === undefined) return undefined;
      if (v.value === "...") return { kind: "ellipsis" };
      return { kind: "slice", slice: parseSlice(v.value) };
    case "object": {
      if (!v.fields.has("$slice")) return undefined;
      const part = (k: string) => { const f = v.fields.get(k); return f === undefined || f.kind === "null" ? null : intOf(f); };
      const [start, stop, step] = [part("start"), part("stop"), part("step")];
      return { kind: "slice", slice: start === undefined || stop === undefined || step === undefined ? undefined : { start, stop, step } };
    }
    case "list": case "array": {
      const a = asArray(v);
      if (!a) return undefined;
      // Boolean masks select a data-dependent number of elements.
      if (a.dtype === "bool") return { kind: "array", shape: [UNKNOWN_DIM], operand };
      return { kind: "array", shape: a.shape, operand };
    }
    default: return undefined;
  }
}

/** numpy's slice.indices length for a concrete size (the engine's rule). */
const sliceLength = (sl: Slice, n: number): number => sliceIndices(sl, n).len;

/**
 * The shape rule of indexing, written like the engine's `index` (same errors, same messages),
 * over possibly symbolic dims. shapes[0] is x; shapes[1..] are the gather index arrays.
 */
function indexShape(shapes: Dim[][], elements: readonly Element[]): Dim[] {
  const x = shapes[0]!;
  const ellipses = elements.filter((e) => e.kind === "ellipsis").length;
  if (ellipses > 1) throw new ShapeError("index", "a single ellipsis", [x], "index: an index can only have a single ellipsis ('...')");
  const used = elements.filter((e) => e.kind !== "new" && e.kind !== "ellipsis").length;
  if (used > x.length) throw new ShapeError("index", "too many indices", [x], `index: too many indices for array: array is ${x.length}-dimensional, but ${used} were indexed`);
  const full: Element = { kind: "slice", slice: { start: null, stop: null, step: null } };
  const fill = Array.from({ length: x.length - used }, () => full);
  const norm: Element[] = [];
  for (const e of elements) { if (e.kind === "ellipsis") norm.push(...fill); else norm.push(e); }
  if (!ellipses) norm.push(...fill);
  const out: (Dim | "adv")[] = [];
  const advAxes: number[] = [];
  const advShapes: Dim[][] = [];
  let axis = 0;
  for (const e of norm) {
    if (e.kind === "new") { out.push(1); continue; }
    const size = x[axis]!;
    if (e.kind === "int") {
      if (e.value !== undefined && typeof size === "number") {
        const i = e.value < 0 ? e.value + size : e.value;
        if (i < 0 || i >= size) throw new ShapeError("index", "index out of bounds", [x], `index: index ${e.value} is out of bounds for axis ${axis} with size ${size}`);
      }
    } else if (e.kind === "slice") {
      const sl = e.slice;
      if (sl && sl.step === 0) throw new ShapeError("index", "slice step cannot be zero", [x], "index: slice step cannot be zero");
      const whole = sl && sl.start === null && sl.stop === null && (sl.step === null || sl.step === 1 || sl.step === -1);
      out.push(whole ? size : sl && typeof size === "number" ? sliceLength(sl, size) : UNKNOWN_DIM);
    } else if (e.kind === "array") {
      advAxes.push(axis);
      advShapes.push(e.shape ? shapes[e.operand]! : [UNKNOWN_DIM]);
      if (!out.includes("adv")) out.push("adv");
    }
    axis++;
  }
  if (!advAxes.length) return out as Dim[];
  const unknownRank = norm.some((e) => e.kind === "array" && e.shape === null);
  if (unknownRank) throw new UnknownRank();
  const b = broadcastShapes("index", ...advShapes);
  const contiguous = advAxes.every((k, i) => i === 0 || k === advAxes[i - 1]! + 1);
  const at = out.indexOf("adv");
  const before = out.slice(0, at) as Dim[], after = out.slice(at + 1) as Dim[];
  return contiguous ? [...before, ...b, ...after] : [...b, ...before, ...after];
}

class UnknownRank extends Error {}

/** The indexed shape, null when unknown; reports certain errors. */
export function indexedShape(c: CallSite, x: ArrayValue, idx: readonly Value[]): Dim[] | null {
  const elements: Element[] = [];
  const extra: (readonly Dim[] | null)[] = [];
  for (const v of idx) {
    const e = element(v, extra.length + 1);
    if (!e) return null;
    if (e.kind === "array" && e.shape) extra.push(e.shape);
    elements.push(e);
  }
  if (!x.shape) return null;
  try {
    return checkRule(c, [x.shape, ...extra], (shapes) => indexShape(shapes, elements));
  } catch (e) {
    if (e instanceof UnknownRank) return null;
    throw e;
  }
}

/** `np.index(x, ...idx)` and `x.get(...idx)`. */
export function indexHandler(c: CallSite): Value {
  const x = asArray(c.args[0]);
  if (!x) return result(c, null, null, []);
  const shape = indexedShape(c, x, c.args.slice(1));
  return result(c, shape, x.dtype, [x], { rule: "numpy indexing", detail: `${label(x)}[${c.argNodes.slice(c.path.startsWith("array.") ? 0 : 1).map((n) => c.text(n)).join(", ")}]` });
}

/** `x.at(...idx).set(v)` (add, multiply, min, max...): x's shape; the index is checked. */
export function atUpdate(c: CallSite, x: ArrayValue, idx: readonly Value[], method: string): Value {
  const target = indexedShape(c, x, idx);
  const v = asArray(c.args[0]);
  if (method === "get") return result(c, target, x.dtype, [x], { rule: "numpy indexing" });
  if (target && v?.shape) checkRule(c, [v.shape, target], ([u, t]) => broadcastShapes("at", u!, t!));
  return result(c, x.shape, x.dtype, v ? [x, v] : [x], { rule: "x.at(…) updates keep x's shape" });
}

/** `np.take(x, indices, axis)`: the index shape replaces the axis; flattened when no axis. */
export function take(c: CallSite): Value {
  const x = asArray(c.args[0]), idx = asArray(c.args[1]);
  if (!x || !idx) return unknown0(c);
  const a = c.args[2];
  const axis = a === undefined || a.kind === "null" ? null : a.kind === "object" ? a.fields.get("axis") : a;
  if (axis === null || axis === undefined || axis.kind === "null") return result(c, idx.shape, x.dtype, [x], { rule: "take (flattened)" });
  const ax = intOf(axis);
  if (ax === undefined) return result(c, null, x.dtype, [x]);
  const shape = checkRule(c, [x.shape, idx.shape], ([s, i]) => {
    const n = normalizeAxis("take", ax, s!.length, s!);
    return [...s!.slice(0, n), ...i!, ...s!.slice(n + 1)];
  });
  return result(c, shape, x.dtype, [x], { rule: "take: the index shape replaces the axis" });
}

/** `np.takeAlongAxis(x, indices, axis)`: same rank; the index's size on the axis, broadcast elsewhere. */
export function takeAlongAxis(c: CallSite): Value {
  const x = asArray(c.args[0]), idx = asArray(c.args[1]);
  if (!x || !idx) return unknown0(c);
  const a = c.args[2];
  const ax = intOf(a?.kind === "object" ? a.fields.get("axis") : a);
  if (ax === undefined) return result(c, null, x.dtype, [x]);
  const shape = checkRule(c, [x.shape, idx.shape], ([s, i]) => {
    if (s!.length !== i!.length) throw new ShapeError("takeAlongAxis", "rank", [s!, i!], `takeAlongAxis: indices must have the same rank as x: x ${label({ ...x, shape: s! })}, indices ${label({ ...idx, shape: i! })}`);
    const n = normalizeAxis("takeAlongAxis", ax, s!.length, s!);
    return s!.map((d, k) => (k === n ? i![k]! : broadcastShapes("takeAlongAxis", [d], [i![k]!])[0]!));
  });
  return result(c, shape, x.dtype, [x], { rule: "takeAlongAxis" });
}

const unknown0 = (c: CallSite): Value => result(c, null, null, []);
