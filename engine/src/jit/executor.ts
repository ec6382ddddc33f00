import type { Backend, Buffer, ControlStep } from "../backend/interface.js";
import type { OpStep, Program, Step } from "../backend/kernel.js";
import { withUserLocation } from "../ir/source.js";
import { hook } from "../profiler/hook.js";

/**
 * The one program executor: runs a lowered program step by step on a backend, following the
 * program's free steps (the memory plan, memory-plan.ts) and reporting each step's time to the
 * profiler. Every backend without a whole-program path of its own runs here (the reference
 * backend always; the native one for programs with control flow or a primitive its addon lacks;
 * its own path is one addon call per run, native/program.ts). Control-flow steps are the
 * engine's (they call back into traced programs), so they come in as `control`: this module
 * imports no tracing, and a backend may use it. Outputs are always new buffers the caller owns.
 */
export function runProgram(program: Program, backend: Backend, inputs: readonly Buffer[], constants: readonly Buffer[], control: ControlStep): Buffer[] {
  const bufs: (Buffer | undefined)[] = new Array(program.slots.length);
  for (let i = 0; i < inputs.length; i++) bufs[i] = inputs[i];
  const consts = program.constants;
  for (let i = 0; i < consts.length; i++) bufs[consts[i]!.slot] = constants[i];
  const steps = program.steps;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    const t0 = hook.recorder !== null && step.kind !== "free" ? performance.now() : -1;
    try {
      runStep(program, backend, step, bufs, control);
    } catch (e) {
      releaseMade(program, backend, bufs);
      const where = step.kind !== "free" && step.source ? step.source : undefined;
      throw e instanceof Error && where ? withUserLocation(e, where) : e;
    }
    if (t0 >= 0 && hook.recorder !== null) hook.recorder.step(program, k, t0, performance.now());
  }
  return freshOutputs(program, backend, bufs);
}

/**
 * The outputs, each a buffer of its own that the caller owns: one that is an input, a constant
 * or an earlier output is copied. lower.ts already copies such outputs, so this costs only the
 * checks for its programs; a program built otherwise (a backend's tests) may alias.
 */
function freshOutputs(program: Program, backend: Backend, bufs: readonly (Buffer | undefined)[]): Buffer[] {
  const outs = program.outputs;
  const result = new Array<Buffer>(outs.length);
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    const b = bufs[o]!;
    if (o < program.numInputs || isConstant(program, o) || outs.indexOf(o) < i) {
      const a = program.slots[o]!;
      result[i] = backend.execute("reshape", { shape: a.shape }, [b], [a], [a])[0]!;
    } else result[i] = b;
  }
  return result;
}

function isConstant(program: Program, slot: number): boolean {
  for (const c of program.constants) if (c.slot === slot) return true;
  return false;
}

function runStep(program: Program, backend: Backend, step: Step, bufs: (Buffer | undefined)[], control: ControlStep): void {
  const get = (s: number) => bufs[s]!;
  if (step.kind === "kernel") {
    bufs[step.output] = backend.runKernel(step.kernel, step.inputs.map(get));
  } else if (step.kind === "op") {
    const outs = runOp(program, backend, step, step.inputs.map(get), get, control);
    for (let i = 0; i < outs.length; i++) bufs[step.outputs[i]!] = outs[i];
  } else {
    for (const s of step.slots) { backend.free(bufs[s]!); bufs[s] = undefined; }
  }
}

function runOp(program: Program, backend: Backend, step: OpStep, args: Buffer[], get: (s: number) => Buffer, control: ControlStep): Buffer[] {
  const inAvals = step.inputs.map((s) => program.slots[s]!);
  const outAvals = step.outputs.map((s) => program.slots[s]!);
  const ctl = control(step, backend, args, inAvals, outAvals);
  if (ctl) return ctl;
  const ep = step.epilogue;
  if (!ep) return backend.execute(step.prim, step.params, args, inAvals, outAvals);
  // The op's result, then its epilogue kernel (a backend that fuses the two compiles programs itself).
  const [result] = backend.execute(step.prim, step.params, args, inAvals, [ep.kernel.inputs[ep.resultInput]!]);
  try {
    return [backend.runKernel(ep.kernel, ep.inputs.map((s, i) => (i === ep.resultInput ? result! : get(s))))];
  } finally {
    backend.free(result!);
  }
}

/** After a failed step: the buffers the run made so far (not its inputs or constants) go back to the backend. */
function releaseMade(program: Program, backend: Backend, bufs: (Buffer | undefined)[]): void {
  const given = new Set<Buffer>();
  for (let i = 0; i < program.numInputs; i++) if (bufs[i]) given.add(bufs[i]!);
  for (const c of program.constants) if (bufs[c.slot]) given.add(bufs[c.slot]!);
  for (const b of new Set(bufs)) if (b && !given.has(b)) backend.free(b);
}
