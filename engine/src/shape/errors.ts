import { formatShape, type Shape } from "./dims.js";

/**
 * A shape or dtype rule was broken. The message names the op, the operands and the rule;
 * the engine appends the user's source location before it reaches the user.
 */
export class ShapeError extends Error {
  override name = "ShapeError";
  /**
   * Set by the engine to add the user's source location to each error as it is made; the
   * language server leaves it unset (its diagnostics carry their own ranges).
   */
  static decorate: ((e: ShapeError) => void) | undefined;
  constructor(
    readonly op: string,
    readonly rule: string,
    readonly shapes: readonly Shape[],
    message?: string,
  ) {
    super(message ?? `${op}: ${rule}: ${shapes.map(formatShape).join(", ")}`);
    ShapeError.decorate?.(this);
  }
}

/** Normalizes a possibly negative axis against a rank, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, ndim: number, shape: Shape = []): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ShapeError(op, "axis out of range", [shape],
      `${op}: axis ${axis} is out of range for an array of rank ${ndim} with shape ${formatShape(shape)}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalizes an axis argument (undefined = all axes) to a sorted list of distinct axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | null | undefined, shape: Shape): number[] {
  const ndim = shape.length;
  if (axis === undefined || axis === null) return [...Array(ndim).keys()];
  const list = typeof axis === "number" ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, ndim, shape));
  if (new Set(out).size !== out.length) {
    throw new ShapeError(op, "repeated axis", [shape], `${op}: repeated axis in ${JSON.stringify(list)} for shape ${formatShape(shape)}`);
  }
  return out.sort((a, b) => a - b);
}
