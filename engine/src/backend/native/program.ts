import { typedArrayFor } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import type { Buffer, Executable, ProgramRunner } from "../interface.js";
import type { Epilogue, OpStep, Program } from "../kernel.js";
import type { NativeBackend } from "./backend.js";
import { NativeBuffer, onHeap } from "./buffer.js";
import { donationCandidates, epilogueFeedsDonation } from "./donation.js";
import type { FusedKernel } from "../kernel.js";
import { storageBytes } from "./codes.js";
import { encodeKernel } from "./encode.js";
import { lowerPrimitive, opCodesRef, type NativeStep } from "./lower.js";
import { hook } from "../../profiler/hook.js";
import { liveness, packArena } from "../../jit/memory-plan.js";

const CONTROL_FLOW = new Set(["pjit", "cond", "scan", "while", "custom_jvp_call", "custom_vjp_call"]);
const SLOT_INPUT = 0, SLOT_CONST = 1, SLOT_ARENA = 2, SLOT_FRESH = 3;

const programReaper = new FinalizationRegistry<{ addon: NativeBackend["addon"]; id: number }>(({ addon, id }) => addon.destroyProgram(id));
const bytesOf = (a: ShapedArray) => a.size * storageBytes(a.dtype);

/**
 * Compiles a program for the addon: each step becomes one native op; slots whose lifetimes do
 * not overlap share memory in one arena (the shared planner, jit/memory-plan.ts); a call runs
 * every step in one addon call. Programs with control flow, or with a primitive the addon lacks,
 * run in the engine's executor (`engine`, jit/executor.ts), step by step through this backend;
 * undefined where the caller gave none (the engine then runs it itself).
 */
export function compileProgram(be: NativeBackend, program: Program, engine?: ProgramRunner): Executable | undefined {
  const inEngine = () => (engine ? freesDonated(be, { run: engine }) : undefined);
  if (program.steps.some((s) => s.kind === "op" && CONTROL_FLOW.has(s.prim))) return inEngine();
  const slots: ShapedArray[] = [...program.slots];
  const native = nativeSteps(program, slots);
  if (!native) return inEngine();
  const layout = slotLayout(be, program, slots);
  // Memory plan over the native steps (an op's temporaries are slots of their own).
  const live = liveness(native, layout.bytes.length);
  const arenaSlots = [...Array(layout.bytes.length).keys()].filter((s) => layout.kind[s] === SLOT_ARENA && live.def[s] !== -1);
  const arena = packArena(arenaSlots, layout.bytes, live);
  const id = createNativeProgram(be, program, native, layout, arena);
  return programExecutable(be, program, id, native, layout, arena.size);
}

/** A native op and the slots it reads and writes; `from` is the program step it came from (the profiler's per-step times). */
interface NativeEntry { step: NativeStep; ins: number[]; outs: number[]; from: number; kernel?: FusedKernel }

/** Each slot's size and kind (input, constant, arena, fresh output) and each constant's uploaded address. */
interface SlotLayout { bytes: number[]; kind: number[]; constPtr: number[] }

/**
 * The program's steps as native ops; the temporaries they need are appended to `slots`.
 * Undefined where the addon lacks one of the program's primitives.
 */
function nativeSteps(program: Program, slots: ShapedArray[]): NativeEntry[] | undefined {
  const native: NativeEntry[] = [];
  for (let from = 0; from < program.steps.length; from++) {
    const s = program.steps[from]!;
    if (s.kind === "free") continue;
    if (s.kind === "kernel") native.push(kernelEntry(s.kernel, [...s.inputs], s.output, from));
    else if (!pushOpSteps(program, s, from, slots, native)) return undefined;
  }
  return native;
}

function kernelEntry(kernel: FusedKernel, ins: number[], output: number, from: number): NativeEntry {
  const enc = encodeKernel(kernel, opCodesRef.current!);
  return { step: { enc, outBytes: [bytesOf(kernel.output)], ins: [], outs: [] }, ins, outs: [output], from, kernel };
}

/** Pushes an op step's native ops, then its epilogue's kernel; false where the addon lacks the primitive. */
function pushOpSteps(program: Program, s: OpStep, from: number, slots: ShapedArray[], native: NativeEntry[]): boolean {
  const inAvals = s.inputs.map((i) => slots[i]!);
  const ep = s.epilogue;
  const resultSlot = ep ? epilogueResultSlot(program, s, ep, slots) : -1;
  const outAvals = ep ? [ep.kernel.inputs[ep.resultInput]!] : s.outputs.map((i) => slots[i]!);
  const outSlots = ep ? [resultSlot] : s.outputs;
  const lowered = lowerPrimitive(s.prim, s.params, inAvals, outAvals);
  if (!lowered) return false;
  const tmpSlots = lowered.temps.map((bytes) => { slots.push(tmpAval(bytes)); return slots.length - 1; });
  for (const st of lowered.steps) {
    const map = (r: { kind: string; index: number }) => (r.kind === "in" ? s.inputs[r.index]! : r.kind === "out" ? outSlots[r.index]! : tmpSlots[r.index]!);
    native.push({ step: st, ins: st.ins.map(map), outs: st.outs.map(map), from });
  }
  if (ep) native.push(kernelEntry(ep.kernel, ep.inputs.map((x, i) => (i === ep.resultInput ? resultSlot : x)), s.outputs[0]!, from));
  return true;
}

/**
 * Where an op with an epilogue (bias, activation, residual add after a matmul or conv) writes
 * its result: the step's output slot, which the kernel then rewrites in place (elementwise,
 * each element read before it is written), or, when sizes differ or it reduces, a planned
 * temporary (appended to `slots`); either way in the same native call, with no allocation.
 */
function epilogueResultSlot(program: Program, s: OpStep, ep: Epilogue, slots: ShapedArray[]): number {
  const ra = ep.kernel.inputs[ep.resultInput]!, oa = slots[s.outputs[0]!]!;
  // Not in place when the epilogue reads a program input where it writes (an SGD update):
  // a donated input's memory can then hold the output (donation.ts).
  const inPlace = ep.kernel.reduce === null && bytesOf(ra) === bytesOf(oa) && storageBytes(ra.dtype) === storageBytes(oa.dtype) &&
    ep.inputs.every((x, i) => i === ep.resultInput || x !== s.outputs[0]) &&
    !epilogueFeedsDonation(ep.kernel, ep.inputs, s.outputs[0]!, program.numInputs, (x) => bytesOf(slots[x]!));
  if (inPlace) return s.outputs[0]!;
  slots.push(tmpAval(bytesOf(ra)));
  return slots.length - 1;
}

/** Sizes and kinds of every slot (the program's and the temporaries'); uploads the constants. */
function slotLayout(be: NativeBackend, program: Program, slots: readonly ShapedArray[]): SlotLayout {
  const S = slots.length;
  const bytes = slots.map((a, i) => (i < program.slots.length ? bytesOf(a) : (a as any).bytes as number));
  const kind = new Array<number>(S).fill(SLOT_ARENA);
  for (let i = 0; i < program.numInputs; i++) kind[i] = SLOT_INPUT;
  const constPtr = new Array<number>(S).fill(0);
  for (const c of program.constants) {
    kind[c.slot] = SLOT_CONST;
    constPtr[c.slot] = be.addon.upload(hostData(c));
  }
  for (const o of program.outputs) if (kind[o] === SLOT_ARENA) kind[o] = SLOT_FRESH;
  return { bytes, kind, constPtr };
}

/** Creates the addon's ops and the program that runs them in one call; returns its id. */
function createNativeProgram(be: NativeBackend, program: Program, native: readonly NativeEntry[], layout: SlotLayout, arena: { offsets: number[]; size: number }): number {
  const ids = native.map((n) => be.addon.createOp(n.step.enc, new Float64Array(n.step.outBytes)));
  // Crash reports name the program step and the user's line it came from.
  native.forEach((n, k) => be.addon.labelOp(ids[k]!, stepLabel(program.steps[n.from]!)));
  const { bytes, kind, constPtr } = layout;
  const enc: number[] = [bytes.length, program.numInputs, ...bytes, ...kind, ...arena.offsets, ...constPtr, arena.size, native.length];
  native.forEach((n, k) => enc.push(ids[k]!, n.ins.length, ...n.ins, n.outs.length, ...n.outs));
  enc.push(program.outputs.length, ...program.outputs);
  return be.addon.createProgram(new Float64Array(enc));
}

/** The executable over native program `id`: a run is one addon call (the hot path: nothing here allocates but the outputs). */
function programExecutable(be: NativeBackend, program: Program, id: number, native: readonly NativeEntry[], layout: SlotLayout, arenaBytes: number): Executable {
  const { bytes, kind } = layout;
  const outBytes = program.outputs.map((o) => bytes[o]!);
  const heap = outBytes.map(onHeap);
  const numInputs = program.numInputs, numOutputs = outBytes.length;
  const addon = be.addon, io = be.io;
  const stepOf = Int32Array.from(native, (n) => n.from);
  // Which inputs each output may be written into when donated (donation.ts).
  const candidates = donationCandidates(native, numInputs, program.outputs, kind, bytes);
  /** Runs the program; output k goes into the memory of input `into[k]` where that is >= 0. */
  const exec = (inputs: readonly Buffer[], into?: readonly number[]): Buffer[] => {
    if (inputs.length !== numInputs) throw new Error(`native program: ${inputs.length} inputs for ${numInputs}`);
    for (let i = 0; i < numInputs; i++) {
      const p = (inputs[i] as NativeBuffer).ptr;
      if (!p) throw new Error("native backend: use of a freed buffer");
      io[i] = p;
    }
    // Outputs up to HEAP_MAX_BYTES are JavaScript ArrayBuffers the program writes into (the
    // collector frees them, also inside a synchronous loop); larger ones are native blocks.
    // They are made here (backend.heapBuffer: slab slices when small, pool blocks when large)
    // and passed by address; a donated input's buffer is passed by its own address.
    const dest = new Array<number | undefined>(numOutputs);
    const out = new Array<Buffer>(numOutputs);
    for (let k = 0; k < numOutputs; k++) {
      const i = into ? into[k]! : -1;
      if (i >= 0) { dest[k] = (inputs[i] as NativeBuffer).ptr; continue; }
      if (!heap[k]) continue;
      const b = be.heapBuffer(outBytes[k]!);
      out[k] = b;
      dest[k] = b.ptr;
    }
    addon.runProgram(id, dest);
    if (hook.recorder !== null) be.reportProgram(program, stepOf);
    for (let k = 0; k < numOutputs; k++) {
      const i = into ? into[k]! : -1;
      if (i >= 0) out[k] = be.takeOver(inputs[i] as NativeBuffer);
      else if (out[k] === undefined) out[k] = new NativeBuffer(io[k]!, outBytes[k]!);
    }
    return out;
  };
  const exe: Executable & { arenaBytes: number } = {
    arenaBytes,
    run: (inputs) => exec(inputs),
    runDonated(inputs, donate) {
      const usable = donatable(inputs, donate);
      const into = new Array<number>(numOutputs).fill(-1);
      for (let k = 0; k < numOutputs; k++) {
        for (const i of candidates[k]!) if (usable[i]) { into[k] = i; usable[i] = false; break; }
      }
      const out = exec(inputs, into);
      freeUnused(be, inputs, donate, into);
      return out;
    },
  };
  programReaper.register(exe, { addon, id });
  return exe;
}

function stepLabel(s: Program["steps"][number]): string {
  if (s.kind === "free") return "free";
  const what = s.kind === "kernel" ? `fused[${s.label}] -> ${s.kernel.output}` : `${s.prim}${s.epilogue ? "+epilogue" : ""}`;
  const at = s.source ? ` at ${s.source.file}:${s.source.line}:${s.source.column}` : "";
  return `jit step ${what}${at}`;
}

function hostData(c: Program["constants"][number]) {
  const data = typedArrayFor(c.aval.dtype, c.aval.size);
  for (let i = 0; i < data.length; i++) data[i] = c.data[i]!;
  return data;
}

function tmpAval(bytes: number): ShapedArray {
  return { bytes } as unknown as ShapedArray;
}

/**
 * Donated inputs that may be written in place: each buffer once, and not one that is also
 * passed at a position that is not donated (that position reads it, possibly after the write).
 */
function donatable(inputs: readonly Buffer[], donate: readonly boolean[]): boolean[] {
  const count = new Map<Buffer, number>();
  for (const b of inputs) count.set(b, (count.get(b) ?? 0) + 1);
  return inputs.map((b, i) => donate[i] === true && count.get(b) === 1);
}

/** After a run: donated buffers that no output took go back to the backend (the pool) at once. */
function freeUnused(be: NativeBackend, inputs: readonly Buffer[], donate: readonly boolean[], into: readonly number[]): void {
  const taken = new Set(into.filter((i) => i >= 0).map((i) => inputs[i]!));
  const done = new Set<Buffer>();
  inputs.forEach((b, i) => {
    if (!donate[i] || taken.has(b) || done.has(b)) return;
    done.add(b);
    be.free(b);
  });
}

/** The engine's executor takes donation as an early free (its outputs are always new buffers: lower.ts copies aliases). */
function freesDonated(be: NativeBackend, exe: Executable): Executable {
  return {
    run: (inputs) => exe.run(inputs),
    runDonated(inputs, donate) {
      const out = exe.run(inputs);
      freeUnused(be, inputs, donate, []);
      return out;
    },
  };
}
