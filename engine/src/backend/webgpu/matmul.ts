import type { ShapedArray } from "../../ir/aval.js";
import { dotFreeAxes, type DotDimensionNumbers } from "../../shape/linalg.js";
import { contiguousStrides } from "../reference/strided.js";
import type { GpuLimits } from "./device.js";
import { header, size, type ShaderSpec } from "./kernels.js";
import { Params } from "./params.js";
import { Helpers, NotOnWebGPU, convert, fromStorage, toStorage, wgslType } from "./wgsl.js";

/**
 * dot_general as a tiled matmul: each workgroup computes a TILE x TILE block of one batch's
 * output from TILE x TK tiles of the operands staged in workgroup memory, each thread a
 * REG x REG block held in registers. Operands are read in place with the strides the dimension
 * numbers give (no transposed copies): batch, free and contracting axes may be anywhere.
 * M, N, K and the operands' sizes and strides are parameters (params.ts), so one pipeline serves
 * every shape with the same axis arrangement; the tile sizes stay constants, as they size the
 * workgroup arrays and unroll the register loops.
 */
const TK = 16;

/**
 * The tiles of a tiled product within the adapter's workgroup limits: T x T threads (16x16 when
 * allowed), each a REG x REG register block, so a workgroup covers TILE x TILE outputs and
 * stages TK-deep slices of K. Shared with the implicit-GEMM convolution (conv.ts).
 */
export function tiles(lim: GpuLimits): { T: number; REG: number; TILE: number; TK: number } {
  const T = lim.maxComputeInvocationsPerWorkgroup >= 256 && lim.maxComputeWorkgroupSizeX >= 16 && lim.maxComputeWorkgroupSizeY >= 16 ? 16 : 8;
  return { T, REG: 4, TILE: T * 4, TK };
}

/** WGSL for the flat offset of group index `v` (u32) over `axes` of an operand with `strides`. */
function groupOffset(v: string, axes: readonly number[], shape: readonly number[], strides: readonly number[], p: Params): string {
  if (axes.length === 0) return "0u";
  const terms: string[] = [];
  let inner = 1;
  for (let j = axes.length - 1; j >= 0; j--) {
    const a = axes[j]!, d = shape[a]!;
    const outer = j === axes.length - 1 ? v : `(${v} / ${p.u(inner)})`;
    const idx = j === 0 ? outer : `(${outer} % ${p.u(d)})`;
    terms.push(`${idx} * ${p.u(strides[a]!)}`);
    inner *= d;
  }
  return terms.join(" + ");
}

export function matmulShader(dn: DotDimensionNumbers, ins: readonly ShapedArray[], out: ShapedArray, lim: GpuLimits): ShaderSpec {
  const [a, b] = ins as [ShapedArray, ShapedArray];
  const [ca, cb] = dn.contract, [bA, bB] = dn.batch;
  const [freeA, freeB] = dotFreeAxes(dn, a.ndim, b.ndim);
  const B = size(bA.map((i) => a.shape[i]!)), M = size(freeA.map((i) => a.shape[i]!)), K = size(ca.map((i) => a.shape[i]!)), N = size(freeB.map((i) => b.shape[i]!));
  const accT = wgslType(out.dtype);
  if (accT === "bool") throw new NotOnWebGPU("dot_general on bool is not yet on webgpu");
  if (B > lim.maxComputeWorkgroupsPerDimension) throw new NotOnWebGPU(`dot_general with ${B} batches (more than the adapter's ${lim.maxComputeWorkgroupsPerDimension} workgroups per dimension) is not yet on webgpu`);
  const { T, REG, TILE } = tiles(lim), nThreads = T * T;
  const h = new Helpers();
  const p = new Params();
  const sa = contiguousStrides(a.shape), sb = contiguousStrides(b.shape);
  const zero = accT === "f32" ? "0.0" : accT === "i32" ? "0" : "0u";
  const loadA = convert(fromStorage(a.dtype, `in0[${groupOffset("bi", bA, a.shape, sa, p)} + ${groupOffset("gm", freeA, a.shape, sa, p)} + ${groupOffset("gk", ca, a.shape, sa, p)}]`), a.dtype, out.dtype === "float16" ? "float32" : out.dtype, h);
  const loadB = convert(fromStorage(b.dtype, `in1[${groupOffset("bi", bB, b.shape, sb, p)} + ${groupOffset("gk", cb, b.shape, sb, p)} + ${groupOffset("gn", freeB, b.shape, sb, p)}]`), b.dtype, out.dtype === "float16" ? "float32" : out.dtype, h);
  const perThread = (TILE * TK) / nThreads;
  const pM = p.u(M), pN = p.u(N), pK = p.u(K);
  const store = toStorage(out.dtype, "acc[i][j]", h); // before h.render(): it may use a helper
  const code = `${header([a.dtype, b.dtype], [out.dtype], p)}
${h.render()}
var<workgroup> As: array<array<${accT}, ${TILE}>, ${TK}>;
var<workgroup> Bs: array<array<${accT}, ${TILE}>, ${TK}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let bi = wid.z;
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  var acc: array<array<${accT}, ${REG}>, ${REG}>;
  for (var i = 0u; i < ${REG}u; i = i + 1u) { for (var j = 0u; j < ${REG}u; j = j + 1u) { acc[i][j] = ${zero}; } }
  for (var k0 = 0u; k0 < ${pK}; k0 = k0 + ${TK}u) {
    for (var t = 0u; t < ${perThread}u; t = t + 1u) {
      let e = tid + t * ${nThreads}u;
      let am = e / ${TK}u; let ak = e % ${TK}u;
      var va: ${accT} = ${zero};
      { let gm = m0 + am; let gk = k0 + ak; if (gm < ${pM} && gk < ${pK}) { va = ${loadA}; } }
      As[ak][am] = va;
      let bk = e / ${TILE}u; let bn = e % ${TILE}u;
      var vb: ${accT} = ${zero};
      { let gk = k0 + bk; let gn = n0 + bn; if (gk < ${pK} && gn < ${pN}) { vb = ${loadB}; } }
      Bs[bk][bn] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk = kk + 1u) {
      var ra: array<${accT}, ${REG}>; var rb: array<${accT}, ${REG}>;
      for (var i = 0u; i < ${REG}u; i = i + 1u) { ra[i] = As[kk][lid3.y * ${REG}u + i]; rb[i] = Bs[kk][lid3.x * ${REG}u + i]; }
      for (var i = 0u; i < ${REG}u; i = i + 1u) { for (var j = 0u; j < ${REG}u; j = j + 1u) { acc[i][j] = acc[i][j] + ra[i] * rb[j]; } }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${REG}u; i = i + 1u) {
    let gm = m0 + lid3.y * ${REG}u + i;
    if (gm >= ${pM}) { continue; }
    for (var j = 0u; j < ${REG}u; j = j + 1u) {
      let gn = n0 + lid3.x * ${REG}u + j;
      if (gn < ${pN}) { out0[(bi * ${pM} + gm) * ${pN} + gn] = ${store}; }
    }
  }
}`;
  const gx = Math.max(1, Math.ceil(N / TILE)), gy = Math.max(1, Math.ceil(M / TILE));
  const max = lim.maxComputeWorkgroupsPerDimension;
  if (gx > max || gy > max) throw new NotOnWebGPU(`dot_general of ${M}x${N} outputs needs more workgroups than the adapter allows`);
  return { code, numInputs: 2, outputs: [out], grid: [gx, gy, Math.max(B, 1)], label: "dot_general", params: p.data() };
}
