import type { DeviceArray } from "../array.js";
import { bind, bind1 } from "../trace/trace.js";
import type { Padding } from "../shape/conv.js";
import { asArray } from "../numpy/convert.js";
import * as l from "./primitives.js";

/** lax functions beyond one-primitive wrappers. */
export function erf(x: DeviceArray) { return bind1("erf", [x], {}); }
export function erfInv(x: DeviceArray) { return bind1("erf_inv", [x], {}); }
export function lgamma(x: DeviceArray) { return bind1("lgamma", [x], {}); }
export function digamma(x: DeviceArray) { return bind1("digamma", [x], {}); }
export function clamp(lo: DeviceArray | number, x: DeviceArray, hi: DeviceArray | number) {
  return bind1("clamp", [l.convert(asArray(lo), x.dtype), x, l.convert(asArray(hi), x.dtype)], {});
}
export function bitcastConvertType(x: DeviceArray, dtype: "float32" | "int32" | "uint32" | "float64") { return bind1("bitcast_convert_type", [x], { dtype }); }
export function shiftLeft(x: DeviceArray, y: DeviceArray) { return bind1("shift_left", [x, y], {}); }
export function shiftRightLogical(x: DeviceArray, y: DeviceArray) { return bind1("shift_right_logical", [x, y], {}); }
export function threefry2x32(k0: DeviceArray, k1: DeviceArray, x0: DeviceArray, x1: DeviceArray): [DeviceArray, DeviceArray] {
  const [a, b] = bind("threefry2x32", [k0, k1, x0, x1], {});
  return [a!, b!];
}
/** lax.conv_general_dilated with NCHW / OIHW layouts. */
export function convGeneralDilated(lhs: DeviceArray, rhs: DeviceArray, opts: { strides?: number[]; padding?: Padding; lhsDilation?: number[]; rhsDilation?: number[]; featureGroupCount?: number } = {}) {
  const nsp = lhs.ndim - 2;
  const ones = Array(nsp).fill(1);
  return bind1("conv_general_dilated", [lhs, rhs], {
    strides: opts.strides ?? ones, padding: opts.padding ?? "VALID", lhsDilation: opts.lhsDilation ?? ones,
    rhsDilation: opts.rhsDilation ?? ones, featureGroupCount: opts.featureGroupCount ?? 1,
  });
}
export const conv = convGeneralDilated;
/** lax.cummax / cummin along an axis. */
export const cummax = (x: DeviceArray, axis = 0, reverse = false) => bind1("cummax", [x], { axis, reverse });
export const cummin = (x: DeviceArray, axis = 0, reverse = false) => bind1("cummin", [x], { axis, reverse });
export const cumprod = (x: DeviceArray, axis = 0, reverse = false) => bind1("cumprod", [x], { axis, reverse });
export const argmax = (x: DeviceArray, axis: number, indexDtype: "int32" = "int32") => bind1("argmax", [x], { axis, indexDtype });
export const argmin = (x: DeviceArray, axis: number, indexDtype: "int32" = "int32") => bind1("argmin", [x], { axis, indexDtype });
