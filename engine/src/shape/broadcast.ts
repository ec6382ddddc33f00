import { formatShape, type Dim, type Shape } from "./dims.js";
import { ShapeError } from "./errors.js";

/**
 * numpy broadcasting: shapes are aligned on the right; each pair of dims must be equal or
 * one of them 1. Symbolic dims broadcast against 1 and against themselves.
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): Dim[] {
  if (shapes.length === 1) return [...shapes[0]!];
  if (shapes.length === 2 && sameDims(shapes[0]!, shapes[1]!)) return [...shapes[0]!];
  const ndim = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = new Array(ndim).fill(1);
  for (let i = 0; i < ndim; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - ndim + i];
      if (d === undefined || d === 1) continue;
      if (dim === 1) dim = d;
      else if (dim !== d) {
        const axis = i - ndim;
        throw new ShapeError(op, "shapes do not broadcast", shapes,
          `${op}: shapes ${shapes.map(formatShape).join(" and ")} do not broadcast: axis ${axis} has ${dim} vs ${d} (each must be equal or 1)`);
      }
    }
    out[i] = dim;
  }
  return out;
}

/** Axes of `out` along which an operand of shape `inp` was broadcast (to sum over in a transpose). */
export function broadcastedAxes(inp: Shape, out: Shape): { leading: number; expanded: number[] } {
  const leading = out.length - inp.length;
  const expanded: number[] = [];
  for (let i = 0; i < inp.length; i++) if (inp[i] === 1 && out[leading + i] !== 1) expanded.push(leading + i);
  return { leading, expanded };
}

function sameDims(a: Shape, b: Shape) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
