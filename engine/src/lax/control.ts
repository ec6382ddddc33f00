import type { DeviceArray } from "../array.js";
import { ShapedArray } from "../ir/aval.js";
import { bind } from "../trace/trace.js";
import { traceToJaxpr } from "../trace/jaxpr-trace.js";
import { CallSite } from "../ir/source.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { asArray } from "../numpy/convert.js";
import * as l from "./primitives.js";
import { ShapeError } from "../shape/errors.js";

/**
 * Structured control flow: the function arguments are traced once into programs, so these work
 * inside jit, under grad (cond, scan, forILoop; whileLoop in forward mode) and under vmap.
 */

const leavesOf = (tree: unknown): [DeviceArray[], TreeDef] => {
  const [ls, def] = flatten(tree);
  return [ls.map((x) => asArray(x as number)), def];
};
const avalOf = (x: DeviceArray) => new ShapedArray(x.shape, x.dtype, x.weakType);

function traceFn(fn: (...args: any[]) => unknown, argDefs: TreeDef[], argAvals: ShapedArray[][], what: string) {
  let outDef: TreeDef | undefined;
  const flatAvals = argAvals.flat();
  const closed = traceToJaxpr((...flat) => {
    let k = 0;
    const args = argDefs.map((d, i) => unflatten(d, flat.slice(k, (k += argAvals[i]!.length))));
    const [outs, def] = leavesOf(fn(...args));
    outDef = def;
    return outs;
  }, flatAvals, what, new CallSite());
  return { closed, outDef: outDef! };
}

/** lax.cond(pred, trueFn, falseFn, ...operands) */
export function cond<T>(pred: DeviceArray | boolean | number, trueFn: (...ops: any[]) => T, falseFn: (...ops: any[]) => T, ...operands: unknown[]): T {
  const p = asArray(pred);
  if (p.ndim !== 0) throw new ShapeError("cond", "predicate must be a scalar", [p.shape], `cond: the predicate must be a scalar, got ${p.aval} (use np.where for elementwise choice)`);
  // branches[0] runs for false, branches[1] for true (as switch with index = pred).
  return switchImpl(l.convert(p, "int32"), [falseFn, trueFn], operands, "cond") as T;
}

/** lax.switch(index, branches, ...operands): runs branches[clamp(index, 0, n-1)]. */
export function switch_<T>(index: DeviceArray | number, branches: readonly ((...ops: any[]) => T)[], ...operands: unknown[]): T {
  return switchImpl(l.convert(asArray(index), "int32"), branches, operands, "switch") as T;
}

function switchImpl(index: DeviceArray, branches: readonly ((...ops: any[]) => unknown)[], operands: unknown[], what: string): unknown {
  const [flat, def] = leavesOf(operands);
  const defs = [def];
  const avals = [flat.map(avalOf)];
  const traced = branches.map((b) => traceFn((ops: unknown[]) => b(...ops), defs, avals, what));
  const first = traced[0]!;
  traced.forEach((t, i) => {
    if (!t.outDef.equals(first.outDef)) throw new Error(`${what}: branches return different structures: branch 0 gives ${first.outDef}, branch ${i} gives ${t.outDef}`);
    t.closed.jaxpr.outAvals.forEach((a, j) => {
      const b = first.closed.jaxpr.outAvals[j]!;
      if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) {
        throw new Error(`${what}: branch outputs differ: output ${j} is ${b} in branch 0 and ${a} in branch ${i}`);
      }
    });
  });
  // Each branch takes all branches' constants (closure-converted), then the operands.
  const allConsts = traced.flatMap((t) => t.closed.consts);
  const constAvals = allConsts.map(avalOf);
  const branchJaxprs = traced.map((t, bi) => {
    const before = traced.slice(0, bi).reduce((s, x) => s + x.closed.consts.length, 0);
    return traceToJaxpr((...args) => {
      const consts = args.slice(before, before + t.closed.consts.length);
      const ops = args.slice(allConsts.length);
      return evalJ(t.closed.jaxpr, [...consts, ...ops]);
    }, [...constAvals, ...avals[0]!], what).jaxpr;
  });
  const outs = bind("cond", [index, ...allConsts, ...flat], { branches: branchJaxprs });
  return unflatten(first.outDef, outs);
}
import { evalJaxpr as evalJ } from "../trace/jaxpr-trace.js";

/**
 * lax.scan(f, init, xs, { length, reverse }): f(carry, x) -> [carry, y]; returns [carry, ys]
 * with ys stacked along a new leading axis.
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C, xs?: X | null, opts: { length?: number; reverse?: boolean } = {}): [C, Y] {
  const [carry, carryDef] = leavesOf(init);
  const [xsFlat, xsDef] = leavesOf(xs ?? null);
  const lengths = new Set(xsFlat.map((x) => x.shape[0]));
  if (opts.length !== undefined) lengths.add(opts.length);
  if (lengths.size === 0) throw new Error("scan: give xs or { length }");
  if (lengths.size > 1) throw new Error(`scan: xs leaves have different leading dims (${[...lengths].join(", ")})${opts.length !== undefined ? ` or differ from length ${opts.length}` : ""}`);
  const length = [...lengths][0]!;
  const xAvals = xsFlat.map((x) => new ShapedArray(x.shape.slice(1), x.dtype, x.weakType));
  const { closed, outDef } = traceFn((c: C, x: X) => {
    const r = f(c, x);
    if (!Array.isArray(r) || r.length !== 2) throw new Error("scan: the function must return [carry, y]");
    return r;
  }, [carryDef, xsDef], [carry.map(avalOf), xAvals], "scan");
  const [outCarryDef, yDef] = outDef.children() as [TreeDef, TreeDef];
  if (!outCarryDef.equals(carryDef)) throw new Error(`scan: the carry changed structure: ${carryDef} in, ${outCarryDef} out`);
  const outAvals = closed.jaxpr.outAvals;
  carry.forEach((c, i) => {
    const o = outAvals[i]!;
    if (o.dtype !== c.dtype || o.shape.join() !== c.shape.join()) throw new Error(`scan: carry ${i} changes type: ${avalOf(c)} in, ${o} out (the carry must keep its shape and dtype)`);
  });
  const outs = bind("scan", [...closed.consts, ...carry, ...xsFlat], {
    body: closed.jaxpr, length, reverse: opts.reverse ?? false, numConsts: closed.consts.length, numCarry: carry.length,
  });
  return [unflatten(carryDef, outs.slice(0, carry.length)), unflatten(yDef, outs.slice(carry.length))];
}

/** lax.forILoop(lower, upper, body, init): body(i, carry) -> carry. Static bounds become a scan (differentiable). */
export function forILoop<C>(lower: number, upper: number, body: (i: DeviceArray, carry: C) => C, init: C): C {
  const n = Math.max(0, upper - lower);
  const [c] = scan((carry: [DeviceArray, C], _x: null) => {
    const [i, v] = carry;
    return [[l.add(i, l.scalarLike(i, 1)), body(i, v)] as [DeviceArray, C], null];
  }, [l.convert(asArray(lower), "int32"), init] as [DeviceArray, C], null, { length: n });
  return c[1];
}

/** lax.whileLoop(condFn, bodyFn, init) */
export function whileLoop<C>(condFn: (carry: C) => DeviceArray | boolean, bodyFn: (carry: C) => C, init: C): C {
  const [carry, def] = leavesOf(init);
  const avals = [carry.map(avalOf)];
  const c = traceFn((x: C) => [asArray(condFn(x) as DeviceArray)], [def], avals, "whileLoop");
  const condOut = c.closed.jaxpr.outAvals[0]!;
  if (condOut.ndim !== 0 || condOut.dtype !== "bool") throw new Error(`whileLoop: the condition must return a bool scalar, got ${condOut}`);
  const b = traceFn((x: C) => bodyFn(x), [def], avals, "whileLoop");
  if (!b.outDef.equals(def)) throw new Error(`whileLoop: the body changed the carry's structure: ${def} in, ${b.outDef} out`);
  const outs = bind("while", [...c.closed.consts, ...b.closed.consts, ...carry], {
    cond: c.closed.jaxpr, body: b.closed.jaxpr, condNumConsts: c.closed.consts.length, bodyNumConsts: b.closed.consts.length,
  });
  return unflatten(def, outs);
}
