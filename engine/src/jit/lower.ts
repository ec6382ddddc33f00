import { ShapedArray } from "../ir/aval.js";
import { contiguousStrides } from "../backend/reference/strided.js";
import { inlineCustomCalls } from "./passes.js";
import { checkAfter } from "../ir/check.js";
import { Jaxpr, Literal, Var, type Atom, type Eqn, type EqnOf } from "../ir/jaxpr.js";
import { BINARY_PRIMITIVES, ELEMENTWISE, UNARY_PRIMITIVES, type Primitive } from "../ir/primitives.js";
import type { Expr, FusedKernel, Program, ReduceOp, Slot, Step } from "../backend/kernel.js";
import type { SourceLocation } from "../ir/source.js";
import { freePoints, type SlotAccess } from "./memory-plan.js";

/**
 * Lowers an optimized jaxpr to a program of fused kernels. Elementwise chains become one
 * loop; view ops (broadcast, transpose, slice, flip, reshape of a buffer) become strides of
 * the loads, so a slice of an expensive elementwise result computes only the slice; a
 * reduction absorbs the elementwise chain that feeds it. Everything else is an "op" step.
 */

/**
 * Maps the consumer's iteration index to this value's index: own[d] = offset[d] + sum_i rows[d][i] * idx[i].
 * `cols` is the consumer's rank, kept apart from the rows: a scalar value has no rows but is
 * still read at every index of its consumer.
 */
interface Affine { readonly rows: readonly (readonly number[])[]; readonly offset: readonly number[]; readonly cols: number }

type Lazy =
  /** A materialized buffer, read row-major as `shape` (a reshape is free). */
  | { readonly kind: "slot"; readonly slot: Slot; readonly aval: ShapedArray }
  /** A not-yet-computed elementwise expression; `ops` counts its arithmetic nodes. */
  | {
    readonly kind: "expr"; readonly aval: ShapedArray; readonly ops: number; readonly source?: SourceLocation; readonly label: string;
    /** Where every equation fused into this expression was written (for the profiler), in program order, without repeats. */
    readonly sources?: readonly SourceLocation[];
    build(view: Affine, ctx: BuildContext): Expr;
  };

interface BuildContext { inputs: Slot[] }

/** The sources of the operands' expressions and then `own`, each location once. */
function mergeSources(operands: readonly Lazy[], own: SourceLocation | undefined): readonly SourceLocation[] | undefined {
  let out: SourceLocation[] | undefined;
  const add = (l: SourceLocation) => {
    out ??= [];
    if (!out.some((x) => x === l || (x.line === l.line && x.column === l.column && x.file === l.file))) out.push(l);
  };
  for (const o of operands) if (o.kind === "expr" && o.sources) for (const l of o.sources) add(l);
  if (own) add(own);
  return out;
}

const identity = (ndim: number): Affine => ({ rows: Array.from({ length: ndim }, (_, d) => Array.from({ length: ndim }, (_, i) => (i === d ? 1 : 0))), offset: Array(ndim).fill(0), cols: ndim });

/** Composes: inner maps a value's index from its consumer's index; outer maps the consumer's from the kernel's. */
function compose(inner: Affine, outer: Affine): Affine {
  const iterNd = outer.cols;
  return {
    rows: inner.rows.map((r) => Array.from({ length: iterNd }, (_, i) => r.reduce((s, c, j) => s + c * outer.rows[j]![i]!, 0))),
    offset: inner.rows.map((r, d) => inner.offset[d]! + r.reduce((s, c, j) => s + c * outer.offset[j]!, 0)),
    cols: iterNd,
  };
}

function loadOf(slot: Slot, aval: ShapedArray, view: Affine, ctx: BuildContext): Expr {
  const cs = contiguousStrides(aval.shape);
  const iterNd = view.cols;
  let input = ctx.inputs.indexOf(slot);
  if (input < 0) { input = ctx.inputs.length; ctx.inputs.push(slot); }
  const strides = Array.from({ length: iterNd }, (_, i) => view.rows.reduce((s, r, d) => s + cs[d]! * r[i]!, 0));
  const offset = view.offset.reduce((s, o, d) => s + cs[d]! * o, 0);
  return { op: "load", input, strides, offset, dtype: aval.dtype };
}

/** The view of an operand of shape `inShape` broadcast (numpy rules) into `outShape`. */
function broadcastView(inShape: readonly number[], outShape: readonly number[]): Affine {
  const lead = outShape.length - inShape.length;
  return {
    rows: inShape.map((d, j) => outShape.map((o, i) => (i === lead + j && !(d === 1 && o !== 1) ? 1 : 0))),
    offset: inShape.map(() => 0),
    cols: outShape.length,
  };
}

const REDUCERS: Partial<Record<Primitive, ReduceOp>> = {
  reduce_sum: "sum", reduce_max: "max", reduce_min: "min", reduce_prod: "prod", reduce_and: "and", reduce_or: "or",
};
type Reduction = "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod" | "reduce_and" | "reduce_or";
const isReduction = (e: Eqn): e is EqnOf<Reduction> => REDUCERS[e.prim] !== undefined;

/** A view primitive's map from output indices to operand indices (a row per operand axis). */
function viewMap(e: Eqn, inShape: readonly number[], outShape: readonly number[]): Affine {
  const cols = outShape.length, zeros = inShape.map(() => 0);
  switch (e.prim) {
    case "broadcast_in_dim": {
      const dims = e.params.broadcastDimensions;
      return { rows: inShape.map((d, j) => outShape.map((o, i) => (i === dims[j] && !(d === 1 && o !== 1) ? 1 : 0))), offset: zeros, cols };
    }
    case "transpose": {
      const rows = inShape.map(() => outShape.map(() => 0));
      e.params.permutation.forEach((src, i) => { rows[src]![i] = 1; });
      return { rows, offset: zeros, cols };
    }
    case "slice": {
      const { strides, start } = e.params;
      return { rows: inShape.map((_, d) => outShape.map((_, i) => (i === d ? strides?.[d] ?? 1 : 0))), offset: start, cols };
    }
    case "rev": {
      const flip = e.params.dimensions;
      return { rows: inShape.map((_, d) => outShape.map((_, i) => (i === d ? (flip.includes(d) ? -1 : 1) : 0))), offset: inShape.map((n, d) => (flip.includes(d) ? n - 1 : 0)), cols };
    }
    default:
      throw new Error(`internal: ${e.prim} is not a view`);
  }
}
/** Ops whose cost is far above a memory access; an expression containing one is never duplicated. */
const TRANSCENDENTAL = new Set<string>(["exp", "exp2", "log", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
  "tanh", "asinh", "acosh", "atanh", "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma", "pow", "atan2", "cbrt", "rem"]);
/** Arithmetic nodes an expression may have and still be recomputed by each of its consumers. */
const DUPLICATE_LIMIT = 4;
const VIEW_OPS = new Set<Primitive>(["broadcast_in_dim", "transpose", "slice", "rev", "reshape"]);

export interface LowerOptions {
  /** Fold a single elementwise consumer of a dot_general/conv into it (for backends that fuse them). */
  readonly epilogues?: boolean;
}

export function lowerJaxpr(jaxpr: Jaxpr, numConsts: number, constData: readonly (ArrayLike<number> | null)[], options: LowerOptions = {}): Program {
  const inlined = inlineCustomCalls(jaxpr);
  if (inlined !== jaxpr) jaxpr = checkAfter("pass inlineCustomCalls", inlined);
  const lowering = new Lowering(jaxpr);
  const { numArgs, constants } = lowering.bindInputs(numConsts, constData);
  for (const e of jaxpr.eqns) lowering.lowerEqn(e);
  const outputs = lowering.lowerOutputs();
  const { slots, steps } = lowering;
  if (options.epilogues) fuseEpilogues(steps, outputs, slots);
  planFrees(steps, outputs, lowering.pinned, slots.length);
  return makeProgram(slots, numArgs, constants, steps, outputs);
}

const viewOf = (lz: Lazy, view: Affine, ctx: BuildContext): Expr => (lz.kind === "slot" ? loadOf(lz.slot, lz.aval, view, ctx) : lz.build(view, ctx));

/** A pending expression that copies `src` (read row-major as its aval) into a buffer of its own. */
const copyOf = (src: Extract<Lazy, { kind: "slot" }>, aval: ShapedArray): Lazy =>
  ({ kind: "expr", aval, ops: 0, label: "copy", build: (view, ctx) => loadOf(src.slot, src.aval, view, ctx) });

/**
 * One lowering in progress: the slots allocated so far, the steps emitted, and what each
 * variable is now (a buffer, or an expression not yet computed that its consumers may fuse).
 */
class Lowering {
  readonly slots: ShapedArray[] = [];
  readonly steps: Step[] = [];
  /** The inputs' and constants' slots: the caller's buffers, never freed, copied when returned. */
  pinned: ReadonlySet<Slot> = new Set();
  private readonly env = new Map<Var, Lazy>();
  /** Reads of each variable (by equations and as an output): a shared expression may be stored rather than recomputed. */
  private readonly uses = new Map<Var, number>();
  private readonly outvarSet: ReadonlySet<Var>;

  constructor(private readonly jaxpr: Jaxpr) {
    const count = (a: Atom) => { if (a instanceof Var) this.uses.set(a, (this.uses.get(a) ?? 0) + 1); };
    for (const e of jaxpr.eqns) for (const a of e.inputs) count(a);
    for (const a of jaxpr.outvars) count(a);
    this.outvarSet = new Set(jaxpr.outvars.filter((a): a is Var => a instanceof Var));
  }

  private newSlot(aval: ShapedArray): Slot { this.slots.push(aval); return this.slots.length - 1; }

  /** Inputs: the jaxpr's invars are [...consts, ...args]; program inputs are the args, constants follow. */
  bindInputs(numConsts: number, constData: readonly (ArrayLike<number> | null)[]) {
    const args = this.jaxpr.invars.slice(numConsts), consts = this.jaxpr.invars.slice(0, numConsts);
    args.forEach((v) => this.env.set(v, { kind: "slot", slot: this.newSlot(v.aval), aval: v.aval }));
    const constants: { slot: Slot; data: ArrayLike<number>; aval: ShapedArray }[] = [];
    consts.forEach((v, i) => {
      const slot = this.newSlot(v.aval);
      constants.push({ slot, data: constData[i]!, aval: v.aval });
      this.env.set(v, { kind: "slot", slot, aval: v.aval });
    });
    this.pinned = new Set<Slot>(this.slots.map((_, i) => i));
    return { numArgs: args.length, constants };
  }

  private read(a: Atom): Lazy {
    if (!(a instanceof Literal)) return this.env.get(a)!;
    return { kind: "expr", aval: a.aval, ops: 0, label: "const", build: () => ({ op: "const", value: a.value, dtype: a.aval.dtype }) };
  }

  /** Computes a pending expression into a new slot with one fused kernel (a buffer is returned as is). */
  private materialize(lz: Lazy): Extract<Lazy, { kind: "slot" }> {
    if (lz.kind === "slot") return lz;
    const ctx: BuildContext = { inputs: [] };
    const expr = lz.build(identity(lz.aval.ndim), ctx);
    const out = this.newSlot(lz.aval);
    const kernel: FusedKernel = { kind: "fused", shape: lz.aval.shape, expr, reduce: null, inputs: ctx.inputs.map((s) => this.slots[s]!), output: lz.aval };
    this.steps.push({ kind: "kernel", kernel, inputs: ctx.inputs, output: out, source: lz.source, sources: lz.sources, label: lz.label });
    return { kind: "slot", slot: out, aval: lz.aval };
  }

  /**
   * Reads an operand for fusion. An expression used more than once is computed once into a
   * buffer unless it is cheap arithmetic, which is cheaper to recompute in each consumer than
   * to write and read back (these machines are memory-bound).
   */
  private fusible(a: Atom): Lazy {
    const lz = this.read(a);
    // A program output is stored anyway: its other readers load it rather than recompute it.
    const stored = a instanceof Var && this.outvarSet.has(a);
    if (lz.kind === "expr" && lz.ops > 0 && a instanceof Var && (this.uses.get(a) ?? 0) > 1 && (lz.ops > DUPLICATE_LIMIT || stored)) {
      const m = this.materialize(lz);
      this.env.set(a, m);
      return m;
    }
    return lz;
  }

  /** Materializes an operand once: later readers of the same variable reuse the buffer. */
  private materializeAtom(a: Atom) {
    const m = this.materialize(this.read(a));
    if (a instanceof Var) this.env.set(a, m);
    return m;
  }

  /**
   * An op reads its operands' shapes from their slots, so a reshaped view of another slot (a
   * free reshape for fused kernels) is copied into a slot of its own shape, once per variable.
   */
  private opInput(a: Atom): Slot {
    const m = this.materializeAtom(a);
    if (sameShape(this.slots[m.slot]!.shape, m.aval.shape)) return m.slot;
    const copy = this.materialize(copyOf(m, m.aval));
    if (a instanceof Var) this.env.set(a, copy);
    return copy.slot;
  }

  lowerEqn(e: Eqn) {
    if (ELEMENTWISE.has(e.prim) && e.outputs.length === 1) this.lowerElementwise(e);
    else if (VIEW_OPS.has(e.prim)) this.lowerView(e);
    else if (isReduction(e)) this.lowerReduction(e);
    else this.lowerOp(e);
  }

  /** An elementwise equation emits nothing: its output is an expression over its operands' expressions. */
  private lowerElementwise(e: Eqn) {
    const out = e.outputs[0]!;
    const operands = e.inputs.map((a) => this.fusible(a));
    const op = e.prim === "convert_element_type" ? "convert" : e.prim === "stop_gradient" ? null : e.prim;
    const outShape = out.aval.shape, dtype = out.aval.dtype;
    const ops = operands.reduce((s, o) => s + (o.kind === "expr" ? o.ops : 0), TRANSCENDENTAL.has(e.prim) ? DUPLICATE_LIMIT + 1 : 1);
    this.env.set(out, {
      kind: "expr", aval: out.aval, ops, source: e.source, sources: mergeSources(operands, e.source), label: operands.reduce<string>((s, o) => (o.kind === "expr" && o.ops > 0 ? `${o.label}·${s}` : s), e.prim),
      build: (view, ctx) => {
        const args = operands.map((o) => viewOf(o, compose(broadcastView(o.aval.shape, outShape), view), ctx));
        if (op === null) return args[0]!;
        return { op, args, dtype } as Expr;
      },
    });
  }

  /** A view is its operand read through an index map; a reshape is the operand's buffer read under the new shape. */
  private lowerView(e: Eqn) {
    const out = e.outputs[0]!;
    const base = this.fusible(e.inputs[0]!);
    if (e.prim === "reshape") {
      const m = this.materialize(base);
      this.env.set(out, { kind: "slot", slot: m.slot, aval: out.aval });
      return;
    }
    const map = viewMap(e, base.aval.shape, out.aval.shape);
    this.env.set(out, {
      kind: "expr", aval: out.aval, ops: base.kind === "expr" ? base.ops : 0, source: e.source, sources: mergeSources([base], e.source), label: base.kind === "expr" ? base.label : e.prim,
      build: (view, ctx) => viewOf(base, compose(map, view), ctx),
    });
  }

  /** A reduction is one kernel that absorbs the expression feeding it. */
  private lowerReduction(e: EqnOf<Reduction>) {
    const out = e.outputs[0]!;
    const src = this.fusible(e.inputs[0]!);
    const ctx: BuildContext = { inputs: [] };
    const expr = viewOf(src, identity(src.aval.ndim), ctx);
    const slot = this.newSlot(out.aval);
    const kernel: FusedKernel = { kind: "fused", shape: src.aval.shape, expr, reduce: { op: REDUCERS[e.prim]!, axes: e.params.axes }, inputs: ctx.inputs.map((s) => this.slots[s]!), output: out.aval };
    this.steps.push({ kind: "kernel", kernel, inputs: ctx.inputs, output: slot, source: e.source, sources: mergeSources([src], e.source), label: src.kind === "expr" ? `${src.label}·${e.prim}` : e.prim });
    this.env.set(out, { kind: "slot", slot, aval: out.aval });
  }

  /** Anything else is an op step over materialized operands, one new slot per output. */
  private lowerOp(e: Eqn) {
    // An operand aliased by a free reshape is copied out under its own shape: op kernels read their input avals from the slots.
    const inputs = e.inputs.map((a) => this.opInput(a));
    const outputs = e.outputs.map((v) => {
      const slot = this.newSlot(v.aval);
      this.env.set(v, { kind: "slot", slot, aval: v.aval });
      return slot;
    });
    // Spreading the equation keeps its primitive and params paired (a union member each).
    this.steps.push({ ...e, kind: "op", inputs, outputs, sources: e.source ? [e.source] : undefined });
  }

  /** Outputs: materialize; an output that is an input, a constant or another output is copied (the caller owns outputs). */
  lowerOutputs(): Slot[] {
    const outputs: Slot[] = [];
    for (const a of this.jaxpr.outvars) {
      let lz = this.read(a);
      if (lz.kind === "slot" && (this.pinned.has(lz.slot) || outputs.includes(lz.slot) || !sameShape(this.slots[lz.slot]!.shape, lz.aval.shape))) lz = copyOf(lz, a.aval);
      outputs.push(this.materialize(lz).slot);
    }
    // An output slot may have been produced with a different shape by a free reshape: record the output's own aval.
    this.jaxpr.outvars.forEach((a, i) => { this.slots[outputs[i]!] = a.aval; });
    return outputs;
  }
}

const EPILOGUE_HOSTS = new Set<string>(["dot_general", "conv_general_dilated"]);

/**
 * Folds an elementwise kernel into the matmul or conv whose result it alone reads, when it reads
 * that result element for element (same shape, identity strides) and its other inputs exist
 * before the op runs. The op's result then never goes to memory by itself.
 */
function fuseEpilogues(steps: Step[], outputs: readonly Slot[], slots: readonly ShapedArray[]) {
  const producedAt = new Map<Slot, number>();
  steps.forEach((s, i) => {
    if (s.kind === "kernel") producedAt.set(s.output, i);
    else if (s.kind === "op") s.outputs.forEach((o) => producedAt.set(o, i));
  });
  const readers = (slot: Slot) => steps.filter((s) => (s.kind === "kernel" || s.kind === "op") && s.inputs.includes(slot));
  for (let i = 0; i < steps.length; i++) {
    const op = steps[i]!;
    if (op.kind !== "op" || !EPILOGUE_HOSTS.has(op.prim) || op.outputs.length !== 1 || op.epilogue) continue;
    const result = op.outputs[0]!;
    if (outputs.includes(result)) continue;
    const rs = readers(result);
    const k = rs[0];
    if (rs.length !== 1 || !k || k.kind !== "kernel" || k.kernel.reduce) continue;
    const aval = slots[result]!;
    if (!sameShape(k.kernel.shape, aval.shape)) continue;
    const resultInput = k.inputs.indexOf(result);
    if (!readsIdentity(k.kernel.expr, resultInput, aval.shape)) continue;
    if (k.inputs.some((s, j) => j !== resultInput && (producedAt.get(s) ?? -1) > i)) continue;
    const at = steps.indexOf(k);
    const sources = [...(op.sources ?? []), ...(k.sources ?? []).filter((l) => !op.sources?.includes(l))];
    steps[i] = { ...op, outputs: [k.output], sources, epilogue: { kernel: k.kernel, resultInput, inputs: k.inputs.map((s, j) => (j === resultInput ? -1 : s)) } };
    steps.splice(at, 1);
  }
}

/** Every load of input `input` in the expression walks it row-major over `shape`. */
function readsIdentity(e: Expr, input: number, shape: readonly number[]): boolean {
  if (e.op === "load") {
    if (e.input !== input) return true;
    const cs = contiguousStrides(shape);
    return e.offset === 0 && e.strides.every((st, i) => st === cs[i] || shape[i] === 1);
  }
  if (e.op === "const" || e.op === "index") return true;
  return e.args.every((a) => readsIdentity(a, input, shape));
}

function sameShape(a: readonly number[], b: readonly number[]) { return a.length === b.length && a.every((d, i) => d === b[i]); }

/** Inserts free steps right after each intermediate's last use (the shared planner, memory-plan.ts). */
function planFrees(steps: Step[], outputs: readonly Slot[], pinned: ReadonlySet<Slot>, numSlots: number) {
  const freesAt = freePoints(steps.map(slotAccess), numSlots, (slot) => pinned.has(slot) || outputs.includes(slot));
  const original = [...steps];
  steps.length = 0;
  original.forEach((s, i) => {
    steps.push(s);
    const f = freesAt.get(i);
    if (f) steps.push({ kind: "free", slots: f });
  });
}

/** The slots a step reads and writes (an epilogue's reads count as its op's). */
function slotAccess(s: Step): SlotAccess {
  if (s.kind === "kernel") return { ins: s.inputs, outs: [s.output] };
  if (s.kind === "free") return { ins: [], outs: [] };
  return { ins: s.epilogue ? [...s.inputs, ...s.epilogue.inputs.filter((x) => x >= 0)] : s.inputs, outs: s.outputs };
}

function makeProgram(slots: ShapedArray[], numInputs: number, constants: Program["constants"], steps: Step[], outputs: Slot[]): Program {
  return {
    slots, numInputs, constants, steps, outputs,
    toString() {
      const name = (s: Slot) => `%${s}`;
      const lines = [`program(${slots.slice(0, numInputs).map((a, i) => `${name(i)}: ${a}`).join(", ")})`];
      for (const c of constants) lines.push(`  ${name(c.slot)} = constant ${c.aval}`);
      for (const s of steps) {
        if (s.kind === "free") lines.push(`  free ${s.slots.map(name).join(" ")}`);
        else if (s.kind === "kernel") lines.push(`  ${name(s.output)}: ${s.kernel.output} = fused[${s.label}${s.kernel.reduce ? ` reduce_${s.kernel.reduce.op}(${s.kernel.reduce.axes})` : ""}] over [${s.kernel.shape}] (${s.inputs.map(name).join(", ")})`);
        else {
          const ep = s.epilogue ? ` then fused[${s.epilogue.kernel.shape.length ? "epilogue" : ""}] (${s.epilogue.inputs.map((x) => (x < 0 ? "result" : name(x))).join(", ")})` : "";
          lines.push(`  ${s.outputs.map((o) => `${name(o)}: ${slots[o]}`).join(", ")} = ${s.prim} (${s.inputs.map(name).join(", ")})${ep}`);
        }
      }
      lines.push(`  return ${outputs.map(name).join(", ")}`);
      return lines.join("\n");
    },
  };
}
export { UNARY_PRIMITIVES, BINARY_PRIMITIVES };
