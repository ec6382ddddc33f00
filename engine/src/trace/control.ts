import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { getBackend } from "../backend/registry.js";
import { backendOf as operandsBackend, controlImpls } from "./eval.js";
import { asEqn, Jaxpr, Var } from "../ir/jaxpr.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import type { ShapedArray } from "../ir/aval.js";
import { compileBody } from "../jit/program.js";
import { scalar } from "./constants.js";
import { evalJaxpr } from "./jaxpr-trace.js";
import { hook } from "../profiler/hook.js";
import { checkCallOperands, checksEnabled } from "../ir/check.js";

/**
 * How control flow runs on concrete values: the bodies are compiled programs, the loop or the
 * choice of branch happens here, reading predicates and indices back from the device.
 */
// The operands' backend by eval.ts's rule (a backend other than the default wins), so a loop
// whose counter was made on the default backend still runs where its data lives.
const backendOf = (args: readonly DeviceArray[]) => (args.length ? operandsBackend(args) : getBackend());
const readScalar = (x: DeviceArray) => Number(x.dataSync()[0]);

/**
 * A backend that runs control flow itself (webgpu, whose predicates are read asynchronously)
 * runs an eager cond/while/scan as a one-step program; undefined elsewhere. The one-step program
 * is remembered per params object (a traced cond's params hold its branches).
 */
const oneStep = new WeakMap<object, Jaxpr>();
function onBackend<P extends "cond" | "while" | "scan">(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>, outAvals: readonly ShapedArray[]): DeviceArray[] | undefined {
  const backend = backendOf(args);
  if (backend.runsControlFlow !== true) return undefined;
  let j = oneStep.get(params);
  if (!j) {
    const ins = args.map((a) => new Var(a._aval)), outs = outAvals.map((a) => new Var(a));
    oneStep.set(params, (j = new Jaxpr(ins, [asEqn<Primitive>({ prim, params, inputs: ins, outputs: outs })], outs)));
  }
  return compileBody(j, backend).run(args);
}

// A jit call that a transformation kept as a primitive (ad/pjit-rules.ts) runs its program here.
controlImpls.pjit = (args, params) => {
  const { jaxpr, name } = params;
  if (checksEnabled()) checkCallOperands({ prim: "pjit", params }, args.map((a) => a._aval), `pjit (${name})`);
  const compiled = compileBody(jaxpr, backendOf(args));
  if (hook.recorder === null) return compiled.run(args);
  const t0 = performance.now();
  const outs = compiled.run(args);
  hook.recorder.execute(name, t0, performance.now());
  return outs;
};

controlImpls.cond = (args, params, outAvals) => {
  const on = onBackend("cond", args, params, outAvals);
  if (on) return on;
  const [index, ...ops] = args, { branches } = params;
  const i = Math.min(Math.max(Math.trunc(readScalar(index!)), 0), branches.length - 1);
  return compileBody(branches[i]!, backendOf(ops.length ? ops : [index!])).run(ops);
};

controlImpls.scan = (args, params, outAvals) => {
  const on = onBackend("scan", args, params, outAvals);
  if (on) return on;
  const { body, length, reverse, numConsts, numCarry } = params;
  const backend = backendOf(args);
  const compiled = compileBody(body, backend);
  const consts = args.slice(0, numConsts);
  let carry = args.slice(numConsts, numConsts + numCarry);
  const xs = args.slice(numConsts + numCarry);
  const ys: DeviceArray[][] = [];
  for (let t = 0; t < length; t++) {
    const i = reverse ? length - 1 - t : t;
    const x = xs.map((a) => l.reshape(l.slice(a, a.shape.map((_, k) => (k === 0 ? i : 0)), a.shape.map((n, k) => (k === 0 ? i + 1 : n))), a.shape.slice(1)));
    const outs = compiled.run([...consts, ...carry, ...x]);
    carry = outs.slice(0, numCarry);
    ys[i] = outs.slice(numCarry);
  }
  const nYs = body.outvars.length - numCarry;
  const stacked = Array.from({ length: nYs }, (_, j) => {
    const aval = body.outvars[numCarry + j]!.aval;
    if (length === 0) return l.broadcastInDim(scalar(0, aval.dtype, aval.weak), [0, ...aval.shape], []);
    return l.concatenate(ys.map((y) => l.reshape(y[j]!, [1, ...aval.shape])), 0);
  });
  return [...carry, ...stacked];
};

controlImpls.while = (args, params, outAvals) => {
  const on = onBackend("while", args, params, outAvals);
  if (on) return on;
  const { cond, body, condNumConsts, bodyNumConsts } = params;
  const backend = backendOf(args);
  const c = compileBody(cond, backend), b = compileBody(body, backend);
  const cc = args.slice(0, condNumConsts), bc = args.slice(condNumConsts, condNumConsts + bodyNumConsts);
  let carry = args.slice(condNumConsts + bodyNumConsts);
  while (readScalar(c.run([...cc, ...carry])[0]!)) carry = b.run([...bc, ...carry]);
  return carry;
};

// Custom derivatives evaluate their call's equations one by one in the eager trace. Compiled
// programs never reach this: lowering inlines the call (passes.ts, inlineCustomCalls).
controlImpls.custom_jvp_call = (args, { call }) => evalJaxpr(call, args);
controlImpls.custom_vjp_call = (args, { call }) => evalJaxpr(call, args);
