// The IR: makeJaxpr prints programs as jax.make_jaxpr does, every optimized program
// type-checks, evalShape computes shapes without data, equations carry source locations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, grad, jit, vmap, makeJaxpr, evalShape, ShapeDtypeStruct, DeviceArray } from "../src/index.js";
import { checkJaxpr } from "../src/ir/check.js";
import { optimize } from "../src/jit/program.js";
import { assertClose } from "./helpers/allclose.js";

const predict = (x: DeviceArray, w1: DeviceArray, w2: DeviceArray) => nn.sigmoid(nn.relu(x.matmul(w1)).matmul(w2));

test("makeJaxpr prints the traced program (snapshot)", () => {
  const j = makeJaxpr(predict)(np.zeros([3, 2]), np.zeros([2, 4]), np.zeros([4, 1]));
  assert.equal(String(j), [
    "{ lambda ; a:f32[3,2] b:f32[2,4] c:f32[4,1]. let",
    "    d:f32[3,4] = dot_general[dimensionNumbers={contract=((1,), (0,)), batch=((), ())} preferredElementType=null] a b",
    // nn.relu is a custom_jvp function, as in JAX: one equation with its traced body.
    "    e:f32[3,4] = custom_jvp_call[numConsts=0 name=relu] d",
    "      call=",
    "        { lambda ; f:f32[3,4]. let",
    "            g:f32[3,4] = max f 0.0:f32[]",
    "          in (g,) }",
    "    h:f32[3,1] = dot_general[dimensionNumbers={contract=((1,), (0,)), batch=((), ())} preferredElementType=null] e c",
    "    i:f32[3,1] = logistic h",
    "  in (i,) }",
  ].join("\n"));
});

test("equations carry the user's source location", () => {
  const j = makeJaxpr((x: DeviceArray) => np.exp(x))(np.zeros([2]));
  const src = j.eqns[0]!.source!;
  assert.equal(src.file, "engine/test/ir.test.ts");
  assert.ok(src.line > 0);
});

test("every program type-checks before and after optimization, including grad, vmap and control flow", () => {
  const loss = (w1: DeviceArray, w2: DeviceArray, x: DeviceArray) => np.mean(np.square(predict(x, w1, w2)));
  const scanned = (c: DeviceArray, xs: DeviceArray) => lax.scan((h: DeviceArray, x: DeviceArray) => [np.tanh(h.mul(x)), h.sum()] as [DeviceArray, DeviceArray], c, xs)[0].sum();
  const programs = [
    makeJaxpr(grad(loss, { argnums: [0, 1] }))(np.ones([2, 4]), np.ones([4, 1]), np.ones([3, 2])),
    makeJaxpr(vmap(grad(loss), { inAxes: [null, null, 0] }))(np.ones([2, 4]), np.ones([4, 1]), np.ones([5, 3, 2])),
    makeJaxpr(grad(scanned))(np.ones([3]), np.ones([4, 3])),
    makeJaxpr(vmap((x: DeviceArray) => lax.cond(x.sum().gt(0), (v: DeviceArray) => v.mul(2), (v: DeviceArray) => v.neg(), x)))(np.ones([4, 3])),
  ];
  for (const j of programs) {
    checkJaxpr(j);
    checkJaxpr(optimize(j));
    assert.ok(optimize(j).eqns.length <= j.eqns.length);
  }
});

test("evalShape gives shapes and dtypes without computing", () => {
  const out = evalShape((a: DeviceArray, b: DeviceArray) => ({ y: np.matmul(a, b), s: a.sum({ axis: 0 }).astype("int32") }),
    new ShapeDtypeStruct([1000, 3], "float32"), new ShapeDtypeStruct([3, 7], "float32"));
  assert.deepEqual(out.y.shape, [1000, 7]);
  assert.equal(out.y.dtype, "float32");
  assert.deepEqual(out.s.shape, [3]);
  assert.equal(out.s.dtype, "int32");
});

test("constant folding and identities leave no work on literals", () => {
  const j = optimize(makeJaxpr((x: DeviceArray) => x.mul(np.add(1, 1).sub(1)).add(0))(np.ones([3])));
  assert.equal(j.eqns.length, 0, String(j));
  const f = jit((x: DeviceArray) => x.mul(np.add(1, 1).sub(1)).add(0));
  assert.deepEqual(f(np.array([1, 2, 3])).tolist(), [1, 2, 3]);
});

test("reverse mode builds only the cotangents asked for, with no transposes for a matmul", () => {
  const x = np.ones([3, 2]), w = np.ones([2, 4]), c = np.full([3, 4], 2);
  const count = (j: { eqns: { prim: string }[] }, prim: string) => j.eqns.filter((e) => e.prim === prim).length;
  // w is differentiated, x and c are not: one dot_general forward, one backward (x^T ct), no transposes.
  const loss = (w_: DeviceArray, x_: DeviceArray, c_: DeviceArray) => np.log(x_.matmul(w_).div(c_).add(3)).sum();
  const j = makeJaxpr(grad(loss))(w, x, c);
  assert.equal(count(j, "dot_general"), 2, String(j));
  assert.equal(count(j, "transpose"), 0, String(j));
  // d/d(numerator) of a / c is ct / c; log's derivative divides too: no reciprocal, no neg.
  assert.equal(count(j, "reciprocal"), 0, String(j));
  assert.equal(count(j, "neg"), 0, String(j));
  // Both operands wanted: each cotangent still comes out in its operand's layout.
  const both = makeJaxpr(grad(loss, { argnums: [0, 1] }))(w, x, c);
  assert.equal(count(both, "dot_general"), 3, String(both));
  assert.equal(count(both, "transpose"), 0, String(both));
  // And the values agree with the dense formula: d/dw sum(log(xw/c + 3)) = x^T (1 / (c (xw/c + 3))).
  const [gw, gx] = grad(loss, { argnums: [0, 1] })(w, x, c) as DeviceArray[];
  const inner = np.divide(1, c.mul(x.matmul(w).div(c).add(3)));
  assertClose(gw!.dataSync(), np.matmul(x.T, inner).dataSync(), { rtol: 1e-6, atol: 1e-7 }, "d/dw");
  assertClose(gx!.dataSync(), np.matmul(inner, w.T).dataSync(), { rtol: 1e-6, atol: 1e-7 }, "d/dx");
});

test("shape rules remembered for repeated questions still tell weak types and params apart", () => {
  const strong = np.ones([], "float32");
  for (let i = 0; i < 3; i++) {
    assert.equal(np.add(1.5, 2.5).weakType, true, "weak + weak is weak");
    assert.equal(np.add(strong, 2.5).weakType, false, "strong + weak is strong");
    assert.deepEqual(np.ones([2, 3]).sum({ axis: 0 }).shape, [3]);
    assert.deepEqual(np.ones([2, 3]).sum({ axis: 1 }).shape, [2]);
  }
  assert.throws(() => np.ones([2, 3]).add(np.ones([4])), /add/, "a bad shape still fails after good ones");
  // Same operand and result shapes, different params: each question keeps its own kernel.
  const x = np.arange(27).reshape([3, 3, 3]);
  const at = (v: number[][][], p: number[], i: number, j: number, k: number) => { const idx = [i, j, k]; const src = [0, 0, 0]; p.forEach((ax, d) => { src[ax] = idx[d]!; }); return v[src[0]!]![src[1]!]![src[2]!]!; };
  const xv = x.tolist() as number[][][];
  for (let round = 0; round < 3; round++) {
    for (const perm of [[1, 0, 2], [0, 2, 1], [2, 1, 0]]) {
      const got = np.transpose(x, perm).tolist() as number[][][];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) assert.equal(got[i]![j]![k], at(xv, perm, i, j, k), `perm ${perm}`);
    }
  }
});
