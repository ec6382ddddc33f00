import { SHORT_NAME, type DType } from "../dtype.js";
import { sizeOf } from "../shape/dims.js";

/** The abstract value of an array: what tracing knows of it (JAX's ShapedArray). */
export class ShapedArray {
  constructor(readonly shape: readonly number[], readonly dtype: DType, readonly weak = false) {}
  get ndim() { return this.shape.length; }
  get size() { return sizeOf(this.shape); }
  equals(o: ShapedArray) {
    return this.dtype === o.dtype && this.weak === o.weak && this.shape.length === o.shape.length && this.shape.every((d, i) => d === o.shape[i]);
  }
  /** Structural key for caches: "f32[3,4]" plus a w for weak types. */
  get key() { return `${SHORT_NAME[this.dtype]}[${this.shape.join(",")}]${this.weak ? "w" : ""}`; }
  toString() { return `${SHORT_NAME[this.dtype]}[${this.shape.join(",")}]`; }
  withWeak(weak: boolean) { return weak === this.weak ? this : new ShapedArray(this.shape, this.dtype, weak); }
}
