import type { DeviceArray } from "../array.js";
import { scalar } from "../trace/constants.js";
import { defaultFloat, isFloat, isInt, parseDType, type DType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { argmax, bitcastConvertType, erf, erfInv } from "../lax/extra.js";
import { asArray, type ArrayLike, type DTypeLike } from "../numpy/convert.js";
import { broadcastShapes } from "../shape/broadcast.js";
import type { PRNGKey } from "../typing.js";
import { bits16, bits32, bits64, checkKey, splitKey, u32 } from "./threefry.js";
import { LocatedTypeError, LocatedRangeError } from "../ir/source.js";

/**
 * Samplers, each the same computation as its jax.random namesake (same bits, same float
 * transform, same order of operations), written with lax ops so they trace under jit and vmap.
 */

type Shape = readonly number[];

const FINFO: Record<"float16" | "float32" | "float64", { nmant: number; tiny: number }> = {
  float16: { nmant: 10, tiny: 2 ** -14 },
  float32: { nmant: 23, tiny: 2 ** -126 },
  float64: { nmant: 52, tiny: 2 ** -1022 },
};

function floatDType(op: string, dtype: DTypeLike | undefined): "float16" | "float32" | "float64" {
  const d = dtype === undefined ? defaultFloat() : parseDType(dtype);
  if (!isFloat(d)) throw new LocatedTypeError(`random.${op}: dtype must be a float dtype, got ${d}`);
  return d as "float16" | "float32" | "float64";
}

const sizeOf = (s: Shape) => s.reduce((a, b) => a * b, 1);
const c = (v: number, dtype: DType) => scalar(v, dtype);

/** Checks that parameter shapes broadcast to `shape` exactly (jax.random's _check_shape). */
function checkShape(op: string, shape: Shape, ...paramShapes: Shape[]) {
  if (!paramShapes.length) return;
  const b = broadcastShapes(`random.${op}`, shape, ...paramShapes);
  if (b.length !== shape.length || b.some((d, i) => d !== shape[i])) {
    throw new LocatedTypeError(`random.${op}: parameter shapes must broadcast to the shape argument [${shape.join(", ")}], but broadcast to [${b.join(", ")}]`);
  }
}

/** Floats in [0, 1): the top mantissa bits of the random bits under the exponent of 1.0, minus 1. */
function unitFloats(key: DeviceArray, shape: Shape, dtype: "float16" | "float32" | "float64"): DeviceArray {
  if (dtype === "float32") {
    const b = bits32(key, shape);
    const fbits = l.or(l.binary("shift_right_logical")(b, u32(32 - 23)), u32(0x3f800000));
    return l.sub(bitcastConvertType(fbits, "float32"), c(1, "float32"));
  }
  if (dtype === "float16") {
    // 16 bits; the top 10 fill the mantissa. (1 + m/2^10) - 1 = m/2^10 exactly, so compute that.
    const m = l.binary("shift_right_logical")(bits16(key, shape), u32(16 - 10));
    return l.convert(l.mul(l.convert(m, "float32"), c(2 ** -10, "float32")), "float16");
  }
  // float64: 64 bits as (hi, lo); the top 52 are hi and the top 20 of lo, placed exactly.
  const [hi, lo] = bits64(key, shape);
  const loTop = l.binary("shift_right_logical")(lo, u32(12));
  return l.add(l.mul(l.convert(hi, "float64"), c(2 ** -32, "float64")), l.mul(l.convert(loTop, "float64"), c(2 ** -52, "float64")));
}

function uniformImpl(key: DeviceArray, shape: Shape, dtype: "float16" | "float32" | "float64", minval: ArrayLike, maxval: ArrayLike): DeviceArray {
  const lo = l.convert(asArray(minval), dtype), hi = l.convert(asArray(maxval), dtype);
  checkShape("uniform", shape, lo.shape, hi.shape);
  const f = unitFloats(key, shape, dtype);
  const lob = l.broadcastTo(lo, shape);
  return l.max(lob, l.add(l.mul(f, l.sub(l.broadcastTo(hi, shape), lob)), lob));
}

/** Uniform floats in [minval, maxval). */
export function uniform(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike, minval: ArrayLike = 0, maxval: ArrayLike = 1): DeviceArray {
  return uniformImpl(checkKey("uniform", key), shape, floatDType("uniform", dtype), minval, maxval);
}

/** The float just above -1 (np.nextafter(-1, 0)) in `dtype`. */
const aboveMinusOne = (dtype: "float16" | "float32" | "float64") => -1 + 2 ** -(FINFO[dtype].nmant + 1);

/** Standard normal: sqrt(2) * erfinv(u), u uniform in (-1, 1), as JAX's _normal_real. */
export function normal(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike): DeviceArray {
  const d = floatDType("normal", dtype);
  const u = uniformImpl(checkKey("normal", key), shape, d, c(aboveMinusOne(d), d), c(1, d));
  return l.mul(c(Math.SQRT2, d), erfInv(u));
}

/**
 * Standard normal truncated to (lower, upper): u uniform between erf(lower/sqrt2) and
 * erf(upper/sqrt2), then sqrt2 * erfinv(u), clamped into the open interval as JAX does.
 */
export function truncatedNormal(key: PRNGKey, lower: ArrayLike, upper: ArrayLike, shape?: Shape | null, dtype?: DTypeLike): DeviceArray {
  const d = floatDType("truncatedNormal", dtype);
  const lo = l.convert(asArray(lower), d), hi = l.convert(asArray(upper), d);
  const outShape = shape ?? (broadcastShapes("random.truncatedNormal", lo.shape, hi.shape) as number[]);
  checkShape("truncatedNormal", outShape, lo.shape, hi.shape);
  const sqrt2 = c(Math.SQRT2, d);
  const a = erf(l.div(lo, sqrt2)), b = erf(l.div(hi, sqrt2));
  const u = uniformImpl(checkKey("truncatedNormal", key), outShape, d, a, b);
  const out = l.mul(sqrt2, erfInv(u));
  const nextafter = l.binary("nextafter");
  const floor = nextafter(l.stopGradient(lo), c(Infinity, d)), ceil = nextafter(l.stopGradient(hi), c(-Infinity, d));
  return l.min(l.max(out, floor), ceil);
}

/** Booleans that are true with probability p. */
export function bernoulli(key: PRNGKey, p: ArrayLike = 0.5, shape?: Shape | null): DeviceArray {
  const pa = typeof p === "number" ? c(p, defaultFloat()) : asArray(p);
  if (!isFloat(pa.dtype)) throw new LocatedTypeError(`random.bernoulli: the probability p must have a floating dtype, got ${pa.dtype}`);
  const outShape = shape ?? pa.shape;
  checkShape("bernoulli", outShape, pa.shape);
  return l.lt(uniformImpl(checkKey("bernoulli", key), outShape, pa.dtype as "float32", 0, 1), pa);
}

/** Standard Gumbel: -log(-log(u)), u uniform in [tiny, 1). */
export function gumbel(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike): DeviceArray {
  const d = floatDType("gumbel", dtype);
  const u = uniformImpl(checkKey("gumbel", key), shape, d, c(FINFO[d].tiny, d), c(1, d));
  return l.neg(l.log(l.neg(l.log(u))));
}

/** Standard exponential: -log1p(-u). */
export function exponential(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike): DeviceArray {
  const d = floatDType("exponential", dtype);
  const u = uniformImpl(checkKey("exponential", key), shape, d, 0, 1);
  return l.neg(l.unary("log1p")(l.neg(u)));
}

/** Standard Laplace: sign(u) * log1p(-|u|), u uniform in (-1, 1). */
export function laplace(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike): DeviceArray {
  const d = floatDType("laplace", dtype);
  const u = uniformImpl(checkKey("laplace", key), shape, d, c(aboveMinusOne(d), d), c(1, d));
  return l.mul(l.sign(u), l.unary("log1p")(l.neg(l.abs(u))));
}

/** Standard logistic: log(u / (1 - u)), u uniform in [tiny, 1). */
export function logistic(key: PRNGKey, shape: Shape = [], dtype?: DTypeLike): DeviceArray {
  const d = floatDType("logistic", dtype);
  const u = uniformImpl(checkKey("logistic", key), shape, d, c(FINFO[d].tiny, d), c(1, d));
  return l.log(l.div(u, l.sub(c(1, d), u)));
}

/**
 * Samples from categorical distributions given by unnormalized log-probabilities along `axis`
 * (the Gumbel-max trick, as JAX). `shape` defaults to the batch shape of logits (its shape
 * without `axis`); a longer shape draws independent samples along leading axes.
 */
export function categorical(key: PRNGKey, logits: ArrayLike, axis = -1, shape?: Shape | null): DeviceArray {
  const lg = asArray(logits);
  if (!isFloat(lg.dtype)) throw new LocatedTypeError(`random.categorical: logits must be floating point, got ${lg.dtype}`);
  const nd = lg.ndim;
  if (axis >= nd || axis < -nd) throw new LocatedRangeError(`random.categorical: axis ${axis} is out of bounds for logits of shape [${lg.shape.join(", ")}]`);
  const negAxis = axis >= 0 ? axis - nd : axis;
  const pos = nd + negAxis;
  const batch = lg.shape.filter((_, i) => i !== pos);
  const outShape = shape ?? batch;
  checkShape("categorical", outShape, batch);
  const prefix = outShape.slice(0, outShape.length - batch.length);
  const rest = outShape.slice(outShape.length - batch.length);
  const gShape = [...prefix, ...rest.slice(0, pos), lg.shape[pos]!, ...rest.slice(pos)];
  const g = gumbel(key, gShape, lg.dtype);
  const expanded = l.reshape(lg, [...prefix.map(() => 1), ...lg.shape]);
  return argmax(l.add(g, l.broadcastTo(expanded, gShape)), gShape.length + negAxis, "int32");
}

const INT_RANGE: Record<"int32" | "uint32", [number, number]> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] };

/** Converts randint bounds to `dtype`, clipping JS numbers into range; notes a maxval beyond it. */
function intBound(v: ArrayLike, dtype: "int32" | "uint32"): { a: DeviceArray; beyond: boolean } {
  const [lo, hi] = INT_RANGE[dtype];
  if (typeof v === "number") {
    const t = Math.trunc(v);
    return { a: c(Math.min(Math.max(t, lo), hi), dtype), beyond: t > hi };
  }
  let a = asArray(v);
  if (!isInt(a.dtype)) a = l.convert(a, "int32");
  return { a: a.dtype === dtype ? a : l.convert(a, dtype), beyond: false };
}

/**
 * Integers in [minval, maxval), JAX's algorithm: two independent 32-bit draws from split(key)
 * combined as (hi mod span) * (2^32 mod span) + (lo mod span), all modulo span, which keeps the
 * bias small when span is not a power of 2.
 */
export function randint(key: PRNGKey, shape: Shape, minval: ArrayLike, maxval: ArrayLike, dtype: "int32" | "uint32" = "int32"): DeviceArray {
  const k = checkKey("randint", key);
  if (dtype !== "int32" && dtype !== "uint32") throw new LocatedTypeError(`random.randint: dtype must be int32 or uint32, got ${String(dtype)}`);
  const mn = intBound(minval, dtype), mx = intBound(maxval, dtype);
  checkShape("randint", shape, mn.a.shape, mx.a.shape);
  const lo = l.broadcastTo(mn.a, shape), hi = l.broadcastTo(mx.a, shape);
  const keys = splitKey(k, [2]);
  const k1 = l.reshape(l.slice(keys, [0, 0], [1, 2]), [2]), k2 = l.reshape(l.slice(keys, [1, 0], [2, 2]), [2]);
  const higher = bits32(k1, shape), lower = bits32(k2, shape);
  const toU32 = (x: DeviceArray) => (x.dtype === "uint32" ? x : bitcastConvertType(x, "uint32"));
  let span = toU32(l.sub(hi, lo));
  const one = l.broadcastTo(u32(1), shape);
  span = l.select(l.le(hi, lo), one, span);
  if (mx.beyond) span = l.select(l.gt(hi, lo), l.add(span, one), span);
  const rem = l.binary("rem");
  let mult = rem(l.broadcastTo(u32(2 ** 16), shape), span);
  mult = rem(l.mul(mult, mult), span);
  const offset = rem(l.add(l.mul(rem(higher, span), mult), rem(lower, span)), span);
  return l.add(lo, dtype === "uint32" ? offset : bitcastConvertType(offset, "int32"));
}

/** JAX's _shuffle: sorts by fresh random 32-bit keys, in as many rounds as make collisions negligible. */
function shuffleImpl(key: DeviceArray, x: DeviceArray, axis: number): DeviceArray {
  const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(2 ** 32 - 1));
  let k = key, out = x;
  for (let i = 0; i < rounds; i++) {
    const keys = splitKey(k, [2]);
    k = l.reshape(l.slice(keys, [0, 0], [1, 2]), [2]);
    const sub = l.reshape(l.slice(keys, [1, 0], [2, 2]), [2]);
    out = l.sort([bits32(sub, out.shape), out], axis, 1)[1]!;
  }
  return out;
}

function normAxis(op: string, axis: number, ndim: number) {
  const n = Math.max(ndim, 1);
  if (axis < -n || axis >= n) throw new LocatedRangeError(`random.${op}: axis ${axis} is out of bounds for an array of ${ndim} dimensions`);
  return axis < 0 ? axis + n : axis;
}

/** A random permutation of arange(x) (x an integer) or of x along `axis` (rows kept whole unless `independent`). */
export function permutation(key: PRNGKey, x: number | ArrayLike, axis = 0, independent = false): DeviceArray {
  const k = checkKey("permutation", key);
  if (typeof x === "number") {
    if (!Number.isInteger(x) || x < 0) throw new LocatedTypeError(`random.permutation: x must be a non-negative integer or an array, got ${x}`);
    return shuffleImpl(k, l.iota("int32", [x]), 0);
  }
  const a = asArray(x);
  if (a.ndim === 0) throw new LocatedTypeError("random.permutation: x must be an integer or at least 1-dimensional");
  const ax = normAxis("permutation", axis, a.ndim);
  if (independent || a.ndim === 1) return shuffleImpl(k, a, ax);
  const ind = shuffleImpl(k, l.iota("int32", [a.shape[ax]!]), 0);
  return l.gather(a, ind, ax);
}

let shuffleWarned = false;
/** Deprecated in JAX (use permutation(key, x, axis, true)): shuffles x along axis independently. */
export function shuffle(key: PRNGKey, x: ArrayLike, axis = 0): DeviceArray {
  if (!shuffleWarned) {
    shuffleWarned = true;
    const msg = "random.shuffle is deprecated, as jax.random.shuffle is; use random.permutation(key, x, axis, true)";
    if (typeof process !== "undefined" && process.emitWarning) process.emitWarning(msg, "DeprecationWarning");
    else console.warn(msg);
  }
  const a = asArray(x);
  return shuffleImpl(checkKey("shuffle", key), a, normAxis("shuffle", axis, a.ndim));
}

/**
 * A random sample from `a` (an integer n stands for arange(n)) along `axis`, with or without
 * replacement, uniform or with probabilities `p`, as jax.random.choice.
 */
export function choice(key: PRNGKey, a: number | ArrayLike, shape: Shape = [], replace = true, p?: ArrayLike | null, axis = 0): DeviceArray {
  const k = checkKey("choice", key);
  const arr = typeof a === "number" ? null : asArray(a);
  if (arr && arr.ndim === 0) throw new LocatedTypeError("random.choice: a must be an integer or at least 1-dimensional");
  const ax = arr ? normAxis("choice", axis, arr.ndim) : 0;
  const nInputs = arr ? arr.shape[ax]! : (a as number);
  if (!Number.isInteger(nInputs)) throw new LocatedTypeError(`random.choice: a must be an integer or an array, got ${String(a)}`);
  const nDraws = sizeOf(shape);
  const outShape = arr ? [...arr.shape.slice(0, ax), ...shape, ...arr.shape.slice(ax + 1)] : [...shape];
  if (nDraws === 0) return l.broadcastInDim(c(0, arr ? arr.dtype : "int32"), outShape, []);
  if (nInputs <= 0) throw new LocatedRangeError("random.choice: a must be greater than 0 unless no samples are taken");
  if (!replace && nDraws > nInputs) throw new LocatedRangeError("random.choice: cannot take a larger sample than population when replace=false");
  let ind: DeviceArray;
  if (p === undefined || p === null) {
    if (replace) ind = randint(k, shape, 0, nInputs);
    else {
      const perm = permutation(k, arr ?? nInputs, ax);
      const start = perm.shape.map(() => 0), limit = [...perm.shape];
      limit[ax] = nDraws;
      return l.reshape(l.slice(perm, start, limit), outShape);
    }
  } else {
    let pa = asArray(p);
    if (!isFloat(pa.dtype)) pa = l.convert(pa, defaultFloat());
    if (pa.ndim !== 1 || pa.shape[0] !== nInputs) throw new LocatedTypeError("random.choice: p must be None or match the shape of a");
    if (replace) {
      const cum = l.cumsum(pa, 0);
      const total = l.reshape(l.slice(cum, [nInputs - 1], [nInputs]), []);
      const r = l.mul(total, l.sub(c(1, pa.dtype), uniformImpl(k, shape, pa.dtype as "float32", 0, 1)));
      // searchsorted(cum, r, side="left"): the number of entries of cum below r.
      const below = l.lt(cum, l.reshape(r, [...r.shape, 1]));
      ind = l.reduceSum(l.convert(below, "int32"), [r.ndim]);
    } else {
      // Gumbel top-k: the n_draws largest of gumbel + log p, largest first (ties: lower index first).
      const g = l.add(gumbel(k, [nInputs], pa.dtype), l.log(pa));
      const order = l.sort([l.neg(g), l.iota("int32", [nInputs])], 0, 1)[1]!;
      ind = l.reshape(l.slice(order, [0], [nDraws]), [...shape]);
    }
  }
  if (!arr) return l.reshape(ind, outShape);
  return l.reshape(l.gather(arr, l.reshape(ind, [nDraws]), ax), outShape);
}
