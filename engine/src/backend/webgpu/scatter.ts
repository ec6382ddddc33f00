import { ShapedArray } from "../../ir/aval.js";
import type { ParamsOf } from "../../ir/primitives.js";
import type { GpuLimits } from "./device.js";
import { perItem, size, type ShaderSpec } from "./kernels.js";
import { Params } from "./params.js";
import { inRef, outRef, scratchRef, type MultiPassSpec, type Pass } from "./passes.js";
import { indexSortPasses } from "./sort.js";
import { Helpers, convert, fromStorage, toStorage, wgslType } from "./wgsl.js";

/**
 * scatter (operand.at[(:,)*axis + (indices,)] op= updates) without one thread walking every
 * update. Updates to one destination must combine in their order (set: the last wins; float
 * sums in order, as the reference), so the indices are first sorted stably (sort.ts's bitonic
 * index sort): the updates of each destination then form a run in their original order. Passes:
 * the operand copied to the output; the index sort; then one thread per (run start, column)
 * combines its run into the destination. Updates combine at 32 bits and the destination is
 * narrowed to its dtype (float16 rounded, int8 wrapped) once, as the reference does;
 * out-of-range indices are dropped, as in JAX.
 */
export function scatterSpec(p: ParamsOf<"scatter">, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits): MultiPassSpec {
  const [x, ind, u] = ins as [ShapedArray, ShapedArray, ShapedArray];
  const m = ind.size;
  const copy: Pass = { shader: copyShader(x, outs[0]!, lim), ins: [inRef(0)], outs: [outRef(0)] };
  if (m === 0) return { label: "scatter", numInputs: 3, outputs: outs, scratch: [], passes: [copy] };
  const flatIndices = new ShapedArray([m], ind.dtype);
  const sorted = indexSortPasses([flatIndices], [inRef(1)], scratchRef(0), 0, lim);
  const apply: Pass = { shader: applyShader(p, x, ind, u, sorted.idx, lim), ins: [inRef(1), inRef(2), scratchRef(0)], outs: [outRef(0)] };
  return { label: "scatter", numInputs: 3, outputs: outs, scratch: [sorted.idx], passes: [copy, ...sorted.passes, apply] };
}

function copyShader(x: ShapedArray, out: ShapedArray, lim: GpuLimits): ShaderSpec {
  return perItem("scatter", x.size, [x], [out], new Helpers(), ["out0[i] = in0[i];"], lim, new Params());
}

/** `cur` op= `v` in the dtype's values (bool as bool), not narrowed. */
function combineOf(mode: ParamsOf<"scatter">["mode"], t: string, h: Helpers): (cur: string, v: string) => string {
  if (mode === "set") return (_c, v) => v;
  if (mode === "add") return (c, v) => (t === "bool" ? `(${c} || ${v})` : `${c} + ${v}`);
  if (mode === "mul") return (c, v) => (t === "bool" ? `(${c} && ${v})` : `${c} * ${v}`);
  if (t === "f32") {
    h.use(mode === "min" ? "fmin" : "fmax");
    return (c, v) => `${mode === "min" ? "fmin_" : "fmax_"}(${c}, ${v})`;
  }
  if (t === "bool") return (c, v) => (mode === "min" ? `(${c} && ${v})` : `(${c} || ${v})`);
  return (c, v) => `${mode}(${c}, ${v})`;
}

/** One thread per (outer, sorted position, inner column): a run's first thread combines the run. */
function applyShader(p: ParamsOf<"scatter">, x: ShapedArray, ind: ShapedArray, u: ShapedArray, idx: ShapedArray, lim: GpuLimits): ShaderSpec {
  const h = new Helpers(), P = new Params();
  const d = x.dtype, t = wgslType(d);
  const n = x.shape[p.axis]!, inner = size(x.shape.slice(p.axis + 1)), outer = size(x.shape.slice(0, p.axis)), m = ind.size;
  const pn = P.u(n), pInner = P.u(inner), pm = P.u(m);
  const key = (at: string) => convert(fromStorage(ind.dtype, `in0[${at}]`), ind.dtype, "int32", h);
  const combine = combineOf(p.mode, t, h);
  const body = [
    `let e = i % ${pInner}; let q0 = (i / ${pInner}) % ${pm}; let o = i / (${pInner} * ${pm});`,
    `let k = ${key("in2[q0]")};`,
    `if (k < 0 || k >= i32(${pn})) { return; }`,
    `if (q0 > 0u) { if (${key("in2[q0 - 1u]")} == k) { return; } }`, // not the first of its run
    `let dst = (o * ${pn} + u32(k)) * ${pInner} + e;`,
    `var acc = ${fromStorage(d, "out0[dst]")};`,
    `for (var q = q0; q < ${pm}; q = q + 1u) {`,
    "  let j = in2[q];",
    `  if (${key("j")} != k) { break; }`,
    `  acc = ${combine("acc", fromStorage(d, `in1[(o * ${pm} + j) * ${pInner} + e]`))};`,
    "}",
    `out0[dst] = ${toStorage(d, "acc", h)};`,
  ];
  return perItem("scatter", outer * m * inner, [ind, u, idx], [x], h, body, lim, P);
}
