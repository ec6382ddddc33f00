/**
 * The runner end to end, as users and the editor drive it: the CLI on the examples and on
 * fixtures, JSON lines checked against the protocol's schema, errors at the user's .ts lines,
 * timeouts and cancels that leave no process behind, and a session serving several requests.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { parseMessage, LIMITS, decodeArrayData, type RunnerMessage } from "../../engine/src/runner/protocol.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(root, "engine", "dist", "runner", "cli.js");
const MODEL = join(root, "test", "runner", "fixtures", "model.ts");
const line = (name: string) => {
  // The fixture's own line numbers, read from its text (the oracle for mapped locations).
  const text = spawnSync("grep", ["-n", name, MODEL], { encoding: "utf8" }).stdout.split("\n")[0]!;
  return Number(text.split(":")[0]);
};

function cli(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: "utf8", timeout, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function jsonRun(args: string[]) {
  const r = cli([...args, "--json"]);
  const lines = r.stdout.split("\n").filter(Boolean);
  return { ...r, lines, messages: lines.map(parseMessage) };
}
const only = <T extends RunnerMessage["type"]>(ms: RunnerMessage[], type: T) => ms.filter((m): m is Extract<RunnerMessage, { type: T }> => m.type === type);
// A zombie is dead: a process whose parent has exited is reparented to PID 1, which in this
// sandbox does not reap, so signal 0 still reaches it.
const alive = (pid: number) => {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; }
};

test("run walks the tutorial file as a program", () => {
  const r = cli(["run", "examples/what-is-jax.ts"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Net\(\)\.apply\(vars, input\) = DeviceArray\(\[\[/);
});

test("--json: every line is a valid protocol message; a Flax-style param tree comes back with statistics from the data", () => {
  const r = jsonRun(["run", MODEL, "--fn", "params"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([r.messages[0]!.type, r.messages.at(-1)!.type], ["started", "exit"]);
  const [result] = only(r.messages, "result");
  assert.ok(result && result.tree.kind === "dict");
  const params = result.tree.entries.find((e) => e.key === "params")!.value;
  assert.ok(params.kind === "dict");
  const kernel = params.entries.find((e) => e.key === "kernel")!.value;
  assert.ok(kernel.kind === "array" && kernel.data);
  assert.deepEqual(kernel.shape, [2, 4]);
  const values = [...decodeArrayData(kernel.data)];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(Math.abs(kernel.stats.mean! - mean) < 1e-6);
  assert.equal(kernel.stats.min, Math.min(...values));
  assert.equal(kernel.stats.max, Math.max(...values));
  assert.ok(r.lines.every((l) => Buffer.byteLength(l) <= LIMITS.maxMessageBytes));
});

test("annotated parameters get inputs of their shapes; an unbound dim is named", () => {
  const ok = jsonRun(["run", MODEL, "--fn", "scaled", "--dim", "B=5"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(only(ok.messages, "started")[0]!.inputs, [{ name: "x", shape: [5, 3], dtype: "float32" }, { name: "key", shape: [2], dtype: "uint32" }]);
  const leaf = only(ok.messages, "result")[0]!.tree;
  assert.ok(leaf.kind === "array");
  assert.deepEqual(leaf.shape, [5, 3]);
  const bad = cli(["run", MODEL, "--fn", "scaled"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /dim B of parameter x: f32<"B 3"> of scaled .* is unbound: pass --dim B=<size>/);
  const un = cli(["run", MODEL, "--fn", "unannotated"]);
  assert.notEqual(un.code, 0);
  assert.match(un.stderr, /parameter "x" of unannotated .* has no shape annotation; annotate/);
});

test("errors point at the user's .ts line: engine shape errors and plain throws", () => {
  const shape = jsonRun(["run", MODEL, "--fn", "mismatch"]);
  assert.equal(shape.code, 1);
  const [err] = only(shape.messages, "error");
  assert.match(err!.message, /matmul: contraction dims differ/);
  assert.deepEqual([err!.location?.file, err!.location?.line], [MODEL, line("np.matmul(a, b)")]);
  const plain = jsonRun(["run", MODEL, "--fn", "throwsPlain"]);
  const [e2] = only(plain.messages, "error");
  assert.deepEqual([e2!.location?.file, e2!.location?.line], [MODEL, line("plain failure in user code")]);
  assert.ok(e2!.stack!.some((f) => f.engine) || e2!.stack!.every((f) => !f.file.includes("engine/dist")));
});

test("a syntax error is reported with esbuild's file:line:column; a missing file or function is named", () => {
  const broken = jsonRun(["run", join(root, "test/runner/fixtures/broken.ts"), "--fn", "f"]);
  const [err] = only(broken.messages, "error");
  assert.equal(err!.kind, "syntax");
  assert.equal(err!.location?.line, 3);
  const missing = cli(["run", "no/such/file.ts"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /file not found: .*no\/such\/file\.ts/);
  const nofn = cli(["run", MODEL, "--fn", "nope"]);
  assert.match(nofn.stderr, /exports no function "nope"; exported functions: .*params/);
});

test("results that are not arrays are shown sensibly: numbers, strings, bigints, Maps, class instances, cycles", () => {
  const r = jsonRun(["run", MODEL, "--fn", "oddValues"]);
  assert.equal(r.code, 0, r.stderr);
  const tree = only(r.messages, "result")[0]!.tree;
  assert.ok(tree.kind === "dict");
  const get = (k: string) => tree.entries.find((e) => e.key === k)!.value;
  assert.deepEqual(get("big"), { kind: "value", type: "bigint", text: "10n" });
  assert.deepEqual(get("point"), { kind: "dict", className: "Point", entries: [{ key: "x", value: { kind: "value", type: "number", text: "1" } }, { key: "y", value: { kind: "value", type: "number", text: "2" } }] });
  const cyc = get("cyclic");
  assert.ok(cyc.kind === "dict");
  assert.deepEqual(cyc.entries.find((e) => e.key === "self")!.value, { kind: "ref", path: ["cyclic"] });
  assert.equal(get("map").kind, "dict");
});

test("NaN and Inf are counted, and statistics cover the finite values", () => {
  const r = jsonRun(["run", MODEL, "--fn", "withNaN"]);
  const tree = only(r.messages, "result")[0]!.tree;
  assert.ok(tree.kind === "dict");
  const bad = tree.entries.find((e) => e.key === "bad")!.value;
  assert.ok(bad.kind === "array");
  assert.deepEqual(bad.stats, { min: 1, max: 1, mean: 1, std: 0, nan: 1, inf: 2 });
  // Each array knows the user's line that made it (for the editor's result decorations).
  assert.deepEqual([bad.source?.file, bad.source?.line], [MODEL, line("bad: np.array")]);
});

test("a 10-million-element result: statistics first, a downsampled preview after, every message within budget", () => {
  const r = jsonRun(["run", MODEL, "--fn", "big"]);
  assert.equal(r.code, 0, r.stderr);
  const types = r.messages.map((m) => m.type);
  assert.ok(types.indexOf("result") < types.indexOf("preview"));
  const leaf = only(r.messages, "result")[0]!.tree;
  assert.ok(leaf.kind === "array" && leaf.handle && !leaf.data);
  const n = 10_000_000;
  assert.equal(leaf.stats.mean, (n - 1) / 2);
  assert.ok(Math.abs(leaf.stats.std! - Math.sqrt((n * n - 1) / 12)) / leaf.stats.std! < 1e-9);
  const [preview] = only(r.messages, "preview");
  const values = decodeArrayData(preview!.preview.data);
  const step = preview!.preview.step[0]!;
  assert.ok(values.length <= LIMITS.maxPreviewElements);
  assert.equal(values[3], 3 * step);
  assert.ok(r.lines.every((l) => Buffer.byteLength(l) <= LIMITS.maxMessageBytes));
});

test("metrics from report() arrive as metric messages in order", () => {
  const r = jsonRun(["run", MODEL, "--fn", "train"]);
  const metrics = only(r.messages, "metric");
  assert.deepEqual(metrics.map((m) => [m.step, m.values.loss]), [0, 1, 2, 3, 4].map((s) => [s, 1 / (s + 1)]));
});

test("a timeout stops the child and its threads, and says so", () => {
  const r = jsonRun(["run", MODEL, "--fn", "spin", "--timeout", "1"]);
  assert.equal(r.code, 124);
  const pid = only(r.messages, "started")[0]!.pid;
  assert.equal(only(r.messages, "error")[0]!.kind, "timeout");
  assert.equal(alive(pid), false);
});

test("a crash in the process is reported as a crash, never hangs the caller", () => {
  const r = jsonRun(["run", MODEL, "--fn", "crash"]);
  assert.equal(r.code, 3);
  const [err] = only(r.messages, "error");
  assert.equal(err!.kind, "crash");
  assert.match(err!.message, /SIGSEGV/);
});

test("serve: several requests on one process, cancel, a second cancel, fetch of a preview's handle, bad lines", async () => {
  const child = spawn(process.execPath, [CLI, "serve"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const messages: RunnerMessage[] = [];
  const waiters: [(m: RunnerMessage) => boolean, (m: RunnerMessage) => void][] = [];
  createInterface({ input: child.stdout }).on("line", (l) => {
    const m = parseMessage(l);
    messages.push(m);
    for (const w of [...waiters]) if (w[0](m)) { waiters.splice(waiters.indexOf(w), 1); w[1](m); }
  });
  const until = (p: (m: RunnerMessage) => boolean) => new Promise<RunnerMessage>((res) => {
    const hit = messages.find(p);
    if (hit) res(hit); else waiters.push([p, res]);
  });
  const send = (o: object) => child.stdin.write(JSON.stringify(o) + "\n");
  const exitOf = (id: string) => until((m) => m.type === "exit" && m.id === id) as Promise<Extract<RunnerMessage, { type: "exit" }>>;
  try {
    await until((m) => m.type === "ready");
    send({ id: "1", type: "run", file: MODEL, fn: "params" });
    send({ id: "2", type: "run", file: MODEL, fn: "params" });
    assert.equal((await exitOf("1")).status, "ok");
    assert.equal((await exitOf("2")).status, "ok");
    const pids = only(messages, "started").map((m) => m.pid);
    assert.equal(new Set(pids).size, 1, "one process serves both");
    send({ id: "3", type: "run", file: MODEL, fn: "spin" });
    await until((m) => m.type === "started" && m.id === "3");
    send({ id: "4", type: "cancel", target: "3" });
    assert.equal((await exitOf("3")).status, "cancelled");
    send({ id: "5", type: "cancel", target: "3" });
    const second = await until((m) => m.type === "error" && m.id === "5");
    assert.match((second as { message: string }).message, /not running or queued/);
    assert.equal(alive(pids[0]!), false, "the cancelled run's process is gone");
    send({ id: "6", type: "run", file: MODEL, fn: "big" });
    const prev = (await until((m) => m.type === "preview" && m.id === "6")) as Extract<RunnerMessage, { type: "preview" }>;
    await exitOf("6");
    send({ id: "7", type: "fetch", handle: prev.handle, start: [1000], stop: [1010] });
    const slice = (await until((m) => m.type === "slice" && m.id === "7")) as Extract<RunnerMessage, { type: "slice" }>;
    assert.deepEqual([...decodeArrayData(slice.slice.data)], [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    child.stdin.write("not json\n");
    await until((m) => m.type === "error" && m.kind === "protocol");
    send({ id: "8", type: "run", file: MODEL, fn: "params", bogus: 1 });
    const invalid = await until((m) => m.type === "error" && m.id === "8");
    assert.match((invalid as { message: string }).message, /bogus/);
  } finally {
    child.stdin.end();
    await new Promise((r) => child.once("exit", r));
  }
  for (const m of only(messages, "started")) assert.equal(alive(m.pid), false, "no process left behind");
});

test("running out of memory is reported as such and the caller goes on", async () => {
  const { Controller } = await import("../../engine/dist/runner/controller.js");
  const messages: RunnerMessage[] = [];
  const done = new Promise<void>((res) => {
    const c = new Controller({
      env: { NODE_OPTIONS: "--max-old-space-size=64" },
      onMessage: (m: RunnerMessage) => { messages.push(m); if (m.type === "exit") { void c.shutdown().then(res); } },
    });
    c.request({ id: "1", type: "run", file: MODEL, fn: "hog" });
  });
  await done;
  assert.equal(only(messages, "error")[0]!.kind, "out-of-memory");
  assert.equal(only(messages, "exit")[0]!.status, "crashed");
});

test("serve: a closed pipe ends the session and its child, no hang", async () => {
  const child = spawn(process.execPath, [CLI, "serve"], { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
  const lines = createInterface({ input: child.stdout });
  const started = new Promise<number>((res) => lines.on("line", (l) => { const m = parseMessage(l); if (m.type === "started") res(m.pid); }));
  child.stdin.write(JSON.stringify({ id: "1", type: "run", file: MODEL, fn: "spin" }) + "\n");
  const pid = await started;
  child.stdout.destroy();
  child.stdin.end();
  const code = await new Promise((res) => child.once("exit", res));
  assert.notEqual(code, null);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(alive(pid), false);
});

test("profile: the summary names recompiles and their reasons, the trace parses and nests, ops point at the user's lines", () => {
  const out = join(root, "test", "artifacts", "runner-profile.trace.json");
  mkdirSync(dirname(out), { recursive: true });
  const r = jsonRun(["profile", MODEL, "--fn", "twoShapes", "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const [p] = only(r.messages, "profile");
  const s = p!.summary;
  assert.equal(s.traceFile, out);
  const compiles = s.compiles.filter((c) => c.fn === "affine" || c.signature.includes("f32[2,8]") || c.signature.includes("f32[5,8]"));
  assert.equal(compiles.length, 2, JSON.stringify(s.compiles));
  assert.equal(compiles[0]!.reason, "first call");
  assert.match(compiles[1]!.reason, /f32\[2,8\].*->.*f32\[5,8\]/);
  const calls = s.jitCalls.find((j) => j.misses === 2);
  assert.deepEqual([calls?.calls, calls?.hits], [3, 1]);
  const affineLine = line("const affine = jit");
  const matmul = s.ops.find((o) => o.name.startsWith("dot_general"));
  assert.ok(matmul, JSON.stringify(s.ops.map((o) => o.name)));
  assert.ok(matmul.sources.some((l) => l.line === affineLine && l.file === MODEL), JSON.stringify(matmul.sources));
  const trace = JSON.parse(readFileSync(out, "utf8")) as { traceEvents: { ph: string; ts: number; dur?: number; pid: number; tid: number }[] };
  const slices = trace.traceEvents.filter((e) => e.ph === "X");
  assert.ok(slices.length > 0);
  // Proper nesting per track: a slice that starts inside another ends inside it.
  const tracks = new Map<string, typeof slices>();
  for (const e of slices) { const k = `${e.pid}/${e.tid}`; if (!tracks.has(k)) tracks.set(k, []); tracks.get(k)!.push(e); }
  for (const list of tracks.values()) {
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    const open: { end: number }[] = [];
    for (const e of list) {
      while (open.length && open.at(-1)!.end <= e.ts) open.pop();
      if (open.length) assert.ok(e.ts + e.dur! <= open.at(-1)!.end + 1e-6, "a slice overlaps its parent's end");
      open.push({ end: e.ts + e.dur! });
    }
  }
  assert.ok(trace.traceEvents.some((e) => e.ph === "C"), "a counter track for live memory");
});

test("a program gets the arguments after -- as its process.argv", () => {
  const r = cli(["run", join(root, "test/runner/fixtures/args.ts"), "--json", "--", "data/dir", "--epochs", "2", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const messages = r.stdout.split("\n").filter(Boolean).map(parseMessage);
  assert.deepEqual(JSON.parse(only(messages, "stdout")[0]!.text), ["data/dir", "--epochs", "2", "--json"]);
  const bad = cli(["run", MODEL, "--fn", "params", "--", "x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /arguments after -- are for a program/);
});
