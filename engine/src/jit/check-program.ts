import type { Expr, FusedKernel, Program, Slot, Step } from "../backend/kernel.js";
import type { ShapedArray } from "../ir/aval.js";
import { IRCheckError, checkCallOperands } from "../ir/check.js";
import type { Jaxpr } from "../ir/jaxpr.js";
import { abstractEval } from "../ir/abstract-eval.js";
import { formatLocation } from "../ir/source.js";

/**
 * Validates the kernel IR (backend/kernel.ts) that lowering hands to a backend: every slot is
 * written once and read only while live (never after its free, never an input or constant
 * freed), every fused load stays inside its buffer and has its buffer's dtype, a kernel's output
 * is its slot's type, and an op step's outputs are what its primitive's shape rule gives.
 * enableChecks runs it after lowering, before the program reaches the backend.
 */
export function checkProgram(p: Program): void {
  const live = new Set<Slot>();
  for (let s = 0; s < p.numInputs; s++) live.add(s);
  for (const c of p.constants) live.add(c.slot);
  const pinned = new Set(live);
  const read = (s: Slot, where: string) => { if (!live.has(s)) throw new Error(`${where} reads slot %${s}, which is not live`); };
  const write = (s: Slot, where: string) => {
    if (s < 0 || s >= p.slots.length) throw new Error(`${where} writes slot %${s}, which does not exist`);
    if (live.has(s)) throw new Error(`${where} writes slot %${s} a second time`);
    live.add(s);
  };
  p.steps.forEach((step, k) => {
    const where = describeStep(step, k);
    if (step.kind === "free") {
      for (const s of step.slots) {
        if (pinned.has(s)) throw new Error(`${where} frees %${s}, an input or constant the program does not own`);
        if (p.outputs.includes(s)) throw new Error(`${where} frees %${s}, an output`);
        read(s, where);
        live.delete(s);
      }
      return;
    }
    step.inputs.forEach((s) => read(s, where));
    if (step.kind === "kernel") {
      checkKernel(step.kernel, step.inputs.map((s) => p.slots[s]!), where);
      sameType(step.kernel.output, p.slots[step.output]!, `${where}: its output`);
      write(step.output, where);
    } else {
      checkOpStep(p, step, where);
      step.outputs.forEach((s) => write(s, where));
    }
  });
  p.outputs.forEach((s) => read(s, "the program's outputs"));
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
/** Buffers are read row-major, so a free reshape keeps the dtype and the element count. */
function sameType(a: ShapedArray, b: ShapedArray, what: string) {
  if (a.dtype !== b.dtype || size(a.shape) !== size(b.shape)) throw new Error(`${what} is ${a} but its slot holds ${b}`);
}

function checkOpStep(p: Program, step: Extract<Step, { kind: "op" }>, where: string) {
  const ins = step.inputs.map((s) => p.slots[s]!);
  const outs = step.outputs.map((s) => p.slots[s]!);
  checkCallOperands(step, ins, where);
  const ep = step.epilogue;
  const expected = abstractEval(step.prim, ins, step.params);
  if (expected.length !== outs.length && !ep) throw new Error(`${where} has ${outs.length} outputs, its rule gives ${expected.length}`);
  if (ep) {
    ep.inputs.forEach((s, i) => { if (i !== ep.resultInput) { if (!p.slots[s]) throw new Error(`${where}: epilogue input ${i} is not a slot`); } });
    sameType(expected[0]!, ep.kernel.inputs[ep.resultInput]!, `${where}: the epilogue's result input`);
    checkKernel(ep.kernel, ep.kernel.inputs, `${where} (epilogue)`);
    sameType(ep.kernel.output, outs[0]!, `${where}: the epilogue's output`);
    return;
  }
  expected.forEach((x, i) => sameType(x, outs[i]!, `${where}: output ${i}`));
}

/** Every load in bounds and of its input's dtype; reduction axes inside the iteration shape. */
function checkKernel(k: FusedKernel, slotAvals: readonly ShapedArray[], where: string) {
  if (k.inputs.length !== slotAvals.length) throw new Error(`${where}: the kernel declares ${k.inputs.length} inputs, it is given ${slotAvals.length}`);
  k.inputs.forEach((a, i) => sameType(a, slotAvals[i]!, `${where}: kernel input ${i}`));
  const rank = k.shape.length;
  if (k.reduce) {
    if (k.reduce.axes.some((a) => a < 0 || a >= rank)) throw new Error(`${where}: reduction axes ${k.reduce.axes} outside the iteration shape [${k.shape}]`);
    const kept = k.shape.filter((_, i) => !k.reduce!.axes.includes(i));
    if (size(kept) !== size(k.output.shape)) throw new Error(`${where}: the reduction gives ${size(kept)} elements, the output holds ${size(k.output.shape)}`);
  } else if (size(k.shape) !== size(k.output.shape)) throw new Error(`${where}: the iteration shape [${k.shape}] does not fill the output ${k.output}`);
  if (size(k.shape) === 0) return;
  const visit = (e: Expr): void => {
    if (e.op === "load") checkLoad(e, k, where);
    else if (e.op === "index") { if (e.axis < 0 || e.axis >= rank) throw new Error(`${where}: index of axis ${e.axis} outside the iteration shape`); }
    else if (e.op !== "const") e.args.forEach(visit);
  };
  visit(k.expr);
}

function checkLoad(e: Extract<Expr, { op: "load" }>, k: FusedKernel, where: string) {
  const input = k.inputs[e.input];
  if (!input) throw new Error(`${where}: a load reads input ${e.input} of ${k.inputs.length}`);
  if (e.dtype !== input.dtype) throw new Error(`${where}: a load of input ${e.input} reads ${e.dtype} from ${input}`);
  if (e.strides.length !== k.shape.length) throw new Error(`${where}: a load has ${e.strides.length} strides for a rank-${k.shape.length} iteration`);
  let lo = e.offset, hi = e.offset;
  e.strides.forEach((s, i) => { const span = s * (k.shape[i]! - 1); if (span < 0) lo += span; else hi += span; });
  if (lo < 0 || hi >= size(input.shape)) throw new Error(`${where}: a load of input ${e.input} reaches elements ${lo}..${hi} of ${input} (out of bounds)`);
}

function describeStep(step: Step, k: number): string {
  const what = step.kind === "free" ? "free" : step.kind === "kernel" ? `fused[${step.label}]` : step.prim;
  const src = step.kind !== "free" && step.source ? ` at ${formatLocation(step.source)}` : "";
  return `step ${k} (${what}${src})`;
}

/** enableChecks after lowering: validates `program`, naming the jaxpr it was lowered from when it fails. */
export function checkLowered(program: Program, from: Jaxpr): void {
  try {
    checkProgram(program);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new IRCheckError("lowering", `${detail}\nin the program\n${program}\nlowered from\n${from}`);
  }
}
