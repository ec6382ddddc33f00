import { inspect } from "node:util";
import { ShapedArray } from "../ir/aval.js";
import { traceToJaxpr } from "../trace/jaxpr-trace.js";
import type { Jaxpr } from "../ir/jaxpr.js";
import { CallSite } from "../ir/source.js";
import { DeviceArray } from "../array.js";
import { parseDType, type DType } from "../dtype.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { flattenArrays, normalizeArgnums, type Argnums } from "./args.js";
import { LocatedTypeError } from "../ir/source.js";

/** A shape and dtype without data (jax.ShapeDtypeStruct). */
export class ShapeDtypeStruct {
  constructor(readonly shape: readonly number[], readonly dtype: DType) {}
  toString() { return `ShapeDtypeStruct(shape=[${this.shape}], dtype=${this.dtype})`; }
  [inspect.custom]() { return this.toString(); }
}

function abstractLeaves(args: unknown[], statics: number[]) {
  const dynamic = args.filter((_, i) => !statics.includes(i));
  const [leaves, def] = flatten(dynamic, (x) => x instanceof ShapeDtypeStruct);
  const avals = leaves.map((x, i) => {
    if (x instanceof ShapeDtypeStruct) return new ShapedArray(x.shape, parseDType(x.dtype));
    if (x instanceof DeviceArray) return x.aval;
    const [[a]] = flattenArrays(x, "trace");
    if (!a) throw new LocatedTypeError(`leaf ${i} is not an array`);
    return a.aval;
  });
  return { avals, def };
}

function traceWith(f: (...a: any[]) => any, args: unknown[], statics: number[], what: string) {
  const { avals, def } = abstractLeaves(args, statics);
  let outDef: TreeDef | undefined;
  const closed = traceToJaxpr((...xs) => {
    const rebuilt = unflatten(def, xs) as unknown[];
    const callArgs: unknown[] = [];
    let d = 0;
    for (let i = 0; i < args.length; i++) callArgs.push(statics.includes(i) ? args[i] : rebuilt[d++]);
    const [outs, od] = flattenArrays(f(...callArgs), what);
    outDef = od;
    return outs;
  }, avals, what, new CallSite());
  return { closed, outDef: outDef! };
}

/** makeJaxpr(f)(...args): the traced program, printed like jax.make_jaxpr. */
export function makeJaxpr(f: (...a: any[]) => any, opts: { staticArgnums?: Argnums } = {}) {
  return (...args: unknown[]): Jaxpr & { consts: readonly DeviceArray[] } => {
    const statics = opts.staticArgnums === undefined ? [] : normalizeArgnums("makeJaxpr", opts.staticArgnums, args.length);
    const { closed } = traceWith(f, args, statics, "makeJaxpr");
    return Object.assign(Object.create(Object.getPrototypeOf(closed.jaxpr)), closed.jaxpr, { consts: closed.consts });
  };
}

/** evalShape(f, ...args): output shapes and dtypes without computing (args may be ShapeDtypeStructs). */
export function evalShape(f: (...a: any[]) => any, ...args: unknown[]): any {
  const { closed, outDef } = traceWith(f, args, [], "evalShape");
  return unflatten(outDef, closed.jaxpr.outAvals.map((a) => new ShapeDtypeStruct(a.shape, a.dtype)));
}
