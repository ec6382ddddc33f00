import type { DType } from "../../dtype.js";
import type { Expr, FusedKernel } from "../kernel.js";
import { DTYPE_CODE, I, OP, REDUCE_CODE } from "./codes.js";

/**
 * Encodes a fused kernel for the addon's evaluator (engine/native/src/fused.cc): the iteration
 * axes are reordered (reduced axes innermost when the last axis is reduced), size-1 axes are
 * dropped and adjacent axes merged wherever every load and the output see them as one, so that
 * the evaluator's blocks run along the longest contiguous stretch; the expression DAG becomes
 * a register program in post-order, a register freed after its last use.
 */
export function encodeKernel(k: FusedKernel, opCodes: OpCodes): Float64Array {
  const axes0 = iterationAxes(k);
  const { loads, indexAxes } = leavesOf(k.expr);
  const loadStrides0 = new Map(loads.map((l) => [l, k.shape.length ? [...l.strides] : [0]]));
  const groups = mergedAxes(axes0, indexAxes, [...loadStrides0.values()]);
  if (groups.length > 16) throw new Error(`native backend: a fused kernel with ${groups.length} non-mergeable axes (max 16)`);
  const nd = groups.length;
  const shape = groups.map((g) => g.reduce((p, a) => p * axes0.shape[a]!, 1));
  const last = (g: number[]) => g[g.length - 1]!;
  const outStrides = groups.map((g) => axes0.outStrides[last(g)]!);
  const axisPos = new Map<number, number>();
  groups.forEach((g, i) => { for (const a of g) axisPos.set(a, i); });
  // A group's stride is its last axis' stride.
  const at: Addressing = { loadStrides: (e) => { const s = loadStrides0.get(e)!; return groups.map((g) => s[last(g)]!); }, axisPos };
  const { code, numRegs, numInstr } = registerProgram(k.expr, opCodes, at);
  const reduceOp = k.reduce ? REDUCE_CODE[k.reduce.op] : -1;
  return new Float64Array([
    OP.fused, nd, ...shape, ...outStrides, reduceOp, DTYPE_CODE[k.output.dtype], DTYPE_CODE[k.expr.dtype], numRegs,
    k.inputs.length, k.output.size, numInstr, ...code,
  ]);
}

type LoadExpr = Extract<Expr, { op: "load" }>;

/** The kernel's iteration axes as written: sizes (a scalar kernel has one axis of 1), the reduced ones, the output's strides. */
interface IterationAxes { readonly shape: number[]; readonly reduced: ReadonlySet<number>; readonly outStrides: number[] }

function iterationAxes(k: FusedKernel): IterationAxes {
  const shape = k.shape.length ? [...k.shape] : [1];
  const nd = shape.length;
  const reduced = new Set(k.reduce ? k.reduce.axes.map((a) => (a < 0 ? a + nd : a)) : []);
  // Output strides over the iteration axes: row-major over the kept axes, zero on reduced ones.
  const outStrides = new Array<number>(nd).fill(0);
  let acc = 1;
  for (let d = nd - 1; d >= 0; d--) if (!reduced.has(d)) { outStrides[d] = acc; acc *= shape[d]!; }
  return { shape, reduced, outStrides };
}

/** The DAG's loads and the axes its index nodes read (by original axis), each node visited once. */
function leavesOf(expr: Expr): { loads: LoadExpr[]; indexAxes: Set<number> } {
  const loads: LoadExpr[] = [];
  const indexAxes = new Set<number>();
  const seen = new Set<Expr>();
  const walk = (e: Expr) => {
    if (seen.has(e)) return;
    seen.add(e);
    if (e.op === "load") loads.push(e);
    else if (e.op === "index") indexAxes.add(e.axis);
    else if ("args" in e) for (const a of e.args) walk(a);
  };
  walk(expr);
  return { loads, indexAxes };
}

/**
 * The axes the evaluator iterates, each a group of original axes in iteration order: reduced
 * axes innermost when the last axis is reduced, size-1 axes dropped, and adjacent axes merged
 * where the output and every load (`loadStrides`, by original axis) see them as one.
 */
function mergedAxes(axes0: IterationAxes, indexAxes: ReadonlySet<number>, loadStrides: readonly (readonly number[])[]): number[][] {
  const { shape: shape0, reduced, outStrides: outStrides0 } = axes0;
  const nd0 = shape0.length;
  let order = shape0.map((_, i) => i);
  if (reduced.has(nd0 - 1)) order = [...order.filter((a) => !reduced.has(a)), ...order.filter((a) => reduced.has(a))];
  // Drop size-1 axes nobody indexes (they contribute nothing to any address).
  let axes = order.filter((a) => shape0[a] !== 1 || indexAxes.has(a));
  if (axes.length === 0) axes = [order[order.length - 1]!];

  // Merge runs of axes; each group is [original axes...], and its stride is its last axis' stride.
  const groups: number[][] = [];
  for (const a of axes) {
    const g = groups[groups.length - 1];
    if (g) {
      const prev = g[g.length - 1]!;
      const n = shape0[a]!;
      const ok = !indexAxes.has(a) && !indexAxes.has(prev) && reduced.has(a) === reduced.has(prev) &&
        outStrides0[prev] === outStrides0[a]! * n &&
        loadStrides.every((s) => s[prev] === s[a]! * n);
      if (ok) { g.push(a); continue; }
    }
    groups.push([a]);
  }
  return groups;
}

/** How loads and index nodes address the merged axes. */
interface Addressing { loadStrides(e: LoadExpr): number[]; readonly axisPos: ReadonlyMap<number, number> }

/** The expression as a register program in post-order; a register is reused once its last reader is emitted. */
function registerProgram(expr: Expr, opCodes: OpCodes, at: Addressing): { code: number[]; numRegs: number; numInstr: number } {
  const uses = new Map<Expr, number>();
  const countUses = (e: Expr) => {
    const n = uses.get(e) ?? 0;
    uses.set(e, n + 1);
    if (n === 0 && "args" in e) for (const a of e.args) countUses(a);
  };
  countUses(expr);
  const regOf = new Map<Expr, number>();
  const freeRegs: number[] = [];
  let numRegs = 0;
  const code: number[] = [];
  let numInstr = 0;
  const emit = (e: Expr): number => {
    const have = regOf.get(e);
    if (have !== undefined) return have;
    const args = "args" in e ? e.args.map(emit) : [];
    const dst = freeRegs.pop() ?? numRegs++;
    pushInstruction(code, e, dst, args, opCodes, at);
    numInstr++;
    regOf.set(e, dst);
    if ("args" in e) {
      for (const arg of new Set(e.args)) {
        const left = uses.get(arg)! - e.args.filter((x) => x === arg).length;
        uses.set(arg, left);
        if (left === 0) freeRegs.push(regOf.get(arg)!);
      }
    }
    return dst;
  };
  emit(expr);
  return { code, numRegs, numInstr };
}

/** One instruction: kind, op code, result dtype, operands' dtype, destination, three argument registers (-1: none), then the kind's immediates. */
function pushInstruction(code: number[], e: Expr, dst: number, args: readonly number[], opCodes: OpCodes, at: Addressing): void {
  const out = DTYPE_CODE[e.dtype];
  const argDt = "args" in e ? DTYPE_CODE[e.args[e.args.length - 1]!.dtype] : out;
  const [a = -1, b = -1, c = -1] = args;
  switch (e.op) {
    case "load": code.push(I.load, 0, out, out, dst, -1, -1, -1, e.input, e.offset, ...at.loadStrides(e)); break;
    case "const": code.push(I.const, 0, out, out, dst, -1, -1, -1, e.value); break;
    case "index": code.push(I.index, 0, out, out, dst, -1, -1, -1, at.axisPos.get(e.axis)!); break;
    case "convert": code.push(I.convert, 0, out, argDt, dst, a, b, c); break;
    case "select": code.push(I.select, 0, out, argDt, dst, a, b, c); break;
    case "clamp": code.push(I.clamp, 0, out, argDt, dst, a, b, c); break;
    default: {
      if (args.length === 1) {
        const op = opCodes.unary.get(e.op);
        if (op === undefined) throw new Error(`native backend: unknown unary op ${e.op}`);
        code.push(I.unary, op, out, argDt, dst, a, b, c);
      } else {
        const op = opCodes.binary.get(e.op);
        if (op === undefined) throw new Error(`native backend: unknown binary op ${e.op}`);
        code.push(I.binary, op, out, argDt, dst, a, b, c);
      }
    }
  }
}

export interface OpCodes { unary: Map<string, number>; binary: Map<string, number> }

/** A load of a whole input with given strides (broadcast, transpose, slice, flip are all one). */
export function loadExpr(input: number, strides: readonly number[], offset: number, dtype: DType): Expr {
  return { op: "load", input, strides, offset, dtype };
}
