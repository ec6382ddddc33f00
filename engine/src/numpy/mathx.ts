import type { DeviceArray } from "../array.js";
import { defaultFloat, isInt } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { bind1 } from "../trace/trace.js";
import { whileLoop } from "../lax/control.js";
import { asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedTypeError } from "./checks.js";
import { floorDivide, remainder, trunc } from "./elementwise.js";

/** More elementwise math of jax.numpy, composed from the lax primitives. */

export const fabs = (x: ArrayLike) => l.abs(promoteFloat(x)[0]!);
/** float_power: the power computed in the widest float type (float64 with enableX64). */
export const floatPower = (x: ArrayLike, y: ArrayLike) => {
  const [a, b] = promote(x, y);
  const d = defaultFloat() === "float64" ? "float64" : "float32";
  return l.pow(l.convert(a!, d), l.convert(b!, d));
};

/** x = mantissa * 2**exponent with 0.5 <= |mantissa| < 1 (zero, inf and nan give exponent 0). */
export function frexp(x: ArrayLike): [DeviceArray, DeviceArray] {
  const a = promoteFloat(x)[0]!;
  const special = l.or(l.eq(a, l.scalarLike(a, 0)), l.not(l.unary("is_finite")(a)));
  const safe = l.select(special, l.fullLike(a, 1), l.abs(a));
  // log2 may be off by one near powers of two; the two corrections below fix that exactly.
  let e = l.add(l.floor(l.mul(l.log(safe), l.scalarLike(a, 1 / Math.LN2))), l.scalarLike(a, 1));
  let m = l.div(safe, l.unary("exp2")(e));
  const big = l.ge(m, l.scalarLike(m, 1)), small = l.lt(m, l.scalarLike(m, 0.5));
  e = l.select(big, l.add(e, l.scalarLike(e, 1)), l.select(small, l.sub(e, l.scalarLike(e, 1)), e));
  m = l.select(big, l.mul(m, l.scalarLike(m, 0.5)), l.select(small, l.mul(m, l.scalarLike(m, 2)), m));
  m = l.select(l.lt(a, l.scalarLike(a, 0)), l.neg(m), m);
  return [l.select(special, a, m), l.convert(l.select(special, l.zerosLike(e), e), "int32")];
}

/** x * 2**n, split in two factors so that results near the range limits do not overflow early. */
export function ldexp(x: ArrayLike, n: ArrayLike): DeviceArray {
  const a = promoteFloat(x)[0]!;
  const e = asArray(n);
  if (!isInt(e.dtype)) throw new LocatedTypeError(`ldexp: the exponent must be an integer array, got ${e.aval}`);
  const ef = l.convert(e, a.dtype);
  const half = l.floor(l.mul(ef, l.scalarLike(ef, 0.5)));
  return l.mul(l.mul(a, l.unary("exp2")(half)), l.unary("exp2")(l.sub(ef, half)));
}

/** [fractional part, integral part], both with x's sign. */
export function modf(x: ArrayLike): [DeviceArray, DeviceArray] {
  const a = promoteFloat(x)[0]!;
  const i = trunc(a);
  const inf = l.eq(l.abs(a), l.scalarLike(a, Infinity));
  return [l.select(inf, l.zerosLike(a), l.sub(a, i)), i];
}

export const divmod = (x: ArrayLike, y: ArrayLike): [DeviceArray, DeviceArray] => [floorDivide(x, y), remainder(x, y)];

/** Greatest common divisor of integers, by Euclid's algorithm in a while loop (traceable). */
export function gcd(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a0, b0] = promote(x, y);
  if (!isInt(a0!.dtype)) throw new LocatedTypeError(`gcd: arguments must be integers, got ${a0!.aval}`);
  const shape = l.binary("add")(a0!, b0!).shape;
  const a = l.abs(l.broadcastTo(a0!, shape)), b = l.abs(l.broadcastTo(b0!, shape));
  const [g] = whileLoop(
    ([, q]: [DeviceArray, DeviceArray]) => anyTrue(l.ne(q, l.scalarLike(q, 0))),
    ([p, q]: [DeviceArray, DeviceArray]) => {
      const nz = l.ne(q, l.scalarLike(q, 0));
      const safe = l.select(nz, q, l.fullLike(q, 1));
      return [l.select(nz, q, p), l.select(nz, l.binary("rem")(p, safe), q)] as [DeviceArray, DeviceArray];
    },
    [a, b] as [DeviceArray, DeviceArray]);
  return g;
}
export function lcm(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y);
  const g = gcd(a!, b!);
  const zero = l.eq(g, l.scalarLike(g, 0));
  const safe = l.select(zero, l.fullLike(g, 1), g);
  return l.select(zero, l.zerosLike(g), l.abs(l.mul(l.div(a!, safe), b!)));
}

const anyTrue = (m: DeviceArray) => (m.ndim ? bind1("reduce_or", [m], { axes: [...m.shape.keys()] }) : m);

/** Distance to the next representable value away from zero (negative for negative x). */
export function spacing(x: ArrayLike): DeviceArray {
  const a = promoteFloat(x)[0]!;
  const toward = l.select(signbitOf(a), l.fullLike(a, -Infinity), l.fullLike(a, Infinity));
  return l.sub(l.binary("nextafter")(a, toward), a);
}
const signbitOf = (a: DeviceArray) => l.or(l.lt(a, l.scalarLike(a, 0)), l.and(l.eq(a, l.scalarLike(a, 0)), l.lt(l.reciprocal(a), l.scalarLike(a, 0))));

/** Real arrays only: the imaginary part is zero, the angle is 0 or pi. */
export const imag = (x: ArrayLike) => { const a = asArray(x); return l.zerosLike(a); };
export const angle = (x: ArrayLike, deg = false) => {
  const a = promoteFloat(x)[0]!;
  const r = l.binary("atan2")(l.zerosLike(a), a);
  return deg ? l.mul(r, l.scalarLike(r, 180 / Math.PI)) : r;
};
export const iscomplex = (x: ArrayLike) => l.convert(l.zerosLike(asArray(x)), "bool");
export const isreal = (x: ArrayLike) => l.not(iscomplex(x));
export const iscomplexobj = (_x: ArrayLike) => false;
export const isrealobj = (_x: ArrayLike) => true;
/** JS numbers and 0-d arrays are scalars (as jnp.isscalar treats 0-d arrays). */
export const isscalar = (x: unknown) => typeof x === "number" || typeof x === "boolean" || (typeof x === "object" && x !== null && "ndim" in x && (x as DeviceArray).ndim === 0);

/** Array-API names of the bitwise operations. */
export { bitwiseNot as bitwiseInvert, leftShift as bitwiseLeftShift, rightShift as bitwiseRightShift } from "./elementwise.js";

/** unwrap: removes jumps larger than discont (default period/2) by adding multiples of period. */
export function unwrap(p: ArrayLike, opts: { discont?: number; axis?: number; period?: number } = {}): DeviceArray {
  const a = promoteFloat(p)[0]!;
  const period = opts.period ?? 2 * Math.PI;
  const discont = opts.discont ?? period / 2;
  const ax = (opts.axis ?? -1) < 0 ? a.ndim + (opts.axis ?? -1) : opts.axis!;
  const n = a.shape[ax]!;
  if (n < 2) return a;
  const sl = (s: number, e: number) => l.slice(a, a.shape.map((_, i) => (i === ax ? s : 0)), a.shape.map((d, i) => (i === ax ? e : d)));
  const dd = l.sub(sl(1, n), sl(0, n - 1));
  const half = period / 2;
  const m = remainder(l.add(dd, l.scalarLike(dd, half)), l.scalarLike(dd, period));
  let ddmod = l.sub(m, l.scalarLike(dd, half));
  ddmod = l.select(l.and(l.eq(ddmod, l.scalarLike(dd, -half)), l.gt(dd, l.scalarLike(dd, 0))), l.fullLike(dd, half), ddmod);
  let corr = l.sub(ddmod, dd);
  corr = l.select(l.lt(l.abs(dd), l.scalarLike(dd, discont)), l.zerosLike(corr), corr);
  const cum = l.cumsum(corr, ax);
  const zeros = l.zerosLike(sl(0, 1));
  return l.add(a, l.concatenate([zeros, cum], ax));
}

