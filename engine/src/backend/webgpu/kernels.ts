import type { Expr, FusedKernel } from "../kernel.js";
import type { GpuLimits } from "./device.js";
import { ExprWriter, Helpers, fromStorage, toStorage, unravelLines } from "./wgsl.js";
import { Params } from "./params.js";
import { subgroupReduceLines } from "./subgroups.js";
import { contiguousStrides } from "../reference/strided.js";
import { ShapedArray } from "../../ir/aval.js";
import type { OpSpec } from "./passes.js";
import { ACC_DTYPE, partialCount, twoPassReduction } from "./two-pass.js";
import { ENTRY, grid1d, header, perItem, reducer, size, threads, workgroupReduceLines, type Reducer, type ShaderSpec } from "./shader-parts.js";

export { ENTRY, bindings, grid1d, header, perItem, reducer, size, threads, workgroupReduceLines, type Reducer, type ShaderSpec } from "./shader-parts.js";

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
