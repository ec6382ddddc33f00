import { castScalar, intRange, isBool, isInt, isNarrowed, narrowScalar, typedArrayFor, wrapInt, type DType, type TypedArray } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type BinaryPrimitive, type ParamsOf, type Primitive, type UnaryPrimitive } from "../../ir/primitives.js";
import { resolvePadding } from "../../shape/conv.js";
import { dotFreeAxes } from "../../shape/linalg.js";
import { binaryFns, clampFn, selectFn, unaryFns } from "./scalar.js";
import { broadcastStrides, contiguousStrides, isIdentity, sizeOf, stridedIndices, unravel } from "./strided.js";
import { threefry2x32 } from "./threefry.js";

/** Primitives that compute on data; control flow (pjit, cond, scan, while) is run by the engine. */
export type DataPrimitive = Exclude<Primitive, "pjit" | "cond" | "scan" | "while" | "custom_jvp_call" | "custom_vjp_call">;
export type Impl<P extends Primitive> = (xs: readonly TypedArray[], params: ParamsOf<P>, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]) => TypedArray[];

/** Writes JS numbers into storage of a dtype: 16-bit floats round, 8- and 16-bit integers wrap (dtype.ts). */
/**
 * How scatter combines an update with the current value, in the operand's dtype: bool adds as
 * logical or and multiplies as and (a sum of two trues is true, not 2); integers multiply with
 * integer wraparound (a product in doubles loses the low bits past 2^53).
 */
function scatterCombine(mode: string, dtype: DType): (cur: number, v: number) => number {
  switch (mode) {
    case "set": return (_cur, v) => v;
    case "add": return isBool(dtype) ? (cur, v) => (cur || v ? 1 : 0) : (cur, v) => cur + v;
    case "mul": return isBool(dtype) ? (cur, v) => (cur && v ? 1 : 0) : isInt(dtype) ? (cur, v) => Math.imul(cur, v) : (cur, v) => cur * v;
    case "min": return nanMin;
    default: return nanMax;
  }
}

export function finish(out: TypedArray, dtype: DType): TypedArray {
  if (isNarrowed(dtype)) for (let i = 0; i < out.length; i++) out[i] = narrowScalar(out[i]!, dtype);
  return out;
}

function readBroadcast(x: TypedArray, inShape: readonly number[], outShape: readonly number[]): ArrayLike<number> {
  if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return x;
  const idx = stridedIndices(outShape, broadcastStrides(inShape, outShape), 0);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!;
  return out;
}

function elementwise(fn: (args: number[], dtype: DType) => number): Impl<any> {
  return (xs, _p, inAvals, [out]) => {
    const shape = out!.shape;
    const ins = xs.map((x, k) => readBroadcast(x, inAvals[k]!.shape, shape));
    const res = typedArrayFor(out!.dtype, out!.size);
    const argDtype = inAvals[inAvals.length - 1]!.dtype;
    const args = new Array<number>(ins.length);
    for (let i = 0; i < res.length; i++) {
      for (let k = 0; k < ins.length; k++) args[k] = ins[k]![i]!;
      res[i] = fn(args, argDtype);
    }
    return [finish(res, out!.dtype)];
  };
}

function gatherStrided(x: TypedArray, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType): TypedArray {
  const out = typedArrayFor(dtype, sizeOf(shape));
  if (isIdentity(shape, strides, offset)) { out.set(x.subarray(0, out.length)); return out; }
  const idx = stridedIndices(shape, strides, offset);
  for (let i = 0; i < idx.length; i++) out[i] = x[idx[i]!]!;
  return out;
}

/** Moves `axis` to the end: returns [outer, n] views via index lists. */
function axisLanes(shape: readonly number[], axis: number): { lanes: number; n: number; stride: number; base: (lane: number) => number } {
  const n = shape[axis]!;
  const stride = contiguousStrides(shape)[axis]!;
  const inner = stride;
  const lanes = n === 0 ? 0 : sizeOf(shape) / n;
  return { lanes, n, stride, base: (lane) => Math.floor(lane / inner) * inner * n + (lane % inner) };
}

function reduceImpl(init: (d: DType) => number, combine: (a: number, b: number) => number): Impl<any> {
  return ([x], { axes }, [inAval], [out]) => {
    const shape = inAval!.shape;
    const res = new Float64Array(out!.size).fill(init(inAval!.dtype));
    const keep = shape.map((_, i) => !axes.includes(i));
    const outStrides = contiguousStrides(shape.filter((_, i) => keep[i]));
    const strideIn = new Array<number>(shape.length);
    let k = 0;
    shape.forEach((_, i) => { strideIn[i] = keep[i] ? outStrides[k++]! : 0; });
    const idx = stridedIndices(shape, strideIn, 0);
    for (let i = 0; i < idx.length; i++) res[idx[i]!] = combine(res[idx[i]!]!, x![i]!);
    const o = typedArrayFor(out!.dtype, out!.size);
    for (let i = 0; i < o.length; i++) o[i] = res[i]!;
    return [finish(o, out!.dtype)];
  };
}

const nanMax = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b);
const nanMin = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b);
export const lowest = (d: DType) => (isInt(d) ? intRange(d)[0] : d === "bool" ? 0 : -Infinity);
export const highest = (d: DType) => (isInt(d) ? intRange(d)[1] : d === "bool" ? 1 : Infinity);

function argReduce(better: (a: number, b: number) => boolean): Impl<any> {
  return ([x], { axis }, [inAval], [out]) => {
    const { lanes, n, stride, base } = axisLanes(inAval!.shape, axis);
    const o = typedArrayFor(out!.dtype, out!.size);
    for (let l = 0; l < lanes; l++) {
      const b = base(l);
      let best = x![b]!, bi = 0;
      for (let j = 1; j < n; j++) {
        const v = x![b + j * stride]!;
        if (Number.isNaN(best)) break;
        if (Number.isNaN(v) || better(v, best)) { best = v; bi = j; }
      }
      o[l] = bi;
    }
    return [o];
  };
}

function cumulative(combine: (a: number, b: number, d: DType) => number): Impl<any> {
  return ([x], { axis, reverse }, [inAval], [out]) => {
    const { lanes, n, stride, base } = axisLanes(inAval!.shape, axis);
    const o = typedArrayFor(out!.dtype, out!.size);
    for (let l = 0; l < lanes; l++) {
      const b = base(l);
      let acc = NaN;
      for (let t = 0; t < n; t++) {
        const j = reverse ? n - 1 - t : t;
        const v = x![b + j * stride]!;
        acc = t === 0 ? v : combine(acc, v, out!.dtype);
        if (isNarrowed(out!.dtype)) acc = narrowScalar(acc, out!.dtype);
        o[b + j * stride] = acc;
      }
    }
    return [o];
  };
}

function dotGeneral([a, b]: readonly TypedArray[], { dimensionNumbers: dn }: ParamsOf<"dot_general">, [aa, ba]: readonly ShapedArray[], [out]: readonly ShapedArray[]): TypedArray[] {
  const [ca, cb] = dn.contract, [bA, bB] = dn.batch;
  const [freeA, freeB] = dotFreeAxes(dn, aa!.ndim, ba!.ndim);
  const size = (s: readonly number[], ax: number[]) => ax.reduce((p, i) => p * s[i]!, 1);
  const B = size(aa!.shape, [...bA]), M = size(aa!.shape, freeA), K = size(aa!.shape, [...ca]), N = size(ba!.shape, freeB);
  // Lay operands out as [B, M, K] and [B, K, N] with strided reads, then multiply in float64.
  const permA = [...bA, ...freeA, ...ca], permB = [...bB, ...cb, ...freeB];
  const la = gatherStrided(a!, permA.map((i) => aa!.shape[i]!), permA.map((i) => contiguousStrides(aa!.shape)[i]!), 0, "float64");
  const lb = gatherStrided(b!, permB.map((i) => ba!.shape[i]!), permB.map((i) => contiguousStrides(ba!.shape)[i]!), 0, "float64");
  const o = typedArrayFor(out!.dtype, B * M * N);
  const intMath = isInt(out!.dtype);
  for (let bi = 0; bi < B; bi++) for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let acc = 0;
    const ao = (bi * M + m) * K, bo = bi * K * N + n;
    for (let k = 0; k < K; k++) acc = intMath ? (acc + Math.imul(la[ao + k]!, lb[bo + k * N]!)) | 0 : acc + la[ao + k]! * lb[bo + k * N]!;
    o[(bi * M + m) * N + n] = acc;
  }
  return [finish(o, out!.dtype)];
}

function conv([lhs, rhs]: readonly TypedArray[], p: ParamsOf<"conv_general_dilated">, [la, ra]: readonly ShapedArray[], [out]: readonly ShapedArray[]): TypedArray[] {
  const [N, C] = la!.shape as [number, number];
  const [O, I] = ra!.shape as [number, number];
  const inSp = la!.shape.slice(2), kSp = ra!.shape.slice(2), outSp = out!.shape.slice(2);
  const nsp = inSp.length;
  const pads = resolvePadding(inSp, kSp, p);
  const G = p.featureGroupCount, opg = O / G;
  const inStr = contiguousStrides(la!.shape), kStr = contiguousStrides(ra!.shape), oStr = contiguousStrides(out!.shape);
  const o = new Float64Array(out!.size);
  const outPos = sizeOf(outSp), kPos = sizeOf(kSp);
  for (let n = 0; n < N; n++) for (let oc = 0; oc < O; oc++) {
    const g = Math.floor(oc / opg);
    for (let op = 0; op < outPos; op++) {
      const oIdx = unravel(op, outSp);
      let acc = 0;
      for (let ic = 0; ic < I; ic++) for (let kp = 0; kp < kPos; kp++) {
        const kIdx = unravel(kp, kSp);
        let inOff = n * inStr[0]! + (g * I + ic) * inStr[1]!, ok = true;
        for (let d = 0; d < nsp; d++) {
          // Position in the dilated, padded input.
          const pos = oIdx[d]! * p.strides[d]! + kIdx[d]! * p.rhsDilation[d]! - pads[d]![0];
          const ld = p.lhsDilation[d]!;
          if (pos < 0 || pos % ld !== 0) { ok = false; break; }
          const src = pos / ld;
          if (src >= inSp[d]!) { ok = false; break; }
          inOff += src * inStr[2 + d]!;
        }
        if (!ok) continue;
        let kOff = oc * kStr[0]! + ic * kStr[1]!;
        for (let d = 0; d < nsp; d++) kOff += kIdx[d]! * kStr[2 + d]!;
        acc += lhs![inOff]! * rhs![kOff]!;
      }
      let off = n * oStr[0]! + oc * oStr[1]!;
      for (let d = 0; d < nsp; d++) off += oIdx[d]! * oStr[2 + d]!;
      o[off] = acc;
    }
  }
  const res = typedArrayFor(out!.dtype, out!.size);
  res.set(o);
  return [finish(res, out!.dtype)];
}

const clampIndex = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);

function sortKey(a: number, b: number) {
  // numpy order: NaN last; -0 and 0 equal.
  const an = Number.isNaN(a), bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const unaryImpls = Object.fromEntries(UNARY_PRIMITIVES.map((p) => {
  const f = unaryFns[p];
  return [p, elementwise(([x], d) => f(x!, d))];
})) as { [P in UnaryPrimitive]: Impl<P> };
const binaryImpls = Object.fromEntries(BINARY_PRIMITIVES.map((p) => {
  const f = binaryFns[p];
  return [p, elementwise(([a, b], d) => f(a!, b!, d))];
})) as { [P in BinaryPrimitive]: Impl<P> };

export const referenceImpls: { readonly [P in DataPrimitive]: Impl<P> } = {
  ...unaryImpls,
  ...binaryImpls,
  select: elementwise(([c, x, y]) => selectFn(c!, x!, y!)),
  clamp: elementwise(([lo, x, hi]) => clampFn(lo!, x!, hi!)),
  convert_element_type: ([x], { dtype }) => {
    const o = typedArrayFor(dtype, x!.length);
    for (let i = 0; i < o.length; i++) o[i] = castScalar(x![i]!, dtype);
    return [o];
  },
  bitcast_convert_type: ([x], { dtype }) => {
    const src = x!.slice();
    const view = dtype === "float32" ? new Float32Array(src.buffer) : dtype === "int32" ? new Int32Array(src.buffer) : dtype === "uint32" ? new Uint32Array(src.buffer) : new Float64Array(src.buffer);
    return [view];
  },
  stop_gradient: ([x]) => [x!.slice()],

  broadcast_in_dim: ([x], { shape, broadcastDimensions }, [a], [out]) => {
    const s = contiguousStrides(a!.shape);
    const strides = shape.map(() => 0);
    broadcastDimensions.forEach((d, i) => { strides[d] = a!.shape[i] === 1 ? 0 : s[i]!; });
    return [gatherStrided(x!, shape, strides, 0, out!.dtype)];
  },
  reshape: ([x]) => [x!.slice()],
  transpose: ([x], { permutation }, [a], [out]) => {
    const s = contiguousStrides(a!.shape);
    return [gatherStrided(x!, out!.shape, permutation.map((p) => s[p]!), 0, out!.dtype)];
  },
  rev: ([x], { dimensions }, [a], [out]) => {
    const s = contiguousStrides(a!.shape);
    let offset = 0;
    const strides = s.map((st, i) => {
      if (!dimensions.includes(i)) return st;
      offset += (a!.shape[i]! - 1) * st;
      return -st;
    });
    return [gatherStrided(x!, a!.shape, strides, offset, out!.dtype)];
  },
  slice: ([x], { start, strides }, [a], [out]) => {
    const s = contiguousStrides(a!.shape);
    const offset = start.reduce((o, st, i) => o + st * s[i]!, 0);
    return [gatherStrided(x!, out!.shape, s.map((st, i) => st * (strides?.[i] ?? 1)), offset, out!.dtype)];
  },
  pad: ([x, v], { config }, [a], [out]) => {
    const o = typedArrayFor(out!.dtype, out!.size).fill(v![0]!);
    const oStr = contiguousStrides(out!.shape);
    const n = a!.size;
    for (let i = 0; i < n; i++) {
      const idx = unravel(i, a!.shape);
      let off = 0, ok = true;
      for (let d = 0; d < idx.length; d++) {
        const [lo, , interior] = config[d]!;
        const pos = lo + idx[d]! * (interior + 1);
        if (pos < 0 || pos >= out!.shape[d]!) { ok = false; break; }
        off += pos * oStr[d]!;
      }
      if (ok) o[off] = x![i]!;
    }
    return [o];
  },
  concatenate: (xs, { axis }, avals, [out]) => {
    const o = typedArrayFor(out!.dtype, out!.size);
    const outer = sizeOf(out!.shape.slice(0, axis));
    const rowOut = sizeOf(out!.shape.slice(axis));
    let col = 0;
    xs.forEach((x, k) => {
      const row = sizeOf(avals[k]!.shape.slice(axis));
      for (let i = 0; i < outer; i++) o.set(x.subarray(i * row, (i + 1) * row), i * rowOut + col);
      col += row;
    });
    return [o];
  },
  dynamic_slice: ([x, ...starts], { sizes }, [a], [out]) => {
    const s = contiguousStrides(a!.shape);
    const offset = starts.reduce((o, st, i) => o + Math.min(Math.max(st![0]!, 0), a!.shape[i]! - sizes[i]!) * s[i]!, 0);
    return [gatherStrided(x!, sizes, s, offset, out!.dtype)];
  },
  dynamic_update_slice: ([x, u, ...starts], _p, [a, ua]) => {
    const o = x!.slice();
    const s = contiguousStrides(a!.shape);
    const offset = starts.reduce((acc, st, i) => acc + Math.min(Math.max(st![0]!, 0), a!.shape[i]! - ua!.shape[i]!) * s[i]!, 0);
    const idx = stridedIndices(ua!.shape, s, offset);
    for (let i = 0; i < idx.length; i++) o[idx[i]!] = u![i]!;
    return [o];
  },
  gather: ([x, ind], { axis }, [a, ia], [out]) => {
    const n = a!.shape[axis]!;
    const outer = sizeOf(a!.shape.slice(0, axis)), inner = sizeOf(a!.shape.slice(axis + 1));
    const m = ia!.size;
    const o = typedArrayFor(out!.dtype, out!.size);
    for (let i = 0; i < outer; i++) for (let j = 0; j < m; j++) {
      const src = (i * n + clampIndex(ind![j]!, n)) * inner;
      o.set(x!.subarray(src, src + inner), (i * m + j) * inner);
    }
    return [o];
  },
  scatter: ([x, ind, u], { axis, mode }, [a, ia]) => {
    const o = x!.slice();
    const n = a!.shape[axis]!;
    const outer = sizeOf(a!.shape.slice(0, axis)), inner = sizeOf(a!.shape.slice(axis + 1));
    const m = ia!.size;
    const combine = scatterCombine(mode, a!.dtype);
    for (let i = 0; i < outer; i++) for (let j = 0; j < m; j++) {
      const k = ind![j]!;
      if (k < 0 || k >= n) continue; // out-of-bounds updates are dropped, as in JAX
      const dst = (i * n + k) * inner, src = (i * m + j) * inner;
      for (let e = 0; e < inner; e++) o[dst + e] = combine(o[dst + e]!, u![src + e]!);
    }
    return [finish(o, a!.dtype)];
  },
  iota: (_, { dtype, shape, dimension }) => {
    const s = shape.map((_, i) => (i === dimension ? 1 : 0));
    const idx = stridedIndices(shape, s, 0);
    const o = typedArrayFor(dtype, idx.length);
    o.set(idx);
    return [finish(o, dtype)]; // an int8 iota past 127 wraps, as XLA's
  },

  reduce_sum: reduceImpl(() => 0, (a, b) => a + b),
  reduce_prod: reduceImpl(() => 1, (a, b) => a * b),
  reduce_max: reduceImpl(lowest, nanMax),
  reduce_min: reduceImpl(highest, nanMin),
  reduce_and: reduceImpl(() => 1, (a, b) => (a && b ? 1 : 0)),
  reduce_or: reduceImpl(() => 0, (a, b) => (a || b ? 1 : 0)),
  argmax: argReduce((a, b) => a > b),
  argmin: argReduce((a, b) => a < b),
  // Integer scans wrap at every step, as XLA's.
  cumsum: cumulative((a, b, d) => (isInt(d) ? narrowScalar(a + b, d) : a + b)),
  cumprod: cumulative((a, b, d) => (isInt(d) ? wrapInt(Math.imul(a, b), d) : a * b)),
  cummax: cumulative(nanMax),
  cummin: cumulative(nanMin),

  dot_general: dotGeneral,
  conv_general_dilated: conv,
  sort: (xs, { dimension, numKeys }, avals) => {
    const { lanes, n, stride, base } = axisLanes(avals[0]!.shape, dimension);
    const outs = xs.map((x) => x.slice());
    const order = new Array<number>(n);
    for (let l = 0; l < lanes; l++) {
      const b = base(l);
      for (let j = 0; j < n; j++) order[j] = j;
      order.sort((i, j) => {
        for (let k = 0; k < numKeys; k++) {
          const c = sortKey(xs[k]![b + i * stride]!, xs[k]![b + j * stride]!);
          if (c !== 0) return c;
        }
        return i - j;
      });
      xs.forEach((x, k) => { for (let j = 0; j < n; j++) outs[k]![b + j * stride] = x[b + order[j]! * stride]!; });
    }
    return outs;
  },
  threefry2x32: (xs, _p, avals, [out]) => {
    const shape = out!.shape;
    const ins = xs.map((x, k) => readBroadcast(x, avals[k]!.shape, shape));
    const y0 = new Uint32Array(out!.size), y1 = new Uint32Array(out!.size);
    for (let i = 0; i < y0.length; i++) {
      const [a, b] = threefry2x32(ins[0]![i]!, ins[1]![i]!, ins[2]![i]!, ins[3]![i]!);
      y0[i] = a; y1[i] = b;
    }
    return [y0, y1];
  },
};
