import type { DeviceArray } from "../array.js";
import { scalar } from "../trace/constants.js";
import { bind1 } from "../trace/trace.js";
import * as l from "../lax/primitives.js";
import { lgamma } from "../lax/extra.js";
import { whileLoop } from "../lax/control.js";
import { asArray, type ArrayLike, type DTypeLike } from "../numpy/convert.js";
import { defaultFloat, isFloat, parseDType } from "../dtype.js";
import { broadcastShapes } from "../shape/broadcast.js";
import type { PRNGKey } from "../typing.js";
import { checkKey, splitKey } from "./threefry.js";
import { normal, uniform } from "./distributions.js";
import { LocatedTypeError } from "../ir/source.js";

/**
 * Samplers by rejection, vectorized: every element draws each round from fresh keys and keeps
 * its first accepted value; a lax.whileLoop runs rounds until all are accepted, so they trace
 * under jit and vmap. gamma is Marsaglia and Tsang's method (as jax.random.gamma), with the
 * alpha < 1 boost gamma(a) = gamma(a + 1) u^(1/a); poisson is Knuth's product of uniforms for
 * rate < 10 and Hörmann's transformed rejection (PTRS) above, as jax.random.poisson. beta and
 * dirichlet are ratios of gammas. The streams are these algorithms' own: the same in
 * distribution as JAX's, not bit for bit. Reparameterized gradients with respect to the shape
 * parameters (JAX's random_gamma_grad) are not provided: the samples are stop_gradient'ed.
 */
type Shape = readonly number[];
const floatD = (op: string, dtype?: DTypeLike) => {
  const d = dtype === undefined || dtype === null ? defaultFloat() : parseDType(dtype);
  if (!isFloat(d)) throw new LocatedTypeError(`random.${op}: dtype must be a float dtype, got ${d}`);
  return d as "float32" | "float64";
};
const all = (x: DeviceArray) => (x.ndim ? bind1("reduce_and", [x], { axes: [...x.shape.keys()] }) : x);
const any = (x: DeviceArray) => (x.ndim ? bind1("reduce_or", [x], { axes: [...x.shape.keys()] }) : x);
const keyAt = (keys: DeviceArray, i: number) => l.reshape(l.slice(keys, [i, 0], [i + 1, 2]), [2]);

function shapeFor(op: string, shape: Shape | null | undefined, ...params: Shape[]): number[] {
  const b = broadcastShapes(`random.${op}`, ...params);
  if (shape === null || shape === undefined) return b as number[];
  const full = broadcastShapes(`random.${op}`, shape, ...params);
  if (full.length !== shape.length || full.some((d, i) => d !== shape[i])) {
    throw new LocatedTypeError(`random.${op}: parameter shapes must broadcast to the shape argument [${shape.join(", ")}], but broadcast to [${full.join(", ")}]`);
  }
  return [...shape];
}

/** Rounds of `draw` until every element is accepted; each element keeps its first accepted value. */
function rejectionLoop(key: DeviceArray, shape: number[], dtype: "float32" | "float64",
  draw: (k: DeviceArray) => [DeviceArray, DeviceArray]): DeviceArray {
  const init = [key, l.broadcastInDim(scalar(0, dtype), shape, []), l.broadcastInDim(scalar(false, "bool"), shape, [])];
  const [, value] = whileLoop(
    ([, , done]: DeviceArray[]) => l.not(all(done!)),
    ([k, v, done]: DeviceArray[]) => {
      const ks = splitKey(k!, [2]);
      const [cand, ok] = draw(keyAt(ks, 1));
      const take = l.and(ok, l.not(done!));
      return [keyAt(ks, 0), l.select(take, cand, v!), l.or(done!, ok)];
    }, init) as DeviceArray[];
  return value!;
}

/** Marsaglia-Tsang for alpha >= 1 (alpha given already broadcast to shape). */
function gammaAtLeastOne(key: DeviceArray, alpha: DeviceArray, shape: number[], dtype: "float32" | "float64"): DeviceArray {
  const c = (v: number) => scalar(v, dtype);
  const d = l.sub(alpha, c(1 / 3));
  const cc = l.div(c(1 / 3), l.sqrt(d));
  return rejectionLoop(key, shape, dtype, (k) => {
    const ks = splitKey(k, [2]);
    const x = normal(keyAt(ks, 0), shape, dtype);
    const u = uniform(keyAt(ks, 1), shape, dtype);
    const v = l.mul(l.square(l.add(c(1), l.mul(cc, x))), l.add(c(1), l.mul(cc, x)));
    const pos = l.gt(l.add(c(1), l.mul(cc, x)), c(0));
    const safeV = l.select(pos, v, l.fullLike(v, 1));
    // Accept when log u < x^2 / 2 + d (1 - v + log v).
    const bound = l.add(l.mul(c(0.5), l.square(x)), l.mul(d, l.add(l.sub(c(1), safeV), l.log(safeV))));
    const ok = l.and(pos, l.lt(l.log(u), bound));
    return [l.mul(d, safeV), ok];
  });
}

/** Gamma(a, 1) samples. */
export function gamma(key: PRNGKey, a: ArrayLike, shape?: Shape | null, dtype?: DTypeLike): DeviceArray {
  const k = checkKey("gamma", key);
  const dt = floatD("gamma", dtype);
  const alpha0 = l.convert(asArray(a), dt);
  const sh = shapeFor("gamma", shape, alpha0.shape);
  const alpha = l.stopGradient(l.broadcastTo(alpha0, sh));
  const c = (v: number) => scalar(v, dt);
  const small = l.lt(alpha, c(1));
  const ks = splitKey(k, [2]);
  const boosted = gammaAtLeastOne(keyAt(ks, 0), l.select(small, l.add(alpha, c(1)), alpha), sh, dt);
  // alpha < 1: gamma(a) = gamma(a + 1) * u^(1 / a), in log space against underflow of tiny a.
  const u = uniform(keyAt(ks, 1), sh, dt, c(2 ** -60), c(1));
  const logSample = l.add(l.log(boosted), l.div(l.log(u), l.select(small, alpha, l.fullLike(alpha, 1))));
  return l.select(small, l.exp(logSample), boosted);
}

/** Beta(a, b) samples: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function beta(key: PRNGKey, a: ArrayLike, b: ArrayLike, shape?: Shape | null, dtype?: DTypeLike): DeviceArray {
  const k = checkKey("beta", key);
  const dt = floatD("beta", dtype);
  const A = l.convert(asArray(a), dt), B = l.convert(asArray(b), dt);
  const sh = shapeFor("beta", shape, A.shape, B.shape);
  const ks = splitKey(k, [2]);
  const x = gamma(keyAt(ks, 0), l.broadcastTo(A, sh), sh, dt), y = gamma(keyAt(ks, 1), l.broadcastTo(B, sh), sh, dt);
  return l.div(x, l.add(x, y));
}

/** Dirichlet(alpha) samples over alpha's last axis: gammas normalized to sum to 1. */
export function dirichlet(key: PRNGKey, alpha: ArrayLike, shape?: Shape | null, dtype?: DTypeLike): DeviceArray {
  const k = checkKey("dirichlet", key);
  const dt = floatD("dirichlet", dtype);
  const A = l.convert(asArray(alpha), dt);
  if (A.ndim < 1) throw new LocatedTypeError(`random.dirichlet: alpha must have at least one axis, got ${A.aval}`);
  const n = A.shape[A.ndim - 1]!;
  const batch = shapeFor("dirichlet", shape, A.shape.slice(0, -1));
  const full = [...batch, n];
  const g = gamma(k, l.broadcastTo(A, full), full, dt);
  const s = l.reduceSum(g, [full.length - 1]);
  return l.div(g, l.broadcastInDim(s, full, [...batch.keys()]));
}

/** Poisson(lam) samples (int32). */
export function poisson(key: PRNGKey, lam: ArrayLike, shape?: Shape | null, dtype: "int32" = "int32"): DeviceArray {
  const k = checkKey("poisson", key);
  const rate0 = l.convert(asArray(lam), defaultFloat());
  const dt = rate0.dtype as "float32" | "float64";
  const sh = shapeFor("poisson", shape, rate0.shape);
  const rate = l.stopGradient(l.broadcastTo(rate0, sh));
  const c = (v: number) => scalar(v, dt);
  const useKnuth = l.lt(rate, c(10));
  const ks = splitKey(k, [2]);
  // Knuth: count uniforms until their product falls below exp(-lam).
  const lamK = l.select(useKnuth, rate, l.zerosLike(rate));
  const [, count] = whileLoop(
    ([, , logProd]: DeviceArray[]) => any(l.gt(logProd!, l.neg(lamK))),
    ([kk, cnt, logProd]: DeviceArray[]) => {
      const s = splitKey(kk!, [2]);
      const going = l.gt(logProd!, l.neg(lamK));
      const u = uniform(keyAt(s, 1), sh, dt);
      return [keyAt(s, 0), l.select(going, l.add(cnt!, l.fullLike(cnt!, 1)), cnt!), l.select(going, l.add(logProd!, l.log(u)), logProd!)];
    }, [keyAt(ks, 0), l.broadcastInDim(scalar(0, dt), sh, []), l.broadcastInDim(scalar(0, dt), sh, [])]) as DeviceArray[];
  const knuth = l.sub(count!, c(1));
  // PTRS (Hörmann 1993) for lam >= 10.
  const lamR = l.select(useKnuth, l.fullLike(rate, 10), rate);
  const logLam = l.log(lamR);
  const b = l.add(c(0.931), l.mul(c(2.53), l.sqrt(lamR)));
  const a = l.add(c(-0.059), l.mul(c(0.02483), b));
  const invAlpha = l.add(c(1.1239), l.div(c(1.1328), l.sub(b, c(3.4))));
  const vR = l.sub(c(0.9277), l.div(c(3.6224), l.sub(b, c(2))));
  const ptrs = rejectionLoop(keyAt(ks, 1), sh, dt, (kk) => {
    const s = splitKey(kk, [2]);
    const u = l.sub(uniform(keyAt(s, 0), sh, dt), c(0.5));
    const v = uniform(keyAt(s, 1), sh, dt);
    const us = l.sub(c(0.5), l.abs(u));
    const kv = l.floor(l.add(l.mul(l.add(l.div(l.mul(c(2), a), us), b), u), l.add(lamR, c(0.43))));
    const sv = l.log(l.div(l.mul(v, invAlpha), l.add(l.div(a, l.square(us)), b)));
    const t = l.sub(l.sub(l.mul(kv, logLam), lamR), lgamma(l.add(kv, c(1))));
    const accept1 = l.and(l.ge(us, c(0.07)), l.le(v, vR));
    const reject = l.or(l.lt(kv, c(0)), l.and(l.lt(us, c(0.013)), l.gt(v, us)));
    const ok = l.or(accept1, l.and(l.not(reject), l.le(sv, t)));
    return [kv, ok];
  });
  const out = l.select(useKnuth, knuth, ptrs);
  // lam = 0 gives 0; the result is an integer count.
  return l.convert(l.select(l.le(rate, c(0)), l.zerosLike(out), out), dtype);
}
