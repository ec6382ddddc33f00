import { DeviceArray } from "../array.js";
import { parseDType, type DType } from "../dtype.js";
import { concretize, Tracer } from "../trace/trace.js";
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
import { ARRAY_METHODS, SIGNATURES, VARIADIC_METHODS } from "../signatures/index.js";

/**
 * Array methods mirror the numpy functions (x.add(y) is np.add(x, y)). They are installed on
 * DeviceArray's prototype here, so the array class itself stays free of the numpy layer.
 */
type AxisArg = number | readonly number[] | null;
type VarOptions = ReduceOptions & { ddof?: number };
type ArgOptions = { axis?: number | null; keepdims?: boolean };

declare module "../array.js" {
  interface DeviceArray {
    add(y: ArrayLike): DeviceArray; sub(y: ArrayLike): DeviceArray; mul(y: ArrayLike): DeviceArray; div(y: ArrayLike): DeviceArray;
    pow(y: ArrayLike): DeviceArray; mod(y: ArrayLike): DeviceArray; floorDiv(y: ArrayLike): DeviceArray; neg(): DeviceArray;
    matmul(y: ArrayLike): DeviceArray; dot(y: ArrayLike): DeviceArray;
    eq(y: ArrayLike): DeviceArray; ne(y: ArrayLike): DeviceArray; lt(y: ArrayLike): DeviceArray; le(y: ArrayLike): DeviceArray; gt(y: ArrayLike): DeviceArray; ge(y: ArrayLike): DeviceArray;
    maximum(y: ArrayLike): DeviceArray; minimum(y: ArrayLike): DeviceArray;
    abs(): DeviceArray; exp(): DeviceArray; log(): DeviceArray; sqrt(): DeviceArray; square(): DeviceArray; tanh(): DeviceArray; sin(): DeviceArray; cos(): DeviceArray;
    sum(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray; mean(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray;
    max(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray; min(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray;
    prod(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray;
    var(axis?: AxisArg | VarOptions, opts?: VarOptions): DeviceArray; std(axis?: AxisArg | VarOptions, opts?: VarOptions): DeviceArray;
    all(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray; any(axis?: AxisArg | ReduceOptions, opts?: ReduceOptions): DeviceArray;
    argmax(axis?: number | null | ArgOptions, opts?: ArgOptions): DeviceArray; argmin(axis?: number | null | ArgOptions, opts?: ArgOptions): DeviceArray;
    cumsum(axis?: number | null | { axis?: number | null }): DeviceArray;
    reshape(shape: readonly number[] | number, ...more: number[]): DeviceArray; transpose(axes?: readonly number[] | number | { axes?: readonly number[] }, ...more: number[]): DeviceArray; readonly T: DeviceArray;
    flatten(): DeviceArray; ravel(): DeviceArray; squeeze(axis?: AxisArg | { axis?: AxisArg }): DeviceArray; expandDims(axis: number | readonly number[] | { axis: number | readonly number[] }): DeviceArray;
    swapaxes(a: number, b: number): DeviceArray; broadcastTo(shape: readonly number[]): DeviceArray; flip(axis?: AxisArg | { axis?: AxisArg }): DeviceArray;
    astype(dtype: DTypeLike): DeviceArray; clip(min?: ArrayLike | null, max?: ArrayLike | null): DeviceArray; round(decimals?: number): DeviceArray;
    sort(axis?: number | null | { axis?: number | null; descending?: boolean }): DeviceArray; argsort(axis?: number | null | { axis?: number | null; descending?: boolean }): DeviceArray;
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

type AnyFn = (...args: any[]) => any;

/**
 * Installs the methods listed in ../signatures/methods.ts: x.f(...args) is np.g(x, ...args), so
 * methods follow the functions' calling convention (x.sum(1), x.sum({ axis: 1 })) and their
 * validation. All-array binary and unary ones get fixed-arity forwarders (the hot path).
 */
export function installMethods(np: Readonly<Record<string, unknown>>) {
  for (const [method, name] of Object.entries(ARRAY_METHODS)) {
    const f = np[name] as AnyFn;
    const sig = SIGNATURES.get(`np.${name}`)!;
    const allArrays = sig.params.every((p) => !p.optional && !p.rest && p.types.length === 1 && p.types[0]!.kind === "array");
    P[method] = VARIADIC_METHODS.has(method)
      // x.reshape(2, 3) and x.transpose(1, 0) as numpy allows, besides a list.
      ? function (this: DeviceArray, ...args: unknown[]) { return args.length > 1 && args.every((a) => typeof a === "number") ? f(this, args) : f(this, ...args); }
      : allArrays && sig.params.length === 2 ? function (this: DeviceArray, y: unknown) { return f(this, y); }
      : allArrays && sig.params.length === 1 ? function (this: DeviceArray) { return f(this); }
      : function (this: DeviceArray, ...args: unknown[]) { return f(this, ...args); };
  }
}

installMethods({
  ...el, ...red, ...man, ...lin, ...srt, var: red.variance,
  astype: (x: DeviceArray, dtype: DTypeLike) => el.astype(x, parseDType(dtype) as DType),
});

Object.assign(P, {
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
    // Values still on an asynchronous device (webgpu) are not read here: say how to read them.
    if (this._backend.canReadSync?.(this._buffer) === false) return `DeviceArray(<on ${this.device}: await x.data() to read>, shape=[${this.shape}], ${suffix}`;
    return formatArray(this.dataSync(), this.shape, this.dtype, "DeviceArray(", suffix);
  },
  [inspect.custom](this: DeviceArray) { return this.toString(); },
  *[Symbol.iterator](this: DeviceArray) {
    if (this.ndim === 0) throw new TypeError("iteration over a 0-d array");
    for (let i = 0; i < this.shape[0]!; i++) yield index(this, i);
  },
});
Object.defineProperty(P, "T", { get(this: DeviceArray) { return man.transpose(this); } });
