/**
 * The runner's latency, as the editor sees it: `tensorlens run` of a small file to its result,
 * cold (process start, bundle, engine load included), and one request of a warm session
 * (`tensorlens serve`). Peer: tsx running the same file (no result protocol, no isolation).
 */
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const CLI = join(root, "engine", "dist", "runner", "cli.js");
const SMALL = join(here, "fixtures", "small.ts");

type Attempt = (c: string, engine: string, f: () => Promise<number>) => Promise<void>;
type Median = (fn: () => unknown, minRuns?: number, minTime?: number) => Promise<number>;

function p50(xs: number[]) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; }

export async function runnerCases(attempt: Attempt, median: Median, quick: boolean) {
  const n = quick ? 5 : 11;
  await attempt("runner cold run (small file)", "tensorlens", async () => {
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [CLI, "run", SMALL, "--fn", "small", "--json"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr.split("\n")[0]);
      ts.push((performance.now() - t) / 1000);
    }
    return p50(ts);
  });
  await attempt("runner cold run (small file)", "tsx (peer, no protocol)", async () => {
    const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, [tsx, SMALL], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr.split("\n")[0]);
      ts.push((performance.now() - t) / 1000);
    }
    return p50(ts);
  });
  await attempt("runner session request", "tensorlens", async () => {
    const child = spawn(process.execPath, [CLI, "serve"], { stdio: ["pipe", "pipe", "inherit"] });
    const waiting = new Map<string, () => void>();
    createInterface({ input: child.stdout }).on("line", (l) => {
      const m = JSON.parse(l);
      if (m.type === "exit") waiting.get(m.id)?.();
    });
    let id = 0;
    const request = () => new Promise<void>((res) => {
      const key = String(++id);
      waiting.set(key, res);
      child.stdin.write(JSON.stringify({ id: key, type: "run", file: SMALL, fn: "small" }) + "\n");
    });
    try {
      return await median(request, 20);
    } finally {
      child.stdin.end();
    }
  });
}
