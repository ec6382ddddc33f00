import type { ShapedArray } from "../../ir/aval.js";
import { typedArrayFor, type TypedArray } from "../../dtype.js";
import type { ParamsOf } from "../../ir/primitives.js";
import type { FusedKernel, OpStep, Program, Slot } from "../kernel.js";
import type { WebGPUBuffer } from "./buffer.js";
import type { OpSpec } from "./passes.js";
import { NotOnWebGPU } from "./wgsl.js";

/**
 * A program prepared for the device once (at jit compile time): each step's shader, its
 * constants uploaded, and the plans of the bodies of its control-flow steps, so running it
 * only records commands.
 */
export interface ProgramPlan {
  readonly program: Program;
  readonly steps: readonly PlannedStep[];
  readonly consts: readonly { readonly slot: Slot; readonly buf: WebGPUBuffer }[];
  /** Inputs and constants: a run does not own them (free steps skip them; outputs that are them are copied). */
  readonly borrowed: ReadonlySet<Slot>;
  readonly outputSlots: ReadonlySet<Slot>;
  /** Dispatch steps at this level (the profiler times each). */
  readonly dispatches: number;
  /** Whether it has control-flow steps (their runs are not timed per dispatch). */
  readonly hasControl: boolean;
  /** Whether a run waits for a value on the host (a cond's index, a while's predicate), here or in a body. */
  readonly waits: boolean;
  /** The constants of this plan and of every body: given device memory before a run records anything. */
  readonly allConsts: readonly WebGPUBuffer[];
}

export interface Dispatch { readonly spec: OpSpec; readonly inputs: readonly Slot[]; readonly outputs: readonly Slot[] }
export type ControlStep = Extract<OpStep, { prim: "cond" | "while" | "scan" | "pjit" }>;
export type PlannedStep =
  | { readonly kind: "dispatch"; readonly d: Dispatch; readonly step: number }
  | { readonly kind: "free"; readonly slots: readonly Slot[] }
  | { readonly kind: "control"; readonly op: ControlStep; readonly bodies: readonly ProgramPlan[] };

/** What planning needs of the backend. */
export interface Planning {
  fusedSpec(kernel: FusedKernel, label: string): OpSpec;
  opSpec(step: OpStep, program: Program): OpSpec;
  upload(data: TypedArray, aval: ShapedArray): WebGPUBuffer;
  /** The (cached) plan of a control-flow body, lowered by the engine. */
  bodyPlan(body: Program): ProgramPlan;
}
/** The engine's lowering of a body (jit/program.ts passes it to compile). */
export type LowerBody = (body: ParamsOf<"scan">["body"]) => Program;

const isControl = (s: OpStep): s is ControlStep => s.prim === "cond" || s.prim === "while" || s.prim === "scan" || s.prim === "pjit";

/** The programs a control-flow step runs: cond's branches, while's condition and body, scan's body, a call's program. */
function bodiesOf(s: ControlStep, lower: LowerBody): Program[] {
  switch (s.prim) {
    case "cond": return s.params.branches.map(lower);
    case "while": return [lower(s.params.cond), lower(s.params.body)];
    case "scan": return [lower(s.params.body)];
    case "pjit": return [lower(s.params.jaxpr)];
  }
}

export function planProgram(program: Program, p: Planning, lower: LowerBody | undefined): ProgramPlan {
  const steps: PlannedStep[] = program.steps.map((s, k) => {
    try {
      if (s.kind === "kernel") return { kind: "dispatch", d: { spec: p.fusedSpec(s.kernel, s.label), inputs: s.inputs, outputs: [s.output] }, step: k };
      if (s.kind === "free") return { kind: "free", slots: s.slots };
      if (s.epilogue) throw new Error("internal: webgpu programs carry no epilogues");
      if (isControl(s)) {
        if (!lower) throw new NotOnWebGPU(`${s.prim} in a program compiled without its bodies' lowering is not on webgpu`);
        return { kind: "control", op: s, bodies: bodiesOf(s, lower).map((b) => p.bodyPlan(b)) };
      }
      return { kind: "dispatch", d: { spec: p.opSpec(s, program), inputs: s.inputs, outputs: s.outputs }, step: k };
    } catch (e) {
      const where = s.kind !== "free" && s.source ? ` (at ${s.source.file}:${s.source.line}:${s.source.column})` : "";
      if (e instanceof Error && where && !e.message.endsWith(where)) e.message += where;
      throw e;
    }
  });
  const consts = program.constants.map((c) => {
    const data = typedArrayFor(c.aval.dtype, c.aval.size);
    for (let i = 0; i < data.length; i++) data[i] = c.data[i]!;
    return { slot: c.slot, buf: p.upload(data, c.aval) };
  });
  const control = steps.filter((s) => s.kind === "control");
  return {
    program, steps, consts,
    borrowed: new Set<Slot>([...Array(program.numInputs).keys(), ...consts.map((c) => c.slot)]),
    outputSlots: new Set(program.outputs),
    dispatches: steps.filter((s) => s.kind === "dispatch").length,
    hasControl: control.length > 0,
    waits: control.some((s) => s.op.prim === "cond" || s.op.prim === "while" || s.bodies.some((b) => b.waits)),
    allConsts: [...consts.map((c) => c.buf), ...control.flatMap((s) => s.bodies.flatMap((b) => b.allConsts))],
  };
}
