import type { DeviceArray } from "../array.js";
import { backendOf } from "../backend/registry.js";
import { asEqn, Jaxpr, Var } from "../ir/jaxpr.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import type { ShapedArray } from "../ir/aval.js";
import { compileBody } from "../jit/program.js";
import { scalar } from "./constants.js";
import { runJaxpr } from "./run-jaxpr.js";
import type { EvalTrace } from "./eval.js";
import { hook } from "../profiler/hook.js";
import { checkCallOperands, checksEnabled } from "../ir/check.js";

/**
 * How control flow runs on concrete values: the bodies are compiled programs, the loop or the
 * choice of branch happens here, reading predicates and indices back from the device. The eval
 * trace imports this table and hands each implementation itself (`trace`): the few ops here run
 * on it directly and bodies compile with its control steps, so this module binds nothing and the
 * eval trace, which the current-trace pointer starts at, needs nothing registered later.
 */
/** Runs an eager cond/scan/while/pjit or custom-derivative call on concrete operands. */
export type ControlImpl<P extends Primitive> = (args: readonly DeviceArray[], params: ParamsOf<P>, outAvals: readonly ShapedArray[], trace: EvalTrace) => DeviceArray[];
/** The primitives the engine runs itself; the eval trace and compiled programs' control steps look here. */
export const controlImpls: { [P in Primitive]?: ControlImpl<P> } = {};

const op1 = <P extends Primitive>(trace: EvalTrace, prim: P, args: readonly DeviceArray[], params: ParamsOf<P>) => trace.process(prim, args, params)[0]!;
const compile = (j: Jaxpr, trace: EvalTrace, args: readonly DeviceArray[]) => compileBody(j, backendOf(args), trace.controlStep);
const readScalar = (x: DeviceArray) => Number(x.dataSync()[0]);

/**
 * A backend that runs control flow itself (webgpu, whose predicates are read asynchronously)
 * runs an eager cond/while/scan as a one-step program; undefined elsewhere. The one-step program
 * is remembered per params object (a traced cond's params hold its branches).
 */
const oneStep = new WeakMap<object, Jaxpr>();
function onBackend<P extends "cond" | "while" | "scan">(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>, outAvals: readonly ShapedArray[], trace: EvalTrace): DeviceArray[] | undefined {
  const backend = backendOf(args);
  if (backend.runsControlFlow !== true) return undefined;
  let j = oneStep.get(params);
  if (!j) {
    const ins = args.map((a) => new Var(a._aval)), outs = outAvals.map((a) => new Var(a));
    oneStep.set(params, (j = new Jaxpr(ins, [asEqn<Primitive>({ prim, params, inputs: ins, outputs: outs })], outs)));
  }
  return compileBody(j, backend, trace.controlStep).run(args);
}

// A jit call that a transformation kept as a primitive (ad/pjit-rules.ts) runs its program here.
controlImpls.pjit = (args, params, _outAvals, trace) => {
  const { jaxpr, name } = params;
  if (checksEnabled()) checkCallOperands({ prim: "pjit", params }, args.map((a) => a._aval), `pjit (${name})`);
  const compiled = compile(jaxpr, trace, args);
  if (hook.recorder === null) return compiled.run(args);
  const t0 = performance.now();
  const outs = compiled.run(args);
  hook.recorder.execute(name, t0, performance.now());
  return outs;
};

controlImpls.cond = (args, params, outAvals, trace) => {
  const on = onBackend("cond", args, params, outAvals, trace);
  if (on) return on;
  const [index, ...ops] = args, { branches } = params;
  const i = Math.min(Math.max(Math.trunc(readScalar(index!)), 0), branches.length - 1);
  return compile(branches[i]!, trace, ops.length ? ops : [index!]).run(ops);
};

controlImpls.scan = (args, params, outAvals, trace) => {
  const on = onBackend("scan", args, params, outAvals, trace);
  if (on) return on;
  const { body, length, reverse, numConsts, numCarry } = params;
  const compiled = compile(body, trace, args);
  const consts = args.slice(0, numConsts);
  let carry = args.slice(numConsts, numConsts + numCarry);
  const xs = args.slice(numConsts + numCarry);
  const ys: DeviceArray[][] = [];
  for (let t = 0; t < length; t++) {
    const i = reverse ? length - 1 - t : t;
    const x = xs.map((a) => row(trace, a, i));
    const outs = compiled.run([...consts, ...carry, ...x]);
    carry = outs.slice(0, numCarry);
    ys[i] = outs.slice(numCarry);
  }
  const nYs = body.outvars.length - numCarry;
  const stacked = Array.from({ length: nYs }, (_, j) => {
    const aval = body.outvars[numCarry + j]!.aval;
    if (length === 0) return op1(trace, "broadcast_in_dim", [scalar(0, aval.dtype, aval.weak)], { shape: [0, ...aval.shape], broadcastDimensions: [] });
    const rows = ys.map((y) => op1(trace, "reshape", [y[j]!], { shape: [1, ...aval.shape] }));
    return rows.length === 1 ? rows[0]! : op1(trace, "concatenate", rows, { axis: 0 });
  });
  return [...carry, ...stacked];
};

/** Row i of a scanned input (its leading axis dropped). */
function row(trace: EvalTrace, a: DeviceArray, i: number): DeviceArray {
  const start = a.shape.map((_, k) => (k === 0 ? i : 0)), limit = a.shape.map((n, k) => (k === 0 ? i + 1 : n));
  return op1(trace, "reshape", [op1(trace, "slice", [a], { start, limit, strides: null })], { shape: a.shape.slice(1) });
}

controlImpls.while = (args, params, outAvals, trace) => {
  const on = onBackend("while", args, params, outAvals, trace);
  if (on) return on;
  const { cond, body, condNumConsts, bodyNumConsts } = params;
  const c = compile(cond, trace, args), b = compile(body, trace, args);
  const cc = args.slice(0, condNumConsts), bc = args.slice(condNumConsts, condNumConsts + bodyNumConsts);
  let carry = args.slice(condNumConsts + bodyNumConsts);
  while (readScalar(c.run([...cc, ...carry])[0]!)) carry = b.run([...bc, ...carry]);
  return carry;
};

// Custom derivatives evaluate their call's equations one by one in the eager trace. Compiled
// programs never reach this: lowering inlines the call (passes.ts, inlineCustomCalls).
controlImpls.custom_jvp_call = (args, { call }, _outAvals, trace) => evalOn(trace, call, args);
controlImpls.custom_vjp_call = (args, { call }, _outAvals, trace) => evalOn(trace, call, args);

/** A program's equations applied one by one on the eval trace (`evalJaxpr` binds in the current trace). */
const evalOn = (trace: EvalTrace, jaxpr: Jaxpr, args: readonly DeviceArray[]) => runJaxpr(jaxpr, args, (e, ins) => trace.process(e.prim, ins, e.params));
