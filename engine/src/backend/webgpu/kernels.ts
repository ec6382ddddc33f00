import type { DType } from "../../dtype.js";
import type { Expr, FusedKernel, ReduceOp } from "../kernel.js";
import type { GpuLimits } from "./device.js";
import { ExprWriter, Helpers, fromStorage, literal, storageType, toStorage, unravelLines, wgslType } from "./wgsl.js";
import { Params } from "./params.js";
import { subgroupReduceLines } from "./subgroups.js";
import { contiguousStrides } from "../reference/strided.js";
import { ShapedArray } from "../../core/aval.js";
import type { OpSpec } from "./passes.js";
import { ACC_DTYPE, partialCount, twoPassReduction } from "./two-pass.js";

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

/**
 * Whether every load of an elementwise kernel reads either element i of a buffer laid out like
 * the output (row-major, offset 0) or one fixed element (a broadcast scalar), with no iota: then
 * the shader needs no sizes, only the flat index. The output's padding (buffers are rounded up to
 * 256 bytes) absorbs the threads past the end.
 */
export function isFlatKernel(k: FusedKernel): boolean {
  if (k.reduce) return false;
  const c = contiguousStrides(k.shape);
  const ok = (e: Expr): boolean => {
    if (e.op === "index") return false;
    if (e.op === "load") return e.strides.every((s) => s === 0) || (e.offset === 0 && e.strides.every((s, a) => s === c[a] || k.shape[a] === 1));
    if (e.op === "const") return true;
    return e.args.every(ok);
  };
  return ok(k.expr);
}

/**
 * WGSL for a fused kernel. Elementwise: one thread per output element. Reductions: one thread
 * per output when the reduced extent is small or the outputs are many, else one workgroup per
 * output combining its threads' partial results (with subgroup operations where the adapter has
 * them, else in workgroup memory). Sizes and strides are parameters (params.ts).
 */
export function fusedShader(k: FusedKernel, lim: GpuLimits, label = "fused", subgroups = false): OpSpec {
  const h = new Helpers();
  const p = new Params();
  const loadFn = (input: number, off: string) => fromStorage(k.inputs[input]!.dtype, `in${input}[u32(${off})]`);
  const n = size(k.shape);
  if (!k.reduce && isFlatKernel(k)) {
    // Only the flat index and the scalars' offsets: the same code for every rank as well.
    const w = new ExprWriter(h, () => { throw new Error("internal: index in a flat kernel"); }, loadFn, p, "i32(i)");
    const v = w.write(k.expr);
    const store = `out0[i] = ${toStorage(k.output.dtype, v, h)};`; // before h.render(): it may use a helper
    const wg = threads(lim);
    const nx = lim.maxComputeWorkgroupsPerDimension;
    const { grid } = grid1d(n, wg, lim);
    const code = `${header(k.inputs.map((a) => a.dtype), [k.output.dtype], p)}
${h.render()}
@compute @workgroup_size(${wg})
fn main(${ENTRY}) {
  let i = (wid.y * ${nx}u + wid.x) * ${wg}u + lid;
  if (i >= arrayLength(&out0)) { return; }
  ${[...w.lines, store].join("\n  ")}
}`;
    return { code, numInputs: k.inputs.length, outputs: [k.output], grid, label, params: p.data() };
  }
  if (!k.reduce) {
    const w = new ExprWriter(h, (a) => `i${a}`, loadFn, p);
    const v = w.write(k.expr);
    const body = [...unravelLines("i", k.shape, (a) => `i${a}`, p), ...w.lines, `out0[i] = ${toStorage(k.output.dtype, v, h)};`];
    return perItem(label, n, k.inputs, [k.output], h, body, lim, p);
  }
  const axes = k.reduce.axes;
  const kept = k.shape.map((_, a) => a).filter((a) => !axes.includes(a));
  const red = k.shape.map((_, a) => a).filter((a) => axes.includes(a));
  const O = size(kept.map((a) => k.shape[a]!)), R = size(red.map((a) => k.shape[a]!));
  const r = reducer(k.reduce.op, k.output.dtype, h);
  const w = new ExprWriter(h, (a) => `i${a}`, loadFn, p);
  const v = w.write(k.expr);
  const inner = [...unravelLines("j", red.map((a) => k.shape[a]!), (x) => `i${red[x]}`, p), ...w.lines, `acc = ${r.combine("acc", r.lift(v))};`];
  const outer = unravelLines("o", kept.map((a) => k.shape[a]!), (x) => `i${kept[x]}`, p);
  const wg = threads(lim);
  if (R <= 64 || O >= 4 * wg || O === 0) {
    const body = [
      "let o = i;", ...outer, `var acc: ${r.type} = ${r.init};`,
      `for (var j = 0u; j < ${p.u(R)}; j = j + 1u) {`, ...inner.map((l) => "  " + l), "}",
      `out0[o] = ${r.store("acc")};`,
    ];
    return perItem(label, O, k.inputs, [k.output], h, body, lim, p);
  }
  const C = partialCount(O, R, wg);
  const wgSpec = (chunks: number, out: ShapedArray) => workgroupReduction({ k, h, p, r, outer, inner, O, R, wg, chunks, out, label, subgroups }, lim);
  if (C === 1) return wgSpec(1, k.output);
  // Few outputs over a huge extent: partial results per chunk, then a pass combining them.
  const partials = new ShapedArray([O * C], ACC_DTYPE[r.type]!);
  return twoPassReduction(wgSpec(C, partials), partials, k, C, lim, subgroups);
}

/** What one workgroup-reduction shader needs: the kernel, its writers, and how many chunks each output's extent is cut into. */
interface WorkgroupReduction {
  k: FusedKernel; h: Helpers; p: Params; r: Reducer; outer: string[]; inner: string[];
  O: number; R: number; wg: number; chunks: number; out: ShapedArray; label: string; subgroups: boolean;
}

/**
 * A workgroup per (output, chunk of its reduced extent) combining its threads' partial results
 * (in subgroups where the adapter has them). One chunk: it stores the output; several: it
 * stores its raw accumulator (not narrowed, bool as u32) at its place in `out`, a partials buffer.
 */
function workgroupReduction(w: WorkgroupReduction, lim: GpuLimits): ShaderSpec {
  const { k, h, p, r, wg, chunks, subgroups } = w;
  const groups = w.O * chunks, chunk = Math.ceil(w.R / chunks);
  const { grid, nx } = grid1d(groups, 1, lim);
  const pC = p.u(chunks), pChunk = p.u(chunk);
  const start = `let g = wid.y * ${p.u(nx)} + wid.x;`, guard = `if (g >= ${p.u(groups)}) { return; }`;
  const range = `let o = g / ${pC}; let jEnd = min(${p.u(w.R)}, (g % ${pC} + 1u) * ${pChunk});`;
  const loop = `for (var j = (g % ${pC}) * ${pChunk} + lid; j < jEnd; j = j + ${wg}u) {`;
  const combine = subgroups ? subgroupReduceLines(r, wg) : workgroupReduceLines(r, wg);
  const store = chunks === 1 ? `if (lid == 0u) { out0[o] = ${r.store("acc")}; }` : "if (lid == 0u) { out0[g] = acc; }"; // before h.render(): it may use a helper
  const code = `${subgroups ? "enable subgroups;\n" : ""}${header(k.inputs.map((a) => a.dtype), [w.out.dtype], p)}
${h.render()}
var<workgroup> partial: array<${r.type}, ${wg}>;
@compute @workgroup_size(${wg})
fn main(${ENTRY}${subgroups ? ", @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgsize: u32" : ""}) {
  ${start}
  ${guard}
  ${range}
  ${w.outer.join("\n  ")}
  var acc: ${r.type} = ${r.init};
  ${loop}
    ${w.inner.join("\n    ")}
  }
  ${combine.join("\n  ")}
  ${store}
}`;
  return { code, numInputs: k.inputs.length, outputs: [w.out], grid, label: w.label, params: p.data() };
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
