import type { DType } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type ParamsOf, type Primitive } from "../../ir/primitives.js";
import { NoRule, noRule, rulesFor } from "../../ir/rule-table.js";
import type { Expr, FusedKernel, ReduceOp } from "../kernel.js";
import { broadcastStrides, contiguousStrides, reversedView } from "../reference/strided.js";
import type { GpuLimits } from "./device.js";
import { fusedShader, perItem, size, type ShaderSpec } from "./kernels.js";
import { matmulShader } from "./matmul.js";
import { Params } from "./params.js";
import { convShader } from "./conv.js";
import type { OpSpec } from "./passes.js";
import { sortSpec } from "./sort.js";
import { scatterSpec } from "./scatter.js";
import { Helpers, NotOnWebGPU, convert, fromStorage, literal, narrow, toStorage, unravelLines, wgslType } from "./wgsl.js";

/**
 * Single primitives as shaders (eager mode, and program steps that do not fuse). Elementwise and
 * view primitives become one-node fused kernels, so they share the fused kernels' code; the
 * others have their own shaders here (matmul in matmul.ts). Sizes, strides and offsets are
 * parameters (params.ts: `P.u`, `P.i`), never literals, so a shader's code is its structure.
 */
const load = (input: number, strides: readonly number[], offset: number, dtype: DType): Expr => ({ op: "load", input, strides, offset, dtype });

function fused(shape: readonly number[], expr: Expr, inputs: readonly ShapedArray[], output: ShapedArray, reduce: FusedKernel["reduce"] = null): FusedKernel {
  return { kind: "fused", shape, expr, reduce, inputs, output };
}

/** A primitive that runs as a one-node fused kernel (so it shares the fused kernels' code), from its typed params. */
interface FusedRule<P extends Primitive> { readonly fused: (params: ParamsOf<P>, ins: readonly ShapedArray[], out: ShapedArray) => FusedKernel }
const fusedRule = <P extends Primitive>(fn: FusedRule<P>["fused"]): FusedRule<P> => ({ fused: fn });
const contiguousLoad = (x: ShapedArray) => load(0, contiguousStrides(x.shape), 0, x.dtype);

/** Elementwise `op`: every operand broadcast to the output's shape. */
const elementwise = <P extends Primitive>(op: P) => fusedRule<P>((_p, ins, out) => {
  const args = ins.map((a, k) => load(k, broadcastStrides(a.shape, out.shape), 0, a.dtype));
  return fused(out.shape, { op, args, dtype: out.dtype } as Expr, ins, out);
});

type ReducePrimitive = "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod" | "reduce_and" | "reduce_or";
/** A reduction over `axes` of the operand read as it is laid out. */
const reduction = <P extends ReducePrimitive>(op: ReduceOp) => fusedRule<P>((params, ins, out) =>
  fused(ins[0]!.shape, contiguousLoad(ins[0]!), ins, out, { op, axes: [...params.axes] }));

/** Views: the operand read through strides and an offset. */
const viewRules = {
  convert_element_type: fusedRule<"convert_element_type">((_p, ins, out) => fused(out.shape, { op: "convert", args: [contiguousLoad(ins[0]!)], dtype: out.dtype }, ins, out)),
  stop_gradient: fusedRule<"stop_gradient">((_p, ins, out) => fused(out.shape, load(0, contiguousStrides(out.shape), 0, ins[0]!.dtype), ins, out)),
  reshape: fusedRule<"reshape">((_p, ins, out) => fused(out.shape, load(0, contiguousStrides(out.shape), 0, ins[0]!.dtype), ins, out)),
  broadcast_in_dim: fusedRule<"broadcast_in_dim">(({ broadcastDimensions }, ins, out) => {
    const x = ins[0]!, s = contiguousStrides(x.shape);
    const strides = out.shape.map(() => 0);
    broadcastDimensions.forEach((d, i) => { strides[d] = x.shape[i] === 1 ? 0 : s[i]!; });
    return fused(out.shape, load(0, strides, 0, x.dtype), ins, out);
  }),
  transpose: fusedRule<"transpose">(({ permutation }, ins, out) => {
    const s = contiguousStrides(ins[0]!.shape);
    return fused(out.shape, load(0, permutation.map((p) => s[p]!), 0, ins[0]!.dtype), ins, out);
  }),
  rev: fusedRule<"rev">(({ dimensions }, ins, out) => {
    const { strides, offset } = reversedView(ins[0]!.shape, dimensions);
    return fused(out.shape, load(0, strides, offset, ins[0]!.dtype), ins, out);
  }),
  slice: fusedRule<"slice">(({ start, strides }, ins, out) => {
    const s = contiguousStrides(ins[0]!.shape);
    const offset = start.reduce((o, st, i) => o + st * s[i]!, 0);
    return fused(out.shape, load(0, s.map((st, i) => st * (strides?.[i] ?? 1)), offset, ins[0]!.dtype), ins, out);
  }),
  iota: fusedRule<"iota">(({ dimension }, _ins, out) =>
    fused(out.shape, out.shape.length === 0 ? { op: "const", value: 0, dtype: out.dtype } : { op: "index", axis: dimension, dtype: out.dtype }, [], out)),
};

/** A primitive's own shader (or multi-pass op), from its typed params. */
type ShaderRule<P extends Primitive> = (params: ParamsOf<P>, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits) => OpSpec;
const controlFlow = "control flow: the backend's executor runs it inside programs (webgpu/control.ts), never as one shader";
const customCall = "inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call";

/**
 * Every primitive's shader on WebGPU, keyed by every primitive with its typed params (a new
 * primitive without a decision here does not compile): a one-node fused kernel (elementwise,
 * views, reductions), a shader of its own, or the reason there is none
 * (engine/test/rule-tables.test.ts lists them).
 */
const SHADERS: { readonly [P in Primitive]: ShaderRule<P> | FusedRule<P> | NoRule<P> } = {
  ...rulesFor(UNARY_PRIMITIVES, elementwise), ...rulesFor(BINARY_PRIMITIVES, elementwise),
  select: elementwise("select"), clamp: elementwise("clamp"), ...viewRules,
  reduce_sum: reduction("sum"), reduce_max: reduction("max"), reduce_min: reduction("min"),
  reduce_prod: reduction("prod"), reduce_and: reduction("and"), reduce_or: reduction("or"),
  pjit: noRule(controlFlow), cond: noRule(controlFlow), scan: noRule(controlFlow), while: noRule(controlFlow),
  custom_jvp_call: noRule(customCall), custom_vjp_call: noRule(customCall),
  dot_general: (p, ins, outs, lim) => matmulShader(p.dimensionNumbers, ins, outs[0]!, lim),
  bitcast_convert_type: (_p, ins, outs, lim) => {
    const h = new Helpers(), P = new Params();
    const to = wgslType(outs[0]!.dtype);
    return perItem("bitcast_convert_type", outs[0]!.size, ins, outs, h, [`out0[i] = bitcast<${to}>(in0[i]);`], lim, P);
  },
  threefry2x32: (_p, ins, outs, lim) => {
    const shape = outs[0]!.shape;
    const h = new Helpers(), P = new Params();
    const idx = (k: number) => {
      const st = broadcastStrides(ins[k]!.shape, shape);
      return ["0", ...st.map((s, a) => (s === 0 ? "" : `i${a} * ${P.i(s)}`)).filter((x) => x)].join(" + ");
    };
    const body = [
      ...unravelLines("i", shape, (a) => `i${a}`, P),
      `let k0 = in0[u32(${idx(0)})]; let k1 = in1[u32(${idx(1)})];`,
      `var x0 = in2[u32(${idx(2)})]; var x1 = in3[u32(${idx(3)})];`,
      "let ks = array<u32, 3>(k0, k1, k0 ^ k1 ^ 0x1bd11bdau);",
      "x0 = x0 + ks[0]; x1 = x1 + ks[1];",
      "let rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);",
      "for (var b = 0u; b < 5u; b = b + 1u) {",
      "  for (var r = 0u; r < 4u; r = r + 1u) { let s = rot[(b % 2u) * 4u + r]; x0 = x0 + x1; x1 = ((x1 << s) | (x1 >> (32u - s))) ^ x0; }",
      "  x0 = x0 + ks[(b + 1u) % 3u]; x1 = x1 + ks[(b + 2u) % 3u] + b + 1u;",
      "}",
      "out0[i] = x0; out1[i] = x1;",
    ];
    return perItem("threefry2x32", outs[0]!.size, ins, outs, h, body, lim, P);
  },
  pad: (p, ins, outs, lim) => {
    const [x] = ins, out = outs[0]!;
    const h = new Helpers(), P = new Params();
    const s = contiguousStrides(x!.shape);
    const cfg = p.config as [number, number, number][];
    const conds: string[] = [], terms: string[] = ["0"];
    cfg.forEach(([lo, , interior], d) => {
      const from = `(i${d} - ${P.i(lo)})`, step = P.i(interior + 1);
      conds.push(`${from} >= 0`, `(${from} % ${step}) == 0`, `(${from} / ${step}) < ${P.i(x!.shape[d]!)}`);
      terms.push(`(${from} / ${step}) * ${P.i(s[d]!)}`);
    });
    const body = [
      ...unravelLines("i", out.shape, (a) => `i${a}`, P),
      `var v = in1[0];`,
      `if (${conds.length ? conds.join(" && ") : "true"}) { v = in0[u32(${terms.join(" + ")})]; }`,
      "out0[i] = v;",
    ];
    return perItem("pad", out.size, ins, outs, h, body, lim, P);
  },
  concatenate: (p, ins, outs, lim) => {
    const out = outs[0]!, axis = p.axis as number;
    const h = new Helpers(), P = new Params();
    const body = [...unravelLines("i", out.shape, (a) => `i${a}`, P)];
    let start = 0;
    ins.forEach((a, k) => {
      const s = contiguousStrides(a.shape);
      const off = out.shape.map((_, d) => (d === axis ? `(i${d} - ${P.i(start)}) * ${P.i(s[d]!)}` : `i${d} * ${P.i(s[d]!)}`)).join(" + ") || "0";
      const end = start + a.shape[axis]!;
      body.push(`${k ? "else " : ""}if (i${axis} < ${P.i(end)}) { out0[i] = in${k}[u32(${off})]; }`);
      start = end;
    });
    return perItem("concatenate", out.size, ins, outs, h, body, lim, P);
  },
  dynamic_slice: (p, ins, outs, lim) => {
    const [x, ...starts] = ins, out = outs[0]!;
    const h = new Helpers(), P = new Params();
    const s = contiguousStrides(x!.shape);
    const body = [...unravelLines("i", out.shape, (a) => `i${a}`, P)];
    const terms = ["0"];
    starts.forEach((st, d) => {
      body.push(`let s${d} = clamp(${convert(fromStorage(st.dtype, `in${d + 1}[0]`), st.dtype, "int32", h)}, 0, ${P.i(x!.shape[d]! - p.sizes[d]!)});`);
      terms.push(`(s${d} + i${d}) * ${P.i(s[d]!)}`);
    });
    body.push(`out0[i] = in0[u32(${terms.join(" + ")})];`);
    return perItem("dynamic_slice", out.size, ins, outs, h, body, lim, P);
  },
  dynamic_update_slice: (_p, ins, outs, lim) => {
    const [x, u, ...starts] = ins, out = outs[0]!;
    const h = new Helpers(), P = new Params();
    const us = contiguousStrides(u!.shape);
    const body = [...unravelLines("i", out.shape, (a) => `i${a}`, P), "out0[i] = in0[i];"];
    const conds: string[] = [], terms = ["0"];
    starts.forEach((st, d) => {
      body.push(`let s${d} = clamp(${convert(fromStorage(st.dtype, `in${d + 2}[0]`), st.dtype, "int32", h)}, 0, ${P.i(x!.shape[d]! - u!.shape[d]!)});`);
      conds.push(`i${d} >= s${d} && i${d} < s${d} + ${P.i(u!.shape[d]!)}`);
      terms.push(`(i${d} - s${d}) * ${P.i(us[d]!)}`);
    });
    body.push(`if (${conds.join(" && ") || "true"}) { out0[i] = in1[u32(${terms.join(" + ")})]; }`);
    return perItem("dynamic_update_slice", out.size, ins, outs, h, body, lim, P);
  },
  gather: (p, ins, outs, lim) => {
    const [x, ind] = ins, out = outs[0]!, axis = p.axis as number;
    const h = new Helpers(), P = new Params();
    const n = x!.shape[axis]!, inner = size(x!.shape.slice(axis + 1)), m = ind!.size;
    const pInner = P.u(inner);
    const body = [
      `let e = i % ${pInner}; let j = (i / ${pInner}) % ${P.u(m)}; let o = i / ${P.u(inner * m)};`,
      `let k = u32(clamp(${convert(fromStorage(ind!.dtype, "in1[j]"), ind!.dtype, "int32", h)}, 0, ${P.i(Math.max(n - 1, 0))}));`,
      `out0[i] = in0[(o * ${P.u(n)} + k) * ${pInner} + e];`,
    ];
    return perItem("gather", out.size, ins, outs, h, body, lim, P);
  },
  scatter: (p, ins, outs, lim) => scatterSpec(p, ins, outs, lim),
  argmax: (p, ins, outs, lim) => argShader("argmax", p, ins, outs, lim),
  argmin: (p, ins, outs, lim) => argShader("argmin", p, ins, outs, lim),
  cumsum: (p, ins, outs, lim) => cumShader("cumsum", p, ins, outs, lim),
  cumprod: (p, ins, outs, lim) => cumShader("cumprod", p, ins, outs, lim),
  cummax: (p, ins, outs, lim) => cumShader("cummax", p, ins, outs, lim),
  cummin: (p, ins, outs, lim) => cumShader("cummin", p, ins, outs, lim),
  sort: (p, ins, outs, lim) => sortSpec(p, ins, outs, lim),
  conv_general_dilated: (p, ins, outs, lim) => convShader(p, ins, outs, lim),
};

/** Lanes along an axis: lane l starts at base(l) and steps by the axis stride (n and stride: WGSL parameters). */
function lanes(shape: readonly number[], axis: number, P: Params) {
  const n = shape[axis]!, stride = size(shape.slice(axis + 1));
  const ps = P.u(stride);
  return { n: P.u(n), last: P.u(Math.max(n - 1, 0)), stride: ps, count: n === 0 ? 0 : size(shape) / n, base: `(i / ${ps}) * ${P.u(stride * n)} + (i % ${ps})` };
}

function argShader(prim: "argmax" | "argmin", p: ParamsOf<"argmax">, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits): ShaderSpec {
  const x = ins[0]!, h = new Helpers(), P = new Params();
  const L = lanes(x.shape, p.axis, P);
  const t = wgslType(x.dtype);
  const better = prim === "argmax" ? ">" : "<";
  const nanCheck = t === "f32" ? (h.use("isnan"), (v: string) => `isnan_(${v})`) : () => "false";
  const val = (at: string) => fromStorage(x.dtype, `in0[${at}]`);
  const body = [
    `let b = ${L.base};`,
    `var best = ${val("b")}; var bi = 0u;`,
    `for (var j = 1u; j < ${L.n}; j = j + 1u) {`,
    `  if (${nanCheck("best")}) { break; }`,
    `  let v = ${val(`b + j * ${L.stride}`)};`,
    `  if (${nanCheck("v")} || ${t === "bool" ? `select(0u, 1u, v) ${better} select(0u, 1u, best)` : `v ${better} best`}) { best = v; bi = j; }`,
    "}",
    `out0[i] = ${toStorage(outs[0]!.dtype, convert("bi", "uint32", outs[0]!.dtype, h), h)};`,
  ];
  return perItem(prim, L.count, ins, outs, h, body, lim, P);
}

function cumShader(prim: "cumsum" | "cumprod" | "cummax" | "cummin", p: ParamsOf<"cumsum">, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits): ShaderSpec {
  const x = ins[0]!, d = outs[0]!.dtype, h = new Helpers(), P = new Params();
  const L = lanes(x.shape, p.axis, P);
  const t = wgslType(d);
  if (t === "bool") throw new NotOnWebGPU(`${prim} on bool is not yet on webgpu`);
  let combine: string;
  if (prim === "cumsum") combine = "acc + v";
  else if (prim === "cumprod") combine = "acc * v";
  else if (t === "f32") { const f = prim === "cummax" ? "fmax" : "fmin"; h.use(f); combine = `${f}_(acc, v)`; }
  else combine = `${prim === "cummax" ? "max" : "min"}(acc, v)`;
  const round = (v: string) => narrow(d, v, h);
  const body = [
    `let b = ${L.base};`,
    `var acc: ${t} = ${literal(0, d)};`,
    `for (var t = 0u; t < ${L.n}; t = t + 1u) {`,
    `  let at = b + ${p.reverse ? `(${L.last} - t)` : "t"} * ${L.stride};`,
    `  let v = in0[at];`,
    `  if (t == 0u) { acc = v; } else { acc = ${round(combine)}; }`,
    "  out0[at] = acc;",
    "}",
  ];
  return perItem(prim, L.count, ins, outs, h, body, lim, P);
}

/** The WebGPU shader table, for the test that lists what it lacks (engine/test/rule-tables.test.ts). */
export const webgpuShaderTable = SHADERS;

/** The shader of one primitive; throws NotOnWebGPU naming the primitive and the reason when there is none. */
export function opShader<P extends Primitive>(prim: P, params: ParamsOf<P>, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits, subgroups = false): OpSpec {
  for (const a of [...ins, ...outs]) wgslType(a.dtype); // float64 throws here, with the reason
  const rule: ShaderRule<P> | FusedRule<P> | NoRule<P> = SHADERS[prim];
  if (rule instanceof NoRule) throw new NotOnWebGPU(`${prim} has no shader on webgpu (${rule.reason})`);
  if ("fused" in rule) return fusedShader(rule.fused(params, ins, outs[0]!), lim, prim, subgroups);
  return rule(params, ins, outs, lim);
}
