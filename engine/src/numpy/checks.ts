import * as S from "../shape/errors.js";
import * as B from "../shape/broadcast.js";
import * as St from "../shape/structure.js";
import * as Li from "../shape/linalg.js";
import { withUserLocation } from "../core/source.js";

/**
 * Shape errors are located when they are made (ShapeError.decorate, set by the engine's entry
 * point), so the shared rules are used as they are. Other errors the numpy layer raises itself
 * get the user's location from these classes.
 */
export const { normalizeAxis, normalizeAxes } = S;
export const { broadcastShapes } = B;
export const { broadcastToShape, concatenateShape, expandDimsShape, reshapeShape, splitSizes, squeezeShape, stackShape, transposeShape } = St;
export const { dotShape, einsumShape, matmulShape, parseEinsum } = Li;

export const ShapeError = S.ShapeError;
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
