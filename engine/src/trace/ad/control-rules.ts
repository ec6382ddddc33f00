import type { DeviceArray } from "../../array.js";
import { isFloat } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import { ShapedArray } from "../../ir/aval.js";
import type { Jaxpr } from "../../ir/jaxpr.js";
import { evalJaxpr, traceToJaxpr } from "../jaxpr-trace.js";
import type { ParamsOf } from "../../ir/primitives.js";
import { bind } from "../trace.js";
import type { Transformations } from "../transforms.js";
import { batchOfJaxpr, jvpOfJaxpr, vjpOfJaxpr } from "./jaxpr-transforms.js";
import { moveBatchAxis, type BatchDim } from "../batch-axis.js";
import type { BatchRule } from "../batching.js";
import type { JvpRule, Tangent } from "./jvp.js";
import type { Cotangent, VjpRule } from "./vjp.js";

/**
 * Transformation rules of the control-flow primitives. Each builds new traced bodies (the JVP,
 * VJP or batched version of the original body) and binds the same primitive on them, so the
 * loop or branch stays one primitive under every transformation. The transformations come from
 * the trace that runs the rule (`flat`).
 */
const floats = (xs: readonly DeviceArray[]) => xs.filter((x) => isFloat(x.dtype));
const isF = (a: ShapedArray) => isFloat(a.dtype);
const zerosFor = (x: DeviceArray, t: Tangent) => t ?? l.zerosLike(x);
const run = (j: Jaxpr) => (...args: DeviceArray[]) => evalJaxpr(j, args);

/** The JVP of a body as a new body taking (primals..., float tangents...) and returning (outs..., float out tangents...). */
const jvpBody = (flat: Transformations, body: Jaxpr): Jaxpr => jvpOfJaxpr(flat, body).closed.jaxpr;

/** Interleaves groups: for scan, operand groups [consts, carry, xs] each followed by their tangents. */
function withTangents(groups: DeviceArray[][], tangents: Tangent[][]): DeviceArray[] {
  return groups.flatMap((g, i) => [...g, ...g.flatMap((x, j) => (isFloat(x.dtype) ? [zerosFor(x, tangents[i]![j]!)] : []))]);
}

/** Reorders a jvp body (all primals, then all tangents) into grouped order (group, its tangents, next group ...). */
function regroupJvpBody(flat: Transformations, body: Jaxpr, inGroups: number[], outGroups: number[]): Jaxpr {
  const jb = jvpBody(flat, body);
  const inAvals = body.inAvals;
  const grouped = splitGroups(inAvals, inGroups);
  const groupedAvals = grouped.flatMap((g) => [...g, ...g.filter(isF)]);
  return traceToJaxpr((...args) => {
    // args are grouped: [g0, t(g0), g1, t(g1), ...] -> [g0, g1, ..., t(g0), t(g1), ...]
    const prim: DeviceArray[] = [], tan: DeviceArray[] = [];
    let k = 0;
    for (const g of grouped) {
      prim.push(...args.slice(k, k + g.length)); k += g.length;
      const nt = g.filter(isF).length;
      tan.push(...args.slice(k, k + nt)); k += nt;
    }
    const outs = evalJaxpr(jb, [...prim, ...tan]);
    const nOut = body.outvars.length;
    const primOut = outs.slice(0, nOut), tanOut = outs.slice(nOut);
    const res: DeviceArray[] = [];
    let p = 0, t = 0;
    for (const n of outGroups) {
      const g = primOut.slice(p, p + n); p += n;
      res.push(...g);
      const nt = g.filter((x) => isFloat(x.dtype)).length;
      res.push(...tanOut.slice(t, t + nt)); t += nt;
    }
    return res;
  }, groupedAvals, "jvp").jaxpr;
}

function splitGroups<T>(xs: readonly T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  let k = 0;
  for (const n of sizes) { out.push(xs.slice(k, k + n)); k += n; }
  return out;
}

/** Splits grouped outputs [g0, t(g0), g1, t(g1)] back into primals and (per value, null for non-floats) tangents. */
function ungroup(outs: DeviceArray[], avalsByGroup: ShapedArray[][]): [DeviceArray[], Tangent[]] {
  const prim: DeviceArray[] = [], tan: Tangent[] = [];
  let k = 0;
  for (const g of avalsByGroup) {
    const ps = outs.slice(k, k + g.length); k += g.length;
    prim.push(...ps);
    for (const a of g) tan.push(isF(a) ? outs[k++]! : null);
  }
  return [prim, tan];
}

export const jvpControlRules: { cond: JvpRule<"cond">; scan: JvpRule<"scan">; while: JvpRule<"while"> } = {
  cond: ([index, ...ops], [, ...tans], { branches }, _prim, flat) => {
    const jbs = branches.map((b) => jvpBody(flat, b));
    const outs = bind("cond", [index!, ...ops, ...ops.flatMap((o, i) => (isFloat(o.dtype) ? [zerosFor(o, tans[i]!)] : []))], { branches: jbs });
    const n = branches[0]!.outvars.length;
    return ungroup([...outs.slice(0, n), ...outs.slice(n)], [branches[0]!.outAvals]);
  },
  scan: (args, tans, p, _prim, flat) => {
    const { numConsts, numCarry } = p;
    const sizes = [numConsts, numCarry, args.length - numConsts - numCarry];
    const body = regroupJvpBody(flat, p.body, sizes, [numCarry, p.body.outvars.length - numCarry]);
    const groups = splitGroups(args, sizes), tgroups = splitGroups(tans, sizes);
    const nt = (g: DeviceArray[]) => floats(g).length;
    const outs = bind("scan", withTangents(groups, tgroups), {
      ...p, body, numConsts: numConsts + nt(groups[0]!), numCarry: numCarry + nt(groups[1]!),
    });
    const outAvals = p.body.outAvals;
    const ysAvals = outAvals.slice(numCarry).map((a) => new ShapedArray([p.length, ...a.shape], a.dtype));
    return ungroup(outs, [outAvals.slice(0, numCarry), ysAvals]);
  },
  while: (args, tans, p, _prim, flat) => {
    const { condNumConsts: nc, bodyNumConsts: nb } = p;
    const carry = args.slice(nc + nb), tcarry = tans.slice(nc + nb);
    const bconsts = args.slice(nc, nc + nb), tbconsts = tans.slice(nc, nc + nb);
    const body = regroupJvpBody(flat, p.body, [nb, carry.length], [carry.length]);
    const carryAvals = carry.map((c) => c._aval);
    const cond = traceToJaxpr((...xs) => {
      const cc = xs.slice(0, nc);
      const cr = splitGroups(xs.slice(nc), [carry.length])[0]!;
      return evalJaxpr(p.cond, [...cc, ...cr]);
    }, [...args.slice(0, nc).map((a) => a._aval), ...carryAvals, ...carryAvals.filter(isF)], "jvp").jaxpr;
    const outs = bind("while", [...args.slice(0, nc), ...withTangents([bconsts, carry], [tbconsts, tcarry])], {
      cond, body, condNumConsts: nc, bodyNumConsts: nb + floats(bconsts).length,
    });
    return ungroup(outs, [carryAvals]);
  },
};

/** A body computing (primals..., cotangents of float outputs...) -> cotangents of float primals, by recomputing the forward pass. */
const vjpBody = (flat: Transformations, body: Jaxpr): Jaxpr => vjpOfJaxpr(flat, body).jaxpr;

const instantiateCts = (cts: Cotangent[], outs: readonly DeviceArray[]) =>
  outs.flatMap((o, i) => (isFloat(o.dtype) ? [cts[i] ?? l.zerosLike(o)] : []));
const scatterCts = (xs: readonly DeviceArray[], floatCts: readonly DeviceArray[]): Cotangent[] => {
  let k = 0;
  return xs.map((x) => (isFloat(x.dtype) ? floatCts[k++]! : null));
};

export const vjpControlRules: { cond: VjpRule<"cond">; scan: VjpRule<"scan"> } = {
  cond: (cts, [index, ...ops], outs, { branches }, _prim, _wanted, flat) => {
    const vbs = branches.map((b) => vjpBody(flat, b));
    const res = bind("cond", [index!, ...ops, ...instantiateCts(cts, outs)], { branches: vbs });
    return [null, ...scatterCts(ops, res)];
  },
  scan: (cts, args, outs, p, _prim, _wanted, flat) => {
    const { numConsts, numCarry, length, reverse, body } = p;
    const consts = args.slice(0, numConsts), init = args.slice(numConsts, numConsts + numCarry), xs = args.slice(numConsts + numCarry);
    // Forward again, keeping each step's incoming carry (the residuals of the backward pass).
    const keepCarries = traceToJaxpr((...a) => {
      const res = evalJaxpr(body, a);
      return [...res.slice(0, numCarry), ...a.slice(numConsts, numConsts + numCarry)];
    }, body.inAvals, "grad").jaxpr;
    const fwd = bind("scan", args, { ...p, body: keepCarries });
    const carriesIn = fwd.slice(numCarry);
    const finalCarry = outs.slice(0, numCarry), ys = outs.slice(numCarry);
    const ctCarry = instantiateCts(cts.slice(0, numCarry), finalCarry);
    const ctYs = ys.map((y, i) => (isFloat(y.dtype) ? cts[numCarry + i] ?? l.zerosLike(y) : null)).filter((c): c is DeviceArray => c !== null);
    const floatConsts = floats(consts);
    const vb = vjpBody(flat, body);
    const nFloatCarry = floats(init).length;
    const ctConstsInit = floatConsts.map((c) => l.zerosLike(c));
    // Backward scan: carry (ct of carry, accumulated ct of consts); xs (carries in, xs, ct of ys).
    const back = traceToJaxpr((...a) => {
      const cst = a.slice(0, numConsts);
      const ctc = a.slice(numConsts, numConsts + nFloatCarry);
      const acc = a.slice(numConsts + nFloatCarry, numConsts + nFloatCarry + floatConsts.length);
      let k = numConsts + nFloatCarry + floatConsts.length;
      const carryIn = a.slice(k, k + numCarry); k += numCarry;
      const x = a.slice(k, k + xs.length); k += xs.length;
      const cty = a.slice(k);
      const g = evalJaxpr(vb, [...cst, ...carryIn, ...x, ...ctc, ...cty]);
      // g: float cts of consts, then of carry, then of xs
      const gConsts = g.slice(0, floatConsts.length), gCarry = g.slice(floatConsts.length, floatConsts.length + nFloatCarry);
      const gXs = g.slice(floatConsts.length + nFloatCarry);
      return [...gCarry, ...acc.map((s, i) => l.add(s, gConsts[i]!)), ...gXs];
    }, [...consts.map((c) => c._aval), ...ctCarry.map((c) => c._aval), ...ctConstsInit.map((c) => c._aval),
      ...init.map((c) => c._aval), ...xs.map((x) => new ShapedArray(x.shape.slice(1), x.dtype, x.weakType)),
      ...ctYs.map((c) => new ShapedArray(c.shape.slice(1), c.dtype, c.weakType))], "grad").jaxpr;
    const res = bind("scan", [...consts, ...ctCarry, ...ctConstsInit, ...carriesIn, ...xs, ...ctYs], {
      body: back, length, reverse: !reverse, numConsts, numCarry: nFloatCarry + floatConsts.length,
    });
    const ctInit = res.slice(0, nFloatCarry), ctConsts = res.slice(nFloatCarry, nFloatCarry + floatConsts.length);
    const ctXs = res.slice(nFloatCarry + floatConsts.length);
    return [...scatterCts(consts, ctConsts), ...scatterCts(init, ctInit), ...scatterCts(xs, ctXs)];
  },
};

/** Batches a body with every input batched at axis 0 (outputs batched at 0). */
export const batchBody = (flat: Transformations, body: Jaxpr, size: number): Jaxpr => batchOfJaxpr(flat, body, size).jaxpr;
export const front = (xs: readonly DeviceArray[], dims: readonly BatchDim[], size: number, at = 0) => xs.map((x, i) => moveBatchAxis(x, dims[i]!, at, size));

export const batchControlRules: { cond: BatchRule<"cond">; scan: BatchRule<"scan">; while: BatchRule<"while"> } = {
  cond: ([index, ...ops], [di = null, ...dops], { branches }, _prim, size, flat) => {
    const batched = front(ops, dops, size);
    if (di === null) {
      const outs = bind("cond", [index!, ...batched], { branches: branches.map((b) => batchBody(flat, b, size)) });
      return [outs, outs.map(() => 0)];
    }
    // A batched predicate: run every branch and select per example.
    const results = branches.map((b) => flat.vmapFlat(run(b), batched, batched.map(() => 0), 0));
    const idx = moveBatchAxis(index!, di, 0, size);
    const outs = results[0]!.map((_, j) => {
      let sel = results[0]![j]!;
      for (let k = 1; k < results.length; k++) {
        const r = results[k]![j]!;
        const pick = l.broadcastTo(l.reshape(l.eq(l.convert(idx, "int32"), l.scalarLike(l.convert(idx, "int32"), k)), [size, ...Array(r.ndim - 1).fill(1)]), r.shape);
        sel = l.select(pick, r, sel);
      }
      return sel;
    });
    return [outs, outs.map(() => 0)];
  },
  scan: (args, dims, p, _prim, size, flat) => {
    const { numConsts, numCarry } = p;
    const consts = front(args.slice(0, numConsts), dims.slice(0, numConsts), size);
    const carry = front(args.slice(numConsts, numConsts + numCarry), dims.slice(numConsts, numConsts + numCarry), size);
    const xs = front(args.slice(numConsts + numCarry), dims.slice(numConsts + numCarry), size, 1);
    const outs = bind("scan", [...consts, ...carry, ...xs], { ...p, body: batchBody(flat, p.body, size) });
    return [outs, outs.map((_, i) => (i < numCarry ? 0 : 1))];
  },
  while: (args, dims, p, _prim, size, flat) => {
    const { condNumConsts: nc, bodyNumConsts: nb } = p;
    const all = front(args, dims, size);
    const cc = all.slice(0, nc), bc = all.slice(nc, nc + nb), carry = all.slice(nc + nb);
    const bCond = batchBody(flat, p.cond, size), bBody = batchBody(flat, p.body, size);
    // Loop while any example continues; finished examples keep their carry.
    const cond = traceToJaxpr((...a) => [bind("reduce_or", [evalJaxpr(bCond, a)[0]!], { axes: [0] })[0]!],
      [...cc, ...carry].map((x) => x._aval), "vmap").jaxpr;
    const body = traceToJaxpr((...a) => {
      const c = a.slice(0, nc), b = a.slice(nc, nc + nb), cr = a.slice(nc + nb);
      const go = evalJaxpr(bCond, [...c, ...cr])[0]!;
      const next = evalJaxpr(bBody, [...b, ...cr]);
      return next.map((n, i) => l.select(l.broadcastTo(l.reshape(go, [size, ...Array(n.ndim - 1).fill(1)]), n.shape), n, cr[i]!));
    }, all.map((x) => x._aval), "vmap").jaxpr;
    const outs = bind("while", [...cc, ...cc, ...bc, ...carry], { cond, body, condNumConsts: nc, bodyNumConsts: nc + nb });
    return [outs, outs.map(() => 0)];
  },
};
export type { ParamsOf };
