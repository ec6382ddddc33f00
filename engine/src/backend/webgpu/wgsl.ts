import type { DType } from "../../dtype.js";
import type { Expr } from "../kernel.js";
import type { Params } from "./params.js";

/**
 * WGSL building blocks shared by every generated shader: dtype mapping, scalar semantics of the
 * elementwise primitives (the same as reference/scalar.ts: NaN-propagating max/min, XLA's integer
 * division by zero, C casts), and the expression renderer for the kernel IR.
 *
 * On the device every dtype is 32 bits wide: bool is stored as u32 (0/1), float16 and bfloat16 as
 * f32 rounded after every operation (as the reference backend rounds), int8 and int16 as i32 and
 * uint8 as u32 wrapped after every operation (WGSL has no 8- or 16-bit types; see `narrow`),
 * float64 is absent.
 */
export class NotOnWebGPU extends Error {
  override name = "NotOnWebGPU";
}

/** The WGSL value type of a dtype (bool as bool; stored as u32). */
export function wgslType(d: DType): "f32" | "i32" | "u32" | "bool" {
  switch (d) {
    case "float32": case "float16": case "bfloat16": return "f32";
    case "int32": case "int8": case "int16": return "i32";
    case "uint32": case "uint8": return "u32";
    case "bool": return "bool";
    case "float64": throw new NotOnWebGPU("float64 is not on webgpu (WGSL has no 64-bit floats): use float32, or another backend (TENSORLENS_BACKEND=native)");
  }
}
/** The WGSL element type of a storage buffer holding a dtype. */
export const storageType = (d: DType) => (d === "bool" ? "u32" : wgslType(d));

/** A storage value converted to its value type. */
export function fromStorage(d: DType, v: string): string { return d === "bool" ? `(${v} != 0u)` : v; }
/** A value converted to its storage type (16-bit floats rounded, 8/16-bit ints wrapped). */
export function toStorage(d: DType, v: string, h: Helpers): string {
  return d === "bool" ? `select(0u, 1u, ${v})` : narrow(d, v, h);
}

/**
 * A 32-bit value narrowed to a dtype held widened (dtype.ts): float16 and bfloat16 round,
 * int8/int16 keep their low bits sign-extended, uint8 its low byte; other dtypes unchanged.
 */
export function narrow(d: DType, v: string, h: Helpers): string {
  switch (d) {
    case "float16": h.use("r16"); return `r16(${v})`;
    case "bfloat16": h.use("rb16"); return `rb16(${v})`;
    case "int8": return `(((${v}) << 24u) >> 24u)`;
    case "int16": return `(((${v}) << 16u) >> 16u)`;
    case "uint8": return `((${v}) & 0xffu)`;
    default: return v;
  }
}

/** Exact literals: floats by their bits (WGSL has no inf/NaN literals). */
export function literal(value: number, d: DType, h?: Helpers): string {
  switch (wgslType(d)) {
    case "f32": {
      const f = new Float32Array([value]);
      const bits = new Uint32Array(f.buffer)[0];
      if (Number.isFinite(value)) return `bitcast<f32>(${bits}u)`;
      // Constant expressions may not be inf/NaN in WGSL: add a runtime zero.
      if (!h) throw new Error("internal: a non-finite WGSL literal needs the shader's helpers");
      h.use("zero");
      return `bitcast<f32>(${bits}u + zero_u)`;
    }
    case "i32": return `bitcast<i32>(${(value | 0) >>> 0}u)`;
    case "u32": return `${value >>> 0}u`;
    case "bool": return value ? "true" : "false";
  }
}

/** Helper functions, emitted only where used. */
const HELPERS: Record<string, { deps?: string[]; code: string }> = {
  zero: { code: "var<private> zero_u: u32 = 0u;" },
  isnan: { code: "fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }" },
  nan: { deps: ["zero"], code: "fn nan_() -> f32 { return bitcast<f32>(0x7fc00000u + zero_u); }" },
  inf: { deps: ["zero"], code: "fn inf_() -> f32 { return bitcast<f32>(0x7f800000u + zero_u); }" },
  // Rounds to half precision; values past the largest half round to infinity (pack2x16float leaves them undefined).
  // By the bits, round half to even (dtype.ts roundToFloat16): llvmpipe's unpack2x16float(pack2x16float(x))
  // returned x unrounded (32767 stayed 32767). Subnormal halves are multiples of 2^-24; WGSL's round() ties to even.
  r16: { deps: ["inf", "isnan"], code: `fn r16(x: f32) -> f32 {
  let a = abs(x); let b = bitcast<u32>(x);
  if (isnan_(x)) { return x; }
  if (a >= 65520.0) { return select(-inf_(), inf_(), x > 0.0); }
  if (a < 6.103515625e-05) { return bitcast<f32>(bitcast<u32>(round(a * 16777216.0) / 16777216.0) | (b & 0x80000000u)); }
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}` },
  // bfloat16: the upper 16 bits of the float32, round to nearest even (dtype.ts roundToBfloat16).
  rb16: { deps: ["isnan"], code: "fn rb16(x: f32) -> f32 { if (isnan_(x)) { return x; } let b = bitcast<u32>(x); return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u); }" },
  // Float to a narrow integer as castScalar: integral values wrap (the caller narrows), others saturate to [lo, hi].
  f2n: { deps: ["f2i"], code: "fn f2n_(x: f32, lo: f32, hi: f32) -> i32 { if (isnan_(x)) { return 0; } if (floor(x) == x && x >= -2147483648.0 && x < 4294967296.0) { return f2i_(x); } return i32(clamp(trunc(x), lo, hi)); }" },
  // Through atan2: llvmpipe's asin/acos are off by ~4e-4 relative.
  asin: { code: "fn asin_(x: f32) -> f32 { if (abs(x) > 1.0) { return bitcast<f32>(0x7fc00000u + zero_u); } return atan2(x, sqrt((1.0 - x) * (1.0 + x))); }", deps: ["zero"] },
  acos: { code: "fn acos_(x: f32) -> f32 { if (abs(x) > 1.0) { return bitcast<f32>(0x7fc00000u + zero_u); } return atan2(sqrt((1.0 - x) * (1.0 + x)), x); }", deps: ["zero"] },
  fmax: { deps: ["isnan", "nan"], code: "fn fmax_(a: f32, b: f32) -> f32 { if (isnan_(a) || isnan_(b)) { return nan_(); } return select(b, a, a > b); }" },
  fmin: { deps: ["isnan", "nan"], code: "fn fmin_(a: f32, b: f32) -> f32 { if (isnan_(a) || isnan_(b)) { return nan_(); } return select(b, a, a < b); }" },
  fsign: { deps: ["isnan"], code: "fn fsign_(x: f32) -> f32 { if (isnan_(x)) { return x; } if (x > 0.0) { return 1.0; } if (x < 0.0) { return -1.0; } return x; }" },
  fround: { code: "fn fround_(x: f32) -> f32 { if (x < 0.0) { return -floor(-x + 0.5); } return floor(x + 0.5); }" },
  isfinite: { code: "fn isfinite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }" },
  log1p: { deps: ["isfinite"], code: "fn log1p_(x: f32) -> f32 { let u = 1.0 + x; if (u == 1.0) { return x; } if (!isfinite_(u)) { return log(u); } return log(u) * x / (u - 1.0); }" },
  expm1: { deps: ["isfinite"], code: "fn expm1_(x: f32) -> f32 { if (abs(x) < 1e-5) { return x + 0.5 * x * x; } let u = exp(x); if (!isfinite_(u)) { return u; } if (u == 0.0) { return -1.0; } let l = log(u); if (l == 0.0) { return x; } return (u - 1.0) * x / l; }" },
  cbrt: { code: "fn cbrt_(x: f32) -> f32 { if (x == 0.0) { return x; } let r = pow(abs(x), 1.0 / 3.0); let s = select(r, -r, x < 0.0); return s - (s * s * s - x) / (3.0 * s * s); }" },
  tanh: { code: "fn tanh_(x: f32) -> f32 { if (abs(x) > 10.0) { return sign(x); } return tanh(x); }" },
  logistic: { code: "fn logistic_(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }" },
  // Abramowitz & Stegun 7.1.26 style rational approximation of erfc with exp(-x^2); |error| < 1.2e-7.
  erfc: { code: `fn erfc_(x: f32) -> f32 {
  let z = abs(x); let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(r, 2.0 - r, x < 0.0);
}` },
  erf: { deps: ["erfc"], code: "fn erf_(x: f32) -> f32 { if (abs(x) < 0.5) { let x2 = x * x; return x * (1.1283791671 + x2 * (-0.3761263890 + x2 * (0.1128379167 + x2 * (-0.0268661706 + x2 * 0.0052239776)))); } return 1.0 - erfc_(x); }" },
  // M. Giles, "Approximating the erfinv function" (single precision).
  erfinv: { deps: ["inf", "nan"], code: `fn erfinv_(x: f32) -> f32 {
  if (abs(x) >= 1.0) { if (abs(x) == 1.0) { return x * inf_(); } return nan_(); }
  var w = -log((1.0 - x) * (1.0 + x)); var p: f32;
  if (w < 5.0) { w = w - 2.5; p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w; p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w; }
  else { w = sqrt(w) - 3.0; p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w; p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w; }
  return p * x;
}` },
  // log|Gamma(x)|: shift to x >= 8, then Stirling's series; reflection below 0.5.
  lgamma: { deps: ["inf"], code: `fn lgamma_pos(x0: f32) -> f32 {
  var x = x0; var acc = 0.0;
  while (x < 8.0) { acc = acc - log(abs(x)); x = x + 1.0; }
  let z = 1.0 / (x * x);
  return acc + (x - 0.5) * log(x) - x + 0.91893853320467274 + (1.0 / x) * (0.083333333333 + z * (-0.0027777777778 + z * (0.00079365079365 + z * -0.000595238095)));
}
fn lgamma_(x: f32) -> f32 {
  if (x <= 0.0 && floor(x) == x) { return inf_(); }
  if (x < 0.5) { return log(3.14159265358979 / abs(sin(3.14159265358979 * x))) - lgamma_pos(1.0 - x); }
  return lgamma_pos(x);
}` },
  digamma: { deps: ["nan"], code: `fn digamma_(x0: f32) -> f32 {
  var x = x0; var acc = 0.0;
  if (x <= 0.0) { if (floor(x) == x) { return nan_(); } acc = -3.14159265358979 / tan(3.14159265358979 * x); x = 1.0 - x; }
  while (x < 8.0) { acc = acc - 1.0 / x; x = x + 1.0; }
  let z = 1.0 / (x * x);
  return acc + log(x) - 0.5 / x - z * (0.083333333333 - z * (0.0083333333333 - z * 0.0039682539683));
}` },
  fpow: { deps: ["nan", "inf"], code: `fn fpow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a == 0.0) { if (b < 0.0) { return inf_(); } return 0.0; }
  if (a < 0.0) { if (floor(b) != b) { return nan_(); } let r = pow(-a, b); if (floor(b * 0.5) * 2.0 != b) { return -r; } return r; }
  return pow(a, b);
}` },
  ipow: { code: "fn ipow_(a: i32, b: i32) -> i32 { if (b < 0) { if (a == 1) { return 1; } if (a == -1) { return select(-1, 1, (b & 1) == 0); } return 0; } var r = 1; var base = a; var e = b; while (e > 0) { if ((e & 1) != 0) { r = r * base; } base = base * base; e = e >> 1u; } return r; }" },
  upow: { code: "fn upow_(a: u32, b: u32) -> u32 { var r = 1u; var base = a; var e = b; while (e > 0u) { if ((e & 1u) != 0u) { r = r * base; } base = base * base; e = e >> 1u; } return r; }" },
  idiv: { code: "fn idiv_(a: i32, b: i32) -> i32 { if (b == 0) { return -1; } if (b == -1) { return 0 - a; } return a / b; }" },
  udiv: { code: "fn udiv_(a: u32, b: u32) -> u32 { if (b == 0u) { return 0xffffffffu; } return a / b; }" },
  irem: { code: "fn irem_(a: i32, b: i32) -> i32 { if (b == 0) { return a; } if (b == -1) { return 0; } return a % b; }" },
  urem: { code: "fn urem_(a: u32, b: u32) -> u32 { if (b == 0u) { return a; } return a % b; }" },
  nextafter: { deps: ["isnan", "nan"], code: `fn nextafter_(a: f32, b: f32) -> f32 {
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  if (a == b) { return b; }
  if (a == 0.0) { return select(-bitcast<f32>(1u), bitcast<f32>(1u), b > 0.0); }
  let bits = bitcast<u32>(a);
  return bitcast<f32>(select(bits - 1u, bits + 1u, (b > a) == (a > 0.0)));
}` },
  // C casts as castScalar (dtype.ts): NaN -> 0, integral values of the other 32-bit type wrap, others saturate.
  f2i: { deps: ["isnan"], code: "fn f2i_(x: f32) -> i32 { if (isnan_(x)) { return 0; } if (floor(x) == x && x >= -2147483648.0 && x < 4294967296.0) { if (x >= 2147483648.0) { return bitcast<i32>(u32(x)); } return i32(x); } if (x >= 2147483647.0) { return 2147483647; } if (x <= -2147483648.0) { return bitcast<i32>(0x80000000u); } return i32(x); }" },
  f2u: { deps: ["isnan"], code: "fn f2u_(x: f32) -> u32 { if (isnan_(x)) { return 0u; } if (floor(x) == x && x >= -2147483648.0 && x < 4294967296.0) { if (x < 0.0) { return bitcast<u32>(i32(x)); } return u32(x); } if (x >= 4294967295.0) { return 0xffffffffu; } if (x <= 0.0) { return 0u; } return u32(x); }" },
};

/** Collects the helpers a shader uses and renders them before its body. */
export class Helpers {
  private readonly used = new Set<string>();
  use(name: string): void {
    if (this.used.has(name)) return;
    const h = HELPERS[name];
    if (!h) throw new Error(`internal: no WGSL helper ${name}`);
    for (const d of h.deps ?? []) this.use(d);
    this.used.add(name);
  }
  render(): string { return [...this.used].map((n) => HELPERS[n]!.code).join("\n"); }
}

/** The WGSL of a value converted between dtypes (castScalar's semantics). */
export function convert(v: string, from: DType, to: DType, h: Helpers): string {
  const f = wgslType(from), t = wgslType(to);
  let out: string;
  if (t === "bool") {
    if (f === "bool") return v;
    if (f === "f32") { h.use("isnan"); return `(${v} != 0.0 && !isnan_(${v}))`; }
    return `(${v} != ${f === "i32" ? "0" : "0u"})`;
  }
  if (f === "bool") out = `select(${literal(0, to)}, ${literal(1, to)}, ${v})`;
  else if (f === t) out = v;
  else if (t === "f32") out = `f32(${v})`;
  else if (f === "f32" && (to === "int8" || to === "int16" || to === "uint8")) {
    h.use("f2n");
    const [lo, hi] = to === "int8" ? [-128, 127] : to === "int16" ? [-32768, 32767] : [0, 255];
    out = `${t === "u32" ? "bitcast<u32>" : ""}(f2n_(${v}, ${lo}.0, ${hi}.0))`;
  }
  else if (f === "f32") { h.use(t === "i32" ? "f2i" : "f2u"); out = `${t === "i32" ? "f2i_" : "f2u_"}(${v})`; }
  else out = `bitcast<${t}>(${v})`;
  return from === to ? out : narrow(to, out, h);
}

/** WGSL of a unary primitive on a value of dtype d. */
function unary(op: string, x: string, d: DType, h: Helpers): string {
  const t = wgslType(d);
  const call = (name: string) => { h.use(name); return `${name}_(${x})`; };
  if (t !== "f32") {
    switch (op) {
      case "neg": return t === "u32" ? `(0u - ${x})` : `(-${x})`;
      case "sign": return t === "u32" ? `select(0u, 1u, ${x} > 0u)` : `sign(${x})`;
      case "abs": return t === "u32" ? x : `abs(${x})`;
      case "not": return t === "bool" ? `(!${x})` : `(~${x})`;
      case "square": return `(${x} * ${x})`;
      case "floor": case "ceil": case "round": return x;
      case "is_finite": return "true";
    }
    throw new NotOnWebGPU(`${op} on ${d} is not yet on webgpu`);
  }
  switch (op) {
    case "neg": return `(-${x})`;
    case "sign": return call("fsign");
    case "floor": case "ceil": case "abs": case "exp": case "exp2": case "log": case "sqrt":
    case "sin": case "cos": case "tan": case "atan": case "sinh": case "cosh": case "asinh": case "acosh": case "atanh":
      return `${op}(${x})`;
    case "asin": return call("asin");
    case "acos": return call("acos");
    case "round": return call("fround");
    case "log1p": return call("log1p");
    case "expm1": return call("expm1");
    case "rsqrt": return `inverseSqrt(${x})`;
    case "cbrt": return call("cbrt");
    case "tanh": return call("tanh");
    case "logistic": return call("logistic");
    case "erf": return call("erf");
    case "erfc": return call("erfc");
    case "erf_inv": return call("erfinv");
    case "lgamma": return call("lgamma");
    case "digamma": return call("digamma");
    case "is_finite": return call("isfinite");
    case "square": return `(${x} * ${x})`;
    case "reciprocal": return `(1.0 / ${x})`;
  }
  throw new NotOnWebGPU(`${op} on ${d} is not yet on webgpu`);
}

/** WGSL of a binary primitive on values of dtype d (the operands' dtype). */
function binary(op: string, a: string, b: string, d: DType, h: Helpers): string {
  const t = wgslType(d);
  const call = (name: string) => { h.use(name); return `${name}_(${a}, ${b})`; };
  switch (op) {
    case "add": return t === "bool" ? `(${a} || ${b})` : `(${a} + ${b})`;
    case "sub": return `(${a} - ${b})`;
    case "mul": return t === "bool" ? `(${a} && ${b})` : `(${a} * ${b})`;
    case "div": return t === "f32" ? `(${a} / ${b})` : call(t === "i32" ? "idiv" : "udiv");
    case "rem": return t === "f32" ? `(${a} - ${b} * trunc(${a} / ${b}))` : call(t === "i32" ? "irem" : "urem");
    case "pow": return call(t === "f32" ? "fpow" : t === "i32" ? "ipow" : "upow");
    case "max": return t === "f32" ? call("fmax") : t === "bool" ? `(${a} || ${b})` : `max(${a}, ${b})`;
    case "min": return t === "f32" ? call("fmin") : t === "bool" ? `(${a} && ${b})` : `min(${a}, ${b})`;
    case "atan2": return `atan2(${a}, ${b})`;
    case "nextafter": return call("nextafter");
    case "and": return t === "bool" ? `(${a} && ${b})` : `(${a} & ${b})`;
    case "or": return t === "bool" ? `(${a} || ${b})` : `(${a} | ${b})`;
    case "xor": return t === "bool" ? `(${a} != ${b})` : `(${a} ^ ${b})`;
    case "eq": case "ne": case "lt": case "le": case "gt": case "ge": {
      const sym = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" }[op];
      if (t !== "f32") return `(${a} ${sym} ${b})`;
      // Compilers may assume no NaN in float comparisons (x != x folds to false): test the bits.
      h.use("isnan");
      return op === "ne" ? `(isnan_(${a}) || isnan_(${b}) || ${a} != ${b})` : `(!isnan_(${a}) && !isnan_(${b}) && ${a} ${sym} ${b})`;
    }
    case "shift_left":
      if (t === "i32") return `select(0, ${a} << u32(${b}), ${b} >= 0 && ${b} < 32)`;
      if (t === "u32") return `select(0u, ${a} << ${b}, ${b} < 32u)`;
      break;
    case "shift_right_logical":
      // The narrow type's own bits shift in zeros (int8 -1 >> 1 = 127).
      if (d === "int8" || d === "int16") { const bits = d === "int8" ? 8 : 16; return `select(0, bitcast<i32>((bitcast<u32>(${a}) & ${2 ** bits - 1}u) >> u32(${b})), ${b} >= 0 && ${b} < ${bits})`; }
      if (t === "i32") return `select(0, bitcast<i32>(bitcast<u32>(${a}) >> u32(${b})), ${b} >= 0 && ${b} < 32)`;
      if (t === "u32") return `select(0u, ${a} >> ${b}, ${b} < 32u)`;
      break;
    case "shift_right_arithmetic":
      if (t === "i32") return `(${a} >> u32(clamp(${b}, 0, 31)))`;
      if (t === "u32") return `select(0u, ${a} >> ${b}, ${b} < 32u)`;
      break;
  }
  throw new NotOnWebGPU(`${op} on ${d} is not yet on webgpu`);
}

/**
 * Renders an Expr as `let` statements (shared subtrees once), reading input k with
 * `load(k, offsetCode)` and the iteration index along axis a as `index(a)` (an i32 expression).
 */
export class ExprWriter {
  readonly lines: string[] = [];
  private readonly memo = new Map<Expr, string>();
  private n = 0;
  constructor(
    readonly h: Helpers,
    private readonly index: (axis: number) => string,
    private readonly load: (input: number, offset: string, dtype: DType) => string,
    /** Where offsets and strides go (params.ts): the code keeps only which strides are zero. */
    private readonly params: Params,
    /** In a flat kernel (see isFlatKernel), the flat index every non-constant load reads at. */
    private readonly flatIndex?: string,
  ) {}

  /** Offset code of a strided load: offset + sum idx[a] * strides[a], as i32. */
  offset(strides: readonly number[], offset: number): string {
    const p = this.params;
    if (this.flatIndex !== undefined) return strides.some((s) => s !== 0) ? this.flatIndex : p.i(offset);
    const terms = [p.i(offset)];
    strides.forEach((s, a) => { if (s !== 0) terms.push(`${this.index(a)} * ${p.i(s)}`); });
    return terms.join(" + ");
  }

  write(e: Expr): string {
    const m = this.memo.get(e);
    if (m) return m;
    const code = this.code(e);
    if (e.op === "const") { this.memo.set(e, code); return code; }
    const name = `v${this.n++}`;
    this.lines.push(`let ${name}: ${wgslType(e.dtype)} = ${code};`);
    this.memo.set(e, name);
    return name;
  }

  private code(e: Expr): string {
    const h = this.h;
    const round = (v: string) => narrow(e.dtype, v, h);
    switch (e.op) {
      case "load": return this.load(e.input, this.offset(e.strides, e.offset), e.dtype);
      case "const": return literal(e.value, e.dtype, h);
      case "index": return convert(this.index(e.axis), "int32", e.dtype, h);
      case "convert": return convert(this.write(e.args[0]), e.args[0].dtype, e.dtype, h);
      case "select": {
        const [c, x, y] = e.args.map((a) => this.write(a));
        const cb = e.args[0]!.dtype === "bool" ? c! : convert(c!, e.args[0]!.dtype, "bool", h);
        return `select(${y}, ${x}, ${cb})`;
      }
      case "clamp": {
        const [lo, x, hi] = e.args.map((a) => this.write(a));
        const t = wgslType(e.dtype);
        if (t === "f32") { h.use("fmax"); h.use("fmin"); return round(`fmin_(fmax_(${x}, ${lo}), ${hi})`); }
        return `min(max(${x}, ${lo}), ${hi})`;
      }
      default: {
        const args = e.args.map((a) => this.write(a));
        const argDtype = e.args[e.args.length - 1]!.dtype;
        if (args.length === 1) return round(unary(e.op, args[0]!, argDtype, h));
        return round(binary(e.op, args[0]!, args[1]!, argDtype, h));
      }
    }
  }
}

/** Mixed-radix unravel of a flat u32 index into i32 axis indices, as WGSL lines; the sizes are parameters. */
export function unravelLines(flat: string, shape: readonly number[], name: (axis: number) => string, p: Params): string[] {
  const lines: string[] = [];
  if (shape.length === 0) return lines;
  lines.push(`var r_${name(0)} = ${flat};`);
  for (let a = shape.length - 1; a >= 0; a--) {
    if (a === 0) { lines.push(`let ${name(a)} = i32(r_${name(0)});`); continue; }
    const d = p.u(shape[a]!);
    lines.push(`let ${name(a)} = i32(r_${name(0)} % ${d}); r_${name(0)} = r_${name(0)} / ${d};`);
  }
  return lines;
}
