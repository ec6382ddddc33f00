// The pieces every WebGPU shader is built from: the dispatch spec, grids, bindings and header,
// the one-thread-per-item shape, and reductions' combiners and workgroup-memory tree. Shared by
// the fused kernels (kernels.ts), the two-pass reduction and the ops.
import type { DType } from "../../dtype.js";
import type { ReduceOp } from "../kernel.js";
import type { GpuLimits } from "./device.js";
import { literal, storageType, toStorage, wgslType, type Helpers } from "./wgsl.js";
import type { Params } from "./params.js";
import type { ShapedArray } from "../../ir/aval.js";

/**
 * A compute shader ready to dispatch: its WGSL (which is also the pipeline cache key: it holds
 * the kernel's structure and dtypes, while sizes, strides and offsets are in `params`), its
 * bindings (inputs read-only, then outputs, then the parameters' uniform buffer when there are
 * any) and its grid of workgroups.
 */
export interface ShaderSpec {
  readonly code: string;
  readonly numInputs: number;
  readonly outputs: readonly ShapedArray[];
  readonly grid: readonly [number, number, number];
  readonly label: string;
  /** The uniform buffer's contents (Params.data()); empty when the shader reads none. */
  readonly params: Uint32Array;
}

export const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/** Workgroups covering n items of `per` each, split over x and y when x alone would pass the limit. */
export function grid1d(n: number, per: number, lim: GpuLimits): { grid: [number, number, number]; nx: number } {
  const groups = Math.max(1, Math.ceil(n / per));
  const max = lim.maxComputeWorkgroupsPerDimension;
  const nx = Math.min(groups, max);
  const ny = Math.ceil(groups / nx);
  if (ny > max) throw new Error(`webgpu: ${n} elements need more workgroups than the adapter allows (${max} x ${max})`);
  return { grid: [nx, ny, 1], nx };
}

/** The binding declarations: inputs `in{k}` read-only, outputs `out{k}` read-write. */
export function bindings(inputs: readonly DType[], outputs: readonly DType[]): string {
  const lines = inputs.map((d, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${storageType(d)}>;`);
  outputs.forEach((d, k) => lines.push(`@group(0) @binding(${inputs.length + k}) var<storage, read_write> out${k}: array<${storageType(d)}>;`));
  return lines.join("\n");
}

/** The storage bindings, then the parameters' uniform: call after every parameter was added. */
export function header(inputs: readonly DType[], outputs: readonly DType[], p: Params): string {
  const decl = p.declare(inputs.length + outputs.length);
  return decl ? `${bindings(inputs, outputs)}\n${decl}` : bindings(inputs, outputs);
}

/** The workgroup size for one-thread-per-item shaders, within the adapter's limits. */
export const threads = (lim: GpuLimits) => Math.min(256, lim.maxComputeInvocationsPerWorkgroup, lim.maxComputeWorkgroupSizeX);

export const ENTRY = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** A shader running `body` once per item i < n (i: u32); `p` holds the parameters `body` reads. */
export function perItem(label: string, n: number, inputs: readonly ShapedArray[], outputs: readonly ShapedArray[], h: Helpers, body: readonly string[], lim: GpuLimits, p: Params, decls = ""): ShaderSpec {
  const wg = threads(lim);
  const { grid, nx } = grid1d(n, wg, lim);
  const start = `let i = (wid.y * ${p.u(nx)} + wid.x) * ${wg}u + lid;`, guard = `if (i >= ${p.u(n)}) { return; }`;
  const code = `${header(inputs.map((a) => a.dtype), outputs.map((a) => a.dtype), p)}
${h.render()}
${decls}
@compute @workgroup_size(${wg})
fn main(${ENTRY}) {
  ${start}
  ${guard}
  ${body.join("\n  ")}
}`;
  return { code, numInputs: inputs.length, outputs, grid, label, params: p.data() };
}

/** The accumulator of a reduction: its WGSL type, initial value and combine (bool reduces as u32 0/1). */
export interface Reducer { type: string; init: string; combine: (a: string, b: string) => string; lift: (v: string) => string; store: (acc: string) => string }
export function reducer(op: ReduceOp, d: DType, h: Helpers): Reducer {
  const t = wgslType(d);
  if (t === "bool") {
    const and = op === "and" || op === "min" || op === "prod";
    return { type: "u32", init: and ? "1u" : "0u", combine: (a, b) => (and ? `min(${a}, ${b})` : `max(${a}, ${b})`), lift: (v) => `select(0u, 1u, ${v})`, store: (a) => a };
  }
  const store = (a: string) => toStorage(d, a, h);
  const lift = (v: string) => v;
  const lowest = t === "f32" ? -Infinity : t === "i32" ? -2147483648 : 0;
  const highest = t === "f32" ? Infinity : t === "i32" ? 2147483647 : 4294967295;
  switch (op) {
    case "sum": return { type: t, init: literal(0, d), combine: (a, b) => `${a} + ${b}`, lift, store };
    case "prod": return { type: t, init: literal(1, d), combine: (a, b) => `${a} * ${b}`, lift, store };
    case "max":
      if (t === "f32") h.use("fmax");
      return { type: t, init: literal(lowest, d, h), combine: (a, b) => (t === "f32" ? `fmax_(${a}, ${b})` : `max(${a}, ${b})`), lift, store };
    case "min":
      if (t === "f32") h.use("fmin");
      return { type: t, init: literal(highest, d, h), combine: (a, b) => (t === "f32" ? `fmin_(${a}, ${b})` : `min(${a}, ${b})`), lift, store };
    case "and": case "or": {
      const zero = literal(0, d), one = literal(1, d);
      // & and | (not && and ||): no short circuit, so a subgroup shuffle in b stays in uniform control flow.
      return op === "and"
        ? { type: t, init: one, combine: (a, b) => `select(${zero}, ${one}, (${a} != ${zero}) & (${b} != ${zero}))`, lift, store }
        : { type: t, init: zero, combine: (a, b) => `select(${zero}, ${one}, (${a} != ${zero}) | (${b} != ${zero}))`, lift, store };
    }
  }
}

/** A tree over workgroup memory: `acc` of thread 0 ends as the workgroup's result. */
export function workgroupReduceLines(r: Reducer, wg: number): string[] {
  return [
    "partial[lid] = acc;",
    "workgroupBarrier();",
    `for (var s = ${wg >> 1}u; s > 0u; s = s >> 1u) {`,
    `  if (lid < s) { partial[lid] = ${r.combine("partial[lid]", "partial[lid + s]")}; }`,
    "  workgroupBarrier();",
    "}",
    "acc = partial[0];",
  ];
}
