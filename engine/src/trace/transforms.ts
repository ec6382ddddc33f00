import type { DeviceArray } from "../array.js";
import { isFloat } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { JVPTrace, JVPTracer, type Tangent } from "./ad/jvp.js";
import { VJPTrace, type Cotangent } from "./ad/vjp.js";
import { BatchTrace, BatchTracer } from "./batching.js";
import { moveBatchAxis, type BatchDim } from "./batch-axis.js";
import type { CallSite } from "../ir/source.js";
import { currentTrace, withTrace } from "./trace.js";
import { LocatedError } from "../ir/source.js";

/**
 * The transformations on flat lists of arrays. The public API (api/) adds pytrees, argnums and
 * options on top; control-flow rules use these directly on traced bodies.
 */
export type FlatFn = (...args: DeviceArray[]) => DeviceArray[];

/**
 * The three, handed to each trace when it is made (and by the trace to its rules): the rules of
 * the primitives that call programs (jit, control flow, custom derivatives) transform those
 * programs through it, so they import only this type and the traces' modules do not import
 * their own module back (no import cycle; test/import-cycles.test.ts).
 */
export interface Transformations {
  readonly jvpFlat: typeof jvpFlat;
  readonly vjpFlat: typeof vjpFlat;
  readonly vmapFlat: typeof vmapFlat;
}
// Read only when a trace is made, after this module has run: the functions are hoisted.
const flat: Transformations = { jvpFlat, vjpFlat, vmapFlat };

export function jvpFlat(fn: FlatFn, primals: readonly DeviceArray[], tangents: readonly Tangent[], origin?: CallSite): [DeviceArray[], Tangent[]] {
  using trace = new JVPTrace(currentTrace(), flat, origin);
  const ins = primals.map((p, i) => new JVPTracer(trace, p, tangents[i] ?? null));
  const outs = withTrace(trace, () => fn(...ins));
  const primalsOut: DeviceArray[] = [], tangentsOut: Tangent[] = [];
  for (const o of outs) {
    if (o instanceof JVPTracer && o._trace === trace) { primalsOut.push(o.primal); tangentsOut.push(o.tangent); }
    else { primalsOut.push(o); tangentsOut.push(null); }
  }
  return [primalsOut, tangentsOut];
}

/** Like jvpFlat, with every float tangent materialized (zeros instead of symbolic zeros). */
export function jvpFlatInstantiated(fn: FlatFn, primals: readonly DeviceArray[], tangents: readonly Tangent[]): [DeviceArray[], DeviceArray[]] {
  const [outs, touts] = jvpFlat(fn, primals, tangents);
  return [outs, outs.filter((o) => isFloat(o.dtype)).map((o) => touts[outs.indexOf(o)] ?? l.zerosLike(o))];
}

export interface Pullback { (cts: readonly Cotangent[]): Cotangent[] }

/**
 * Runs fn recording a tape; returns its outputs and a pullback mapping output cotangents to
 * input cotangents. The pullback may be called once.
 */
export function vjpFlat(fn: FlatFn, primals: readonly DeviceArray[], origin?: CallSite): [DeviceArray[], Pullback] {
  const trace = new VJPTrace(currentTrace(), flat, origin);
  const ins = primals.map((p) => (isFloat(p.dtype) ? trace.track(p) : p));
  let outs: DeviceArray[];
  {
    // The trace ends with the forward pass (its tape stays readable for the pullback).
    using forward = trace;
    outs = withTrace(forward, () => fn(...ins));
  }
  const primalOuts = outs.map((o) => ((o as { primal?: DeviceArray }).primal && (o as { _trace?: unknown })._trace === trace ? (o as unknown as { primal: DeviceArray }).primal : o));
  const pullback: Pullback = (cts) => trace.backward(outs, cts, ins);
  return [primalOuts, pullback];
}

/** vmap on flat lists: inDims per argument (null: not mapped); outputs get their batch axis at outDims. */
export function vmapFlat(fn: FlatFn, args: readonly DeviceArray[], inDims: readonly BatchDim[], outDims: readonly (number | null)[] | number, origin?: CallSite): DeviceArray[] {
  const sizes = new Set<number>();
  args.forEach((a, i) => { const d = inDims[i]; if (d !== null && d !== undefined) sizes.add(a.shape[d]!); });
  if (sizes.size === 0) throw new LocatedError("vmap: no argument is mapped (every inAxes entry is null); at least one must have a batch axis");
  if (sizes.size > 1) {
    const detail = args.map((a, i) => (inDims[i] === null ? null : `argument ${i} f32[${a.shape}] axis ${inDims[i]} has size ${a.shape[inDims[i]!]}`)).filter(Boolean).join("; ");
    throw new LocatedError(`vmap: mapped axes have different sizes: ${detail}`);
  }
  const size = [...sizes][0]!;
  using trace = new BatchTrace(currentTrace(), size, flat, origin);
  const ins = args.map((a, i) => (inDims[i] === null || inDims[i] === undefined ? a : new BatchTracer(trace, a, inDims[i]!)));
  const outs = withTrace(trace, () => fn(...ins));
  return outs.map((o, i) => {
    const want = typeof outDims === "number" ? outDims : outDims[i] ?? 0;
    const [val, d] = o instanceof BatchTracer && o._trace === trace ? [o.val, o.bdim] : [o, null];
    if (want === null) {
      if (d !== null) throw new LocatedError(`vmap: output ${i} is batched but outAxes says null (not mapped)`);
      return val;
    }
    return moveBatchAxis(val, d, want < 0 ? want + val.ndim + (d === null ? 1 : 0) : want, size);
  });
}
