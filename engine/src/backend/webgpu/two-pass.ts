import type { DType } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import type { FusedKernel } from "../kernel.js";
import type { GpuLimits } from "./device.js";
import { ENTRY, grid1d, header, reducer, threads, workgroupReduceLines, type ShaderSpec } from "./shader-parts.js";
import { Params } from "./params.js";
import { inRef, outRef, scratchRef, type MultiPassSpec } from "./passes.js";
import { subgroupReduceLines } from "./subgroups.js";
import { Helpers } from "./wgsl.js";

/**
 * A reduction of a huge extent to few outputs in two passes. With a workgroup per output, a sum
 * of 10^7 elements to one value runs on one workgroup (one core of a GPU, the rest idle); cut
 * into C chunks, C workgroups per output write partial results (their raw accumulators) to a
 * scratch buffer, and a second pass combines each output's C partials. Partials keep the
 * accumulator's type (float16 and int8 sums stay unrounded f32/i32 until the final store, as in
 * one pass; bool as u32), so the result differs from one pass only by the order of a sum.
 */

/** The scratch dtype holding an accumulator of each WGSL type. */
export const ACC_DTYPE: Record<string, DType> = { f32: "float32", i32: "int32", u32: "uint32" };

/** Elements a workgroup of the first pass reduces, per thread: enough work to hide the second pass. */
const PER_THREAD = 16;
/** Outputs from which a workgroup per output already fills a GPU. */
const MANY_OUTPUTS = 64;
/** At most this many partials per output: the second pass's workgroup reads them in a few steps. */
const MAX_CHUNKS = 1024;

/** How many chunks each output's extent R is cut into (1: one pass). */
export function partialCount(outputs: number, R: number, wg: number): number {
  if (outputs >= MANY_OUTPUTS) return 1;
  const c = Math.min(MAX_CHUNKS, Math.ceil(R / (PER_THREAD * wg)));
  return c >= 2 ? c : 1;
}

/** The first pass (chunks' partials into `partials`), then a workgroup per output combining its C partials. */
export function twoPassReduction(first: ShaderSpec, partials: ShapedArray, k: FusedKernel, C: number, lim: GpuLimits, subgroups: boolean): MultiPassSpec {
  const inputs = k.inputs.map((_, i) => inRef(i));
  return {
    label: first.label, numInputs: k.inputs.length, outputs: [k.output], scratch: [partials],
    passes: [
      { shader: first, ins: inputs, outs: [scratchRef(0)] },
      { shader: combineShader(partials, k, C, lim, subgroups), ins: [scratchRef(0)], outs: [outRef(0)] },
    ],
  };
}

function combineShader(partials: ShapedArray, k: FusedKernel, C: number, lim: GpuLimits, subgroups: boolean): ShaderSpec {
  const h = new Helpers(), p = new Params();
  const r = reducer(k.reduce!.op, k.output.dtype, h);
  const wg = threads(lim), O = k.output.size;
  const { grid, nx } = grid1d(O, 1, lim);
  const pC = p.u(C);
  const combine = subgroups ? subgroupReduceLines(r, wg) : workgroupReduceLines(r, wg);
  const store = `if (lid == 0u) { out0[o] = ${r.store("acc")}; }`; // before h.render(): it may use a helper
  const code = `${subgroups ? "enable subgroups;\n" : ""}${header([partials.dtype], [k.output.dtype], p)}
${h.render()}
var<workgroup> partial: array<${r.type}, ${wg}>;
@compute @workgroup_size(${wg})
fn main(${ENTRY}${subgroups ? ", @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgsize: u32" : ""}) {
  let o = wid.y * ${p.u(nx)} + wid.x;
  if (o >= ${p.u(O)}) { return; }
  var acc: ${r.type} = ${r.init};
  for (var j = lid; j < ${pC}; j = j + ${wg}u) { acc = ${r.combine("acc", `in0[o * ${pC} + j]`)}; }
  ${combine.join("\n  ")}
  ${store}
}`;
  return { code, numInputs: 1, outputs: [k.output], grid, label: "reduce (combine)", params: p.data() };
}
