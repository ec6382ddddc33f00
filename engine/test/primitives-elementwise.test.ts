// Conformance of the elementwise primitives (unary, binary, select, clamp, conversions):
// shape rule, JVP, VJP, batching and jit, each against an independent oracle.
import { UNARY_PRIMITIVES, BINARY_PRIMITIVES, type UnaryPrimitive, type BinaryPrimitive } from "../src/ir/primitives.js";
import { prim, runCases, type Case, type Rand, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

/** Operand domains that keep each op smooth (away from kinks, poles and branch cuts). */
const unaryDomain: Partial<Record<UnaryPrimitive, (r: Rand, s: number[]) => ReturnType<Rand["f"]>>> = {
  log: (r, s) => r.f(s, 0.3, 2), sqrt: (r, s) => r.f(s, 0.3, 2), rsqrt: (r, s) => r.f(s, 0.3, 2), lgamma: (r, s) => r.f(s, 0.3, 3),
  digamma: (r, s) => r.f(s, 0.3, 3), log1p: (r, s) => r.f(s, -0.5, 2), cbrt: (r, s) => r.away(s), reciprocal: (r, s) => r.away(s),
  asin: (r, s) => r.f(s, -0.8, 0.8), acos: (r, s) => r.f(s, -0.8, 0.8), atanh: (r, s) => r.f(s, -0.8, 0.8), erf_inv: (r, s) => r.f(s, -0.8, 0.8),
  acosh: (r, s) => r.f(s, 1.2, 3), abs: (r, s) => r.away(s, 0.1, 2), tan: (r, s) => r.f(s, -1.2, 1.2),
  floor: (r, s) => r.f(s, -3, 3), ceil: (r, s) => r.f(s, -3, 3), round: (r, s) => r.f(s, -3, 3), sign: (r, s) => r.away(s, 0.1, 2),
  not: (r, s) => r.bool(s),
};
const noDerivative: Partial<Record<UnaryPrimitive, RegExp>> = { digamma: /digamma: its derivative/ };

export const cases: Case[] = [];
for (const p of UNARY_PRIMITIVES) {
  const gen = unaryDomain[p] ?? ((r: Rand, s: number[]) => r.f(s, -1.5, 1.5));
  for (const shape of p === "exp" || p === "not" ? [[2, 3], [0, 3], [1, 1, 4], []] : [[2, 3]]) {
    cases.push(prim(`${p} [${shape}]`, p, {}, (r) => [gen(r, shape)], { shapes: [shape], noDerivative: noDerivative[p] }));
  }
}

/** Binary operands by op: [lhs, rhs] generators given shapes. */
const binaryDomain: Partial<Record<BinaryPrimitive, (r: Rand, a: number[], b: number[]) => ReturnType<Rand["f"]>[]>> = {
  div: (r, a, b) => [r.f(a), r.away(b)],
  rem: (r, a, b) => [r.f(a, -3, 3), r.away(b, 0.7, 1.3)],
  pow: (r, a, b) => [r.f(a, 0.3, 2), r.f(b, -2, 2)],
  atan2: (r, a, b) => [r.f(a), r.away(b)],
  and: (r, a, b) => [r.bool(a), r.bool(b)], or: (r, a, b) => [r.i(a, -8, 8), r.i(b, -8, 8)], xor: (r, a, b) => [r.i(a, 0, 8, "uint32"), r.i(b, 0, 8, "uint32")],
  shift_left: (r, a, b) => [r.i(a, -100, 100), r.i(b, 0, 5)],
  shift_right_logical: (r, a, b) => [r.i(a, -100, 100), r.i(b, 0, 5)],
  shift_right_arithmetic: (r, a, b) => [r.i(a, -100, 100), r.i(b, 0, 5)],
};
for (const p of BINARY_PRIMITIVES) {
  const gen = binaryDomain[p] ?? ((r: Rand, a: number[], b: number[]) => [r.f(a, -2, 2), r.f(b, -2, 2)]);
  const shapes: [number[], number[], number[]][] = [[[2, 3], [3], [2, 3]], [[2, 1], [1, 3], [2, 3]]];
  if (p === "add" || p === "mul" || p === "max" || p === "pow" || p === "lt") shapes.push([[0, 3], [3], [0, 3]], [[], [2, 3], [2, 3]], [[1, 1], [1], [1, 1]]);
  for (const [a, b, out] of shapes) cases.push(prim(`${p} [${a}] [${b}]`, p, {}, (r) => gen(r, a, b), { shapes: [out] }));
}

// Ties in max/min split the derivative; finite differences are not defined at a tie, so check JVP against VJP only.
cases.push(prim("max with ties", "max", {}, (r) => { const a = r.f([2, 3]); return [a, a]; }, { skip: { jvp: "not differentiable at a tie" } }));

cases.push(
  prim("select [2,3] [2,3] [3]", "select", {}, (r) => [r.bool([2, 3]), r.f([2, 3]), r.f([3])], { shapes: [[2, 3]] }),
  prim("select scalar pred", "select", {}, (r) => [r.bool([]), r.f([2, 3]), r.f([2, 3])], { shapes: [[2, 3]] }),
  prim("clamp [] [2,3] [3]", "clamp", {}, (r) => [r.f([], -0.5, -0.4), r.f([2, 3], -1, 1), r.f([3], 0.2, 0.6)], { shapes: [[2, 3]] }),
  prim("clamp [2,3] all same shape", "clamp", {}, (r) => [r.f([2, 3], -0.6, -0.2), r.f([2, 3], -1, 1), r.f([2, 3], 0.2, 0.6)], { shapes: [[2, 3]] }),
  prim("convert f64->f32", "convert_element_type", { dtype: "float32", weak: false }, (r) => [r.f([2, 3])], { shapes: [[2, 3]], h: 1e-2, tol: 1e-4 }),
  prim("convert f64->int32", "convert_element_type", { dtype: "int32", weak: false }, (r) => [r.f([2, 3], -3, 3)], { shapes: [[2, 3]] }),
  prim("convert int32->f64", "convert_element_type", { dtype: "float64", weak: false }, (r) => [r.i([4], -3, 3)], { shapes: [[4]] }),
  prim("bitcast f32->int32", "bitcast_convert_type", { dtype: "int32" }, (r) => [r.f([2, 3], -1, 1, "float32")], { shapes: [[2, 3]] }),
  prim("bitcast f64->f64", "bitcast_convert_type", { dtype: "float64" }, (r) => [r.f([3])], {
    shapes: [[3]], skip: { jvp: "bitcast has no derivative by definition (finite differences would see the identity)" } }),
  prim("stop_gradient", "stop_gradient", {}, (r) => [r.f([2, 3])], {
    shapes: [[2, 3]], skip: { jvp: "zero derivative by definition: finite differences see the identity; the VJP check asserts the zero" } }),
);

cases.push(
  prim("threefry2x32 broadcasting", "threefry2x32", {}, (r) => [r.i([], 0, 1000, "uint32"), r.i([3], 0, 1000, "uint32"), r.i([2, 3], 0, 1 << 30, "uint32"), r.i([1, 3], 0, 1 << 30, "uint32")], {
    shapes: [[2, 3], [2, 3]] }),
  prim("threefry2x32 size-0", "threefry2x32", {}, (r) => [r.i([], 0, 9, "uint32"), r.i([], 0, 9, "uint32"), r.i([0], 0, 9, "uint32"), r.i([0], 0, 9, "uint32")], { shapes: [[0], [0]] }),
);

runCases(test, cases);
