// Matmul-shaped cases of issue 17 (SGEMM 512-4096 on 1 and 2 threads, the shapes of real
// models), shared by bench/run.ts and bench/peers.py (which gets the same list through its
// config) so that Tensorlens, numpy and torch run exactly the same products with the same
// thread counts. Alone: `npx tsx bench/gemm-shapes.ts` (BENCH_QUICK=1 for the short list) times
// Tensorlens and runs peers.py on these cases only, printing the same-run ratios.
//
// A case is C[batch?, M, N] = op(A) op(B) with K contracted. `ta`: A is stored [K, M] and used
// transposed (x^T @ g, as the MLP's weight gradient); `tb`: B is stored [N, K] (g @ W^T, q @ k^T).
// Tensorlens computes it with lax.dotGeneral on the stored layouts (the contracting axes the
// backward pass uses, no transpose op); numpy and torch with transposed views (BLAS trans flags).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rand } from "./probe.js";

export type GemmCase = { case: string; batch: number; m: number; k: number; n: number; ta: boolean; tb: boolean; threads: 1 | 2; target: number };

/** FLOPs of one call. */
export const gemmFlops = (c: Pick<GemmCase, "batch" | "m" | "k" | "n">) => 2 * c.batch * c.m * c.k * c.n;

/**
 * The list. The 2-thread SGEMM 512-2048 cases are run.ts's own `sgemm <n>` rows (all threads);
 * these add 4096 and the 1-thread runs. BENCH_QUICK drops the cases over ~1 s a call (4096 on
 * one thread: ~1.4 s, times a dozen calls per engine).
 */
export function gemmCases(quick: boolean): GemmCase[] {
  const out: GemmCase[] = [];
  const add = (name: string, batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean, target: number, threads: (1 | 2)[] = [2, 1]) => {
    for (const t of threads) out.push({ case: `${name}${t === 1 ? " (1T)" : ""}`, batch, m, k, n, ta, tb, threads: t, target });
  };
  add("sgemm 4096", 1, 4096, 4096, 4096, false, false, 0.95, quick ? [2] : [2, 1]);
  for (const n of [512, 1024, 2048]) add(`sgemm ${n}`, 1, n, n, n, false, false, 0.95, [1]);
  // The MLP's first layer (784-512, B=128): forward x @ W, backward x^T @ g (W's gradient) and
  // g @ W^T (x's gradient; the second layer's has the same form).
  add("mlp x@W 128x784x512", 1, 128, 784, 512, false, false, 0.9);
  add("mlp x^T@g 784x128x512", 1, 784, 128, 512, true, false, 0.9);
  add("mlp g@W^T 128x512x784", 1, 128, 512, 784, false, true, 0.9);
  // Attention, B*H=32, T=128, D=64: scores q @ k^T, then p @ v, and the backward's dS^T @ q.
  add("bmm q@k^T 32x128x64x128", 32, 128, 64, 128, false, true, 0.9);
  add("bmm p@v 32x128x128x64", 32, 128, 128, 64, false, false, 0.9);
  add("bmm dS^T@q 32x128x128x64", 32, 128, 128, 64, true, false, 0.9);
  // Skinny: [4096, 64] @ [64, 4096], and back ([64, 4096] @ [4096, 64], K = 4096).
  add("skinny 4096x64x4096", 1, 4096, 64, 4096, false, false, 0.9);
  add("skinny 64x4096x64", 1, 64, 4096, 64, false, false, 0.9);
  return out;
}

/** Stored operand shapes (see the file's comment). */
export function storedShapes(c: GemmCase): [number[], number[]] {
  const lead = c.batch > 1 ? [c.batch] : [];
  return [[...lead, ...(c.ta ? [c.k, c.m] : [c.m, c.k])], [...lead, ...(c.tb ? [c.n, c.k] : [c.k, c.n])]];
}

type Median = (fn: () => unknown, minRuns?: number, minTime?: number) => Promise<number>;
type Attempt = (c: string, engine: string, f: () => Promise<number>) => Promise<void>;

/**
 * Times every case on Tensorlens with the native pool set to the case's thread count (the
 * addon's setThreads; the pool is restored to `info.threads` after).
 */
export async function tensorlensGemmCases(tl: any, be: any, TL: string, cases: GemmCase[], attempt: Attempt, median: Median) {
  const { np, lax } = tl;
  const setThreads = (n: number) => be.addon?.setThreads?.(n);
  const all = be.info?.threads ?? 2;
  try {
    for (const c of cases) {
      const [sa, sb] = storedShapes(c);
      const a = np.array(rand(sa.reduce((x, y) => x * y, 1))).reshape(sa), b = np.array(rand(sb.reduce((x, y) => x * y, 1))).reshape(sb);
      const bt = c.batch > 1 ? 1 : 0;  // the batch axis leads both operands
      const dims = { contract: [[c.ta ? bt : bt + 1], [c.tb ? bt + 1 : bt]], batch: bt ? [[0], [0]] : [[], []] };
      if (setThreads(c.threads) === undefined && c.threads !== all) { a.dispose(); b.dispose(); continue; }
      const minRuns = gemmFlops(c) > 5e10 ? 3 : 5;
      await attempt(c.case, TL, () => median(() => lax.dotGeneral(a, b, dims).dispose(), minRuns));
      a.dispose(); b.dispose();
    }
  } finally { setThreads(all); }
}

/** Same-run ratios (numpy time / Tensorlens time, same thread count), one targets line. */
export function gemmTargets(cases: GemmCase[], t: (c: string, e: string) => number | null, TL: string): string[] {
  const groups = new Map<number, string[]>();
  for (const c of cases) {
    const np = t(c.case, "numpy"), me = t(c.case, TL);
    const r = np && me ? np / me : null;
    const s = `${c.case} ${r === null ? "n/a" : `${(r * 100).toFixed(0)}%${r < c.target ? " (below)" : ""}`}`;
    groups.set(c.target, [...(groups.get(c.target) ?? []), s]);
  }
  return [...groups].map(([target, xs]) => `- matmul vs numpy, same threads (target >= ${(target * 100).toFixed(0)}%): ${xs.join("; ")}`);
}

// ---- Alone: Tensorlens and the Python peers on these cases only ----------------------------
async function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const quick = !!process.env.BENCH_QUICK;
  const minTime = quick ? 0.15 : 0.6;
  const tl: any = await import("tensorlens");
  try { await import("../engine/dist/backend/native/register.js" as string); } catch { /* registered */ }
  const be = tl.getBackend(tl.defaultBackendName());
  const TL = `tensorlens-${tl.defaultBackendName()}`;
  const rows: { case: string; engine: string; seconds: number | null; spread?: [number, number] }[] = [];
  let spread: [number, number] | undefined;
  const median: Median = async (fn, minRuns = 5, mt = minTime) => {
    const warmEnd = performance.now() + (quick ? 300 : 600);
    for (let i = 0; i < 3 || performance.now() < warmEnd; i++) await fn();
    const ts: number[] = [];
    const end = performance.now() + mt * 1000;
    while (ts.length < minRuns || performance.now() < end) { const t0 = performance.now(); await fn(); ts.push((performance.now() - t0) / 1000); }
    ts.sort((x, y) => x - y);
    spread = [ts[ts.length >> 2]!, ts[Math.min(ts.length - 1, (3 * ts.length) >> 2)]!];
    return ts[ts.length >> 1]!;
  };
  const attempt: Attempt = async (c, engine, f) => {
    spread = undefined;
    try { rows.push({ case: c, engine, seconds: await f(), spread }); } catch (e) { rows.push({ case: c, engine, seconds: null }); console.error(c, e); }
    const r = rows[rows.length - 1]!;
    console.error(`  ${c.padEnd(30)} ${engine.padEnd(20)} ${r.seconds === null ? "n/a" : (r.seconds * 1e3).toFixed(3) + " ms"}`);
  };
  const only = process.env.CASES ? new RegExp(process.env.CASES) : null;
  const cases = [...gemmCases(quick), ...[512, 1024, 2048].map((n) => ({ case: `sgemm ${n}`, batch: 1, m: n, k: n, n, ta: false, tb: false, threads: 2 as const, target: 0.95 }))]
    .filter((c) => !only || only.test(c.case));
  await tensorlensGemmCases(tl, be, TL, cases, attempt, median);
  const py = "/usr/bin/python3";
  if (existsSync(py) && !process.env.NO_PEERS) {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    const cfg = { gemmOnly: true, sgemm: [], gemm: cases, minTime };
    const r = spawnSync(py, [join(here, "peers.py"), JSON.stringify(cfg)], { encoding: "utf8", maxBuffer: 1 << 24, env });
    try {
      const res = JSON.parse(r.stdout.trim().split("\n").pop()!);
      console.error(`OpenBLAS kernel: ${res.openblas?.corename} (${res.openblas?.library})`);
      for (const [k, v] of Object.entries(res)) {
        const m = /^(numpy|torch)\.gemm\.(.*)$/.exec(k);
        if (m) { const f = v as { med: number; q1: number; q3: number }; rows.push({ case: m[2]!, engine: m[1]!, seconds: f.med, spread: [f.q1, f.q3] }); }
      }
    } catch { console.error(`peers failed: ${r.stderr.slice(-600)}`); }
  }
  const t = (c: string, e: string) => rows.find((r) => r.case === c && r.engine.startsWith(e))?.seconds ?? null;
  console.log(`| case | threads | ${TL} GFLOP/s | numpy GFLOP/s (q1-q3) | torch GFLOP/s | TL / numpy | target |`);
  console.log("|---|---|---|---|---|---|---|");
  for (const c of cases) {
    const gf = (s: number | null) => (s ? (gemmFlops(c) / s / 1e9).toFixed(0) : "n/a");
    const npRow = rows.find((r) => r.case === c.case && r.engine === "numpy");
    const npS = npRow?.spread ? ` (${gf(npRow.spread[1])}-${gf(npRow.spread[0])})` : "";
    const me = t(c.case, TL), npt = t(c.case, "numpy");
    console.log(`| ${c.case} | ${c.threads} | ${gf(me)} | ${gf(npt)}${npS} | ${gf(t(c.case, "torch"))} | ${me && npt ? `${((npt / me) * 100).toFixed(0)}%` : "n/a"} | ${(c.target * 100).toFixed(0)}% |`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
