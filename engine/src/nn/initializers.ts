import type { DeviceArray } from "../array.js";
import type { DType } from "../dtype.js";
import * as np from "../numpy/index.js";
import * as random from "../random/index.js";
import type { PRNGKey } from "../typing.js";

/**
 * jax.nn.initializers / flax.linen.initializers: functions (key, shape, dtype) -> array.
 * The constants and fan computations follow JAX's definitions, so a key gives the numbers JAX
 * gives (with the same PRNG scheme).
 */
export type Initializer = (key: PRNGKey, shape: readonly number[], dtype?: DType) => DeviceArray;
type FloatDType = "float32" | "float64" | "float16";
const dt = (d?: DType): FloatDType => (d ?? "float32") as FloatDType;

export const zeros: Initializer = (_k, shape, dtype) => np.zeros([...shape], dt(dtype));
export const ones: Initializer = (_k, shape, dtype) => np.ones([...shape], dt(dtype));
export const constant = (value: number): Initializer => (_k, shape, dtype) => np.full([...shape], value, dt(dtype));
/** N(0, stddev^2). */
export const normal = (stddev = 1e-2): Initializer => (k, shape, dtype) => np.multiply(random.normal(k, [...shape], dt(dtype)), stddev);
/** U[0, scale). */
export const uniform = (scale = 1e-2): Initializer => (k, shape, dtype) => np.multiply(random.uniform(k, [...shape], dt(dtype)), scale);
/** A normal truncated to [lower, upper] standard deviations, times stddev. */
export const truncatedNormal = (stddev = 1e-2, lower = -2, upper = 2): Initializer =>
  (k, shape, dtype) => np.multiply(random.truncatedNormal(k, lower, upper, [...shape], dt(dtype)), stddev);

export type FanMode = "fan_in" | "fan_out" | "fan_avg";
export type Distribution = "truncated_normal" | "normal" | "uniform";

/** (fanIn, fanOut) as jax.nn.initializers computes them: receptive field = the other axes' product. */
export function computeFans(shape: readonly number[], inAxis: number | readonly number[] = -2, outAxis: number | readonly number[] = -1, batchAxis: readonly number[] = []): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const at = (a: number) => shape[a < 0 ? a + shape.length : a]!;
  const prod = (axes: number | readonly number[]) => (typeof axes === "number" ? at(axes) : axes.reduce((p, a) => p * at(a), 1));
  const inSize = prod(inAxis), outSize = prod(outAxis), batchSize = prod(batchAxis);
  const total = shape.reduce((p, d) => p * d, 1);
  const receptive = total / inSize / outSize / batchSize;
  return [inSize * receptive, outSize * receptive];
}

/** jax.nn.initializers.variance_scaling. The truncated normal's 0.87962566 is the stddev of N(0,1) truncated to [-2, 2]. */
export function varianceScaling(scale: number, mode: FanMode, distribution: Distribution,
  opts: { inAxis?: number | readonly number[]; outAxis?: number | readonly number[]; batchAxis?: readonly number[] } = {}): Initializer {
  return (k, shape, dtype) => {
    const [fanIn, fanOut] = computeFans(shape, opts.inAxis ?? -2, opts.outAxis ?? -1, opts.batchAxis ?? []);
    const denominator = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / denominator;
    const d = dt(dtype);
    switch (distribution) {
      case "truncated_normal": return np.multiply(random.truncatedNormal(k, -2, 2, [...shape], d), np.array(Math.sqrt(variance) / 0.87962566103423978, d));
      case "normal": return np.multiply(random.normal(k, [...shape], d), np.array(Math.sqrt(variance), d));
      case "uniform": return np.multiply(random.uniform(k, [...shape], d, -1, 1), np.array(Math.sqrt(3 * variance), d));
    }
  };
}

export const lecunNormal = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(1, "fan_in", "truncated_normal", o);
export const lecunUniform = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(1, "fan_in", "uniform", o);
export const glorotNormal = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(1, "fan_avg", "truncated_normal", o);
export const glorotUniform = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(1, "fan_avg", "uniform", o);
export const heNormal = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(2, "fan_in", "truncated_normal", o);
export const heUniform = (o?: Parameters<typeof varianceScaling>[3]) => varianceScaling(2, "fan_in", "uniform", o);
export const xavierNormal = glorotNormal, xavierUniform = glorotUniform, kaimingNormal = heNormal, kaimingUniform = heUniform;

/** Flax's defaults: Dense/Conv kernels lecun_normal, biases zeros, Embed variance_scaling(1, fan_in, normal, out_axis=0). */
export const defaultKernelInit = lecunNormal();
export const defaultEmbedInit = varianceScaling(1, "fan_in", "normal", { outAxis: 0 });

export const initializers = {
  zeros, ones, constant, normal, uniform, truncatedNormal, varianceScaling, lecunNormal, lecunUniform, glorotNormal, glorotUniform,
  heNormal, heUniform, xavierNormal, xavierUniform, kaimingNormal, kaimingUniform, computeFans,
};
