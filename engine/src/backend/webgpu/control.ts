import { adopt, emptyBuffer, type WebGPUBuffer } from "./buffer.js";
import type { ControlStep, ProgramPlan } from "./plan.js";
import type { Recorder } from "./recorder.js";

/**
 * Control flow on the device, as the engine's executor runs it on the host (trace/control.ts),
 * but without a synchronous read: a cond's index or a while's predicate is read back with
 * mapAsync, after submitting what was recorded before it, and the run continues when it
 * arrives. The step's output buffers were handed to the caller before; they receive the
 * memory of the body's results when the step ends. A scan reads nothing back: its rows are
 * copied in and out on the device, all in the current submission unless its body waits.
 */
export type RunBody = (rec: Recorder, plan: ProgramPlan, inputs: readonly WebGPUBuffer[]) => WebGPUBuffer[] | Promise<WebGPUBuffer[]>;

/** f(x) now, or once x settles. */
const then = <T, U>(x: T | Promise<T>, f: (t: T) => U | Promise<U>): U | Promise<U> => (x instanceof Promise ? x.then(f) : f(x));

export function runControl(rec: Recorder, op: ControlStep, bodies: readonly ProgramPlan[], ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[], body: RunBody): void | Promise<void> {
  switch (op.prim) {
    case "pjit": return then(body(rec, bodies[0]!, ins), (res) => res.forEach((r, i) => adopt(outs[i]!, r)));
    case "cond": return runCond(rec, bodies, ins, outs, body);
    case "while": return runWhile(rec, op.params, bodies, ins, outs, body);
    case "scan": return runScan(rec, op.params, bodies[0]!, ins, outs, body);
  }
}

/** branches[clamp(index, 0, n - 1)], as lax.switch. */
function runCond(rec: Recorder, branches: readonly ProgramPlan[], [index, ...ops]: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[], body: RunBody): void | Promise<void> {
  return then(rec.readScalar(index!), (v) => {
    const i = Math.min(Math.max(Math.trunc(v), 0), branches.length - 1);
    return then(body(rec, branches[i]!, ops), (res) => res.forEach((r, k) => adopt(outs[k]!, r)));
  });
}

async function runWhile(rec: Recorder, p: { condNumConsts: number; bodyNumConsts: number }, [condPlan, bodyPlan]: readonly ProgramPlan[], ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[], body: RunBody): Promise<void> {
  const cc = ins.slice(0, p.condNumConsts), bc = ins.slice(p.condNumConsts, p.condNumConsts + p.bodyNumConsts);
  let carry = ins.slice(p.condNumConsts + p.bodyNumConsts), owned = false;
  for (;;) {
    const [pred] = await body(rec, condPlan!, [...cc, ...carry]);
    const go = await rec.readScalar(pred!);
    rec.be.release(pred!);
    if (!go) break;
    const next = await body(rec, bodyPlan!, [...bc, ...carry]);
    if (owned) carry.forEach((c) => rec.be.release(c));
    carry = next;
    owned = true;
  }
  finishCarry(rec, carry, owned, outs);
}

/** The final carry into the step's outputs: moved when the loop made it, copied when it is the step's input (no iterations). */
function finishCarry(rec: Recorder, carry: readonly WebGPUBuffer[], owned: boolean, outs: readonly WebGPUBuffer[]): void {
  carry.forEach((c, i) => {
    if (owned) adopt(outs[i]!, c);
    else rec.copy(c, 0, outs[i]!, 0, c.bytes);
  });
}

function runScan(rec: Recorder, p: { length: number; reverse: boolean; numConsts: number; numCarry: number }, plan: ProgramPlan, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[], body: RunBody): void | Promise<void> {
  const consts = ins.slice(0, p.numConsts), xs = ins.slice(p.numConsts + p.numCarry), ys = outs.slice(p.numCarry);
  const xAvals = plan.program.slots.slice(p.numConsts + p.numCarry, plan.program.numInputs);
  let carry = ins.slice(p.numConsts, p.numConsts + p.numCarry), owned = false;
  const iteration = (t: number) => {
    const i = p.reverse ? p.length - 1 - t : t;
    // Row i of each xs, and of each ys below: contiguous, 4 bytes an element on the device.
    const x = xs.map((a, j) => {
      const row = emptyBuffer(xAvals[j]!);
      rec.copy(a, i * xAvals[j]!.size * 4, row, 0, xAvals[j]!.size * 4);
      return row;
    });
    return then(body(rec, plan, [...consts, ...carry, ...x]), (res) => {
      x.forEach((r) => rec.be.release(r));
      if (owned) carry.forEach((c) => rec.be.release(c));
      carry = res.slice(0, p.numCarry);
      owned = true;
      res.slice(p.numCarry).forEach((y, j) => {
        rec.copy(y, 0, ys[j]!, i * y.aval.size * 4, y.aval.size * 4);
        rec.be.release(y);
      });
    });
  };
  if (!plan.waits) {
    for (let t = 0; t < p.length; t++) void iteration(t);
    finishCarry(rec, carry, owned, outs);
    return;
  }
  return (async () => {
    for (let t = 0; t < p.length; t++) await iteration(t);
    finishCarry(rec, carry, owned, outs);
  })();
}
