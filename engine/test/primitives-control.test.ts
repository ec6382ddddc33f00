// Conformance of the control-flow primitives (cond/switch, scan, forILoop, whileLoop, pjit)
// under jvp, vjp, vmap (batched and unbatched predicates), jit, and nested: each against
// finite differences, the dot-product identity, a loop over examples and eager evaluation.
import assert from "node:assert/strict";
import { lax, jit, grad, vmap, np, customJvp, customVjp, DeviceArray } from "../src/index.js";
import * as l from "../src/lax/primitives.js";
import { runCases, fromList, list, close, Rand, type Case, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

const sc = (x: DeviceArray, v: number) => l.scalarLike(x, v);

/** scan with two float carries, an int carry, two xs, a closed-over constant, and two ys. */
const scanFn = (reverse: boolean) => (c0: DeviceArray, c1: DeviceArray, xs: DeviceArray, zs: DeviceArray, w: DeviceArray) => {
  const [[a, b, k], [y1, y2]] = lax.scan(([a, b, k]: DeviceArray[], [x, z]: DeviceArray[]) => {
    const a2 = l.add(l.mul(l.sin(a!), w), l.mul(x!, b!));
    const b2 = l.sub(l.tanh(l.mul(b!, z!)), l.reduceSum(a!, [0]));
    return [[a2, b2, l.add(k!, l.scalarLike(k!, 1))], [l.mul(a2, l.convert(k!, "float64")), l.exp(b2)]];
  }, [c0, c1, np.array(0, "int32")], [xs, zs], { reverse });
  return [a!, b!, k!, y1!, y2!];
};
const scanMake = (r: Rand) => [r.f([2]), r.f([]), r.f([4, 2]), r.f([4]), r.f([2])];

const condFn = (p: DeviceArray, x: DeviceArray, y: DeviceArray) =>
  [lax.cond(p, (a: DeviceArray, b: DeviceArray) => l.mul(l.sin(a), b), (a: DeviceArray, b: DeviceArray) => l.sub(l.exp(a), l.mul(b, b)), x, y)];

const switchFn = (i: DeviceArray, x: DeviceArray) => [lax.switch(i, [
  (a: DeviceArray) => l.sin(a), (a: DeviceArray) => l.mul(a, a), (a: DeviceArray) => l.reduceSum(l.broadcastInDim(a, [2, 3], [1]), [0]),
], x)];

/** Scan inside cond: the nested case (its vmap variants put the cond inside vmap). */
const nestedFn = (p: DeviceArray, x: DeviceArray, xs: DeviceArray) => [lax.cond(p,
  (a: DeviceArray, s: DeviceArray) => lax.scan((c: DeviceArray, e: DeviceArray) => [l.add(l.mul(c, e), l.sin(c)), l.cos(c)], a, s)[0],
  (a: DeviceArray, s: DeviceArray) => l.mul(a, l.reduceSum(s, [0])), x, xs)];

const forFn = (x: DeviceArray, w: DeviceArray) => [lax.forILoop(1, 4, (i: DeviceArray, c: DeviceArray) => l.add(l.mul(c, w), l.mul(l.sin(c), l.convert(i, "float64"))), x)];

/** whileLoop with a data-dependent trip count (so a batched predicate differs between examples). */
const whileFn = (x: DeviceArray, s: DeviceArray) => {
  const [, y] = lax.whileLoop(([k, c]: DeviceArray[]) => l.and(l.lt(l.reduceSum(l.mul(c!, c!), [0]), l.mul(s, s)), l.lt(k!, sc(k!, 20))),
    ([k, c]: DeviceArray[]) => [l.add(k!, sc(k!, 1)), l.add(l.mul(c!, sc(c!, 1.3)), l.mul(l.sin(c!), sc(c!, 0.1)))], [np.array(0, "int32"), x]);
  return [y];
};

const jitScan = jit(scanFn(false));

// Custom derivatives with exact rules (the harness compares them with finite differences).
const sinCos = customJvp((x: DeviceArray, y: DeviceArray) => [l.mul(l.sin(x), y), l.cos(x)])
  .defjvp(([x, y]: DeviceArray[], [tx, ty]: DeviceArray[]) => [[l.mul(l.sin(x), y), l.cos(x)],
    [l.add(l.mul(l.mul(l.cos(x), y), tx), l.mul(l.sin(x), ty)), l.mul(l.neg(l.sin(x)), tx)]]);
const customJvpFn = (x: DeviceArray, y: DeviceArray) => sinCos(x, y) as DeviceArray[];
const expVjp = customVjp((x: DeviceArray) => l.exp(x)).defvjp((x: DeviceArray) => [l.exp(x), l.exp(x)], (e: DeviceArray, g: DeviceArray) => [l.mul(e, g)]);
const noReverse = /whileLoop: reverse-mode differentiation is not supported/;

export const cases: Case[] = [
  { name: "cond (bool predicate operand)", prim: "cond", fn: condFn, make: (r) => [r.bool([]), r.f([3]), r.f([3])], shapes: [[3]], unbatched: [[0], [1, 2]] },
  { name: "cond predicate true", prim: "cond", fn: condFn, make: (r) => [np.array(true), r.f([2, 2]), r.f([2])], shapes: [[2, 2]], unbatched: [[0]] },
  { name: "switch, index out of range is clamped", prim: "cond", fn: switchFn, make: (r) => [r.i([], -1, 4), r.f([3])], shapes: [[3]], unbatched: [[0], [1]] },
  { name: "scan: 3 carries (one int), 2 xs, a const, 2 ys", prim: "scan", fn: scanFn(false), make: scanMake, shapes: [[2], [], [], [4, 2], [4]] },
  { name: "scan reverse", prim: "scan", fn: scanFn(true), make: scanMake, shapes: [[2], [], [], [4, 2], [4]] },
  { name: "scan of length 0", prim: "scan", fn: scanFn(false), make: (r) => [r.f([2]), r.f([]), r.f([0, 2]), r.f([0]), r.f([2])], shapes: [[2], [], [], [0, 2], [0]] },
  { name: "grad/vmap/jit of jit(scan)", prim: "pjit", fn: (...xs) => (jitScan as (...a: DeviceArray[]) => DeviceArray[])(...xs), make: scanMake, shapes: [[2], [], [], [4, 2], [4]] },
  { name: "forILoop", prim: "scan", fn: forFn, make: (r) => [r.f([3]), r.f([3])], shapes: [[3]] },
  { name: "scan inside cond", prim: "cond", fn: nestedFn, make: (r) => [r.bool([]), r.f([2], 0.2, 0.8), r.f([3, 2], 0.2, 0.8)], shapes: [[2]], unbatched: [[0], [1, 2]] },
  { name: "customJvp: two arguments, two outputs", prim: "custom_jvp_call", fn: customJvpFn, make: (r) => [r.f([3]), r.f([3])], shapes: [[3], [3]] },
  { name: "customVjp (reverse mode only, as in JAX)", prim: "custom_vjp_call", fn: (x) => [expVjp(x) as DeviceArray], make: (r) => [r.f([2, 2])], shapes: [[2, 2]],
    noDerivative: /forward-mode differentiation/, skip: { vjp: "checked against forward mode, which customVjp refuses: custom-derivatives.test.ts checks reverse mode" } },
  { name: "whileLoop (forward mode only)", prim: "while", fn: whileFn, make: (r) => [r.f([2], 0.2, 0.5), r.f([], 2, 4)], shapes: [[2]], noReverse, unbatched: [[1], [0]] },
];
runCases(test, cases);

test("cond and scan by hand", () => {
  const [y] = condFn(np.array(false), fromList([0], [1]), fromList([3], [1]));
  close(list(y!), [1 - 9], 0, "cond false");
  const [c, ys] = lax.scan((c: DeviceArray, x: DeviceArray) => [l.add(c, x), c], fromList([0], []), fromList([1, 2, 3], [3]), { reverse: true });
  close(list(c as DeviceArray), [6], 0, "reverse scan carry");
  close(list(ys as DeviceArray), [5, 3, 0], 0, "reverse scan ys");
});

test("vmap of cond with a batched predicate runs the chosen branch per example, inside jit too", () => {
  const f = (p: DeviceArray, x: DeviceArray) => condFn(p, x, x)[0] as DeviceArray;
  const ps = fromList([1, 0, 1], [3], "bool"), xs = new Rand(8).f([3, 2]);
  const loop = [0, 1, 2].map((i) => list(f(ps.get(i) as DeviceArray, xs.get(i) as DeviceArray))).flat();
  close(list(vmap(f)(ps, xs)), loop, 1e-12, "vmap");
  close(list(jit(vmap(f))(ps, xs)), loop, 1e-12, "jit(vmap)");
});

test("grad of jit of scan, and grad inside vmap of scan, against finite differences", () => {
  const loss = (w: DeviceArray) => {
    const outs = jitScan(fromList([0.1, 0.2], [2]), fromList([0.3], []), fromList([0.5, -0.2, 0.1, 0.4, 0.3, -0.6, 0.2, 0.0], [4, 2]), fromList([0.1, 0.2, 0.3, 0.4], [4]), w);
    return l.add(l.reduceSum(outs[3]!, [0, 1]), l.reduceSum(outs[4]!, [0]));
  };
  const w = fromList([0.7, -0.4], [2]);
  const g = list(grad(loss)(w));
  const fd = [0, 1].map((i) => {
    const h = 1e-6, p = list(w), m = list(w);
    p[i]! += h; m[i]! -= h;
    return (loss(fromList(p, [2])).item() - loss(fromList(m, [2])).item()) / (2 * h);
  });
  close(g, fd, 1e-6, "grad(jit(scan))");
  const ws = new Rand(9).f([3, 2]);
  const per = [0, 1, 2].map((i) => list(grad(loss)(ws.get(i) as DeviceArray))).flat();
  close(list(vmap(grad(loss))(ws)), per, 1e-10, "vmap(grad(jit(scan)))");
  close(list(jit(grad(loss))(w)), g, 1e-10, "jit(grad(jit(scan)))");
});

test("whileLoop refuses reverse mode with a message that says what to use", () => {
  assert.throws(() => grad((x: DeviceArray) => l.reduceSum(whileFn(x, fromList([3], []))[0]!, [0]))(fromList([0.3, 0.2], [2])), noReverse);
});
