import * as S from "../shape/errors.js";
import * as B from "../shape/broadcast.js";
import * as St from "../shape/structure.js";
import * as Li from "../shape/linalg.js";
import { withUserLocation } from "../core/source.js";

/**
 * The shared shape rules (engine/src/shape) are pure and know nothing of user code. Errors they
 * raise in the numpy layer happen before any primitive is bound, so the core never gets to add
 * the user's source location: these wrappers add it, so that every numpy error says where.
 */
export function located<F extends (...args: any[]) => any>(f: F): F {
  return ((...args: any[]) => {
    try { return f(...args); } catch (e) { throw e instanceof Error ? withUserLocation(e) : e; }
  }) as F;
}

export const normalizeAxis = located(S.normalizeAxis), normalizeAxes = located(S.normalizeAxes);
export const broadcastShapes = located(B.broadcastShapes);
export const broadcastToShape = located(St.broadcastToShape), concatenateShape = located(St.concatenateShape);
export const expandDimsShape = located(St.expandDimsShape), reshapeShape = located(St.reshapeShape);
export const splitSizes = located(St.splitSizes), squeezeShape = located(St.squeezeShape);
export const stackShape = located(St.stackShape), transposeShape = located(St.transposeShape);
export const dotShape = located(Li.dotShape), einsumShape = located(Li.einsumShape), matmulShape = located(Li.matmulShape);
export const parseEinsum = Li.parseEinsum;

/** Errors raised by numpy functions themselves: the same classes, with the user's location appended. */
export class ShapeError extends S.ShapeError {
  constructor(op: string, rule: string, shapes: ConstructorParameters<typeof S.ShapeError>[2], message?: string) {
    super(op, rule, shapes, message);
    withUserLocation(this);
  }
}
export class LocatedTypeError extends globalThis.TypeError {
  override name = "TypeError";
  constructor(message: string) { super(message); withUserLocation(this); }
}
export class LocatedRangeError extends globalThis.RangeError {
  override name = "RangeError";
  constructor(message: string) { super(message); withUserLocation(this); }
}
export class LocatedError extends globalThis.Error {
  constructor(message: string) { super(message); withUserLocation(this); }
}
