import type { ShapedArray } from "../../ir/aval.js";
import type { ShaderSpec } from "./kernels.js";

/**
 * An op that needs several dispatches and memory of its own between them (a bitonic sort's
 * index buffer, a two-pass reduction's partial results). It is still one op to everything
 * above the dispatch (the plan, the recorder, the timer, eager execution): the backend
 * records its passes in order in the current compute pass (WebGPU makes a dispatch's storage
 * writes visible to the next dispatch), with its scratch buffers taken from the pool for the
 * op and returned after it (later work reusing them is ordered after it).
 */
export interface MultiPassSpec {
  readonly label: string;
  readonly numInputs: number;
  readonly outputs: readonly ShapedArray[];
  /** Scratch buffers: 32-bit elements, made for the op and released after its passes. */
  readonly scratch: readonly ShapedArray[];
  readonly passes: readonly Pass[];
}

/** A binding of a pass: one of the op's inputs, one of its outputs, or one of its scratch buffers. */
export interface Ref { readonly of: "in" | "out" | "scratch"; readonly k: number }
/** One dispatch: its shader, and which buffers its inputs (read-only) and outputs (read-write) are. */
export interface Pass { readonly shader: ShaderSpec; readonly ins: readonly Ref[]; readonly outs: readonly Ref[] }

/** What a primitive or kernel runs as: one shader, or several passes. */
export type OpSpec = ShaderSpec | MultiPassSpec;

export const isMultiPass = (s: OpSpec): s is MultiPassSpec => "passes" in s;

export const inRef = (k: number): Ref => ({ of: "in", k });
export const outRef = (k: number): Ref => ({ of: "out", k });
export const scratchRef = (k: number): Ref => ({ of: "scratch", k });

/** The buffer a Ref names, among an op's inputs, outputs and scratch buffers. */
export function resolveRef<B>(r: Ref, ins: readonly B[], outs: readonly B[], scratch: readonly B[]): B {
  const list = r.of === "in" ? ins : r.of === "out" ? outs : scratch;
  const b = list[r.k];
  if (b === undefined) throw new Error(`internal: webgpu pass binding ${r.of}${r.k} out of range`);
  return b;
}
