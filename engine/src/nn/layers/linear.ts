import type { DeviceArray } from "../../array.js";
import type { DType } from "../../dtype.js";
import * as np from "../../numpy/index.js";
import { Module, type ModuleOptions } from "../module.js";
import { defaultEmbedInit, defaultKernelInit, zeros, type Initializer } from "../initializers.js";
import { factory } from "./factory.js";

export interface DenseOptions extends ModuleOptions {
  useBias?: boolean; kernelInit?: Initializer; biasInit?: Initializer; paramDtype?: DType; dtype?: DType;
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
    this.dtype = opts.dtype;
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

export interface DenseGeneralOptions extends DenseOptions { axis?: number | readonly number[] }

/** A dense map over several input axes to a shape of features; kernel [...inAxes, ...features]. */
class DenseGeneral extends Module {
  readonly features: readonly number[];
  readonly axis: readonly number[];
  readonly useBias: boolean;
  readonly kernelInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  constructor(features: number | readonly number[], opts: DenseGeneralOptions = {}) {
    super(opts);
    this.features = typeof features === "number" ? [features] : [...features];
    this.axis = opts.axis === undefined ? [-1] : typeof opts.axis === "number" ? [opts.axis] : [...opts.axis];
    this.useBias = opts.useBias ?? true;
    this.kernelInit = opts.kernelInit ?? defaultKernelInit;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
  }
  call(x: DeviceArray): DeviceArray {
    const axes = this.axis.map((a) => (a < 0 ? a + x.ndim : a));
    const inShape = axes.map((a) => x.shape[a]!);
    const nIn = inShape.reduce((p, d) => p * d, 1), nOut = this.features.reduce((p, d) => p * d, 1);
    // As Flax: the initializer sees the flattened [in, out] kernel, so fans are products of the axes.
    const kernel = this.param("kernel", (k, dt: DType) => np.reshape(this.kernelInit(k, [nIn, nOut], dt), [...inShape, ...this.features]), this.paramDtype);
    let y = np.tensordot(x, kernel, [axes, inShape.map((_, i) => i)]);
    if (this.useBias) {
      const bias = this.param("bias", (k, dt: DType) => np.reshape(this.biasInit(k, [nOut], dt), [...this.features]), this.paramDtype);
      y = np.add(y, bias);
    }
    return y;
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
    if (ids.dtype !== "int32" && ids.dtype !== "uint32") throw new TypeError(`Embed: inputs must be integers, got ${ids.dtype}`);
    return np.take(this.table(), ids, 0);
  }
  /** x @ embedding.T: logits over the vocabulary (weight tying). */
  attend(x: DeviceArray): DeviceArray { return np.tensordot(x, this.table(), [[x.ndim - 1], [1]]); }
}
const EmbedF = factory(Embed);
export { EmbedF as Embed };
