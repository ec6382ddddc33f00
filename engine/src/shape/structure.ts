import { dimProduct, formatShape, isConcreteShape, type Dim, type Shape } from "./dims.js";
import { normalizeAxes, normalizeAxis, ShapeError } from "./errors.js";

/** reshape with at most one -1; sizes must agree (symbolic sizes compare as products). */
export function reshapeShape(shape: Shape, newShape: readonly Dim[]): Dim[] {
  const holes = newShape.filter((d) => d === -1).length;
  if (holes > 1) throw new ShapeError("reshape", "at most one -1", [shape, newShape], `reshape: can only specify one unknown dimension (-1) in ${formatShape(newShape)}`);
  const total = dimProduct(shape);
  if (holes === 1) {
    const known = newShape.filter((d) => d !== -1);
    const rest = dimProduct(known);
    if (typeof total === "number" && typeof rest === "number") {
      if (rest === 0 ? total !== 0 : total % rest !== 0) {
        throw new ShapeError("reshape", "size mismatch", [shape, newShape], `reshape: cannot reshape ${formatShape(shape)} (size ${total}) into ${formatShape(newShape)}`);
      }
      return newShape.map((d) => (d === -1 ? (rest === 0 ? 0 : total / rest) : d));
    }
    // Symbolic: -1 absorbs whatever is left when the remaining factors are a sub-product.
    const left = dividedSymbolic(total, rest);
    return newShape.map((d) => (d === -1 ? left : d));
  }
  const target = dimProduct(newShape);
  if (typeof total === "number" && typeof target === "number" && total !== target) {
    throw new ShapeError("reshape", "size mismatch", [shape, newShape], `reshape: cannot reshape ${formatShape(shape)} (size ${total}) into ${formatShape(newShape)} (size ${target})`);
  }
  for (const d of newShape) if (typeof d === "number" && (d < 0 || !Number.isInteger(d))) {
    throw new ShapeError("reshape", "bad dimension", [shape, newShape], `reshape: invalid dimension ${d} in ${formatShape(newShape)}`);
  }
  return [...newShape];
}

function dividedSymbolic(total: Dim, part: Dim): Dim {
  const factors = (d: Dim) => String(d).split("*");
  const t = factors(total);
  for (const f of factors(part)) {
    const i = t.indexOf(f);
    if (i < 0) return "?";
    t.splice(i, 1);
  }
  if (t.length === 0) return 1;
  return t.length === 1 && /^\d+$/.test(t[0]!) ? Number(t[0]) : t.join("*");
}

export function transposeShape(shape: Shape, axes?: readonly number[]): Dim[] {
  const perm = axes ?? [...shape.keys()].reverse();
  if (perm.length !== shape.length) {
    throw new ShapeError("transpose", "axes must be a permutation", [shape], `transpose: axes ${JSON.stringify(perm)} do not match an array of rank ${shape.length}`);
  }
  const norm = perm.map((a) => normalizeAxis("transpose", a, shape.length, shape));
  if (new Set(norm).size !== norm.length) throw new ShapeError("transpose", "axes must be a permutation", [shape], `transpose: axes ${JSON.stringify(perm)} are not a permutation`);
  return norm.map((a) => shape[a]!);
}

export function reduceShape(op: string, shape: Shape, axis: number | readonly number[] | null | undefined, keepdims = false): Dim[] {
  const axes = normalizeAxes(op, axis, shape);
  if (keepdims) return shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return shape.filter((_, i) => !axes.includes(i));
}

export function expandDimsShape(shape: Shape, axis: number | readonly number[]): Dim[] {
  const list = typeof axis === "number" ? [axis] : axis;
  const ndim = shape.length + list.length;
  const axes = list.map((a) => normalizeAxis("expandDims", a, ndim, shape)).sort((a, b) => a - b);
  const out: Dim[] = [];
  let src = 0;
  for (let i = 0; i < ndim; i++) out.push(axes.includes(i) ? 1 : shape[src++]!);
  return out;
}

export function squeezeShape(shape: Shape, axis?: number | readonly number[] | null): Dim[] {
  if (axis === undefined || axis === null) return shape.filter((d) => d !== 1);
  const axes = normalizeAxes("squeeze", axis, shape);
  for (const a of axes) if (shape[a] !== 1) {
    throw new ShapeError("squeeze", "axis is not of size 1", [shape], `squeeze: cannot select an axis to squeeze out which has size not equal to one: axis ${a} of ${formatShape(shape)} has size ${shape[a]}`);
  }
  return shape.filter((_, i) => !axes.includes(i));
}

export function broadcastToShape(shape: Shape, target: Shape): Dim[] {
  if (target.length < shape.length) {
    throw new ShapeError("broadcastTo", "target rank too small", [shape, target], `broadcastTo: cannot broadcast ${formatShape(shape)} to ${formatShape(target)} (lower rank)`);
  }
  const lead = target.length - shape.length;
  shape.forEach((d, i) => {
    if (d !== 1 && d !== target[lead + i]) {
      throw new ShapeError("broadcastTo", "incompatible dim", [shape, target], `broadcastTo: cannot broadcast ${formatShape(shape)} to ${formatShape(target)}: axis ${i} has ${d} vs ${target[lead + i]}`);
    }
  });
  return [...target];
}

export function concatenateShape(shapes: readonly Shape[], axis: number, op = "concatenate"): Dim[] {
  if (shapes.length === 0) throw new ShapeError(op, "need at least one array", [], `${op}: need at least one array to concatenate`);
  const first = shapes[0]!;
  if (first.length === 0) throw new ShapeError(op, "zero-dimensional arrays cannot be concatenated", shapes);
  const ax = normalizeAxis(op, axis, first.length, first);
  let total: Dim = 0;
  shapes.forEach((s, k) => {
    if (s.length !== first.length) {
      throw new ShapeError(op, "ranks differ", shapes, `${op}: all arrays must have the same rank: array 0 has shape ${formatShape(first)} and array ${k} has ${formatShape(s)}`);
    }
    s.forEach((d, i) => {
      if (i !== ax && d !== first[i]) {
        throw new ShapeError(op, "dims differ off the concatenation axis", shapes,
          `${op}: dims must match except on axis ${ax}: array 0 has shape ${formatShape(first)} and array ${k} has ${formatShape(s)} (axis ${i}: ${first[i]} != ${d})`);
      }
    });
    const d = s[ax]!;
    total = typeof total === "number" && typeof d === "number" ? total + d : `${total}+${d}`;
  });
  return first.map((d, i) => (i === ax ? total : d));
}

export function stackShape(shapes: readonly Shape[], axis: number): Dim[] {
  if (shapes.length === 0) throw new ShapeError("stack", "need at least one array", [], "stack: need at least one array to stack");
  const first = shapes[0]!;
  shapes.forEach((s, k) => {
    if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
      throw new ShapeError("stack", "shapes differ", shapes, `stack: all input arrays must have the same shape: array 0 has ${formatShape(first)} and array ${k} has ${formatShape(s)}`);
    }
  });
  const ax = normalizeAxis("stack", axis, first.length + 1, first);
  const out: Dim[] = [...first];
  out.splice(ax, 0, shapes.length);
  return out;
}

/** lax.slice: static start/limit/stride per axis. */
export function sliceShape(shape: Shape, start: readonly number[], limit: readonly number[], strides?: readonly number[]): Dim[] {
  if (start.length !== shape.length || limit.length !== shape.length) {
    throw new ShapeError("slice", "index rank", [shape], `slice: start ${JSON.stringify(start)} and limit ${JSON.stringify(limit)} must have one entry per axis of ${formatShape(shape)}`);
  }
  return shape.map((d, i) => {
    const s = start[i]!, l = limit[i]!, st = strides?.[i] ?? 1;
    if (typeof d === "number" && (s < 0 || l > d || s > l)) {
      throw new ShapeError("slice", "out of bounds", [shape], `slice: [${s}:${l}] is out of bounds for axis ${i} of size ${d}`);
    }
    return Math.max(0, Math.ceil((l - s) / st));
  });
}

/** lax.pad: low, high and interior padding per axis (low/high may be negative). */
export function padShape(shape: Shape, config: readonly (readonly [number, number, number])[]): Dim[] {
  if (config.length !== shape.length) throw new ShapeError("pad", "config rank", [shape], `pad: padding config has ${config.length} entries for an array of rank ${shape.length}`);
  return shape.map((d, i) => {
    const [lo, hi, interior] = config[i]!;
    if (typeof d !== "number") return lo + hi === 0 && interior === 0 ? d : `${d}+${lo + hi}`;
    const out = lo + hi + d + Math.max(0, d - 1) * interior;
    if (out < 0) throw new ShapeError("pad", "negative size", [shape], `pad: negative output size on axis ${i}`);
    return out;
  });
}

/** np.take along an axis: the axis is replaced by the index array's shape. */
export function takeShape(shape: Shape, indices: Shape, axis: number): Dim[] {
  const ax = normalizeAxis("take", axis, shape.length, shape);
  return [...shape.slice(0, ax), ...indices, ...shape.slice(ax + 1)];
}

export function tileShape(shape: Shape, reps: readonly number[]): Dim[] {
  const n = Math.max(shape.length, reps.length);
  const s = [...Array(n - shape.length).fill(1), ...shape];
  const r = [...Array(n - reps.length).fill(1), ...reps];
  return s.map((d, i) => (typeof d === "number" ? d * r[i]! : r[i] === 1 ? d : `${r[i]}*${d}`));
}

/** Sizes of the pieces of np.split (number of equal sections, or split indices). */
export function splitSizes(shape: Shape, sections: number | readonly number[], axis: number): number[] {
  const ax = normalizeAxis("split", axis, shape.length, shape);
  const d = shape[ax]!;
  if (!isConcreteShape([d])) throw new ShapeError("split", "symbolic axis", [shape], `split: axis ${ax} has symbolic size ${d}`);
  const n = d as number;
  if (typeof sections === "number") {
    if (n % sections !== 0) throw new ShapeError("split", "array split does not result in an equal division", [shape], `split: array split does not result in an equal division: axis ${ax} of size ${n} into ${sections} sections`);
    return Array(sections).fill(n / sections);
  }
  const bounds = [0, ...sections.map((i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n)), n];
  return bounds.slice(1).map((b, i) => Math.max(0, b - bounds[i]!));
}
