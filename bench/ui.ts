/**
 * The UI budgets, measured in headless Chromium with the pages the tests load (panelHtml of
 * webview/src/page.ts and webview/dist/*, through test/webview/helpers.ts, which also gives the
 * param-tree test's 5,000-leaf tree and the profile test's scripted pan), fed with data the
 * engine computed and the runner's own serializer made:
 *   - param tree: a 5,000-leaf showResult to `rendered` (target <= 200 ms)
 *   - array viewer: a 10M-element array's first paint from its preview (<= 300 ms) and a
 *     slider move (<= 50 ms)
 *   - profile view: a 100,000-event trace to `painted`, and the drawing time of each frame
 *     while panning (smooth: p95 < 16 ms, one 60 Hz frame)
 * and, opt-in (BENCH_VSCODE=1), the real-VS-Code metrics of the trusted host test
 * (test/vscode/host/trusted.cjs prints `[tl] metric name=value ...`): activation to first
 * hints, Run click to the result in the param tree, and the panels' clicks to paint.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { grad, jit, nn, np, random, startProfile, DeviceArray } from "tensorlens";
import type { HostMessage, TraceEvent } from "../engine/src/runner/protocol.js";
import { serializeResult } from "../engine/src/runner/serialize.js";
import { previewOf } from "../engine/src/runner/stats.js";
import { bigParamTree, Browser, CHROMIUM, ensureWebviewBuilt, panFrames, postToPainted, quantile, repo, sliderToPainted } from "../test/webview/helpers.js";

type Attempt = (c: string, engine: string, f: () => Promise<number>) => Promise<void>;
type Median = (fn: () => unknown, minRuns?: number, minTime?: number) => Promise<number>;
type Lookup = (c: string, e: string) => number | null;

const ENGINE = "chromium (headless)";
const VSCODE = "VS Code (code-server)";
export const UI_CASES = {
  tree: "ui: param tree 5,000 leaves to rendered",
  arrayFirst: "ui: array 10M first paint",
  arraySlider: "ui: array 10M slider move",
  profileShow: "ui: profile 100k events to painted",
  panP50: "ui: profile pan frame draw p50",
  panP95: "ui: profile pan frame draw p95",
  panGap: "ui: profile pan frame interval p95",
} as const;

export async function uiCases(attempt: Attempt, _median: Median, quick: boolean): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    for (const c of Object.values(UI_CASES)) await attempt(c, ENGINE, async () => { throw new Error(`no Chromium at ${CHROMIUM}`); });
  } else {
    ensureWebviewBuilt();
    await paramTreeCase(attempt, quick);
    await panelCases(attempt, quick);
  }
  if (process.env.BENCH_VSCODE) await vscodeCases(attempt);
}

/** The param-tree test's 5,000-leaf tree (50 blocks of 100 engine-computed arrays). */
async function paramTreeCase(attempt: Attempt, quick: boolean): Promise<void> {
  const tree = await bigParamTree();
  const browser = await Browser.launch();
  try {
    await attempt(UI_CASES.tree, ENGINE, async () => {
      const p = await browser.openParamTree({ height: 700 });
      await p.next("ready", 0);
      const times: number[] = [];
      for (let i = 0; i < (quick ? 5 : 11); i++) {
        const n = p.posted.length;
        const msg: HostMessage = { type: "showResult", label: "bench › params", backend: "reference", tree, ...(i % 2 ? { previous: tree } : {}) };
        await p.send(msg);
        const r = await p.next("rendered", n, 10_000);
        if (r.leaves !== 5000) throw new Error(`rendered ${r.leaves} leaves`);
        times.push(r.ms);
      }
      await p.page.close();
      return quantile(times, 0.5) / 1000;
    });
  } finally { await browser.close(); }
}

async function panelCases(attempt: Attempt, quick: boolean): Promise<void> {
  // The 10M-element array the runner would send: a handle, statistics and a strided preview.
  const x = random.normal(random.PRNGKey(0), [10, 1000, 1000]);
  const { tree, held } = await serializeResult(x, { isArray: (v): v is DeviceArray => v instanceof DeviceArray, handlePrefix: "r0" });
  if (tree.kind !== "array" || !tree.handle) throw new Error("the 10M array was not sent by handle");
  const preview = previewOf(held.get(tree.handle)!.data, tree.shape);
  const show: HostMessage = { type: "showArray", label: "bench › big", leaf: tree, path: ["x"], preview };
  x.dispose();

  const browser = await Browser.launch();
  try {
    const runs = quick ? 3 : 7;
    await attempt(UI_CASES.arrayFirst, ENGINE, async () => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const p = await browser.open("arrayViewer", { theme: "dark" });
        await p.next("ready", 0);
        times.push((await postToPainted(p.page, show)).wall);
        await p.page.close();
      }
      return quantile(times, 0.5) / 1000;
    });
    await attempt(UI_CASES.arraySlider, ENGINE, async () => {
      const p = await browser.open("arrayViewer", { theme: "dark" });
      await p.next("ready", 0);
      await p.send(show);
      await p.next("painted", 0);
      const times: number[] = [];
      for (let i = 0; i < (quick ? 9 : 19); i++) {
        const move = await sliderToPainted(p.page, (i % 9) + 1);
        if (move.what !== "slider") throw new Error(`painted ${move.what}`);
        times.push(move.wall);
      }
      await p.page.close();
      return quantile(times, 0.5) / 1000;
    });

    // A long profile of a small jitted MLP step: over 100,000 trace events (as the profile test makes it).
    const trace = longProfile();
    const events = trace.trace.traceEvents.length;
    const msg: HostMessage = { type: "showProfile", label: "bench › trainStep", summary: trace.summary, traceJson: JSON.stringify(trace.trace) };
    let pan: { draws: number[]; gaps: number[] } | undefined;
    await attempt(UI_CASES.profileShow, `${ENGINE}, ${Math.round(events / 1000)}k events`, async () => {
      const times: number[] = [];
      for (let i = 0; i < (quick ? 2 : 3); i++) {
        const p = await browser.open("profile", { theme: "dark", height: 900 });
        await p.next("ready", 0);
        times.push((await postToPainted(p.page, msg)).wall);
        if (i === 0) pan = await pan2x(p.page);
        await p.page.close();
      }
      return quantile(times, 0.5) / 1000;
    });
    await attempt(UI_CASES.panP50, ENGINE, async () => { if (!pan) throw new Error("no pan measured"); return quantile(pan.draws, 0.5) / 1000; });
    await attempt(UI_CASES.panP95, ENGINE, async () => { if (!pan) throw new Error("no pan measured"); return quantile(pan.draws, 0.95) / 1000; });
    await attempt(UI_CASES.panGap, ENGINE, async () => { if (!pan) throw new Error("no pan measured"); return quantile(pan.gaps, 0.95) / 1000; });
  } finally { await browser.close(); }
}

function longProfile(): { summary: any; trace: { traceEvents: TraceEvent[] } } {
  const sizes = [32, 64, 10];
  const k = random.PRNGKey(0);
  let ps: DeviceArray[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) ps.push(random.normal(k, [sizes[i]!, sizes[i + 1]!]).mul(0.1), np.zeros([sizes[i + 1]!]));
  const loss = (w: DeviceArray[], x: DeviceArray, y: DeviceArray) => {
    let h = x;
    for (let i = 0; i < w.length; i += 2) {
      h = np.matmul(h, w[i]!).add(w[i + 1]!);
      if (i + 2 < w.length) h = nn.relu(h);
    }
    return np.mean(np.sum(nn.logSoftmax(h).mul(y), { axis: 1 })).neg();
  };
  const step = jit(function trainStep(w: DeviceArray[], x: DeviceArray, y: DeviceArray) {
    const g = grad(loss)(w, x, y);
    return w.map((p, i) => p.sub(g[i]!.mul(0.01)));
  });
  const x = random.normal(random.PRNGKey(16), [16, 32]), y = np.ones([16, 10]).mul(0.1);
  ps = step(ps, x, y);
  const s = startProfile();
  for (let i = 0; i < 6000; i++) { const next = step(ps, x, y); ps.forEach((p) => p.dispose()); ps = next; }
  const prof = s.stop();
  return { summary: prof.summary(), trace: prof.chromeTrace() as unknown as { traceEvents: TraceEvent[] } };
}

/** The profile test's pan at 2x zoom (half the profile in view): 120 frames of 2 px, each frame's drawing time and the frame intervals. */
async function pan2x(page: import("playwright-core").Page): Promise<{ draws: number[]; gaps: number[] }> {
  const canvas = page.locator("canvas.tl-timeline");
  await canvas.focus();
  await page.keyboard.press("w");
  await page.keyboard.press("w");
  await page.keyboard.press("w");
  return panFrames(page, 2, false);
}

/** The trusted host test's `[tl] metric` lines, from one run of the real-VS-Code driver. */
async function vscodeCases(attempt: Attempt): Promise<void> {
  let metrics: Map<string, number> | undefined;
  const get = async (name: string): Promise<number> => {
    metrics ??= await runVscodeOnce();
    const v = metrics.get(name);
    if (v === undefined) throw new Error(`the trusted test printed no metric ${name}`);
    return v / 1000;
  };
  await attempt("vscode: activation to first hints", VSCODE, () => get("activationToFirstHintsMs"));
  await attempt("vscode: activation to language server ready", VSCODE, () => get("activationToServerReadyMs"));
  await attempt("vscode: first hint ask to the server's answer", VSCODE, () => get("firstHintAskToAnswerMs"));
  await attempt("vscode: Run click to result (1st)", VSCODE, () => get("clickToResultMs[1]"));
  await attempt("vscode: Run click to result (2nd)", VSCODE, () => get("clickToResultMs[2]"));
  await attempt("vscode: param-tree click to array viewer", VSCODE, () => get("clickToArrayViewerMs"));
  await attempt("vscode: Profile click to profile view", VSCODE, () => get("clickToProfileViewMs"));
  await attempt("vscode: large array first paint", VSCODE, () => get("largeArrayFirstPaintMs"));
}

async function runVscodeOnce(): Promise<Map<string, number>> {
  if (!existsSync(join(repo, "engine", "dist", "runner", "cli.js"))) throw new Error("engine/dist is not built (npx tsc -p engine)");
  execFileSync(process.execPath, [join(repo, "webview", "build.mjs")], { stdio: "ignore" });
  execFileSync(process.execPath, [join(repo, "extension", "build.mjs")], { stdio: "ignore" });
  const { drive } = await import("../test/vscode/driver.js");
  const fixtures = join(repo, "test", "vscode", "fixtures");
  const r = await drive({
    testsModule: join(repo, "test", "vscode", "host", "trusted.cjs"),
    files: { "examples/what-is-jax.ts": join(repo, "examples", "what-is-jax.ts"), "dense.ts": join(fixtures, "dense.ts"), "panels.ts": join(fixtures, "panels.ts") },
    trust: false,
    name: "bench-vscode",
  });
  if (r.exitCode !== 0) throw new Error(`the trusted VS Code run failed (exit ${r.exitCode})`);
  return parseMetrics(r.lines);
}

/** `[tl] metric a=12 b[1]=34 (...)` -> { a: 12, "b[1]": 34 }. */
export function parseMetrics(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const m = /\[tl\] metric (.*)$/.exec(line);
    if (!m) continue;
    for (const [, k, v] of m[1]!.matchAll(/(?:^|\s)([A-Za-z][\w[\]]*)=(-?\d+(?:\.\d+)?)(?=\s|$)/g)) out.set(k!, Number(v));
  }
  return out;
}

/** The targets lines for `npm run bench`. */
export function uiTargets(t: Lookup): string[] {
  const ms = (s: number | null) => (s === null ? "n/a" : `${(s * 1000).toFixed(1)} ms`);
  const tree = t(UI_CASES.tree, ENGINE), first = t(UI_CASES.arrayFirst, ENGINE), slider = t(UI_CASES.arraySlider, ENGINE);
  const show = t(UI_CASES.profileShow, ENGINE), d50 = t(UI_CASES.panP50, ENGINE), d95 = t(UI_CASES.panP95, ENGINE), gap = t(UI_CASES.panGap, ENGINE);
  const out = [
    `- param tree, 5,000 leaves to rendered: ${ms(tree)} (target <= 200 ms)`,
    `- array viewer, 10M elements: first paint ${ms(first)} (target <= 300 ms), slider move ${ms(slider)} (target <= 50 ms)`,
    `- profile view, 100k events: shown in ${ms(show)}; pan frame drawing p50 ${ms(d50)}, p95 ${ms(d95)}, frame interval p95 ${ms(gap)} (target: smooth, drawing p95 < 16 ms)`,
  ];
  const v = (c: string) => t(c, VSCODE);
  if (v("vscode: activation to first hints") !== null || process.env.BENCH_VSCODE) {
    out.push(`- real VS Code: activation to first hints ${ms(v("vscode: activation to first hints"))} (target <= 1.5 s; of it the language server's start ${ms(v("vscode: activation to language server ready"))} and its answer to the first ask ${ms(v("vscode: first hint ask to the server's answer"))}, the rest VS Code's own opening, showing and asking); Run click to result ${ms(v("vscode: Run click to result (1st)"))} first, ${ms(v("vscode: Run click to result (2nd)"))} second (target <= 1 s from the second)`);
  }
  return out;
}
