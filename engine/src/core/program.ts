import { borrowBuffer, takeBuffer, wrapBuffer, type DeviceArray } from "../array.js";
import { typedArrayFor } from "../dtype.js";
import type { Backend, Buffer, Executable } from "../backend/interface.js";
import type { OpStepOf, Program } from "../backend/kernel.js";
import type { Primitive } from "./primitives.js";
import { referenceImpls, type DataPrimitive } from "../backend/reference/ops.js";
import { ShapedArray } from "./aval.js";
import { controlImpls, type ControlImpl } from "./eval.js";
import type { Jaxpr, Literal, Var } from "./jaxpr.js";
import { lowerJaxpr } from "./lower.js";
import { checkAfter, checksEnabled } from "./check.js";
import { checkLowered } from "./check-program.js";
import { cse, dce, fold } from "./passes.js";
import { withUserLocation, formatLocation } from "./source.js";
import { evalTrace } from "./eval.js";
import { bind1, withTrace } from "./trace.js";
import { hook } from "./profile-hook.js";

/** The optimization pipeline jit applies before lowering, in order (enableChecks checks after each). */
const PASSES: readonly (readonly [string, (j: Jaxpr) => Jaxpr])[] = [
  ["dce", dce], ["cse", cse], ["fold", (j) => fold(j, evalScalar)], ["dce", dce],
];
export function optimize(j: Jaxpr): Jaxpr {
  for (const [name, pass] of PASSES) j = checkAfter(`pass ${name}`, pass(j));
  return j;
}

function evalScalar(prim: string, params: unknown, args: readonly Literal[], out: Var): number | undefined {
  const impl = referenceImpls[prim as DataPrimitive];
  if (!impl) return undefined;
  const ins = args.map((a) => { const t = typedArrayFor(a.aval.dtype, 1); t[0] = a.value; return t; });
  return impl(ins, params as never, args.map((a) => a.aval), [out.aval])[0]![0];
}

/** Runs a program step by step on a backend (used where the backend does not compile programs itself). */
/** The engine's implementation of a control-flow step with its params bound, or undefined for a backend's op. */
function controlOf<P extends Primitive>(step: OpStepOf<P>): ((args: readonly DeviceArray[], outAvals: readonly ShapedArray[]) => DeviceArray[]) | undefined {
  const impl: ControlImpl<P> | undefined = controlImpls[step.prim];
  return impl && ((args, outAvals) => impl(args, step.params, outAvals));
}

export function runProgramGeneric(program: Program, backend: Backend, inputs: readonly Buffer[], constants: readonly Buffer[]): Buffer[] {
  const bufs: (Buffer | undefined)[] = new Array(program.slots.length);
  for (let i = 0; i < inputs.length; i++) bufs[i] = inputs[i];
  program.constants.forEach((c, i) => { bufs[c.slot] = constants[i]; });
  const get = (s: number) => bufs[s]!;
  const steps = program.steps;
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    const t0 = hook.recorder !== null && step.kind !== "free" ? performance.now() : -1;
    try {
      if (step.kind === "kernel") {
        bufs[step.output] = backend.runKernel(step.kernel, step.inputs.map(get));
      } else if (step.kind === "op") {
        const control = controlOf(step);
        const inAvals = step.inputs.map((s) => program.slots[s]!);
        const outAvals = step.outputs.map((s) => program.slots[s]!);
        if (control) {
          const args = step.inputs.map((s, i) => borrowBuffer(backend, get(s), inAvals[i]!));
          const outs = withTrace(evalTrace, () => {
            const res = control(args, outAvals);
            // A loop that ran zero times hands back its inputs, which the program does not own.
            return res.map((r) => (args.includes(r) ? bind1("stop_gradient", [r], {}) : r));
          });
          step.outputs.forEach((s, i) => { bufs[s] = takeBuffer(outs[i]!); });
        } else if (step.epilogue) {
          // The op's result, then its epilogue kernel (a backend that fuses them compiles programs itself).
          const ep = step.epilogue;
          const resultAval = ep.kernel.inputs[ep.resultInput]!;
          const [result] = backend.execute(step.prim, step.params, step.inputs.map(get), inAvals, [resultAval]);
          bufs[step.outputs[0]!] = backend.runKernel(ep.kernel, ep.inputs.map((s, i) => (i === ep.resultInput ? result! : get(s))));
          backend.free(result!);
        } else {
          const outs = backend.execute(step.prim, step.params, step.inputs.map(get), inAvals, outAvals);
          step.outputs.forEach((s, i) => { bufs[s] = outs[i]; });
        }
      } else {
        for (const s of step.slots) { backend.free(bufs[s]!); bufs[s] = undefined; }
      }
    } catch (e) {
      const where = step.kind !== "free" && step.source ? step.source : undefined;
      throw e instanceof Error && where ? withUserLocation(e, where) : e;
    }
    if (t0 >= 0 && hook.recorder !== null) hook.recorder.step(program, k, t0, performance.now());
  }
  return program.outputs.map(get);
}

/** A jaxpr compiled for one backend: run it on concrete arrays. */
export class Compiled {
  readonly program: Program;
  private readonly constBufs: Buffer[];
  private readonly exe: Executable | undefined;
  constructor(readonly jaxpr: Jaxpr, readonly backend: Backend, numConsts: number, consts: readonly DeviceArray[]) {
    const data = consts.map((c) => c.dataSync());
    this.program = lowerJaxpr(jaxpr, numConsts, data, { epilogues: backend.fusesEpilogues === true });
    if (checksEnabled()) checkLowered(this.program, jaxpr);
    this.constBufs = this.program.constants.map((c, i) => backend.upload(data[i]!, c.aval));
    this.exe = backend.compile?.(this.program, (body) => compileBody(body, backend).program);
  }
  /** The backend's executable, where it compiled the program itself (jit's donation uses it). */
  get executable(): Executable | undefined { return this.exe; }
  /** Runs on the arrays' buffers (inputs are borrowed), returning new owned arrays. */
  run(args: readonly DeviceArray[]): DeviceArray[] {
    const inputs = args.map((a) => (a._backend === this.backend ? a._buffer : this.backend.upload(a.dataSync(), a._aval)));
    const outs = this.exe ? this.exe.run(inputs) : runProgramGeneric(this.program, this.backend, inputs, this.constBufs);
    return outs.map((b, i) => wrapBuffer(this.backend, b, this.program.slots[this.program.outputs[i]!]!));
  }
}

// Bodies of control flow are compiled once per jaxpr and backend.
const bodyCache = new WeakMap<Jaxpr, Map<Backend, Compiled>>();
export function compileBody(jaxpr: Jaxpr, backend: Backend): Compiled {
  let m = bodyCache.get(jaxpr);
  if (!m) bodyCache.set(jaxpr, (m = new Map()));
  let c = m.get(backend);
  if (!c) m.set(backend, (c = new Compiled(optimize(jaxpr), backend, 0, [])));
  return c;
}
export { ShapedArray, formatLocation };
