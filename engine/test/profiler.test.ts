// The profiler: eager ops and jit programs recorded with shapes, costs and the user's lines;
// compile events with their reasons; the Chrome trace's nesting; native step timing from the
// addon; nothing recorded while off; and the addon's crash line.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { np, nn, jit, startProfile, profile, availableBackends, defaultBackendName, getBackend, type ProfileEvent } from "../src/index.js";
import { hook } from "../src/profiler/hook.js";
import { ProfileSummary } from "../src/runner/protocol.js";
import { readFileSync } from "node:fs";

const THIS_FILE = fileURLToPath(import.meta.url);
/** This line's number, read from a stack trace here (independent of the engine's own capture). */
function here(): number {
  const frame = new Error().stack!.split("\n")[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}
const isThisFile = (file: string) => THIS_FILE.endsWith(file);
const native = availableBackends().includes("native") && defaultBackendName() === "native";

describe("profiler", () => {
  test("eager ops: shapes, dtypes, this file's lines, matmul FLOPs = 2*M*N*K", () => {
    const M = 24, K = 40, N = 12;
    const a = np.ones([M, K]), b = np.ones([K, N]);
    const s = startProfile();
    const mmLine = here(); const c = np.matmul(a, b);
    const expLine = here(); const d = np.exp(c);
    const p = s.stop();
    const eager = p.events.filter((e): e is Extract<ProfileEvent, { type: "eager" }> => e.type === "eager");
    const mm = eager.find((e) => e.prim === "dot_general");
    assert.ok(mm, "the matmul is recorded");
    assert.deepEqual(mm.avals.map((x) => x.shape), [[M, K], [K, N]]);
    assert.deepEqual(mm.outAvals.map((x) => [x.shape, x.dtype]), [[[M, N], "float32"]]);
    assert.ok(mm.dur > 0);
    const sum = p.summary();
    const row = sum.ops.find((o) => o.kind === "eager" && o.name.startsWith("dot_general"))!;
    assert.equal(row.flops, 2 * M * N * K);
    assert.equal(row.bytes, 4 * (M * K + K * N + M * N));
    assert.equal(row.sources.length, 1);
    assert.ok(isThisFile(row.sources[0]!.file), row.sources[0]!.file);
    assert.equal(row.sources[0]!.line, mmLine);
    const ex = sum.ops.find((o) => o.kind === "eager" && o.name.startsWith("exp"))!;
    assert.equal(ex.sources[0]!.line, expLine);
    assert.equal(ex.flops, M * N);
    assert.equal(d.shape.join(), [M, N].join());
    assert.ok(sum.peakBytes > 0);
    assert.ok(sum.runMs > 0 && sum.runMs <= sum.wallMs);
  });

  test("jit: first-call compile, a recompile naming the changed argument, hits, fused sources", () => {
    const step = jit(function step(x: any, w: any) {
      const h = np.matmul(x, w);
      const mulLine = here(); const y = h.mul(2);
      const addLine = here(); const z = y.add(1);
      const reluLine = here(); const r = nn.relu(z);
      lines = { mulLine, addLine, reluLine };
      return r.sum();
    });
    let lines: { mulLine: number; addLine: number; reluLine: number } | undefined;
    // (Names apart from the parameters': a transpiler renames a parameter that shadows an outer name.)
    const xs = np.ones([16, 8]), ws = np.ones([8, 4]);
    const s = startProfile();
    step(xs, ws); step(xs, ws); step(xs, ws);
    step(np.ones([5, 8]), ws);
    const p = s.stop();
    const sum = p.summary();
    assert.equal(sum.compiles.length, 2);
    assert.equal(sum.compiles[0]!.reason, "first call");
    assert.match(sum.compiles[1]!.reason, /f32\[16,8\] -> f32\[5,8\]/);
    assert.match(sum.compiles[1]!.reason, /argument x \(#0\)/);
    assert.ok(sum.compiles[0]!.traceMs > 0 && sum.compiles[0]!.compileMs > 0);
    assert.ok(isThisFile(sum.compiles[0]!.source!.file));
    assert.deepEqual(sum.jitCalls, [{ fn: "step", calls: 4, hits: 2, misses: 2 }]);
    // The fused kernel carries the lines of every equation fused into it.
    const kernel = sum.ops.find((o) => o.kind === "kernel" && o.jit === "step" && o.name.includes("mul"));
    assert.ok(kernel, `a fused kernel with the multiply: ${sum.ops.map((o) => o.name).join(" | ")}`);
    const got = new Set(kernel.sources.filter((l) => isThisFile(l.file)).map((l) => l.line));
    for (const l of [lines!.mulLine, lines!.addLine, lines!.reluLine]) assert.ok(got.has(l), `line ${l} in ${[...got]}`);
    assert.ok(sum.traceMs > 0 && sum.compileMs > 0);
    assert.match(p.format(), /reason: argument types changed/);
    // The runner sends the summary as is: it must satisfy the protocol's schema.
    ProfileSummary.parse(sum);
  });

  test("the Chrome trace parses, nests on every track, and has a memory counter track", () => {
    const f = jit((x: any) => nn.sigmoid(np.matmul(x, x.T).mul(3)).sum());
    const x = np.ones([96, 96]);
    const { profile: p } = profile(() => { for (let i = 0; i < 3; i++) f(x); return np.exp(x).sum(); })();
    const file = join(mkdtempSync(join(tmpdir(), "tl-trace-")), "trace.json");
    const sum = p.summary({ traceFile: file });
    assert.equal(sum.traceFile, file);
    ProfileSummary.parse(sum);
    const trace = JSON.parse(readFileSync(file, "utf8")) as { traceEvents: any[]; displayTimeUnit: string };
    assert.ok(Array.isArray(trace.traceEvents) && trace.displayTimeUnit === "ms");
    const xs = trace.traceEvents.filter((e) => e.ph === "X");
    assert.ok(xs.length > 5);
    const byTrack = new Map<string, any[]>();
    for (const e of xs) {
      for (const k of ["ts", "dur", "pid", "tid"]) assert.equal(typeof e[k], "number", `${k} of ${e.name}`);
      assert.ok(e.dur >= 0);
      const key = `${e.pid}/${e.tid}`;
      if (!byTrack.has(key)) byTrack.set(key, []);
      byTrack.get(key)!.push(e);
    }
    const eps = 1e-6;
    for (const [track, evs] of byTrack) {
      evs.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
      const stack: any[] = [];
      for (const e of evs) {
        // (No tolerance here: a slice that ends a rounding error after the next one starts overlaps it.)
        while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
        const parent = stack[stack.length - 1];
        if (parent) assert.ok(e.ts + e.dur <= parent.ts + parent.dur + eps, `${e.name} [${e.ts}, +${e.dur}] overlaps ${parent.name} [${parent.ts}, +${parent.dur}] on ${track}`);
        stack.push(e);
      }
    }
    // Eager ops, jit calls, their traces and executions on the JS track, with source lines in args.
    const names = xs.map((e) => e.name);
    assert.ok(names.some((n) => n.startsWith("jit(")) && names.some((n) => n.startsWith("trace jit(")) && names.some((n) => n.startsWith("execute jit(")));
    const withSource = xs.filter((e) => e.cat === "eager" || e.cat === "kernel" || e.cat === "op");
    assert.ok(withSource.length > 0 && withSource.every((e) => /:\d+:\d+$/.test(e.args.source)));
    const counters = trace.traceEvents.filter((e) => e.ph === "C" && e.name === "live bytes");
    assert.ok(counters.length >= 2 && counters.every((c) => typeof c.args.native === "number" && typeof c.args.heap === "number"));
    const threadNames = trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.args.name as string);
    assert.ok(threadNames.some((n) => n.startsWith("JS main")) && threadNames.some((n) => /program steps/.test(n)));
  });

  test("native steps are timed in the addon: positive, within their jit call", { skip: native ? false : "the native backend is not the default here" }, () => {
    const f = jit(function mlp(x: any, w1: any, w2: any) { return np.matmul(nn.relu(np.matmul(x, w1).add(1)), w2).sum(); });
    const x = np.ones([128, 256]), w1 = np.ones([256, 256]).mul(0.01), w2 = np.ones([256, 64]).mul(0.01);
    f(x, w1, w2);
    const s = startProfile();
    f(x, w1, w2);
    const p = s.stop();
    const call = p.events.find((e) => e.type === "jit")!;
    assert.ok(call && call.type === "jit" && !call.miss);
    const steps = p.events.filter((e) => e.type === "step" && e.timer === "device") as Extract<ProfileEvent, { type: "step" }>[];
    assert.ok(steps.length >= 3, `${steps.length} device-timed steps`);
    let total = 0;
    for (const st of steps) { assert.ok(st.dur > 0, `step ${st.step} lasted ${st.dur} ms`); total += st.dur; }
    assert.ok(total <= call.dur, `steps ${total} ms within the call's ${call.dur} ms`);
    // Each step lies within the call (the two clocks are paired to within a few microseconds).
    for (const st of steps) assert.ok(st.ts >= call.ts - 0.05 && st.ts + st.dur <= call.ts + call.dur + 0.05);
    // Worker threads' busy intervals. On a busy machine the caller may run every share of a
    // job itself (a worker not yet awake loses its share), so give the workers many jobs.
    const threads = (getBackend() as any).info?.threads ?? 1;
    const s2 = startProfile();
    const big = np.ones([256, 512]), bw = np.ones([512, 512]);
    for (let i = 0; i < 30; i++) np.matmul(big, bw).dispose();
    const spans = s2.stop().events.filter((e): e is Extract<ProfileEvent, { type: "thread" }> => e.type === "thread");
    if (threads > 1) assert.ok(spans.some((e) => e.thread >= 1), `a worker thread's busy interval among ${spans.length}`);
    assert.ok(spans.length > 0 && spans.every((e) => e.dur >= 0 && e.thread >= 0 && e.thread < threads));
  });

  test("profiling off: the hook is null and nothing is recorded", () => {
    const s = startProfile();
    assert.notEqual(hook.recorder, null);
    np.ones([3]).add(1);
    const p = s.stop();
    assert.equal(hook.recorder, null);
    const n = p.events.length;
    const f = jit((x: any) => x.mul(2));
    f(np.ones([4])); np.ones([4]).sub(1);
    assert.equal(p.events.length, n, "a stopped profile does not grow");
    const s2 = startProfile();
    const p2 = s2.stop();
    assert.deepEqual(p2.events.filter((e) => e.type !== "memory"), [], "ops run while off were not kept for later");
  });

  test("profile(fn) with an async function awaits it", async () => {
    const r = await profile(async (n: number) => { await new Promise((res) => setTimeout(res, 1)); np.ones([n]).sum(); return n; })(4);
    assert.ok(r.profile.events.some((e) => e.type === "eager"));
    assert.equal(r.profile.summary().events, r.profile.events.length);
  });

  test("a fatal signal names the op that started last", { skip: native ? false : "the native backend is not the default here" }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-crash-"));
    const engine = join(THIS_FILE, "..", "..", "src", "index.ts");
    const run = (body: string) => {
      const file = join(dir, `c${Math.random().toString(36).slice(2)}.ts`);
      writeFileSync(file, `import { np, getBackend } from ${JSON.stringify(engine)};\n${body}\n`);
      return spawnSync(process.execPath, ["--import", "tsx", file], { encoding: "utf8", timeout: 60000 });
    };
    // A signal sent while no op runs: the last op that started (an eager matmul).
    const r1 = run(`np.matmul(np.ones([8, 16]), np.ones([16, 4])); process.kill(process.pid, "SIGSEGV");`);
    assert.equal(r1.signal, "SIGSEGV", r1.stderr);
    assert.match(r1.stderr, /^tensorlens: native crash \(SIGSEGV\) in op: dot_general f32\[8,16\] f32\[16,4\] \[dot b1 8x16x4\b.*\]$/m);
    // After a jit program: its last step, with the user's line that made it (line 3 of the child).
    const r3 = run(`import { jit } from ${JSON.stringify(engine)};
const f = jit((x: any) => np.matmul(x, x).sum(0));
f(np.ones([8, 8])); process.kill(process.pid, "SIGSEGV");`);
    assert.equal(r3.signal, "SIGSEGV", r3.stderr);
    assert.match(r3.stderr, /^tensorlens: native crash \(SIGSEGV\) in op: jit step fused\[reduce_sum\] -> f32\[8\] at \S+\.ts:3:\d+ \[.*\]$/m);
    // A real fault inside a kernel: exp reading from address 8.
    const r2 = run(`import { NativeBuffer } from ${JSON.stringify(join(engine, "..", "backend", "native", "backend.ts"))};
import { ShapedArray } from ${JSON.stringify(join(engine, "..", "ir", "aval.ts"))};
const be = getBackend("native"); const a = new ShapedArray([1024], "float32", false);
be.execute("exp", {}, [new NativeBuffer(8, 4096, new ArrayBuffer(0))], [a], [a]);`);
    assert.equal(r2.signal, "SIGSEGV", r2.stderr);
    assert.match(r2.stderr, /^tensorlens: native crash \(SIGSEGV\) in op: \S.*$/m);
    assert.equal(r2.stderr.match(/native crash/g)?.length, 1);
  });
});
