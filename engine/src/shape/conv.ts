import { formatShape, type Dim, type Shape } from "./dims.js";
import { ShapeError } from "./errors.js";

export type Padding = "SAME" | "VALID" | readonly (readonly [number, number])[];

export interface ConvParams {
  readonly strides: readonly number[];
  readonly padding: Padding;
  readonly lhsDilation?: readonly number[];
  readonly rhsDilation?: readonly number[];
  readonly featureGroupCount?: number;
}

/** Explicit (low, high) padding for each spatial axis, as XLA resolves "SAME" and "VALID". */
export function resolvePadding(inSpatial: readonly number[], kernelSpatial: readonly number[], p: ConvParams): [number, number][] {
  const { strides, padding } = p;
  if (typeof padding !== "string") return padding.map(([lo, hi]) => [lo, hi]);
  return inSpatial.map((n, i) => {
    if (padding === "VALID") return [0, 0];
    const k = (kernelSpatial[i]! - 1) * (p.rhsDilation?.[i] ?? 1) + 1;
    const inSize = (n - 1) * (p.lhsDilation?.[i] ?? 1) + 1;
    const out = Math.ceil(inSize / strides[i]!);
    const total = Math.max(0, (out - 1) * strides[i]! + k - inSize);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

/**
 * Convolution in NC... / OI... layout (lax.conv_general_dilated with default dimension numbers):
 * lhs [N, C, *spatial], rhs [O, C/groups, *kernel] -> [N, O, *outSpatial].
 */
export function convShape(lhs: Shape, rhs: Shape, p: ConvParams): Dim[] {
  const groups = p.featureGroupCount ?? 1;
  const nsp = lhs.length - 2;
  if (lhs.length < 3 || rhs.length !== lhs.length) {
    throw new ShapeError("conv", "rank", [lhs, rhs], `conv: lhs ${formatShape(lhs)} and rhs ${formatShape(rhs)} must have equal rank >= 3 (N, C, spatial...)`);
  }
  const c = lhs[1]!, ci = rhs[1]!, o = rhs[0]!;
  if (typeof c === "number" && typeof ci === "number" && c !== ci * groups) {
    throw new ShapeError("conv", "feature dims differ", [lhs, rhs], `conv: input features ${c} != kernel input features ${ci} x groups ${groups}: lhs ${formatShape(lhs)}, rhs ${formatShape(rhs)}`);
  }
  if (typeof o === "number" && o % groups !== 0) throw new ShapeError("conv", "output features not divisible by groups", [lhs, rhs]);
  if (p.strides.length !== nsp) throw new ShapeError("conv", "strides rank", [lhs, rhs], `conv: ${p.strides.length} strides for ${nsp} spatial dims`);
  const spatial = lhs.slice(2);
  const kernel = rhs.slice(2);
  if (!spatial.every((d) => typeof d === "number") || !kernel.every((d) => typeof d === "number")) {
    return [lhs[0]!, o, ...spatial.map(() => "?")];
  }
  const pads = resolvePadding(spatial as number[], kernel as number[], p);
  const out = (spatial as number[]).map((n, i) => {
    const inSize = (n - 1) * (p.lhsDilation?.[i] ?? 1) + 1 + pads[i]![0] + pads[i]![1];
    const k = ((kernel[i] as number) - 1) * (p.rhsDilation?.[i] ?? 1) + 1;
    const size = Math.floor((inSize - k) / p.strides[i]!) + 1;
    if (size <= 0) throw new ShapeError("conv", "kernel larger than input", [lhs, rhs], `conv: kernel ${formatShape(rhs)} is larger than the padded input ${formatShape(lhs)} on spatial axis ${i}`);
    return size;
  });
  return [lhs[0]!, o, ...out];
}
