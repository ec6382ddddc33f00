/**
 * The runner's child process: loads bundles of user files (kept loaded between requests, and
 * reloaded when the file changes), calls the chosen function or runs the file as a program,
 * and sends protocol messages to the controller over IPC. It is started with source maps
 * enabled, so stacks and the engine's captured locations point at the user's .ts lines.
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describeError } from "./errors.js";
import { InputError, makeInputs, paramSpecs, type EngineForInputs } from "./inputs.js";
import type { ChildMessage, FetchJob, Job, RunJob } from "./jobs.js";
import { LIMITS, PROTOCOL_VERSION } from "./limits.js";
import type { DTypeName, ProfileSummary, RunnerMessage } from "./protocol.js";
import { serializeResult, type ArrayLike, type HeldArray } from "./serialize.js";
import { previewOf, sliceArray } from "./stats.js";

/** The parts of the user's engine the child uses: its public exports only. */
interface Engine extends EngineForInputs {
  DeviceArray: abstract new (...a: never[]) => ArrayLike;
  setDefaultBackend(name: string): void;
  defaultBackendName(): string;
  recordArraySites?(on: boolean): void;
  arraySite?(a: unknown): { file: string; line: number; column: number } | undefined;
  startProfile?: () => { stop(): { summary(o?: { traceFile?: string }): unknown; format(): string } };
}

const flushers: (() => void)[] = [];
const send = (m: ChildMessage) => { process.send!(m); };
const emit = (message: RunnerMessage) => send({ kind: "message", message });
// A controller that went away leaves nothing behind.
process.on("disconnect", () => process.exit(0));

// console output goes over IPC, in order with the other messages (a pipe and the IPC channel
// would race); writes that bypass process.stdout (the addon's) still arrive through the pipe.
for (const stream of ["stdout", "stderr"] as const) {
  let partial = "";
  const target = process[stream];
  target.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    partial += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const text of lines) emit({ type: stream, text });
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof target.write;
  flushers.push(() => { if (partial) { emit({ type: stream, text: partial }); partial = ""; } });
}

const REPORT_SINK = Symbol.for("tensorlens.runner.reportSink");
let runStart = performance.now();
(globalThis as Record<symbol, unknown>)[REPORT_SINK] = (step: number | null, values: Record<string, number | null>) => {
  emit({ type: "metric", step, values, t: performance.now() - runStart });
};

const loaded = new Map<string, Record<string, unknown>>();
const held = new Map<string, HeldArray>();
const heldOrder: string[] = [];
let runCount = 0;

function loadEngine(path: string): Promise<Engine> {
  return import(pathToFileURL(path).href) as Promise<Engine>;
}

async function run(job: RunJob): Promise<boolean> {
  runStart = performance.now();
  const engineRoots = [dirname(dirname(job.engine)), dirname(import.meta.dirname)];
  const cwd = process.cwd();
  let engine: Engine | undefined;
  try {
    engine = await loadEngine(job.engine);
    if (job.backend) {
      try { engine.setDefaultBackend(job.backend); } catch (e) { throw new InputError(`--backend ${job.backend}: ${(e as Error).message}`); }
    }
    const backend = engine.defaultBackendName();
    const profiler = job.mode === "profile" ? startProfiler(engine) : undefined;
    let value: unknown;
    let inputs: { name: string; shape: number[]; dtype: DTypeName }[] | undefined;
    if (job.fn === undefined) {
      emit({ type: "started", protocol: PROTOCOL_VERSION, file: job.file, backend, pid: process.pid });
      // A program runs top to bottom on every request: a fresh module instance each time,
      // with process.argv as `node FILE ARGS...` would give it.
      process.argv = [process.argv[0]!, job.file, ...job.args];
      await import(`${pathToFileURL(job.bundle).href}?run=${++runCount}`);
    } else {
      let mod = loaded.get(job.bundle);
      if (!mod) { mod = (await import(pathToFileURL(job.bundle).href)) as Record<string, unknown>; loaded.set(job.bundle, mod); }
      const fn = mod[job.fn];
      if (typeof fn !== "function") {
        const names = Object.entries(mod).filter(([, v]) => typeof v === "function").map(([k]) => k);
        throw new InputError(`${job.file} exports no function "${job.fn}"${names.length ? `; exported functions: ${names.join(", ")}` : " (it exports no functions)"}`);
      }
      const specs = fn.length > 0 ? paramSpecs(job.file, job.fn, fn.length, job.dims) : [];
      inputs = specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype }));
      emit({ type: "started", protocol: PROTOCOL_VERSION, file: job.file, fn: job.fn, backend, pid: process.pid, ...(inputs.length ? { inputs } : {}) });
      // Each returned array is shown at the line that made it: record where arrays are made
      // (not while profiling: a stack capture per array would be in the measured time).
      if (job.mode === "run") engine.recordArraySites?.(true);
      value = await fn(...makeInputs(engine, specs));
    }
    const elapsedMs = performance.now() - runStart;
    if (profiler) {
      const profile = profiler.stop();
      // summary() writes the Chrome trace to traceFile (its sources stay relative to this
      // process's working folder, as Perfetto shows them); the summary's become absolute.
      const summary = profile.summary(job.traceOut ? { traceFile: job.traceOut } : {}) as ProfileSummary;
      const abs = <L extends { file: string }>(l: L): L => ({ ...l, file: resolve(cwd, l.file) });
      for (const op of summary.ops) op.sources = op.sources.map(abs);
      for (const c of summary.compiles) if (c.source) c.source = abs(c.source);
      emit({ type: "profile", summary, text: profile.format() });
    }
    if (job.fn !== undefined) await sendResult(engine, value, elapsedMs, job.maxResultBytes);
    return true;
  } catch (e) {
    engine?.recordArraySites?.(false);
    const kind = e instanceof InputError ? "usage" : "runtime";
    emit({ type: "error", ...describeError(e, engineRoots, cwd, kind) });
    return false;
  }
}

function startProfiler(engine: Engine) {
  if (!engine.startProfile) throw new InputError(`this engine (${engine.defaultBackendName()}) has no profiler: update tensorlens`);
  return engine.startProfile();
}

async function sendResult(engine: Engine, value: unknown, elapsedMs: number, maxResultBytes?: number) {
  const handlePrefix = `r${runCount++}`;
  const cwd = process.cwd();
  const siteOf = (x: ArrayLike) => {
    const loc = engine.arraySite?.(x);
    return loc ? { ...loc, file: resolve(cwd, loc.file) } : undefined;
  };
  const out = await serializeResult(value, { isArray: (x): x is ArrayLike => x instanceof engine.DeviceArray, handlePrefix, siteOf, ...(maxResultBytes ? { maxResultBytes } : {}) });
  engine.recordArraySites?.(false);
  const display = value instanceof engine.DeviceArray ? String(value) : (await import("./display.js")).formatTree(out.tree);
  emit({ type: "result", tree: out.tree, display: display.length > 100_000 ? display.slice(0, 100_000) + "\n…" : display, elapsedMs });
  // Large arrays: statistics went with the result; a downsampled preview follows each.
  for (const [handle, a] of out.held) {
    keep(handle, a);
    emit({ type: "preview", handle, preview: previewOf(a.data, a.shape) });
  }
}

/** Handles stay fetchable for the last few results' arrays (bounded memory). */
function keep(handle: string, a: HeldArray) {
  held.set(handle, a);
  heldOrder.push(handle);
  while (heldOrder.length > 64) held.delete(heldOrder.shift()!);
}

function fetchSlice(job: FetchJob): boolean {
  const a = held.get(job.handle);
  if (!a) { emit({ type: "error", kind: "usage", message: `fetch: no array with handle "${job.handle}" (handles stay valid for the arrays of recent results)` }); return false; }
  const rank = a.shape.length;
  const bad = [job.start, job.stop].some((v) => v.length !== rank) || (job.step && job.step.length !== rank) || job.start.some((s, i) => s > job.stop[i]! || job.stop[i]! > a.shape[i]!);
  if (bad) {
    emit({ type: "error", kind: "usage", message: `fetch: start [${job.start}] / stop [${job.stop}]${job.step ? ` / step [${job.step}]` : ""} do not fit the array's shape [${a.shape}]` });
    return false;
  }
  emit({ type: "slice", handle: job.handle, slice: sliceArray(a.data, a.shape, job.start, job.stop, job.step ?? a.shape.map(() => 1), LIMITS.maxPreviewElements) });
  return true;
}

process.on("message", async (job: Job) => {
  const ok = job.op === "run" ? await run(job) : fetchSlice(job);
  for (const f of flushers) f();
  send({ kind: "done", ok });
});
// Errors outside a request (a timer in user code throwing later) are reported, not fatal.
process.on("uncaughtException", (e) => emit({ type: "error", ...describeError(e, [dirname(import.meta.dirname)], process.cwd()) }));
process.on("unhandledRejection", (e) => emit({ type: "error", ...describeError(e, [dirname(import.meta.dirname)], process.cwd()) }));
send({ kind: "alive" });
// The controller names the engine it expects at start: load it while the bundle is built.
const preload = process.env.TENSORLENS_RUNNER_PRELOAD;
delete process.env.TENSORLENS_RUNNER_PRELOAD;
if (preload) void loadEngine(preload).catch(() => { /* reported when a job needs it */ });
