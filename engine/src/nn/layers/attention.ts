import type { DeviceArray } from "../../array.js";
import type { DType } from "../../dtype.js";
import * as np from "../../numpy/index.js";
import { softmax } from "../functions.js";
import { Module, type ModuleOptions } from "../module.js";
import { defaultKernelInit, zeros, type Initializer } from "../initializers.js";
import { DenseGeneral } from "./linear.js";
import { Dropout } from "./stochastic.js";
import { factory } from "./factory.js";

/** einsum over 4-D operands with any number of leading batch axes (folded into one "b" axis; einsum has no ellipsis). */
function batched(spec: string, a: DeviceArray, b: DeviceArray): DeviceArray {
  const lead = a.shape.slice(0, a.ndim - 3);
  const fold = (x: DeviceArray) => np.reshape(x, [lead.reduce((p, d) => p * d, 1), ...x.shape.slice(x.ndim - 3)]);
  const out = np.einsum(spec, fold(a), fold(b));
  return np.reshape(out, [...lead, ...out.shape.slice(1)]);
}
const NEG = -3.4028234663852886e38 / 2;
/** softmax(q k^T / sqrt(d) + bias, masked) over [..., length, heads, depth] -> weights [..., heads, q, k]. */
export function dotProductAttentionWeights(query: DeviceArray, key: DeviceArray, opts: { mask?: DeviceArray | null; bias?: DeviceArray | null } = {}): DeviceArray {
  const depth = query.shape[query.ndim - 1]!;
  let w = batched("bqhd,bkhd->bhqk", np.divide(query, Math.sqrt(depth)), key);
  if (opts.bias) w = np.add(w, opts.bias);
  if (opts.mask) w = np.where(opts.mask, w, np.array(NEG, w.dtype));
  return softmax(w, -1);
}
/** softmax(q k^T / sqrt(d)) v over [..., length, heads, depth], with an optional boolean mask [..., heads, q, k]. */
export function dotProductAttention(query: DeviceArray, key: DeviceArray, value: DeviceArray, opts: { mask?: DeviceArray | null; bias?: DeviceArray | null } = {}): DeviceArray {
  return batched("bhqk,bkhd->bqhd", dotProductAttentionWeights(query, key, opts), value);
}

export interface MultiHeadOptions extends ModuleOptions {
  qkvFeatures?: number; outFeatures?: number; dropoutRate?: number; deterministic?: boolean; useBias?: boolean;
  kernelInit?: Initializer; biasInit?: Initializer; paramDtype?: DType;
}
/** Multi-head attention as Flax's: DenseGeneral query/key/value to [heads, depth], attention, DenseGeneral "out". */
class MultiHeadDotProductAttention extends Module {
  readonly numHeads: number;
  readonly qkvFeatures: number | undefined;
  readonly outFeatures: number | undefined;
  readonly dropoutRate: number;
  readonly deterministic: boolean | undefined;
  readonly useBias: boolean;
  readonly kernelInit: Initializer;
  readonly biasInit: Initializer;
  readonly paramDtype: DType;
  constructor(numHeads: number, opts: MultiHeadOptions = {}) {
    super(opts);
    this.numHeads = numHeads;
    this.qkvFeatures = opts.qkvFeatures;
    this.outFeatures = opts.outFeatures;
    this.dropoutRate = opts.dropoutRate ?? 0;
    this.deterministic = opts.deterministic;
    this.useBias = opts.useBias ?? true;
    this.kernelInit = opts.kernelInit ?? defaultKernelInit;
    this.biasInit = opts.biasInit ?? zeros;
    this.paramDtype = opts.paramDtype ?? "float32";
  }
  call(inputsQ: DeviceArray, inputsK?: DeviceArray | null, inputsV?: DeviceArray | null, opts: { mask?: DeviceArray | null; deterministic?: boolean } = {}): DeviceArray {
    const kIn = inputsK ?? inputsQ, vIn = inputsV ?? kIn;
    const features = this.qkvFeatures ?? inputsQ.shape[inputsQ.ndim - 1]!;
    if (features % this.numHeads !== 0) throw new Error(`MultiHeadDotProductAttention: ${features} features are not divisible by ${this.numHeads} heads`);
    const headDim = features / this.numHeads;
    const dense = (name: string) => DenseGeneral([this.numHeads, headDim], { name, useBias: this.useBias, kernelInit: this.kernelInit, biasInit: this.biasInit, paramDtype: this.paramDtype });
    const q = dense("query")(inputsQ), k = dense("key")(kIn), v = dense("value")(vIn);
    let probs = dotProductAttentionWeights(q, k, { mask: opts.mask ?? null });
    const det = opts.deterministic ?? this.deterministic ?? true;
    if (this.dropoutRate > 0 && !det) probs = Dropout(this.dropoutRate, { deterministic: false, name: "attention_dropout" })(probs);
    const y = batched("bhqk,bkhd->bqhd", probs, v);
    return DenseGeneral(this.outFeatures ?? inputsQ.shape[inputsQ.ndim - 1]!, { axis: [-2, -1], name: "out", useBias: this.useBias, kernelInit: this.kernelInit, biasInit: this.biasInit, paramDtype: this.paramDtype })(y);
  }
}
const MHA = factory(MultiHeadDotProductAttention);
export { MHA as MultiHeadDotProductAttention };
/** Self-attention: the query attends to itself. */
export const SelfAttention = MHA;

/** A boolean mask [..., 1, q, k] allowing query i to see keys j <= i. */
export function makeCausalMask(x: DeviceArray): DeviceArray {
  const n = x.shape[x.ndim - 1]!;
  const idx = np.arange(n);
  const m = np.greaterEqual(np.expandDims(idx, 1), np.expandDims(idx, 0));
  return np.broadcastTo(m, [...x.shape.slice(0, -1), 1, n, n]);
}
