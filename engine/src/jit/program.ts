import { wrapBuffer, type DeviceArray } from "../array.js";
import { typedArrayFor } from "../dtype.js";
import type { Backend, Buffer, ControlStep, Executable } from "../backend/interface.js";
import type { Program } from "../backend/kernel.js";
import { runProgram } from "./executor.js";
import { referenceImpls, type DataPrimitive } from "../backend/reference/ops.js";
import { ShapedArray } from "../ir/aval.js";
import type { Jaxpr, Literal, Var } from "../ir/jaxpr.js";
import { lowerJaxpr } from "./lower.js";
import { checkAfter, checksEnabled } from "../ir/check.js";
import { checkLowered } from "./check-program.js";
import { cse, dce, fold } from "./passes.js";
import { formatLocation } from "../ir/source.js";

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

/**
 * A jaxpr compiled for one backend: run it on concrete arrays. Its control-flow steps run in the
 * engine by `controlStep` (the eval trace's, `../trace/eval.ts`), handed in so that this folder
 * imports no tracing and eager control flow can compile its bodies here.
 */
export class Compiled {
  readonly program: Program;
  private readonly constBufs: Buffer[];
  private readonly exe: Executable;
  constructor(readonly jaxpr: Jaxpr, readonly backend: Backend, numConsts: number, consts: readonly DeviceArray[], controlStep: ControlStep) {
    const data = consts.map((c) => c.dataSync());
    this.program = lowerJaxpr(jaxpr, numConsts, data, { epilogues: backend.fusesEpilogues === true });
    if (checksEnabled()) checkLowered(this.program, jaxpr);
    this.constBufs = this.program.constants.map((c, i) => backend.upload(data[i]!, c.aval));
    const engine = (inputs: readonly Buffer[]) => runProgram(this.program, backend, inputs, this.constBufs, controlStep);
    this.exe = backend.compile?.(this.program, (body) => compileBody(body, backend, controlStep).program, engine) ?? { run: engine };
  }
  /** The program's executable: the backend's, or the engine's executor (jit's donation asks it for runDonated). */
  get executable(): Executable { return this.exe; }
  /** Runs on the arrays' buffers (inputs are borrowed), returning new owned arrays. */
  run(args: readonly DeviceArray[]): DeviceArray[] {
    const inputs = args.map((a) => (a._backend === this.backend ? a._buffer : this.backend.upload(a.dataSync(), a._aval)));
    const outs = this.exe.run(inputs);
    return outs.map((b, i) => wrapBuffer(this.backend, b, this.program.slots[this.program.outputs[i]!]!));
  }
}

// Bodies of control flow are compiled once per jaxpr and backend.
const bodyCache = new WeakMap<Jaxpr, Map<Backend, Compiled>>();
export function compileBody(jaxpr: Jaxpr, backend: Backend, controlStep: ControlStep): Compiled {
  let m = bodyCache.get(jaxpr);
  if (!m) bodyCache.set(jaxpr, (m = new Map()));
  let c = m.get(backend);
  if (!c) m.set(backend, (c = new Compiled(optimize(jaxpr), backend, 0, [], controlStep)));
  return c;
}
export { ShapedArray, formatLocation };
