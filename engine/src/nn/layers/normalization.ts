import type { DeviceArray } from "../../array.js";
import type { DType } from "../../dtype.js";
import * as np from "../../numpy/index.js";
import { Module, type ModuleOptions } from "../module.js";
import { ones, zeros, type Initializer } from "../initializers.js";
import { factory } from "./factory.js";

const norm = (a: number, n: number) => (a < 0 ? a + n : a);

/**
 * Mean and variance over `axes` as Flax computes them (the fast form E[x^2] - E[x]^2, clipped
 * at zero), with keepdims.
 */
function stats(x: DeviceArray, axes: number[]): [DeviceArray, DeviceArray] {
  const mean = np.mean(x, { axis: axes, keepdims: true });
  const meanSq = np.mean(np.square(x), { axis: axes, keepdims: true });
  return [mean, np.maximum(np.subtract(meanSq, np.square(mean)), 0)];
}

interface NormOptions extends ModuleOptions { epsilon?: number; useBias?: boolean; useScale?: boolean; scaleInit?: Initializer; biasInit?: Initializer; paramDtype?: DType }

abstract class NormBase extends Module {
  readonly epsilon: number;
  readonly useBias: boolean;
  readonly useScale: boolean;
  readonly scaleInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  constructor(opts: NormOptions, epsilon: number) {
    super(opts);
    this.epsilon = opts.epsilon ?? epsilon;
    this.useBias = opts.useBias ?? true;
    this.useScale = opts.useScale ?? true;
    this.scaleInit = opts.scaleInit ?? ones;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
  }
  /** (x - mean) / sqrt(var + eps) * scale + bias, scale and bias over the feature axes. */
  protected normalize(x: DeviceArray, mean: DeviceArray | null, variance: DeviceArray, featureAxes: number[]): DeviceArray {
    const featShape = featureAxes.map((a) => x.shape[a]!);
    const bshape = x.shape.map((d, i) => (featureAxes.includes(i) ? d : 1));
    let y = mean ? np.subtract(x, mean) : x;
    let mul = np.reciprocal(np.sqrt(np.add(variance, this.epsilon)));
    if (this.useScale) mul = np.multiply(mul, np.reshape(this.param("scale", this.scaleInit, featShape, this.paramDtype), bshape));
    y = np.multiply(y, mul);
    if (this.useBias && mean) y = np.add(y, np.reshape(this.param("bias", this.biasInit, featShape, this.paramDtype), bshape));
    return y;
  }
}

export interface LayerNormOptions extends NormOptions { reductionAxes?: number | readonly number[]; featureAxes?: number | readonly number[] }
/** Normalizes over the last axis (epsilon 1e-6); learned scale and bias per feature. */
class LayerNorm extends NormBase {
  readonly reductionAxes: readonly number[];
  readonly featureAxes: readonly number[];
  constructor(opts: LayerNormOptions = {}) {
    super(opts, 1e-6);
    const arr = (v: number | readonly number[] | undefined) => (v === undefined ? [-1] : typeof v === "number" ? [v] : [...v]);
    this.reductionAxes = arr(opts.reductionAxes);
    this.featureAxes = arr(opts.featureAxes);
  }
  call(x: DeviceArray): DeviceArray {
    const [mean, variance] = stats(x, this.reductionAxes.map((a) => norm(a, x.ndim)));
    return this.normalize(x, mean, variance, this.featureAxes.map((a) => norm(a, x.ndim)));
  }
}
const LayerNormF = factory(LayerNorm);
export { LayerNormF as LayerNorm };

/** Root-mean-square normalization over the last axis (no centering, no bias), epsilon 1e-6. */
class RMSNorm extends NormBase {
  constructor(opts: NormOptions = {}) { super({ ...opts, useBias: false }, 1e-6); }
  call(x: DeviceArray): DeviceArray {
    const ms = np.mean(np.square(x), { axis: -1, keepdims: true });
    const scale = this.useScale ? np.multiply(np.reciprocal(np.sqrt(np.add(ms, this.epsilon))), this.param("scale", this.scaleInit, [x.shape[x.ndim - 1]!], this.paramDtype)) : np.reciprocal(np.sqrt(np.add(ms, this.epsilon)));
    return np.multiply(x, scale);
  }
}
const RMSNormF = factory(RMSNorm);
export { RMSNormF as RMSNorm };

export interface GroupNormOptions extends NormOptions { numGroups?: number; groupSize?: number }
/** Normalizes over groups of channels (and all non-batch axes); channels last; epsilon 1e-6, 32 groups. */
class GroupNorm extends NormBase {
  readonly numGroups: number | undefined;
  readonly groupSize: number | undefined;
  constructor(opts: GroupNormOptions = {}) {
    super(opts, 1e-6);
    this.groupSize = opts.groupSize;
    this.numGroups = opts.groupSize === undefined ? opts.numGroups ?? 32 : opts.numGroups;
  }
  call(x: DeviceArray): DeviceArray {
    const C = x.shape[x.ndim - 1]!;
    const groups = this.numGroups ?? C / this.groupSize!;
    if (!Number.isInteger(groups) || C % groups !== 0) throw new Error(`GroupNorm: ${C} channels are not divisible into ${groups} groups`);
    const grouped = np.reshape(x, [...x.shape.slice(0, -1), groups, C / groups]);
    const axes = Array.from({ length: grouped.ndim - 1 }, (_, i) => i + 1).filter((a) => a !== grouped.ndim - 2);
    const [mean, variance] = stats(grouped, axes);
    const bshape = [...x.shape.slice(0, -1), C];
    const m = np.reshape(np.broadcastTo(mean, grouped.shape), bshape), v = np.reshape(np.broadcastTo(variance, grouped.shape), bshape);
    return this.normalize(x, m, v, [x.ndim - 1]);
  }
}
const GroupNormF = factory(GroupNorm);
export { GroupNormF as GroupNorm };

export interface BatchNormOptions extends NormOptions { useRunningAverage?: boolean; axis?: number; momentum?: number }
/**
 * Batch normalization with running statistics in the `batchStats` collection (mean, var).
 * Training (useRunningAverage false) normalizes with the batch's statistics and, outside init,
 * updates the running averages: apply(vars, x, { mutable: ["batchStats"] }).
 */
class BatchNorm extends NormBase {
  readonly useRunningAverage: boolean | undefined;
  readonly axis: number;
  readonly momentum: number;
  constructor(opts: BatchNormOptions = {}) {
    super(opts, 1e-5);
    this.useRunningAverage = opts.useRunningAverage;
    this.axis = opts.axis ?? -1;
    this.momentum = opts.momentum ?? 0.99;
  }
  call(x: DeviceArray, useRunningAverage?: boolean): DeviceArray {
    const useRA = useRunningAverage ?? this.useRunningAverage;
    if (useRA === undefined) throw new Error("BatchNorm: pass useRunningAverage (as an option or a call argument)");
    const ax = norm(this.axis, x.ndim);
    const C = x.shape[ax]!;
    const reduce = x.shape.map((_, i) => i).filter((i) => i !== ax);
    const bshape = x.shape.map((d, i) => (i === ax ? d : 1));
    const raMean = this.variable("batchStats", "mean", () => np.zeros([C], "float32"));
    const raVar = this.variable("batchStats", "var", () => np.ones([C], "float32"));
    let mean: DeviceArray, variance: DeviceArray;
    if (useRA) {
      mean = np.reshape(raMean.value, bshape);
      variance = np.reshape(raVar.value, bshape);
    } else {
      [mean, variance] = stats(x, reduce);
      if (!this.isInitializing()) {
        const m = this.momentum;
        raMean.value = np.add(np.multiply(raMean.value, m), np.multiply(np.reshape(mean, [C]), 1 - m));
        raVar.value = np.add(np.multiply(raVar.value, m), np.multiply(np.reshape(variance, [C]), 1 - m));
      }
    }
    return this.normalize(x, mean, variance, [ax]);
  }
}
const BatchNormF = factory(BatchNorm);
export { BatchNormF as BatchNorm };
