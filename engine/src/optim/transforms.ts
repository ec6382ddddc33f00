import type { DeviceArray } from "../array.js";
import * as np from "../numpy/index.js";
import { flatten, leaves, map, unflatten, type PyTree } from "../tree.js";
import type { Schedule } from "./schedules.js";
import { LocatedError } from "../ir/source.js";

/**
 * Gradient transformations, as Optax: `init(params) -> state`, `update(updates, state, params)
 * -> [updates, state]`. States are pytrees of arrays (plain objects), so a training step that
 * takes and returns them can be jitted.
 */
export type OptState = PyTree;
export interface GradientTransformation<S = OptState> {
  init(params: PyTree): S;
  update(updates: PyTree, state: S, params?: PyTree): [PyTree, S];
}
/** A learning rate: a number or a schedule of the step count. */
export type ScalarOrSchedule = number | Schedule;

const zerosLike = (t: PyTree) => map((x: DeviceArray) => np.zerosLike(x), t);
const count0 = () => np.array(0, "int32");
const inc = (c: DeviceArray) => np.add(c, np.array(1, "int32"));
const f32 = (c: DeviceArray) => c.astype("float32");

/** Updates plus params elementwise (optax.apply_updates), keeping each param's dtype. */
export function applyUpdates<T extends PyTree>(params: T, updates: PyTree): T {
  return map((p: DeviceArray, u: DeviceArray | null) => (u === null || u === undefined ? p : np.add(p, u).astype(p.dtype)), params, updates);
}

/** The transformations run one after the other; the state is the list of their states. */
export function chain(...txs: GradientTransformation<any>[]): GradientTransformation<OptState[]> {
  return {
    init: (params) => txs.map((t) => t.init(params)),
    update: (updates, state, params) => {
      const next: OptState[] = [];
      let u = updates;
      txs.forEach((t, i) => { const [u2, s] = t.update(u, state[i], params); u = u2; next.push(s); });
      return [u, next];
    },
  };
}

export function identity(): GradientTransformation<{}> {
  return { init: () => ({}), update: (u, s) => [u, s] };
}

/** Multiplies updates by a constant. */
export function scale(factor: number): GradientTransformation<{}> {
  return { init: () => ({}), update: (u, s) => [map((g: DeviceArray) => np.multiply(g, factor), u), s] };
}

/** Multiplies updates by -lr (or -schedule(count)), counting steps when a schedule is given. */
export function scaleByLearningRate(lr: ScalarOrSchedule, flipSign = true): GradientTransformation<any> {
  const sign = flipSign ? -1 : 1;
  if (typeof lr === "number") return scale(sign * lr);
  return scaleBySchedule((c) => np.multiply(lr(c), sign));
}
export function scaleBySchedule(schedule: Schedule): GradientTransformation<{ count: DeviceArray }> {
  return {
    init: () => ({ count: count0() }),
    update: (u, s) => {
      const m = schedule(s.count);
      return [map((g: DeviceArray) => np.multiply(g, m.astype(g.dtype)), u), { count: inc(s.count) }];
    },
  };
}

/** Momentum: t = g + decay * t; nesterov uses g + decay * t. */
export function trace(opts: { decay: number; nesterov?: boolean }): GradientTransformation<{ trace: PyTree }> {
  return {
    init: (params) => ({ trace: zerosLike(params) }),
    update: (u, s) => {
      const t = map((g: DeviceArray, tr: DeviceArray) => np.add(g, np.multiply(tr, opts.decay)), u, s.trace);
      const out = opts.nesterov ? map((g: DeviceArray, tr: DeviceArray) => np.add(g, np.multiply(tr, opts.decay)), u, t) : t;
      return [out, { trace: t }];
    },
  };
}

const biasCorrection = (m: DeviceArray, decay: number, count: DeviceArray) => np.divide(m, np.subtract(1, np.power(np.array(decay, "float32"), f32(count))).astype(m.dtype));

/** Adam's direction: mu_hat / (sqrt(nu_hat + epsRoot) + eps). */
export function scaleByAdam(opts: { b1?: number; b2?: number; eps?: number; epsRoot?: number } = {}): GradientTransformation<{ count: DeviceArray; mu: PyTree; nu: PyTree }> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0 } = opts;
  return {
    init: (params) => ({ count: count0(), mu: zerosLike(params), nu: zerosLike(params) }),
    update: (u, s) => {
      const mu = map((g: DeviceArray, m: DeviceArray) => np.add(np.multiply(m, b1), np.multiply(g, 1 - b1)), u, s.mu);
      const nu = map((g: DeviceArray, v: DeviceArray) => np.add(np.multiply(v, b2), np.multiply(np.square(g), 1 - b2)), u, s.nu);
      const count = inc(s.count);
      const out = map((m: DeviceArray, v: DeviceArray) =>
        np.divide(biasCorrection(m, b1, count), np.add(np.sqrt(np.add(biasCorrection(v, b2, count), epsRoot)), eps)), mu, nu);
      return [out, { count, mu, nu }];
    },
  };
}

/** RMSProp's direction: g / sqrt(nu + eps), nu an exponential average of g^2 (optax.scale_by_rms). */
export function scaleByRms(opts: { decay?: number; eps?: number; initialScale?: number } = {}): GradientTransformation<{ nu: PyTree }> {
  const { decay = 0.9, eps = 1e-8, initialScale = 0 } = opts;
  return {
    init: (params) => ({ nu: map((x: DeviceArray) => np.fullLike(x, initialScale), params) }),
    update: (u, s) => {
      const nu = map((g: DeviceArray, v: DeviceArray) => np.add(np.multiply(v, decay), np.multiply(np.square(g), 1 - decay)), u, s.nu);
      return [map((g: DeviceArray, v: DeviceArray) => np.multiply(g, np.reciprocal(np.sqrt(np.add(v, eps)))), u, nu), { nu }];
    },
  };
}

/** Adagrad's direction: g / sqrt(sum of g^2 + eps) (optax.scale_by_rss). */
export function scaleByRss(opts: { initialAccumulatorValue?: number; eps?: number } = {}): GradientTransformation<{ sumOfSquares: PyTree }> {
  const { initialAccumulatorValue = 0.1, eps = 1e-7 } = opts;
  return {
    init: (params) => ({ sumOfSquares: map((x: DeviceArray) => np.fullLike(x, initialAccumulatorValue), params) }),
    update: (u, s) => {
      const sumOfSquares = map((g: DeviceArray, a: DeviceArray) => np.add(a, np.square(g)), u, s.sumOfSquares);
      const out = map((g: DeviceArray, a: DeviceArray) => np.where(np.greater(a, 0), np.multiply(g, np.reciprocal(np.sqrt(np.add(a, eps)))), np.zerosLike(g)), u, sumOfSquares);
      return [out, { sumOfSquares }];
    },
  };
}

/** Lion's direction: sign(b1 mu + (1 - b1) g), then mu = b2 mu + (1 - b2) g. */
export function scaleByLion(opts: { b1?: number; b2?: number } = {}): GradientTransformation<{ count: DeviceArray; mu: PyTree }> {
  const { b1 = 0.9, b2 = 0.99 } = opts;
  return {
    init: (params) => ({ count: count0(), mu: zerosLike(params) }),
    update: (u, s) => {
      const out = map((g: DeviceArray, m: DeviceArray) => np.sign(np.add(np.multiply(m, b1), np.multiply(g, 1 - b1))), u, s.mu);
      const mu = map((g: DeviceArray, m: DeviceArray) => np.add(np.multiply(m, b2), np.multiply(g, 1 - b2)), u, s.mu);
      return [out, { count: inc(s.count), mu }];
    },
  };
}

/** A mask: a tree of booleans like params, or a function params -> such a tree. */
export type Mask = PyTree | ((params: PyTree) => PyTree);
const resolveMask = (mask: Mask, params: PyTree) => (typeof mask === "function" ? (mask as (p: PyTree) => PyTree)(params) : mask);

/** updates + weightDecay * params, where the mask (if any) is true. */
export function addDecayedWeights(weightDecay: number, mask?: Mask): GradientTransformation<{}> {
  return {
    init: () => ({}),
    update: (u, s, params) => {
      if (params === undefined) throw new LocatedError("addDecayedWeights: update needs params");
      const m = mask === undefined || mask === null ? map(() => true, params) : resolveMask(mask, params);
      return [map((g: DeviceArray, p: DeviceArray, keep: boolean) => (keep ? np.add(g, np.multiply(p, weightDecay)) : g), u, params, m), s];
    },
  };
}

/** Applies `inner` only where the mask is true (to the list of selected leaves); elsewhere updates pass through unchanged. */
export function masked<S>(inner: GradientTransformation<S>, mask: Mask): GradientTransformation<S> {
  const selected = (t: PyTree, m: PyTree) => {
    const [ls] = flatten(t), ms = leaves(m);
    if (ms.length !== ls.length) throw new LocatedError(`masked: the mask has ${ms.length} leaves but the tree has ${ls.length}`);
    return ls.filter((_, i) => ms[i]);
  };
  return {
    init: (params) => inner.init(selected(params, resolveMask(mask, params))),
    update: (u, s, params) => {
      const m = resolveMask(mask, params ?? u);
      const [ls, def] = flatten(u), ms = leaves(m);
      const [inU, s2] = inner.update(selected(u, m), s, params === undefined ? undefined : selected(params, m));
      let j = 0;
      return [unflatten(def, ls.map((x, i) => (ms[i] ? (inU as unknown[])[j++] : x))), s2];
    },
  };
}

/** sqrt of the sum of squares of all leaves. */
export function globalNorm(t: PyTree): DeviceArray {
  const ls = leaves(t) as DeviceArray[];
  return np.sqrt(ls.reduce<DeviceArray>((acc, x) => np.add(acc, np.sum(np.square(x.astype("float32")))), np.array(0, "float32")));
}

/** Scales all updates by maxNorm / globalNorm when the global norm exceeds maxNorm. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<{}> {
  return {
    init: () => ({}),
    update: (u, s) => {
      const n = globalNorm(u);
      const factor = np.where(np.less(n, maxNorm), np.array(1, "float32"), np.divide(maxNorm, n));
      return [map((g: DeviceArray) => np.multiply(g, factor.astype(g.dtype)), u), s];
    },
  };
}

/** Clips each update elementwise to [-maxDelta, maxDelta]. */
export function clip(maxDelta: number): GradientTransformation<{}> {
  return { init: () => ({}), update: (u, s) => [map((g: DeviceArray) => np.clip(g, -maxDelta, maxDelta), u), s] };
}
