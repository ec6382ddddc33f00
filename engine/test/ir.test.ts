// The IR: makeJaxpr prints programs as jax.make_jaxpr does, every optimized program
// type-checks, evalShape computes shapes without data, equations carry source locations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, grad, jit, vmap, makeJaxpr, evalShape, ShapeDtypeStruct, DeviceArray } from "../src/index.js";
import { checkJaxpr } from "../src/core/check.js";
import { optimize } from "../src/core/program.js";

const predict = (x: DeviceArray, w1: DeviceArray, w2: DeviceArray) => nn.sigmoid(nn.relu(x.matmul(w1)).matmul(w2));

test("makeJaxpr prints the traced program (snapshot)", () => {
  const j = makeJaxpr(predict)(np.zeros([3, 2]), np.zeros([2, 4]), np.zeros([4, 1]));
  assert.equal(String(j), [
    "{ lambda ; a:f32[3,2] b:f32[2,4] c:f32[4,1]. let",
    "    d:f32[3,4] = dot_general[dimensionNumbers={contract=((1,), (0,)), batch=((), ())} preferredElementType=null] a b",
    "    e:f32[3,4] = max d 0.0:f32[]",
    "    f:f32[3,1] = dot_general[dimensionNumbers={contract=((1,), (0,)), batch=((), ())} preferredElementType=null] e c",
    "    g:f32[3,1] = logistic f",
    "  in (g,) }",
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
