import { DeviceArray } from "../array.js";
import { parseDType, type DType } from "../dtype.js";
import { concretize, Tracer } from "../core/trace.js";
import * as el from "./elementwise.js";
import * as red from "./reductions.js";
import * as man from "./manipulation.js";
import * as lin from "./linalg.js";
import * as srt from "./sorting.js";
import { at, index, IndexUpdate, type IndexElement } from "./indexing.js";
import type { ArrayLike, DTypeLike } from "./convert.js";
import { formatArray } from "./format.js";
import type { ReduceOptions } from "./reductions.js";
import { inspect } from "node:util";

/**
 * Array methods mirror the numpy functions (x.add(y) is np.add(x, y)). They are installed on
 * DeviceArray's prototype here, so the array class itself stays free of the numpy layer.
 */
declare module "../array.js" {
  interface DeviceArray {
    add(y: ArrayLike): DeviceArray; sub(y: ArrayLike): DeviceArray; mul(y: ArrayLike): DeviceArray; div(y: ArrayLike): DeviceArray;
    pow(y: ArrayLike): DeviceArray; mod(y: ArrayLike): DeviceArray; floorDiv(y: ArrayLike): DeviceArray; neg(): DeviceArray;
    matmul(y: ArrayLike): DeviceArray; dot(y: ArrayLike): DeviceArray;
    eq(y: ArrayLike): DeviceArray; ne(y: ArrayLike): DeviceArray; lt(y: ArrayLike): DeviceArray; le(y: ArrayLike): DeviceArray; gt(y: ArrayLike): DeviceArray; ge(y: ArrayLike): DeviceArray;
    maximum(y: ArrayLike): DeviceArray; minimum(y: ArrayLike): DeviceArray;
    abs(): DeviceArray; exp(): DeviceArray; log(): DeviceArray; sqrt(): DeviceArray; square(): DeviceArray; tanh(): DeviceArray; sin(): DeviceArray; cos(): DeviceArray;
    sum(opts?: ReduceOptions): DeviceArray; mean(opts?: ReduceOptions): DeviceArray; max(opts?: ReduceOptions): DeviceArray; min(opts?: ReduceOptions): DeviceArray;
    prod(opts?: ReduceOptions): DeviceArray; var(opts?: ReduceOptions & { ddof?: number }): DeviceArray; std(opts?: ReduceOptions & { ddof?: number }): DeviceArray;
    all(opts?: ReduceOptions): DeviceArray; any(opts?: ReduceOptions): DeviceArray;
    argmax(opts?: { axis?: number | null; keepdims?: boolean }): DeviceArray; argmin(opts?: { axis?: number | null; keepdims?: boolean }): DeviceArray;
    cumsum(opts?: { axis?: number | null }): DeviceArray;
    reshape(shape: readonly number[] | number): DeviceArray; transpose(axes?: readonly number[]): DeviceArray; readonly T: DeviceArray;
    flatten(): DeviceArray; ravel(): DeviceArray; squeeze(axis?: number | readonly number[]): DeviceArray; expandDims(axis: number | readonly number[]): DeviceArray;
    swapaxes(a: number, b: number): DeviceArray; broadcastTo(shape: readonly number[]): DeviceArray; flip(axis?: number | readonly number[]): DeviceArray;
    astype(dtype: DTypeLike): DeviceArray; clip(min?: ArrayLike | null, max?: ArrayLike | null): DeviceArray; round(decimals?: number): DeviceArray;
    sort(opts?: { axis?: number | null }): DeviceArray; argsort(opts?: { axis?: number | null }): DeviceArray;
    /** x[idx...]: see np.index for the index forms. */
    get(...idx: IndexElement[]): DeviceArray;
    /** x.at(idx...).set(v) / .add(v) / ...: functional updates. */
    at(...idx: IndexElement[]): IndexUpdate;
    /** The value of a size-1 array as a JS number. */
    item(): number;
    /** Nested JS arrays of numbers (booleans for bool arrays). */
    tolist(): any;
    toString(): string;
    valueOf(): number;
    [Symbol.iterator](): Iterator<DeviceArray>;
  }
}

const P = DeviceArray.prototype as any;
const bin = (f: (x: ArrayLike, y: ArrayLike) => DeviceArray) => function (this: DeviceArray, y: ArrayLike) { return f(this, y); };
const un = (f: (x: ArrayLike) => DeviceArray) => function (this: DeviceArray) { return f(this); };
const withOpts = (f: (x: ArrayLike, o?: any) => DeviceArray) => function (this: DeviceArray, o?: any) { return f(this, o); };

Object.assign(P, {
  add: bin(el.add), sub: bin(el.subtract), mul: bin(el.multiply), div: bin(el.divide), pow: bin(el.power), mod: bin(el.remainder),
  floorDiv: bin(el.floorDivide), matmul: bin(lin.matmul), dot: bin(lin.dot),
  eq: bin(el.equal), ne: bin(el.notEqual), lt: bin(el.less), le: bin(el.lessEqual), gt: bin(el.greater), ge: bin(el.greaterEqual),
  maximum: bin(el.maximum), minimum: bin(el.minimum),
  neg: un(el.negative), abs: un(el.abs), exp: un(el.exp), log: un(el.log), sqrt: un(el.sqrt), square: un(el.square), tanh: un(el.tanh), sin: un(el.sin), cos: un(el.cos),
  sum: withOpts(red.sum), mean: withOpts(red.mean), max: withOpts(red.max), min: withOpts(red.min), prod: withOpts(red.prod),
  var: withOpts(red.variance), std: withOpts(red.std), all: withOpts(red.all), any: withOpts(red.any),
  argmax: withOpts(red.argmax), argmin: withOpts(red.argmin), cumsum: withOpts(red.cumsum),
  reshape(this: DeviceArray, shape: readonly number[] | number) { return man.reshape(this, shape); },
  transpose(this: DeviceArray, axes?: readonly number[]) { return man.transpose(this, axes); },
  flatten: un(man.ravel), ravel: un(man.ravel),
  squeeze(this: DeviceArray, axis?: number | readonly number[]) { return man.squeeze(this, axis); },
  expandDims(this: DeviceArray, axis: number | readonly number[]) { return man.expandDims(this, axis); },
  swapaxes(this: DeviceArray, a: number, b: number) { return man.swapaxes(this, a, b); },
  broadcastTo(this: DeviceArray, shape: readonly number[]) { return man.broadcastTo(this, shape); },
  flip(this: DeviceArray, axis?: number | readonly number[]) { return man.flip(this, axis); },
  astype(this: DeviceArray, dtype: DTypeLike) { return el.astype(this, parseDType(dtype) as DType); },
  clip(this: DeviceArray, min?: ArrayLike | null, max?: ArrayLike | null) { return el.clip(this, min, max); },
  round(this: DeviceArray, decimals?: number) { return el.round(this, decimals); },
  sort: withOpts(srt.sort), argsort: withOpts(srt.argsort),
  get(this: DeviceArray, ...idx: IndexElement[]) { return index(this, ...idx); },
  at(this: DeviceArray, ...idx: IndexElement[]) { return at(this, ...idx); },
  item(this: DeviceArray) {
    const c = concretize(this, "item()");
    if (c.size !== 1) throw new TypeError(`item(): can only convert an array of size 1 to a JS number, got ${c.aval}`);
    return Number(c.dataSync()[0]);
  },
  valueOf(this: DeviceArray) {
    const c = concretize(this, "converting an array to a JS number (valueOf)");
    if (c.size !== 1) throw new TypeError(`The truth value or number value of an array with more than one element is ambiguous (${c.aval}): use .any() / .all() or np.where`);
    return Number(c.dataSync()[0]);
  },
  tolist(this: DeviceArray) {
    const c = concretize(this, "tolist()");
    const data = c.dataSync();
    const conv = (v: number) => (c.dtype === "bool" ? !!v : v);
    const build = (axis: number, offset: number): unknown => {
      if (axis === c.ndim) return conv(data[offset]!);
      const stride = c.shape.slice(axis + 1).reduce((p, d) => p * d, 1);
      return Array.from({ length: c.shape[axis]! }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  },
  toString(this: DeviceArray) {
    if (this instanceof Tracer) return `Traced<${this.aval}> with ${this._trace.transformation}`;
    if (this.isDisposed) return `DeviceArray(<disposed>, shape=[${this.shape}], dtype=${this.dtype})`;
    const suffix = `dtype=${this.dtype}${this.weakType ? ", weak_type=True" : ""})`;
    // numpy names the shape of empty arrays other than the 1-D one: array([], shape=(2, 0), ...).
    if (this.size === 0 && !(this.ndim === 1)) return `DeviceArray([], shape=(${this.shape.join(", ")}${this.ndim === 1 ? "," : ""}), ${suffix}`;
    return formatArray(this.dataSync(), this.shape, this.dtype, "DeviceArray(", suffix);
  },
  [inspect.custom](this: DeviceArray) { return this.toString(); },
  *[Symbol.iterator](this: DeviceArray) {
    if (this.ndim === 0) throw new TypeError("iteration over a 0-d array");
    for (let i = 0; i < this.shape[0]!; i++) yield index(this, i);
  },
});
Object.defineProperty(P, "T", { get(this: DeviceArray) { return man.transpose(this); } });
