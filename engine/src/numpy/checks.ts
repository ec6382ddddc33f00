import * as S from "../shape/errors.js";
import * as B from "../shape/broadcast.js";
import * as St from "../shape/structure.js";
import * as Li from "../shape/linalg.js";

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
export { LocatedTypeError, LocatedRangeError, LocatedError } from "../ir/source.js";
