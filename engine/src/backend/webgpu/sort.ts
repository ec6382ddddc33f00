import { ShapedArray } from "../../ir/aval.js";
import type { ParamsOf } from "../../ir/primitives.js";
import type { GpuLimits } from "./device.js";
import { grid1d, header, perItem, size, threads, type ShaderSpec } from "./kernels.js";
import { Params } from "./params.js";
import { inRef, outRef, scratchRef, type MultiPassSpec, type Pass, type Ref } from "./passes.js";
import { Helpers, wgslType } from "./wgsl.js";

/**
 * sort as a bitonic sort of each lane's original positions. What is sorted is a scratch buffer
 * of indices (lane-major, each lane padded to a power of two P): comparing two of them reads
 * their keys from the operands, and equal keys compare by index, so the order is total and the
 * sort stable, as the reference's (numpy order: NaN last, -0 equal to 0; padding past the lane's
 * end sorts after everything). The operands are then gathered through the sorted indices, one
 * pass per operand, so any number of operands and keys share the same passes.
 *
 * Passes: tiles of T = 2 x workgroup size are sorted in workgroup memory (every bitonic stage
 * up to T); each larger stage k runs its steps j >= T as global compare-exchange passes and its
 * steps j < T in workgroup memory again. log2(P / T) stages past the tile, so a lane of 2^20
 * takes ~66 passes instead of 210.
 */
export function sortSpec(p: ParamsOf<"sort">, ins: readonly ShapedArray[], outs: readonly ShapedArray[], lim: GpuLimits): MultiPassSpec {
  const keys = ins.slice(0, p.numKeys);
  const { passes, idx, geo } = indexSortPasses(keys, keys.map((_, k) => inRef(k)), scratchRef(0), p.dimension, lim);
  if (size(ins[0]!.shape) > 0) outs.forEach((o, k) => passes.push({ shader: permuteShader(ins[k]!, idx, o, geo, lim), ins: [inRef(k), scratchRef(0)], outs: [outRef(k)] }));
  return { label: "sort", numInputs: ins.length, outputs: outs, scratch: [idx], passes };
}

/**
 * The passes leaving, in the buffer `idxRef` names (of the returned aval `idx`: lanes x P), each
 * lane's positions in stably sorted order of the keys (bound at `keyRefs`). Also what scatter
 * sorts its indices with (scatter.ts).
 */
export function indexSortPasses(keys: readonly ShapedArray[], keyRefs: readonly Ref[], idxRef: Ref, dimension: number, lim: GpuLimits): { passes: Pass[]; idx: ShapedArray; geo: Geometry } {
  const shape = keys[0]!.shape, n = shape[dimension]!;
  const total = size(shape), lanes = n === 0 ? 0 : total / n, stride = size(shape.slice(dimension + 1));
  // P >= 2: a tile holds at least one pair.
  const P = pow2AtLeast(Math.max(n, 2)), wg = pow2AtMost(threads(lim)), T = Math.min(P, 2 * wg);
  const idx = new ShapedArray([lanes * P], "uint32");
  const geo: Geometry = { n, P, T, lanes, stride, wg };
  const local = (kLo: number, kHi: number, init: boolean): Pass =>
    ({ shader: tileShader(keys, idx, geo, kLo, kHi, init, lim), ins: keyRefs, outs: [idxRef] });
  if (total === 0) return { passes: [], idx, geo };
  const passes: Pass[] = [local(2, T, true)];
  for (let k = 2 * T; k <= P; k *= 2) {
    for (let j = k / 2; j >= T; j /= 2) passes.push({ shader: globalShader(keys, idx, geo, k, j, lim), ins: keyRefs, outs: [idxRef] });
    passes.push(local(k, k, false));
  }
  return { passes, idx, geo };
}

export interface Geometry { readonly n: number; readonly P: number; readonly T: number; readonly lanes: number; readonly stride: number; readonly wg: number }

const pow2AtLeast = (n: number) => { let p = 1; while (p < n) p *= 2; return p; };
const pow2AtMost = (n: number) => { let p = 1; while (p * 2 <= n) p *= 2; return p; };

/**
 * `less(lane, a, b)`: whether position a of the lane sorts before position b. Keys are read raw
 * from storage (bool as u32 0/1, 16-bit floats as f32), in numpy's order: NaN after every number.
 */
function lessFn(keys: readonly ShapedArray[], g: Geometry, P: Params, h: Helpers): string {
  const stride = P.u(g.stride), laneSpan = P.u(g.stride * g.n), n = P.u(g.n);
  const lines = [
    `if (a >= ${n} || b >= ${n}) { return b >= ${n} && (a < ${n} || a < b); }`,
    `let base = (lane / ${stride}) * ${laneSpan} + lane % ${stride};`,
  ];
  keys.forEach((key, k) => {
    const x = `x${k}`, y = `y${k}`;
    lines.push(`let ${x} = in${k}[base + a * ${stride}]; let ${y} = in${k}[base + b * ${stride}];`);
    if (wgslType(key.dtype) === "f32") {
      h.use("isnan");
      lines.push(`if (isnan_(${x}) != isnan_(${y})) { return isnan_(${y}); }`, `if (!isnan_(${x}) && ${x} != ${y}) { return ${x} < ${y}; }`);
    } else lines.push(`if (${x} != ${y}) { return ${x} < ${y}; }`);
  });
  lines.push("return a < b;");
  return `fn less(lane: u32, a: u32, b: u32) -> bool {\n  ${lines.join("\n  ")}\n}`;
}

/** The compare-exchange of one pair: ascending where bit k of the lane position is 0, as bitonic merging wants. */
const exchange = (get: (at: string) => string, set: (at: string, v: string) => string) => [
  `let va = ${get("ia")}; let vb = ${get("ib")};`,
  "let up = (pos & k) == 0u;",
  "if (select(less(lane, va, vb), less(lane, vb, va), up)) {",
  `  ${set("ia", "vb")} ${set("ib", "va")}`,
  "}",
];

/**
 * One workgroup per tile of T positions of a lane, in workgroup memory: stages kLo..kHi, each
 * from step min(k, T)/2 down to 1. `init`: the tile starts as its own positions (the first
 * pass), else it is read from the index buffer.
 */
function tileShader(keys: readonly ShapedArray[], idx: ShapedArray, g: Geometry, kLo: number, kHi: number, init: boolean, lim: GpuLimits): ShaderSpec {
  const P = new Params(), h = new Helpers();
  const tiles = g.P / g.T, groups = g.lanes * tiles;
  const { grid, nx } = grid1d(groups, 1, lim);
  const pT = P.u(g.T), half = P.u(g.T / 2), pTiles = P.u(tiles), pP = P.u(g.P);
  const gid = `let gi = wid.y * ${P.u(nx)} + wid.x;`, guard = `if (gi >= ${P.u(groups)}) { return; }`;
  const kFrom = P.u(kLo), kTo = P.u(kHi), first = P.u(init ? 1 : 0);
  const less = lessFn(keys, g, P, h);
  const code = `${header(keys.map((a) => a.dtype), [idx.dtype], P)}
${h.render()}
${less}
var<workgroup> tile: array<u32, ${2 * g.wg}>;
@compute @workgroup_size(${g.wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  ${gid}
  ${guard}
  let lane = gi / ${pTiles};
  let start = (gi % ${pTiles}) * ${pT};
  let off = lane * ${pP} + start;
  for (var t = lid; t < ${pT}; t = t + ${g.wg}u) { tile[t] = select(out0[off + t], start + t, ${first} == 1u); }
  workgroupBarrier();
  for (var k = ${kFrom}; k <= ${kTo}; k = k << 1u) {
    for (var j = min(k, ${pT}) >> 1u; j > 0u; j = j >> 1u) {
      if (lid < ${half}) {
        let ia = 2u * j * (lid / j) + lid % j; let ib = ia + j;
        let pos = start + ia;
        ${exchange((at) => `tile[${at}]`, (at, v) => `tile[${at}] = ${v};`).join("\n        ")}
      }
      workgroupBarrier();
    }
  }
  for (var t = lid; t < ${pT}; t = t + ${g.wg}u) { out0[off + t] = tile[t]; }
}`;
  return { code, numInputs: keys.length, outputs: [idx], grid, label: "sort", params: P.data() };
}

/** Step j of stage k over the whole lane (j >= T: the pair spans tiles): one thread per pair. */
function globalShader(keys: readonly ShapedArray[], idx: ShapedArray, g: Geometry, k: number, j: number, lim: GpuLimits): ShaderSpec {
  const P = new Params(), h = new Helpers();
  const halfP = P.u(g.P / 2), pP = P.u(g.P), pk = P.u(k), pj = P.u(j);
  const less = lessFn(keys, g, P, h);
  const body = [
    `let lane = i / ${halfP}; let q = i % ${halfP};`,
    `let k = ${pk}; let j = ${pj};`,
    "let pos = 2u * j * (q / j) + q % j;",
    `let ia = lane * ${pP} + pos; let ib = ia + j;`,
    ...exchange((at) => `out0[${at}]`, (at, v) => `out0[${at}] = ${v};`),
  ];
  return perItem("sort", g.lanes * g.P / 2, keys, [idx], h, body, lim, P, less);
}

/** out[lane, j] = in[lane, idx[lane, j]]: an operand put in the sorted order. */
function permuteShader(x: ShapedArray, idx: ShapedArray, out: ShapedArray, g: Geometry, lim: GpuLimits): ShaderSpec {
  const P = new Params(), h = new Helpers();
  const stride = P.u(g.stride), n = P.u(g.n), span = P.u(g.stride * g.n);
  const body = [
    `let e = i % ${stride}; let j = (i / ${stride}) % ${n}; let o = i / ${span};`,
    `let src = in1[(o * ${stride} + e) * ${P.u(g.P)} + j];`,
    `out0[i] = in0[o * ${span} + e + src * ${stride}];`,
  ];
  return perItem("sort", out.size, [x, idx], [out], h, body, lim, P);
}
