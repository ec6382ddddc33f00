import type { ShapedArray } from "../../ir/aval.js";
import type { ParamsOf } from "../../ir/primitives.js";
import { resolvePadding } from "../../shape/conv.js";
import { contiguousStrides } from "../reference/strided.js";
import type { GpuLimits } from "./device.js";
import { header, size, type ShaderSpec } from "./kernels.js";
import { tiles } from "./matmul.js";
import { Params } from "./params.js";
import { Helpers, NotOnWebGPU, convert, fromStorage, toStorage, wgslType } from "./wgsl.js";

/**
 * conv_general_dilated as an implicit GEMM (lax's default layouts: lhs N C *spatial, rhs
 * O I *kernel). Per batch item and feature group it is a product out[m, n] = sum_k W[m, k] X[k, n]
 * with m an output channel of the group, n an output position and k = (input channel, kernel
 * position): W's rows are contiguous in the rhs, and X[k, n] is the lhs element that kernel
 * position meets at output position n (zero in padding and in lhs-dilation holes), computed
 * as it is staged, never materialized. The tiling is matmul.ts's: TILE x TILE outputs per
 * workgroup, TK-deep slices of both operands in workgroup memory, REG x REG outputs per thread
 * in registers. Sizes, strides, padding and dilations are parameters (params.ts): one pipeline
 * per spatial rank and dtypes.
 */
export function convShader(p: ParamsOf<"conv_general_dilated">, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits): ShaderSpec {
  const [x, w] = ins as [ShapedArray, ShapedArray], out = outs[0]!;
  if (wgslType(out.dtype) !== "f32") throw new NotOnWebGPU(`conv_general_dilated on ${out.dtype} is not yet on webgpu`);
  const G = p.featureGroupCount, O = w.shape[0]!, I = w.shape[1]!, opg = O / G, batch = x.shape[0]!;
  const K = I * size(w.shape.slice(2)), Pn = size(out.shape.slice(2));
  if (batch * G > lim.maxComputeWorkgroupsPerDimension) throw new NotOnWebGPU(`conv_general_dilated with ${batch} x ${G} batch items x groups (more than the adapter's ${lim.maxComputeWorkgroupsPerDimension} workgroups per dimension) is not yet on webgpu`);
  const { T, REG, TILE, TK } = tiles(lim), nThreads = T * T, perThread = (TILE * TK) / nThreads;
  const h = new Helpers(), P = new Params();
  const pG = P.u(G), pOpg = P.u(opg), pK = P.u(K), pPn = P.u(Pn), pO = P.u(O);
  const lhs = lhsElement(p, x, w, out, P, h);
  const loadW = convert(fromStorage(w.dtype, `in1[(g * ${pOpg} + gm) * ${pK} + gk]`), w.dtype, "float32", h);
  const store = toStorage(out.dtype, "acc[i][j]", h); // before h.render(): it may use a helper
  const code = `${header([x.dtype, w.dtype], [out.dtype], P)}
${h.render()}
${lhs}
var<workgroup> As: array<array<f32, ${TILE}>, ${TK}>;
var<workgroup> Bs: array<array<f32, ${TILE}>, ${TK}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let nb = wid.z / ${pG};
  let g = wid.z % ${pG};
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  var acc: array<array<f32, ${REG}>, ${REG}>;
  for (var i = 0u; i < ${REG}u; i = i + 1u) { for (var j = 0u; j < ${REG}u; j = j + 1u) { acc[i][j] = 0.0; } }
  for (var k0 = 0u; k0 < ${pK}; k0 = k0 + ${TK}u) {
    for (var t = 0u; t < ${perThread}u; t = t + 1u) {
      let e = tid + t * ${nThreads}u;
      let am = e / ${TK}u; let ak = e % ${TK}u;
      var va = 0.0;
      { let gm = m0 + am; let gk = k0 + ak; if (gm < ${pOpg} && gk < ${pK}) { va = ${loadW}; } }
      As[ak][am] = va;
      let bk = e / ${TILE}u; let bn = e % ${TILE}u;
      var vb = 0.0;
      { let gk = k0 + bk; let gn = n0 + bn; if (gk < ${pK} && gn < ${pPn}) { vb = lhsAt(nb, g, gk, gn); } }
      Bs[bk][bn] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk = kk + 1u) {
      var ra: array<f32, ${REG}>; var rb: array<f32, ${REG}>;
      for (var i = 0u; i < ${REG}u; i = i + 1u) { ra[i] = As[kk][lid3.y * ${REG}u + i]; rb[i] = Bs[kk][lid3.x * ${REG}u + i]; }
      for (var i = 0u; i < ${REG}u; i = i + 1u) { for (var j = 0u; j < ${REG}u; j = j + 1u) { acc[i][j] = acc[i][j] + ra[i] * rb[j]; } }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${REG}u; i = i + 1u) {
    let gm = m0 + lid3.y * ${REG}u + i;
    if (gm >= ${pOpg}) { continue; }
    for (var j = 0u; j < ${REG}u; j = j + 1u) {
      let gn = n0 + lid3.x * ${REG}u + j;
      if (gn < ${pPn}) { out0[(nb * ${pO} + g * ${pOpg} + gm) * ${pPn} + gn] = ${store}; }
    }
  }
}`;
  const gx = Math.max(1, Math.ceil(Pn / TILE)), gy = Math.max(1, Math.ceil(opg / TILE));
  const max = lim.maxComputeWorkgroupsPerDimension;
  if (gx > max || gy > max) throw new NotOnWebGPU(`conv_general_dilated with ${opg}x${Pn} outputs per group needs more workgroups than the adapter allows`);
  return { code, numInputs: 2, outputs: [out], grid: [gx, gy, Math.max(batch * G, 1)], label: "conv_general_dilated", params: P.data() };
}

/**
 * `lhsAt(nb, g, k, n)`: the lhs element X[k, n] of batch item nb and group g, where k is
 * (input channel, kernel position) and n an output position: the input position is
 * out * stride + kernel * rhsDilation - padLow, on the lhs-dilated grid (zero off it and outside).
 */
function lhsElement(p: ParamsOf<"conv_general_dilated">, x: ShapedArray, w: ShapedArray, out: ShapedArray, P: Params, h: Helpers): string {
  const inSp = x.shape.slice(2), kSp = w.shape.slice(2), outSp = out.shape.slice(2);
  const pads = resolvePadding(inSp, kSp, p), str = contiguousStrides(x.shape);
  const I = w.shape[1]!;
  const lines = [
    `let ic = k / ${P.u(size(kSp))};`,
    `var rq = k % ${P.u(size(kSp))};`,
    "var rn = n;",
    `var off = nb * ${P.u(str[0]!)} + (g * ${P.u(I)} + ic) * ${P.u(str[1]!)};`,
  ];
  for (let d = inSp.length - 1; d >= 0; d--) {
    lines.push(`let q${d} = i32(rq % ${P.u(kSp[d]!)}); rq = rq / ${P.u(kSp[d]!)};`, `let o${d} = i32(rn % ${P.u(outSp[d]!)}); rn = rn / ${P.u(outSp[d]!)};`);
  }
  inSp.forEach((n, d) => {
    const dil = P.i(p.lhsDilation[d]!);
    lines.push(
      `let pos${d} = o${d} * ${P.i(p.strides[d]!)} + q${d} * ${P.i(p.rhsDilation[d]!)} - ${P.i(pads[d]![0])};`,
      `if (pos${d} < 0 || pos${d} % ${dil} != 0 || pos${d} / ${dil} >= ${P.i(n)}) { return 0.0; }`,
      `off = off + u32(pos${d} / ${dil}) * ${P.u(str[2 + d]!)};`,
    );
  });
  lines.push(`return ${convert(fromStorage(x.dtype, "in0[off]"), x.dtype, "float32", h)};`);
  return `fn lhsAt(nb: u32, g: u32, k: u32, n: u32) -> f32 {\n  ${lines.join("\n  ")}\n}`;
}
