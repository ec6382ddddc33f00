/**
 * The WebGPU backend's figures, with the adapter printed: SGEMM GFLOP/s, a fused elementwise
 * chain's GB/s, and the jitted tutorial update step per call, end to end (each timed batch ends
 * with a readback, so the GPU's work is inside the time, not only its submission). Part of
 * `npm run bench` (bench/run.ts), or alone: `npx tsx bench/webgpu.ts` (BENCH_QUICK=1 shorter).
 *
 * On a real GPU: SGEMM at 4096, a 16M-element chain, and the targets printed beside
 * the figures. On a fallback adapter (lavapipe: a software rasterizer on the CPU) the sizes are
 * small (SGEMM 256, 1M elements) so the bench stays short, and no target is set. Without any
 * adapter the cases are reported n/a with the reason.
 */
import type * as Tensorlens from "../engine/src/index.js";
import { tutorialModel } from "./probe.js";

type Engine = typeof Tensorlens;
type DeviceArray = Tensorlens.DeviceArray;
type Attempt = (c: string, engine: string, f: () => Promise<number>) => Promise<void>;
/** Seconds per run of fn (per call when one run is `per` calls: the spread is scaled too). */
type Median = (fn: () => unknown, minRuns?: number, minTime?: number, per?: number) => Promise<number>;
type Ready = { adapter: string; isFallback: boolean; features: string[] };

/** Work issued on the device is done when a value computed after it is read (the queue runs in order). */
async function settle(x: DeviceArray): Promise<void> {
  await (x.ndim === 0 ? x : x.reshape([-1]).get(0)).data();
}

/** Seconds per call of `f`, from batches of `batch` calls each ending with a readback. */
async function perCall(median: Median, f: () => DeviceArray, batch: number, minRuns: number): Promise<number> {
  return median(async () => {
    let last: DeviceArray | undefined;
    for (let i = 0; i < batch; i++) { last?.dispose(); last = f(); }
    await settle(last!);
    last!.dispose();
  }, minRuns, undefined, batch);
}

/**
 * Runs the WebGPU cases through `attempt` (so they land in the bench's table and JSON) and
 * returns the summary lines: the adapter, the figures in their units, and the targets.
 */
export async function webgpuCases(tl: Engine, attempt: Attempt, median: Median, quick: boolean): Promise<string[]> {
  const be = tl.getBackend("webgpu") as unknown as { ready(): Promise<Ready> };
  let info: Ready;
  try { info = await be.ready(); } catch (e) {
    const why = String((e as Error).message ?? e).split("\n")[0]!;
    await attempt("webgpu sgemm", "tensorlens webgpu", () => Promise.reject(new Error(why)));
    return [`WebGPU: no adapter (${why})`];
  }
  const gpu = !info.isFallback;
  const E = `tensorlens webgpu`;
  const { np, nn, jit, devicePut } = tl;
  const put = (x: DeviceArray) => devicePut(x, "webgpu");
  const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
  const fig: Record<string, number | null> = { sgemm: null, chain: null, step: null };

  const N = gpu ? 4096 : 256;
  await attempt(`webgpu sgemm ${N}`, E, async () => {
    const a = put(np.array(rand(N * N)).reshape([N, N])), b = put(np.array(rand(N * N)).reshape([N, N]));
    const s = await perCall(median, () => np.matmul(a, b), gpu ? 10 : 3, quick ? 3 : 5);
    fig.sgemm = (2 * N ** 3) / s / 1e9;
    return s;
  });

  const M = gpu ? 16 * 1024 * 1024 : 1024 * 1024;
  await attempt(`webgpu chain ${M >> 20}M f32 (jit)`, E, async () => {
    const x = put(np.array(rand(M)));
    const f = jit((v: DeviceArray) => nn.sigmoid(nn.relu(v.mul(2).add(1)).sub(0.5)));
    const s = await perCall(median, () => f(x), gpu ? 20 : 5, quick ? 3 : 5);
    fig.chain = (8 * M) / s / 1e9; // one f32 read and one write per element
    return s;
  });

  await attempt("webgpu update_step (jit)", E, async () => {
    const { input, target, layers, updateStep } = tutorialModel(tl);
    const [x, t, ls] = [put(input), put(target), layers.map(put)];
    const step = jit(updateStep);
    const s = await perCall(median, () => { const out = step(x, t, ls); out[1]!.dispose(); return out[0]!; }, gpu ? 200 : 20, quick ? 3 : 5);
    fig.step = s * 1e6;
    return s;
  });

  const f1 = (v: number | null, unit: string) => (v === null ? "n/a" : `${v.toFixed(1)} ${unit}`);
  const lines = [
    `WebGPU adapter: ${info.adapter}${gpu ? "" : " (fallback adapter: figures only, no targets)"}; features: ${info.features.join(", ") || "none"}`,
    `- SGEMM ${N}: ${f1(fig.sgemm, "GFLOP/s")}; fused chain ${M >> 20}M f32: ${f1(fig.chain, "GB/s")}; jitted tutorial update_step: ${f1(fig.step, "µs")} per call, end to end`,
  ];
  if (gpu) {
    // WebGPU reports neither peak FLOP/s nor bandwidth: those two targets need the device's datasheet.
    lines.push(`- Targets: SGEMM 4096 >= 60% of the device's FP32 peak; chain within 1.3x of its memory bandwidth (compare with the datasheet); update_step <= 30 µs: ${fig.step === null ? "n/a" : fig.step <= 30 ? "met" : "not met"}`);
  }
  return lines;
}

/** Alone: the three cases with a simple median timer, and the summary. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const tl = await import("../engine/src/index.js");
  const quick = !!process.env.BENCH_QUICK;
  const median: Median = async (fn, minRuns = 5, minTime = quick ? 0.2 : 0.6, per = 1) => {
    for (let i = 0; i < 2; i++) await fn();
    const ts: number[] = [];
    const end = performance.now() + minTime * 1000;
    while (ts.length < minRuns || performance.now() < end) { const t0 = performance.now(); await fn(); ts.push((performance.now() - t0) / 1000); }
    return ts.sort((a, b) => a - b)[ts.length >> 1]! / per;
  };
  const attempt: Attempt = async (c, e, f) => {
    try { const s = await f(); console.log(`  ${c.padEnd(28)} ${e.padEnd(20)} ${(s * 1e3).toFixed(3)} ms`); } catch (err) { console.log(`  ${c.padEnd(28)} ${e.padEnd(20)} n/a (${String((err as Error).message).slice(0, 100)})`); }
  };
  console.log((await webgpuCases(tl, attempt, median, quick)).join("\n"));
  process.exit(0);
}
