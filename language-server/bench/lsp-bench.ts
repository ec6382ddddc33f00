/**
 * Language-server benchmark, measured over stdio as a client sees it:
 *  - inlay hints for the visible 100 lines of a 2,000-line file after a one-character edit (p50/p95);
 *  - first hints after opening a 20,000-line workspace (20 files of 1,000 lines), from process start;
 *  - first hints on the tutorial (examples/what-is-jax.ts), from process start (the server's
 *    share of issue 11's activation-to-first-hints budget);
 *  - server RSS after opening, after 200 edits and after 1,000 (the issue: memory flat over 1,000 edits).
 * Prints a table, then one JSON line. Run: npx tsx language-server/bench/lsp-bench.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient } from "../../test/lsp/lspClient.js";

/** One block of realistic array code (~25 lines): annotated params, matmul chains, closures, loops, jit. */
function block(i: number): string {
  return `
export function layer${i}(x: f32<"B 64">, key: PRNGKey) {
  const [k1, k2] = random.split(key);
  const w = random.normal(k1, [64, 32]).mul(0.1);
  const b = np.zeros([32]);
  const h = nn.relu(x.matmul(w).add(b));
  const v = random.normal(k2, [32, 64]);
  let y = h.matmul(v);
  for (let j = 0; j < 3; j++) {
    y = np.tanh(y).add(x);
  }
  const s = np.einsum("bi,ij->bj", y, np.eye(64));
  return s.sum({ axis: 1, keepdims: true });
}
const step${i} = jit((p: DeviceArray, q: DeviceArray) => {
  const r = p.matmul(q.T);
  const t = nn.softmax(r, { axis: -1 });
  return t.mean({ axis: 0 });
});
const out${i} = layer${i}(np.ones([16, 64]), random.key(${i}));
const st${i} = step${i}(np.ones([8, 4]), np.ones([8, 4]));
const g${i} = grad((w: DeviceArray) => np.sum(np.square(w.matmul(np.ones([4, 2])))))(np.ones([3, 4]));
// ${i}: a comment line that the edits touch
`;
}

const HEADER = `import { np, nn, random, grad, jit, type f32, type PRNGKey, type DeviceArray } from "tensorlens";\n`;

function fileOf(lines: number, seed = 0): string {
  let text = HEADER;
  let i = seed;
  while (text.split("\n").length < lines) text += block(i++);
  return text.split("\n").slice(0, lines).join("\n");
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const rssMiB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

async function visibleRangeAfterEdits(dir: string) {
  const text = fileOf(2000);
  const file = join(dir, "big.ts");
  writeFileSync(file, text);
  const client = await LspClient.start(dir);
  const uri = pathToFileURL(file).href;
  client.open(uri, text);
  await client.hints(uri);
  const rssAfterOpen = rssMiB(client.proc.pid!);
  const lines = text.split("\n");
  const commentLines = lines.map((l, i) => (l.startsWith("// ") ? i : -1)).filter((i) => i >= 0);
  const times: number[] = [];
  const EDITS = 1000, WARMUP = 20;
  let rssAfter200 = 0;
  for (let k = 0; k < EDITS; k++) {
    const line = commentLines[(k * 7) % commentLines.length]!;
    const start = Math.max(0, line - 50);
    const t0 = performance.now();
    client.edit(uri, { start: { line, character: 3 }, end: { line, character: 3 } }, "x");
    const hints = await client.hints(uri, { start: { line: start, character: 0 }, end: { line: start + 100, character: 0 } });
    const dt = performance.now() - t0;
    if (k >= WARMUP) times.push(dt);
    if (hints.length === 0) throw new Error("no hints in the visible range");
    if (k === 199) rssAfter200 = rssMiB(client.proc.pid!);
  }
  const rssAfterEdits = rssMiB(client.proc.pid!);
  await client.stop();
  return { p50: pct(times, 50), p95: pct(times, 95), edits: times.length, rssAfterOpen, rssAfter200, rssAfterEdits };
}

async function firstHintsInWorkspace(dir: string) {
  const ws = join(dir, "ws");
  rmSync(ws, { recursive: true, force: true });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(ws);
  const imports: string[] = [];
  for (let f = 1; f < 20; f++) {
    writeFileSync(join(ws, `m${f}.ts`), fileOf(1000, f * 100));
    imports.push(`import { layer${f * 100} } from "./m${f}.ts";`);
  }
  const main = imports.join("\n") + "\n" + fileOf(1000 - imports.length, 5000);
  writeFileSync(join(ws, "main.ts"), main);
  const t0 = performance.now();
  const client = await LspClient.start(ws);
  const uri = pathToFileURL(join(ws, "main.ts")).href;
  client.open(uri, main);
  const hints = await client.hints(uri, { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } });
  const firstHintsMs = performance.now() - t0;
  const rss = rssMiB(client.proc.pid!);
  await client.stop();
  if (hints.length === 0) throw new Error("no hints");
  return { firstHintsMs, rssAfterOpen: rss, lines: 20 * 1000 };
}

/** The tutorial opened in a fresh server: process start to its whole file's hints. */
async function firstHintsOnTutorial() {
  const repo = join(import.meta.dirname, "..", "..");
  const file = join(repo, "examples", "what-is-jax.ts");
  const text = readFileSync(file, "utf8");
  const t0 = performance.now();
  const client = await LspClient.start(repo);
  const uri = pathToFileURL(file).href;
  client.open(uri, text);
  const hints = await client.hints(uri, { start: { line: 0, character: 0 }, end: { line: text.split("\n").length, character: 0 } });
  const ms = performance.now() - t0;
  await client.stop();
  if (hints.length === 0) throw new Error("no hints on the tutorial");
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-"));
try {
  const edits = await visibleRangeAfterEdits(dir);
  const ws = await firstHintsInWorkspace(dir);
  const tutorialMs = await firstHintsOnTutorial();
  const rows: [string, string, string][] = [
    ["visible-range hints after an edit, 2,000-line file (p50 / p95)", `${edits.p50.toFixed(1)} / ${edits.p95.toFixed(1)} ms`, "p95 <= 40 ms"],
    ["first hints, 20,000-line workspace (from process start)", `${ws.firstHintsMs.toFixed(0)} ms`, "<= 1500 ms"],
    ["first hints, the tutorial file (from process start)", `${tutorialMs.toFixed(0)} ms`, ""],
    ["RSS after opening the 2,000-line file", `${edits.rssAfterOpen} MiB`, ""],
    ["RSS after 200 edits", `${edits.rssAfter200} MiB`, ""],
    ["RSS after 1,000 edits", `${edits.rssAfterEdits} MiB`, "flat (vs 200 edits)"],
    ["RSS after opening the 20,000-line workspace", `${ws.rssAfterOpen} MiB`, ""],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`${"language server (stdio)".padEnd(w)}  ${"measured".padEnd(16)}  target`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padEnd(16)}  ${c}`);
  console.log(JSON.stringify({ bench: "lsp", visibleHintsAfterEditMs: { p50: edits.p50, p95: edits.p95, edits: edits.edits }, firstHintsWorkspaceMs: ws.firstHintsMs, firstHintsTutorialMs: tutorialMs, rssMiB: { afterOpen: edits.rssAfterOpen, after200Edits: edits.rssAfter200, after1000Edits: edits.rssAfterEdits, workspace: ws.rssAfterOpen } }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
