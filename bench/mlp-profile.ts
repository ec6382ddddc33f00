// The profiler's cost on the bench's MLP training step (784-512-512-10, B=128, grad + SGD,
// jit): rounds of unprofiled and profiled runs, interleaved, medians per round and overall.
// `npx tsx bench/mlp-profile.ts` (sources, not the built package).
import { np, nn, jit, grad, startProfile } from "../engine/src/index.js";
import { mlpModel } from "./probe.js";
const { params, x, y, step } = mlpModel({ np, nn, jit, grad });
const N = Number(process.env.STEPS ?? 10), ROUNDS = Number(process.env.ROUNDS ?? 40);
const med = (ts: number[]) => [...ts].sort((a, b) => a - b)[ts.length >> 1]!;
const timeSteps = () => { const ts: number[] = []; for (let i = 0; i < N; i++) { const t = performance.now(); step(params, x, y).forEach((a: any) => a.dispose()); ts.push(performance.now() - t); } return ts; };
for (let i = 0; i < 300; i++) step(params, x, y).forEach((a: any) => a.dispose());
const off: number[] = [], on: number[] = [];
let last: any;
for (let r = 0; r < ROUNDS; r++) {
  const a = timeSteps();
  const s = startProfile();
  const b = timeSteps();
  last = s.stop();
  off.push(...a); on.push(...b);
  if (process.env.VERBOSE) console.log(`round ${r}: off ${med(a).toFixed(3)} ms, on ${med(b).toFixed(3)} ms (${((med(b) / med(a) - 1) * 100).toFixed(1)}%)`);
}
const p10 = (ts: number[]) => [...ts].sort((a, b) => a - b)[Math.floor(ts.length / 10)]!;
console.log(`mlp train step (jit), ${ROUNDS} rounds of ${N} steps each way: median off ${med(off).toFixed(3)} ms, profiled ${med(on).toFixed(3)} ms (${((med(on) / med(off) - 1) * 100).toFixed(1)}%); ` +
  `p10 off ${p10(off).toFixed(3)} ms, profiled ${p10(on).toFixed(3)} ms (${((p10(on) / p10(off) - 1) * 100).toFixed(1)}%); ${last.events.length} events in the last profile`);
if (process.env.SHOW) console.log(last.format());
