// The profiler's cost on the bench's MLP training step (784-512-512-10, B=128, grad + SGD,
// jit): rounds of unprofiled and profiled runs, interleaved, medians per round and overall.
// `npx tsx bench/mlp-profile.ts` (sources, not the built package).
import { np, nn, jit, grad, startProfile } from "../engine/src/index.js";
import { rand } from "./probe.js";
const B = 128, sizes = [784, 512, 512, 10];
const params: any[] = [];
for (let i = 0; i + 1 < sizes.length; i++) params.push(np.array(rand(sizes[i]! * sizes[i + 1]!).map((v) => v * Math.sqrt(6 / sizes[i]!))).reshape([sizes[i]!, sizes[i + 1]!]), np.zeros([sizes[i + 1]!]));
const x = np.array(rand(B * 784)).reshape([B, 784]);
const labels = new Float32Array(B * 10);
for (let i = 0; i < B; i++) labels[i * 10 + (i % 10)] = 1;
const y = np.array(labels).reshape([B, 10]);
const loss = (params: any[], x: any, y: any) => {
  let h = x;
  for (let i = 0; i < params.length; i += 2) { h = np.matmul(h, params[i]).add(params[i + 1]); if (i + 2 < params.length) h = nn.relu(h); }
  return np.mean(np.sum(nn.logSoftmax(h).mul(y), { axis: 1 })).neg();
};
const step = jit((params: any[], x: any, y: any) => { const g = grad(loss)(params, x, y); return params.map((p: any, i: number) => p.sub(g[i].mul(0.01))); });
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
