import { formatShape, type Dim, type Shape } from "./dims.js";
import { broadcastShapes } from "./broadcast.js";
import { normalizeAxis, ShapeError } from "./errors.js";

/** How each operand is labelled in messages, e.g. "f32[3,2]". Defaults to the bare shape. */
/** Operand labels for messages; a function is called only when a message is made. */
export type Labels = readonly [string, string] | (() => readonly [string, string]);
const labelsOf = (a: Shape, b: Shape, labels?: Labels): readonly [string, string] =>
  typeof labels === "function" ? labels() : labels ?? [formatShape(a), formatShape(b)];

/**
 * numpy.matmul: 1-D operands are promoted (and the added axis removed), the last axis of `a`
 * contracts with the second-to-last of `b`, leading (batch) axes broadcast.
 */
export function matmulShape(a: Shape, b: Shape, labels?: Labels, op = "matmul"): Dim[] {
  const names = () => labelsOf(a, b, labels);
  if (a.length === 0 || b.length === 0) {
    throw new ShapeError(op, "operands must have rank >= 1", [a, b], `${op}: operands must have rank >= 1: ${names()[0]} @ ${names()[1]}`);
  }
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (k1 !== k2) {
    throw new ShapeError(op, "contraction dims differ", [a, b], `${op}: contraction dims differ: ${names()[0]} @ ${names()[1]} (${k1} != ${k2})`);
  }
  let batch: Dim[];
  try {
    batch = broadcastShapes(op, a2.slice(0, -2), b2.slice(0, -2));
  } catch {
    throw new ShapeError(op, "batch dims do not broadcast", [a, b], `${op}: batch dims do not broadcast: ${names()[0]} @ ${names()[1]}`);
  }
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

/** numpy.dot: matmul for rank <= 2; for N-D, contracts a's last axis with b's second-to-last, no batching. */
export function dotShape(a: Shape, b: Shape, labels?: Labels): Dim[] {
  if (a.length === 0 || b.length === 0) return [...(a.length === 0 ? b : a)];
  if (a.length <= 2 && b.length <= 2) return matmulShape(a, b, labels, "dot");
  const names = () => labelsOf(a, b, labels);
  const ka = a[a.length - 1]!;
  const kb = b.length === 1 ? b[0]! : b[b.length - 2]!;
  if (ka !== kb) throw new ShapeError("dot", "contraction dims differ", [a, b], `dot: contraction dims differ: ${names()[0]} · ${names()[1]} (${ka} != ${kb})`);
  const bRest = b.length === 1 ? [] : [...b.slice(0, -2), b[b.length - 1]!];
  return [...a.slice(0, -1), ...bRest];
}

export interface DotDimensionNumbers {
  /** Contracting axes of lhs and rhs, pairwise. */
  readonly contract: readonly [readonly number[], readonly number[]];
  /** Batch axes of lhs and rhs, pairwise; they lead the output. */
  readonly batch: readonly [readonly number[], readonly number[]];
}

/** lax.dot_general: output is batch dims, then lhs free dims, then rhs free dims. */
/**
 * The free axes of each dot_general operand (neither contracted nor batch), ascending. The output's
 * axes are the batch axes, then lhs's free axes, then rhs's: every kernel and rule lays them out so.
 */
export function dotFreeAxes(dims: DotDimensionNumbers, lhsRank: number, rhsRank: number): [number[], number[]] {
  const free = (rank: number, contract: readonly number[], batch: readonly number[]) => {
    const out: number[] = [];
    for (let i = 0; i < rank; i++) if (!contract.includes(i) && !batch.includes(i)) out.push(i);
    return out;
  };
  return [free(lhsRank, dims.contract[0], dims.batch[0]), free(rhsRank, dims.contract[1], dims.batch[1])];
}

export function dotGeneralShape(a: Shape, b: Shape, dims: DotDimensionNumbers, labels?: Labels): Dim[] {
  const names = () => labelsOf(a, b, labels);
  const [ca, cb] = dims.contract;
  const [ba, bb] = dims.batch;
  if (ca.length !== cb.length || ba.length !== bb.length) {
    throw new ShapeError("dot_general", "dimension numbers must pair up", [a, b]);
  }
  ca.forEach((x, i) => {
    const da = a[normalizeAxis("dot_general", x, a.length, a)]!;
    const db = b[normalizeAxis("dot_general", cb[i]!, b.length, b)]!;
    if (da !== db) throw new ShapeError("dot_general", "contraction dims differ", [a, b], `dot_general: contraction dims differ: ${names()[0]} · ${names()[1]} (${da} != ${db})`);
  });
  ba.forEach((x, i) => {
    if (a[x] !== b[bb[i]!]) throw new ShapeError("dot_general", "batch dims differ", [a, b], `dot_general: batch dims differ: ${names()[0]} · ${names()[1]} (${a[x]} != ${b[bb[i]!]})`);
  });
  const [freeA, freeB] = dotFreeAxes(dims, a.length, b.length);
  return [...ba.map((x) => a[x]!), ...freeA.map((i) => a[i]!), ...freeB.map((i) => b[i]!)];
}

/**
 * einsum shape: parses "ij,jk->ik" (implicit output when "->" is absent: letters seen once,
 * sorted, after the ellipsis dims), with "..." for broadcast dims (right-aligned across operands,
 * as numpy) and repeated letters within an operand (a diagonal: "ii->i"); checks that each
 * letter has one size across operands (1 broadcasts).
 */
export function einsumShape(spec: string, shapes: readonly Shape[]): Dim[] {
  const parsed = parseEinsum(spec, shapes.length, shapes.map((s) => s.length));
  const sizes = new Map<string, Dim>();
  parsed.inputs.forEach((letters, k) => {
    const shape = shapes[k]!;
    if (letters.length !== shape.length) {
      throw new ShapeError("einsum", "subscripts do not match operand rank", shapes,
        `einsum: operand ${k} has shape ${formatShape(shape)} but subscripts "${parsed.written[k]}" name ${letters.length} axes`);
    }
    const own = new Map<string, Dim>();
    [...letters].forEach((c, i) => {
      const d = shape[i]!;
      const mine = own.get(c);
      // A repeated letter within one operand is a diagonal: its axes must have the same size.
      if (mine !== undefined && mine !== d) {
        throw new ShapeError("einsum", "repeated index size mismatch", shapes, `einsum: repeated index '${c}' of operand ${k} has sizes ${mine} and ${d} in "${spec}"`);
      }
      own.set(c, d);
      const seen = sizes.get(c);
      if (seen === undefined || seen === 1) sizes.set(c, d);
      else if (d !== 1 && d !== seen) {
        const what = parsed.ellipsis.includes(c) ? "the dims under '...'" : `index '${c}'`;
        throw new ShapeError("einsum", "size mismatch", shapes, `einsum: ${what} has size ${seen} and ${d} in "${spec}"`);
      }
    });
  });
  return [...parsed.output].map((c) => {
    const d = sizes.get(c);
    if (d === undefined) throw new ShapeError("einsum", "output index not in inputs", shapes, `einsum: output index '${c}' does not appear in the inputs of "${spec}"`);
    return d;
  });
}

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * Parses einsum subscripts. With operand ranks, "..." is replaced by fresh letters (listed in
 * `ellipsis`, outermost first): an operand of rank r with k named axes gets the last r - k of
 * them, so ellipsis dims broadcast right-aligned. `written` keeps each operand's subscripts as given.
 */
export function parseEinsum(spec: string, nOperands: number, ranks?: readonly number[]): { inputs: string[]; output: string; ellipsis: string[]; written: string[] } {
  const clean = spec.replace(/\s+/g, "");
  const [lhs, rhs] = clean.split("->") as [string, string | undefined];
  const written = lhs.split(",");
  if (written.length !== nOperands) {
    throw new ShapeError("einsum", "operand count", [], `einsum: "${spec}" names ${written.length} operands but ${nOperands} were given`);
  }
  const valid = /^[a-zA-Z]*(\.\.\.)?[a-zA-Z]*$/;
  for (const s of [...written, ...(rhs === undefined ? [] : [rhs])]) {
    if (!valid.test(s)) throw new ShapeError("einsum", "bad subscripts", [], `einsum: bad subscripts "${s}" in "${spec}" (letters, and at most one "..." per operand)`);
  }
  const used = new Set(clean.replace(/[^a-zA-Z]/g, ""));
  const free = [...LETTERS].filter((c) => !used.has(c));
  const named = (s: string) => s.replace("...", "").length;
  const nEllipsis = Math.max(0, ...written.map((s, k) => (s.includes("...") ? Math.max(0, (ranks?.[k] ?? named(s)) - named(s)) : 0)));
  if (nEllipsis > free.length) throw new ShapeError("einsum", "too many dims", [], `einsum: "${spec}" has more dims than letters to name them`);
  const ellipsis = free.slice(0, nEllipsis);
  const inputs = written.map((s, k) => {
    if (!s.includes("...")) return s;
    const e = Math.max(0, (ranks?.[k] ?? named(s)) - named(s));
    return s.replace("...", ellipsis.slice(nEllipsis - e).join(""));
  });
  let output: string;
  if (rhs === undefined) {
    const counts = new Map<string, number>();
    for (const c of inputs.join("")) if (!ellipsis.includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = ellipsis.join("") + [...counts].filter(([, n]) => n === 1).map(([c]) => c).sort().join("");
  } else {
    if (!rhs.includes("...") && nEllipsis > 0) {
      throw new ShapeError("einsum", "ellipsis missing in output", [], `einsum: "${spec}": the inputs' "..." has ${nEllipsis} dims but the output names no "..." (numpy requires it)`);
    }
    output = rhs.replace("...", ellipsis.join(""));
    if (new Set(output).size !== output.length) throw new ShapeError("einsum", "repeated output index", [], `einsum: output subscripts "${rhs}" repeat an index in "${spec}"`);
  }
  return { inputs, output, ellipsis, written };
}
