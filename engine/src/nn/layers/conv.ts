import type { DeviceArray } from "../../array.js";
import type { DType } from "../../dtype.js";
import * as np from "../../numpy/index.js";
import { convGeneralDilated } from "../../lax/extra.js";
import { Module, type ModuleOptions } from "../module.js";
import { defaultKernelInit, zeros, type Initializer } from "../initializers.js";
import { factory } from "./factory.js";

/** SAME, VALID, explicit (low, high) pads per spatial axis, or as Flax: CIRCULAR (SAME with wrap-around) and CAUSAL (1-D, left pad only). */
export type ConvPadding = "SAME" | "VALID" | "CIRCULAR" | "CAUSAL" | number | readonly (number | readonly [number, number])[];
export interface ConvOptions extends ModuleOptions {
  strides?: number | readonly number[]; padding?: ConvPadding; inputDilation?: number | readonly number[];
  kernelDilation?: number | readonly number[]; featureGroupCount?: number; useBias?: boolean;
  kernelInit?: Initializer; biasInit?: Initializer; paramDtype?: DType;
}

const tuple = (v: number | readonly number[] | undefined, n: number, dflt = 1): number[] =>
  v === undefined ? Array(n).fill(dflt) : typeof v === "number" ? Array(n).fill(v) : [...v];
function explicitPadding(p: Exclude<ConvPadding, "CIRCULAR" | "CAUSAL">, n: number): "SAME" | "VALID" | [number, number][] {
  if (p === "SAME" || p === "VALID") return p;
  if (typeof p === "number") return Array.from({ length: n }, () => [p, p]);
  return p.map((q) => (typeof q === "number" ? [q, q] : [q[0], q[1]]));
}

/**
 * Shared by Conv and ConvTranspose: Flax's layouts (inputs [batch..., *spatial, features],
 * kernels [*window, in, out]) mapped onto the engine's NC... / OI... convolution. An input
 * without a batch axis is accepted, as in Flax.
 */
abstract class ConvBase extends Module {
  readonly features: number;
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly padding: ConvPadding;
  readonly inputDilation: readonly number[];
  readonly kernelDilation: readonly number[];
  readonly featureGroupCount: number;
  readonly useBias: boolean;
  readonly kernelInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  constructor(features: number, kernelSize: number | readonly number[], opts: ConvOptions = {}) {
    super(opts);
    this.features = features;
    this.kernelSize = typeof kernelSize === "number" ? [kernelSize] : [...kernelSize];
    const n = this.kernelSize.length;
    this.strides = tuple(opts.strides, n);
    this.padding = opts.padding ?? "SAME";
    this.inputDilation = tuple(opts.inputDilation, n);
    this.kernelDilation = tuple(opts.kernelDilation, n);
    this.featureGroupCount = opts.featureGroupCount ?? 1;
    this.useBias = opts.useBias ?? true;
    this.kernelInit = opts.kernelInit ?? defaultKernelInit;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
  }
  /** Runs f on x as [N, C, *spatial] and returns the result in x's layout. */
  protected channelsFirst(x: DeviceArray, f: (nchw: DeviceArray) => DeviceArray): DeviceArray {
    const n = this.kernelSize.length;
    if (x.ndim < n + 1) throw new Error(`${this.constructor.name}: input of shape [${x.shape}] has fewer than ${n} spatial axes plus features`);
    const batchShape = x.shape.slice(0, x.ndim - n - 1);
    const flat = np.reshape(x, [batchShape.reduce((p, d) => p * d, 1), ...x.shape.slice(x.ndim - n - 1)]);
    const nchw = np.transpose(flat, [0, n + 1, ...Array.from({ length: n }, (_, i) => i + 1)]);
    let y = f(nchw);
    y = np.transpose(y, [0, ...Array.from({ length: n }, (_, i) => i + 2), 1]);
    if (this.useBias) y = np.add(y, this.param("bias", this.biasInit, [this.features], this.paramDtype));
    return np.reshape(y, [...batchShape, ...y.shape.slice(1)]);
  }
  /** HWIO kernel -> OIHW. */
  protected oihw(kernel: DeviceArray): DeviceArray {
    const n = this.kernelSize.length;
    return np.transpose(kernel, [n + 1, n, ...Array.from({ length: n }, (_, i) => i)]);
  }
}

/** Convolution (1-D, 2-D, ...): kernel [*kernelSize, in / groups, features], bias [features]. */
class Conv extends ConvBase {
  call(x: DeviceArray): DeviceArray {
    const inF = x.shape[x.ndim - 1]!;
    if (inF % this.featureGroupCount !== 0) throw new Error(`Conv: ${inF} input features are not divisible by featureGroupCount ${this.featureGroupCount}`);
    const kernel = this.param("kernel", this.kernelInit, [...this.kernelSize, inF / this.featureGroupCount, this.features], this.paramDtype);
    const n = this.kernelSize.length;
    let padding = this.padding;
    if (padding === "CIRCULAR" || padding === "CAUSAL") {
      // As Flax: pad the input (wrapping around, or zeros on the left), then a VALID convolution.
      const dilated = this.kernelSize.map((k, i) => (k - 1) * this.kernelDilation[i]! + 1);
      if (padding === "CAUSAL" && n !== 1) throw new Error(`Conv: CAUSAL padding is for 1-D convolutions; this one has kernel size [${this.kernelSize}]`);
      const pads: [number, number][] = padding === "CAUSAL" ? [[dilated[0]! - 1, 0]] : dilated.map((k) => [Math.floor((k - 1) / 2), Math.floor(k / 2)]);
      x = padSpatial(x, pads, padding === "CAUSAL" ? "constant" : "wrap");
      padding = "VALID";
    }
    return this.channelsFirst(x, (nchw) => convGeneralDilated(nchw, this.oihw(kernel), {
      strides: [...this.strides], padding: explicitPadding(padding, n),
      lhsDilation: [...this.inputDilation], rhsDilation: [...this.kernelDilation], featureGroupCount: this.featureGroupCount,
    }));
  }
}
/** Pads the n spatial axes before the last (feature) axis: with zeros, or wrapping around (numpy's mode "wrap"). */
function padSpatial(x: DeviceArray, pads: readonly [number, number][], mode: "constant" | "wrap"): DeviceArray {
  const first = x.ndim - 1 - pads.length;
  pads.forEach(([lo, hi], i) => {
    if (mode === "wrap" && Math.max(lo, hi) > x.shape[first + i]!) throw new Error(`Conv: CIRCULAR padding of (${lo}, ${hi}) on a spatial axis of size ${x.shape[first + i]} (at most the axis size)`);
  });
  return np.pad(x, x.shape.map((_, i) => (i >= first && i < x.ndim - 1 ? pads[i - first]! : [0, 0])) as [number, number][], { mode });
}

const ConvF = factory(Conv);
export { ConvF as Conv };

/** lax.conv_transpose's padding for SAME / VALID on a dilated kernel of size k and stride s. */
function convTransposePadding(k: number, s: number, padding: "SAME" | "VALID"): [number, number] {
  let padLen: number, padA: number;
  if (padding === "SAME") {
    padLen = k + s - 2;
    padA = s > k - 1 ? k - 1 : Math.ceil(padLen / 2);
  } else {
    padLen = k + s - 2 + Math.max(k - s, 0);
    padA = k - 1;
  }
  return [padA, padLen - padA];
}

/** Transposed convolution (lax.conv_transpose without kernel flip, as Flax): kernel [*kernelSize, in, features]. */
class ConvTranspose extends ConvBase {
  call(x: DeviceArray): DeviceArray {
    const inF = x.shape[x.ndim - 1]!;
    const n = this.kernelSize.length;
    const kernel = this.param("kernel", this.kernelInit, [...this.kernelSize, inF, this.features], this.paramDtype);
    if (this.padding === "CIRCULAR" || this.padding === "CAUSAL") throw new Error(`ConvTranspose: ${this.padding} padding is not supported (SAME, VALID or explicit pads)`);
    const pad = explicitPadding(this.padding, n);
    const padding = typeof pad === "string"
      ? this.kernelSize.map((k, i) => convTransposePadding((k - 1) * this.kernelDilation[i]! + 1, this.strides[i]!, pad))
      : pad;
    return this.channelsFirst(x, (nchw) => convGeneralDilated(nchw, this.oihw(kernel), {
      strides: Array(n).fill(1), padding, lhsDilation: [...this.strides], rhsDilation: [...this.kernelDilation],
    }));
  }
}
const ConvTransposeF = factory(ConvTranspose);
export { ConvTransposeF as ConvTranspose };
