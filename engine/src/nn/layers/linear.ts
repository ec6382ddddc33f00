import type { DeviceArray } from "../../array.js";
import { isInt, type DType } from "../../dtype.js";
import * as np from "../../numpy/index.js";
import * as lax from "../../lax/primitives.js";
import { Module, type ModuleOptions } from "../module.js";
import { defaultEmbedInit, defaultKernelInit, zeros, type Initializer } from "../initializers.js";
import { factory } from "./factory.js";

export interface DenseOptions extends ModuleOptions {
  useBias?: boolean; kernelInit?: Initializer; biasInit?: Initializer; paramDtype?: DType; dtype?: DType | null;
}

/** y = x @ kernel + bias over the last axis: kernel [in, features] (lecun normal), bias [features] (zeros). */
class Dense extends Module {
  readonly features: number;
  readonly useBias: boolean;
  readonly kernelInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  readonly dtype: DType | undefined;
  constructor(features: number, opts: DenseOptions = {}) {
    super(opts);
    this.features = features;
    this.useBias = opts.useBias ?? true;
    this.kernelInit = opts.kernelInit ?? defaultKernelInit;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
    this.dtype = opts.dtype ?? undefined;
  }
  call(x: DeviceArray): DeviceArray {
    const inF = x.shape[x.ndim - 1]!;
    const kernel = this.param("kernel", this.kernelInit, [inF, this.features], this.paramDtype);
    let y = np.tensordot(x, kernel, [[x.ndim - 1], [0]]);
    if (this.useBias) y = np.add(y, this.param("bias", this.biasInit, [this.features], this.paramDtype));
    return this.dtype ? y.astype(this.dtype) : y;
  }
}
const DenseF = factory(Dense);
export { DenseF as Dense };

export interface DenseGeneralOptions extends DenseOptions {
  axis?: number | readonly number[];
  /** Leading input axes (0, 1, ...) with a kernel slice of their own each, as Flax's batch_dims. */
  batchDims?: number | readonly number[];
}

/**
 * A dense map over several input axes to a shape of features: kernel [...batch, ...inAxes,
 * ...features], bias [...batch, ...features]. With `batchDims`, each index of those leading axes
 * has its own kernel (a batched dot_general), as in Flax.
 */
class DenseGeneral extends Module {
  readonly features: readonly number[];
  readonly axis: readonly number[];
  readonly batchDims: readonly number[];
  readonly useBias: boolean;
  readonly kernelInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  readonly dtype: DType | undefined;
  constructor(features: number | readonly number[], opts: DenseGeneralOptions = {}) {
    super(opts);
    this.features = typeof features === "number" ? [features] : [...features];
    this.axis = opts.axis === undefined ? [-1] : typeof opts.axis === "number" ? [opts.axis] : [...opts.axis];
    this.batchDims = opts.batchDims === undefined ? [] : typeof opts.batchDims === "number" ? [opts.batchDims] : [...opts.batchDims];
    this.useBias = opts.useBias ?? true;
    this.kernelInit = opts.kernelInit ?? defaultKernelInit;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
    this.dtype = opts.dtype ?? undefined;
  }
  call(x: DeviceArray): DeviceArray {
    const norm = (a: number) => (a < 0 ? a + x.ndim : a);
    const axes = this.axis.map(norm), batch = this.batchDims.map(norm).sort((a, b) => a - b);
    if (batch.some((b, i) => b !== i)) throw new Error(`DenseGeneral: batchDims [${this.batchDims}] must be the leading axes 0, 1, ... of the input [${x.shape}]`);
    if (axes.some((a) => batch.includes(a))) throw new Error(`DenseGeneral: axis [${this.axis}] and batchDims [${this.batchDims}] overlap`);
    const batchShape = batch.map((a) => x.shape[a]!), inShape = axes.map((a) => x.shape[a]!);
    const nBatch = batchShape.reduce((p, d) => p * d, 1), nIn = inShape.reduce((p, d) => p * d, 1), nOut = this.features.reduce((p, d) => p * d, 1);
    // As Flax: the initializers see flattened shapes ([batch * in, out] and [batch * out]), so fans are products of the axes.
    const kernel = this.param("kernel", (k, dt: DType) => np.reshape(this.kernelInit(k, [nBatch * nIn, nOut], dt), [...batchShape, ...inShape, ...this.features]), this.paramDtype);
    const nb = batch.length;
    // Output axes: the batch axes, the input's free axes, then the features (batch axes lead, so this is input order).
    let y = nb === 0
      ? np.tensordot(x, kernel, [axes, inShape.map((_, i) => i)])
      : lax.dotGeneral(x, kernel, { contract: [axes, inShape.map((_, i) => nb + i)], batch: [batch, batch.map((_, i) => i)] });
    if (this.useBias) {
      const bias = this.param("bias", (k, dt: DType) => np.reshape(this.biasInit(k, [nBatch * nOut], dt), [...batchShape, ...this.features]), this.paramDtype);
      const free = x.ndim - nb - axes.length;
      y = np.add(y, np.reshape(bias, [...batchShape, ...Array(free).fill(1), ...this.features]));
    }
    return this.dtype ? y.astype(this.dtype) : y;
  }
}
const DenseGeneralF = factory(DenseGeneral);
export { DenseGeneralF as DenseGeneral };

export interface EmbedOptions extends ModuleOptions { embeddingInit?: Initializer; paramDtype?: DType }

/** A lookup table [numEmbeddings, features] (normal with variance 1/features); `attend` is the transposed map. */
class Embed extends Module {
  readonly numEmbeddings: number;
  readonly features: number;
  readonly embeddingInit: Initializer;
  readonly paramDtype: DType;
  constructor(numEmbeddings: number, features: number, opts: EmbedOptions = {}) {
    super(opts);
    this.numEmbeddings = numEmbeddings;
    this.features = features;
    this.embeddingInit = opts.embeddingInit ?? defaultEmbedInit;
    this.paramDtype = opts.paramDtype ?? "float32";
  }
  private table(): DeviceArray { return this.param("embedding", this.embeddingInit, [this.numEmbeddings, this.features], this.paramDtype); }
  call(ids: DeviceArray): DeviceArray {
    if (!isInt(ids.dtype)) throw new TypeError(`Embed: inputs must be integers, got ${ids.dtype}`);
    return np.take(this.table(), ids, 0);
  }
  /** x @ embedding.T: logits over the vocabulary (weight tying). */
  attend(x: DeviceArray): DeviceArray { return np.tensordot(x, this.table(), [[x.ndim - 1], [1]]); }
}
const EmbedF = factory(Embed);
export { EmbedF as Embed };
