import type { Slot } from "../kernel.js";
import { emptyBuffer, WebGPUBuffer } from "./buffer.js";
import { runControl } from "./control.js";
import type { ProgramPlan } from "./plan.js";
import type { Recorder } from "./recorder.js";
import type { GpuTimer, TimedRun } from "./timer.js";

/** The buffers of one run of a plan: every slot's, the outputs, and the copies that make outputs new. */
export interface Instance {
  readonly slots: readonly (WebGPUBuffer | undefined)[];
  readonly outs: readonly WebGPUBuffer[];
  readonly copies: readonly { readonly from: WebGPUBuffer; readonly to: WebGPUBuffer }[];
}

/**
 * Makes a run's buffers now (their device memory comes when the work runs). Outputs must be new
 * buffers: those that are inputs, constants or repeated are copies. `keepHost`: such a copy of
 * values known on the host takes them from the host (a top-level run, which records nothing
 * yet); a body run copies on the device, since writing a pooled buffer from the host while
 * commands that read its earlier contents are not submitted would change what they read.
 */
export function instantiate(plan: ProgramPlan, inputs: readonly WebGPUBuffer[], keepHost: boolean): Instance {
  const program = plan.program;
  if (inputs.length !== program.numInputs) throw new Error(`internal: webgpu program with ${inputs.length} inputs for ${program.numInputs}`);
  const slots: (WebGPUBuffer | undefined)[] = new Array(program.slots.length);
  inputs.forEach((b, i) => { slots[i] = b; });
  for (const c of plan.consts) slots[c.slot] = c.buf;
  for (const p of plan.steps) {
    if (p.kind === "dispatch") p.d.outputs.forEach((s, i) => { slots[s] = emptyBuffer(p.d.spec.outputs[i]!); });
    else if (p.kind === "control") p.op.outputs.forEach((s) => { slots[s] = emptyBuffer(program.slots[s]!); });
  }
  const seen = new Set<Slot>();
  const copies: { from: WebGPUBuffer; to: WebGPUBuffer }[] = [];
  const outs = program.outputs.map((s) => {
    const b = slots[s]!;
    if (!plan.borrowed.has(s) && !seen.has(s)) { seen.add(s); return b; }
    const host = keepHost && b.host ? b.host.slice() : null;
    const to = new WebGPUBuffer(b.bytes, b.aval, host);
    if (!host) copies.push({ from: b, to });
    return to;
  });
  return { slots, outs, copies };
}

/** Per-dispatch timing of a run (while a profile is recorded, for programs without control flow). */
export interface Timing { readonly timer: GpuTimer; readonly run: TimedRun }

/**
 * Records a run's commands in order. A plan that never waits for the host records everything
 * now and answers undefined; otherwise the answer settles when its last step has been recorded
 * (each cond/while step submits what came before and waits for its predicate).
 */
export function runPlan(rec: Recorder, plan: ProgramPlan, inst: Instance, timing?: Timing): void | Promise<void> {
  const step = (k: number) => runStep(rec, plan, inst, k, timing);
  const finish = () => { for (const c of inst.copies) rec.copy(c.from, 0, c.to, 0, c.from.bytes); };
  if (!plan.waits) {
    for (let k = 0; k < plan.steps.length; k++) void step(k);
    finish();
    return;
  }
  return (async () => {
    for (let k = 0; k < plan.steps.length; k++) await step(k);
    finish();
  })();
}

function runStep(rec: Recorder, plan: ProgramPlan, inst: Instance, k: number, timing?: Timing): void | Promise<void> {
  const p = plan.steps[k]!, slots = inst.slots;
  if (p.kind === "dispatch") {
    const ins = p.d.inputs.map((s) => slots[s]!), outs = p.d.outputs.map((s) => slots[s]!);
    if (timing) rec.dispatchIn(timing.timer.pass(timing.run, p.step), p.d.spec, ins, outs);
    else rec.dispatch(p.d.spec, ins, outs);
  } else if (p.kind === "free") {
    for (const s of p.slots) if (!plan.borrowed.has(s) && !plan.outputSlots.has(s) && slots[s]) rec.be.release(slots[s]!);
  } else {
    return runControl(rec, p.op, p.bodies, p.op.inputs.map((s) => slots[s]!), p.op.outputs.map((s) => slots[s]!), runBody);
  }
}

/** A body's run inside a control-flow step: new buffers, the same recorder; its outputs once recorded. */
function runBody(rec: Recorder, plan: ProgramPlan, inputs: readonly WebGPUBuffer[]): WebGPUBuffer[] | Promise<WebGPUBuffer[]> {
  const inst = instantiate(plan, inputs, false);
  const r = runPlan(rec, plan, inst);
  return r ? r.then(() => [...inst.outs]) : [...inst.outs];
}
