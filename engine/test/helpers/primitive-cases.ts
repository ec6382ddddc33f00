// The per-primitive conformance harness: every case is one primitive (or one control-flow
// program) applied to generated operands, and every check compares a rule with an oracle that
// does not use that rule: the kernel's buffer size and hand-written shapes for the shape rule,
// central finite differences for JVP, the dot-product identity for VJP, a JS loop for batching
// and eager evaluation for jit.
import assert from "node:assert/strict";
import { test as nodeTest } from "node:test";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { np, jit, config, DeviceArray } from "../../src/index.js";
import { bind } from "../../src/trace/trace.js";
import { jvpFlat, vjpFlat, vmapFlat } from "../../src/trace/transforms.js";
import type { Primitive } from "../../src/ir/primitives.js";
import { isFloat, type DType } from "../../src/dtype.js";

config.update("enableX64", true);

/** A deterministic source of operands (mulberry32), so failures reproduce. */
export class Rand {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Floats uniform in [lo, hi), float64 unless told. */
  f(shape: number[], lo = -1, hi = 1, dtype: DType = "float64"): DeviceArray {
    return fromList(Array.from({ length: size(shape) }, () => lo + (hi - lo) * this.next()), shape, dtype);
  }
  /** Floats of magnitude in [lo, hi) with random signs (keeps away from 0). */
  away(shape: number[], lo = 0.5, hi = 2): DeviceArray {
    return fromList(Array.from({ length: size(shape) }, () => (this.next() < 0.5 ? -1 : 1) * (lo + (hi - lo) * this.next())), shape, "float64");
  }
  /** Integers in [lo, hi). */
  i(shape: number[], lo: number, hi: number, dtype: DType = "int32"): DeviceArray {
    return fromList(Array.from({ length: size(shape) }, () => lo + Math.floor((hi - lo) * this.next())), shape, dtype);
  }
  bool(shape: number[]): DeviceArray { return this.i(shape, 0, 2, "bool"); }
}

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export function fromList(values: number[], shape: number[], dtype: DType = "float64"): DeviceArray {
  return np.array(Float64Array.from(values), dtype).reshape(shape);
}
export const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);

/** A check that a case legitimately skips, with the reason. */
export type Check = "jvp" | "vjp" | "vmap" | "jit";

export interface Case {
  name: string;
  /** The primitive it exercises (control-flow programs name theirs). */
  prim: Primitive;
  fn: (...xs: DeviceArray[]) => DeviceArray[];
  make: (r: Rand) => DeviceArray[];
  /** Output shapes written by hand (the shape rule's oracle). */
  shapes?: number[][];
  skip?: Partial<Record<Check, string>>;
  /** The JVP must throw (a primitive without a derivative): the message's pattern. */
  noDerivative?: RegExp;
  /** Only reverse mode must throw (whileLoop): the message's pattern. */
  noReverse?: RegExp;
  /** FD step and tolerance, for float32 cases. */
  h?: number;
  tol?: number;
  /** Operands that stay unbatched in the "mixed" vmap variants (default: all but operand 0, then all but the last). */
  unbatched?: number[][];
}

/** A case that binds one primitive with fixed params. */
export function prim(name: string, p: Primitive, params: any, make: (r: Rand) => DeviceArray[], extra: Partial<Case> = {}): Case {
  return { name, prim: p, fn: (...xs) => bind(p, xs, params), make, ...extra };
}

export function close(actual: number[], expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(v)) return;
    if (v === e) return;
    assert.ok(Math.abs(v - e) <= tol * (1 + Math.abs(e)), `${what}: element ${i}: ${v} vs ${e}\n  got      [${actual.slice(0, 24).map((x) => +x.toPrecision(8))}]\n  expected [${expected.slice(0, 24).map((x) => +x.toPrecision(8))}]`);
  });
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const floatOuts = (xs: DeviceArray[]) => xs.filter((x) => isFloat(x.dtype));

/** (a) The kernel's buffers have the sizes the shape rule promised, and the shapes are the hand-written ones. */
export function checkShapes(c: Case) {
  const args = c.make(new Rand(1));
  const outs = c.fn(...args);
  outs.forEach((o, i) => assert.equal(o.dataSync().length, o.size, `${c.name}: output ${i} ${o.aval}: kernel wrote ${o.dataSync().length} elements`));
  if (c.shapes) assert.deepEqual(outs.map((o) => [...o.shape]), c.shapes, `${c.name}: output shapes`);
}

/** Random tangents for the float operands (null elsewhere). */
const tangentsFor = (args: DeviceArray[], r: Rand) => args.map((a) => (isFloat(a.dtype) ? r.f([...a.shape], -1, 1, a.dtype) : null));

/** (b) JVP against central finite differences along a random direction. */
export function checkJvp(c: Case) {
  const args = c.make(new Rand(2));
  const ts = tangentsFor(args, new Rand(3));
  if (c.noDerivative) {
    assert.throws(() => jvpFlat(c.fn, args, ts), c.noDerivative, `${c.name}: expected no derivative`);
    return;
  }
  const [outs, touts] = jvpFlat(c.fn, args, ts);
  const eager = c.fn(...args);
  outs.forEach((o, i) => close(list(o), list(eager[i]!), 1e-12, `${c.name}: jvp primal ${i}`));
  const h = c.h ?? 1e-6, tol = c.tol ?? 1e-6;
  const shifted = (s: number) => c.fn(...args.map((a, i) => (ts[i] ? np.array(list(a).map((v, k) => v + s * h * list(ts[i]!)[k]!), a.dtype).reshape([...a.shape]) : a)));
  const plus = shifted(1), minus = shifted(-1);
  outs.forEach((o, i) => {
    const t = touts[i];
    if (!isFloat(o.dtype)) {
      assert.ok(t === null || list(t).every((v) => v === 0), `${c.name}: output ${i} (${o.dtype}) has a nonzero tangent`);
      return;
    }
    const fd = list(plus[i]!).map((v, k) => (v - list(minus[i]!)[k]!) / (2 * h));
    const got = t === null ? fd.map(() => 0) : list(t);
    if (t !== null) assert.deepEqual([...t.shape], [...o.shape], `${c.name}: tangent ${i} shape`);
    close(got, fd, tol, `${c.name}: jvp output ${i} vs finite differences`);
  });
}

/** (c) <vjp(ct), t> == <ct, jvp(t)>, summed over float operands and float outputs. */
export function checkVjp(c: Case) {
  const args = c.make(new Rand(4));
  const refuse = c.noDerivative ?? c.noReverse;
  if (refuse) {
    assert.throws(() => vjpFlat(c.fn, args)[1](c.fn(...args).map((o) => (isFloat(o.dtype) ? np.onesLike(o) : null))), refuse, `${c.name}: expected no reverse mode`);
    return;
  }
  const ts = tangentsFor(args, new Rand(5));
  const [, touts] = jvpFlat(c.fn, args, ts);
  const [outs, pullback] = vjpFlat(c.fn, args);
  const r = new Rand(6);
  const cts = outs.map((o) => (isFloat(o.dtype) ? r.f([...o.shape], -1, 1, o.dtype) : null));
  const inCts = pullback(cts);
  let lhs = 0, rhs = 0;
  args.forEach((a, i) => {
    const ct = inCts[i];
    if (!ts[i] || !ct) return;
    assert.deepEqual([...ct.shape], [...a.shape], `${c.name}: cotangent ${i} shape`);
    lhs += dot(list(ct), list(ts[i]!));
  });
  outs.forEach((o, i) => { if (cts[i] && touts[i]) rhs += dot(list(cts[i]!), list(touts[i]!)); });
  assert.ok(Number.isFinite(lhs) && Number.isFinite(rhs), `${c.name}: <vjp(ct), t> = ${lhs}, <ct, jvp(t)> = ${rhs}`);
  close([lhs], [rhs], c.tol ?? 1e-9, `${c.name}: <vjp(ct), t> vs <ct, jvp(t)>`);
}

/** (d) vmap against a loop over examples: batch axis first, last, and with some operands unbatched. */
export function checkVmap(c: Case, B = 3) {
  const per = Array.from({ length: B }, (_, b) => c.make(new Rand(10 + b)));
  const n = per[0]!.length;
  const variants: { label: string; dims: (number | null)[] }[] = [
    { label: "axis 0", dims: per[0]!.map(() => 0) },
    { label: "last axis", dims: per[0]!.map((a) => a.ndim) },
  ];
  const unb = c.unbatched ?? (n > 1 ? [Array.from({ length: n - 1 }, (_, i) => i + 1), Array.from({ length: n - 1 }, (_, i) => i)] : []);
  for (const u of unb) variants.push({ label: `unbatched ${u}`, dims: per[0]!.map((a, i) => (u.includes(i) ? null : i % 2 ? a.ndim : 0)) });
  for (const { label, dims } of variants) {
    const exampleArgs = (b: number) => per[b]!.map((a, i) => (dims[i] === null ? per[0]![i]! : a));
    const expected = Array.from({ length: B }, (_, b) => c.fn(...exampleArgs(b)));
    const batched = per[0]!.map((a, i) => (dims[i] === null ? a : np.stack(per.map((p) => p[i]!), dims[i]!)));
    const got = vmapFlat(c.fn, batched, dims, 0);
    got.forEach((g, j) => {
      const want = np.stack(expected.map((e) => e[j]!), 0);
      assert.deepEqual([...g.shape], [...want.shape], `${c.name}: vmap (${label}) output ${j} shape`);
      assert.equal(g.dtype, want.dtype, `${c.name}: vmap (${label}) output ${j} dtype`);
      close(list(g), list(want), 1e-12, `${c.name}: vmap (${label}) output ${j}`);
    });
  }
}

/** (e) jit against eager evaluation. */
export function checkJit(c: Case) {
  const args = c.make(new Rand(7));
  const eager = c.fn(...args);
  const got = jit((...xs: DeviceArray[]) => c.fn(...xs))(...args) as DeviceArray[];
  assert.equal(got.length, eager.length);
  got.forEach((g, i) => {
    assert.deepEqual([...g.shape], [...eager[i]!.shape], `${c.name}: jit output ${i} shape`);
    assert.equal(g.dtype, eager[i]!.dtype, `${c.name}: jit output ${i} dtype`);
    close(list(g), list(eager[i]!), 1e-12, `${c.name}: jit output ${i}`);
  });
}

/**
 * node:test's `test` when the module at `url` is the file being run, else a no-op: the tables
 * test imports every file's case list without running its tests a second time.
 */
export function testFor(url: string): typeof nodeTest {
  const entry = !!process.argv[1] && resolve(process.argv[1]) === fileURLToPath(url);
  return entry ? nodeTest : ((() => undefined) as unknown as typeof nodeTest);
}

/** Runs every check of every case, one node:test subtest per case and check. */
export function runCases(t: typeof nodeTest, cases: Case[]) {
  for (const c of cases) {
    t(c.name, async (s) => {
      await s.test("shape rule vs kernel", () => checkShapes(c));
      for (const [check, fn] of [["jvp", checkJvp], ["vjp", checkVjp], ["vmap", checkVmap], ["jit", checkJit]] as const) {
        const why = c.skip?.[check];
        await s.test(check, why ? { skip: why } : {}, () => fn(c));
      }
    });
  }
}

export { floatOuts };
