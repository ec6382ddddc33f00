/**
 * The runner's controller: owns one child process (child.ts) that keeps user modules loaded,
 * serves requests one at a time, and turns everything that can go wrong into protocol
 * messages: bundling errors, throws, timeouts and cancels (the child is killed, with its
 * threads, and a fresh one starts on the next request), crashes of the native addon (with the
 * last op that started), running out of memory. It never throws at its caller.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Bundler, BundleError, resolveEngine } from "./bundle.js";
import type { ChildMessage, Job } from "./jobs.js";
import type { MessageOf, RequestOf, RunnerMessage, RunnerRequest } from "./protocol.js";

export const DEFAULT_TIMEOUT_MS = 60_000;
type Status = MessageOf<"exit">["status"];
const EXIT_CODE: Record<Status, number> = { ok: 0, error: 1, cancelled: 130, timeout: 124, crashed: 3 };
const CRASH_LINE = /^tensorlens: native crash \((\w+)\) in op: (.*)$/;

type Work = RequestOf<"run"> | RequestOf<"profile"> | RequestOf<"fetch">;
interface Active { readonly req: Work; readonly started: number; timer?: NodeJS.Timeout; finish(status: Status, usage?: boolean): void }

export interface ControllerOptions {
  /** Every message for the caller, in order. */
  onMessage(m: RunnerMessage): void;
  /** Working folder of the child (user code sees it as process.cwd()). */
  cwd?: string;
  /** Extra environment for the child. */
  env?: NodeJS.ProcessEnv;
}

export class Controller {
  private child: ChildProcess | undefined;
  private childReady: Promise<void> | undefined;
  private readonly queue: Work[] = [];
  private active: Active | undefined;
  private readonly workDir = mkdtempSync(join(tmpdir(), "tensorlens-runner-"));
  private readonly bundler = new Bundler(join(this.workDir, "bundles"));
  private stderrTail: string[] = [];
  private closed = false;
  private gone: Promise<void> | undefined;

  constructor(private readonly opts: ControllerOptions) {}

  /** Takes a request; answers arrive through onMessage with its id. */
  request(req: RunnerRequest): void {
    if (this.closed) return;
    switch (req.type) {
      case "cancel": return this.cancel(req);
      case "shutdown": void this.shutdown(); return;
      default:
        this.queue.push(req);
        this.pump();
    }
  }

  /** Kills the child and removes the temporary bundles; resolves once the child is gone. Idempotent. */
  shutdown(): Promise<void> {
    if (this.closed) return this.gone ?? Promise.resolve();
    this.closed = true;
    for (const q of this.queue.splice(0)) this.emit({ type: "exit", id: q.id, code: EXIT_CODE.cancelled, status: "cancelled", elapsedMs: 0 });
    this.active?.finish("cancelled");
    this.gone = this.killChild();
    rmSync(this.workDir, { recursive: true, force: true });
    return this.gone;
  }

  private emit(m: RunnerMessage) {
    try { this.opts.onMessage(m); } catch { /* a caller's handler must not stop the runner */ }
  }

  private cancel(req: RequestOf<"cancel">) {
    const queued = this.queue.findIndex((q) => q.id === req.target);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.emit({ type: "error", id: req.target, kind: "cancelled", message: "cancelled before it started" });
      this.emit({ type: "exit", id: req.target, code: EXIT_CODE.cancelled, status: "cancelled", elapsedMs: 0 });
      return;
    }
    if (this.active?.req.id !== req.target) {
      // A second cancel, or one for a request that already ended: nothing to do, and said so.
      this.emit({ type: "error", id: req.id, kind: "usage", message: `cancel: request "${req.target}" is not running or queued` });
      return;
    }
    this.abort("cancelled", "cancelled by the caller");
  }

  /** Ends the active request by killing the child (a busy JS thread cannot be interrupted). */
  private abort(status: "cancelled" | "timeout", message: string) {
    const a = this.active;
    if (!a) return;
    this.emit({ type: "error", id: a.req.id, kind: status, message });
    // The exit message says the process is gone: it is sent once the kill has taken effect.
    void this.killChild().then(() => a.finish(status));
  }

  private pump() {
    if (this.active || this.closed) return;
    const req = this.queue.shift();
    if (!req) return;
    void this.start(req);
  }

  private async start(req: Work) {
    const started = performance.now();
    const a: Active = {
      req, started,
      finish: (status, usage) => {
        if (this.active !== a) return;
        clearTimeout(a.timer);
        this.active = undefined;
        const code = usage ? 2 : EXIT_CODE[status];
        this.emit({ type: "exit", id: req.id, code, status, elapsedMs: performance.now() - started });
        setImmediate(() => this.pump());
      },
    };
    this.active = a;
    let job: Job;
    if (req.type === "fetch") {
      job = { op: "fetch", handle: req.handle, start: req.start, stop: req.stop, ...(req.step ? { step: req.step } : {}) };
    } else {
      const file = resolve(req.file);
      // Start the process (and its engine's load) while esbuild works.
      this.ensureChild(resolveEngine(file)).catch(() => { /* reported below */ });
      try {
        const b = await this.bundler.bundle(file);
        job = {
          op: "run", mode: req.type, file, bundle: b.path, engine: b.engine, dims: req.dims ?? {}, args: req.args ?? [],
          ...(req.fn !== undefined ? { fn: req.fn } : {}), ...(req.backend ? { backend: req.backend } : {}),
          ...(req.maxResultBytes ? { maxResultBytes: req.maxResultBytes } : {}),
          ...(req.type === "profile" ? { traceOut: req.out ? resolve(req.out) : join(this.workDir, `profile-${req.id}.json`) } : {}),
        };
      } catch (e) {
        const be = e instanceof BundleError ? e : new BundleError(String((e as Error)?.message ?? e), "syntax");
        this.emit({ type: "error", id: req.id, kind: be.kind, message: be.message, ...(be.location ? { location: be.location } : {}) });
        a.finish("error", be.kind === "not-found");
        return;
      }
    }
    if (this.active !== a) return; // cancelled while bundling
    try {
      await this.ensureChild();
    } catch (e) {
      this.emit({ type: "error", id: req.id, kind: "crash", message: `the runner's process could not start: ${(e as Error).message}` });
      a.finish("crashed");
      return;
    }
    if (this.active !== a) return;
    if (req.type !== "fetch") {
      // The clock runs for the user's code, from the moment the child has the job.
      const ms = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      a.timer = setTimeout(() => this.abort("timeout", `timed out after ${ms / 1000} s (the process and its threads were stopped)`), ms);
    }
    this.child!.send(job);
  }

  private ensureChild(preloadEngine?: string): Promise<void> {
    if (this.child && this.childReady) return this.childReady;
    // The engine to load early goes by environment: argv is the user program's.
    const child = fork(new URL("./child.js", import.meta.url), [], {
      execArgv: ["--enable-source-maps"],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      cwd: this.opts.cwd ?? process.cwd(),
      env: { ...process.env, ...this.opts.env, ...(preloadEngine ? { TENSORLENS_RUNNER_PRELOAD: preloadEngine } : {}) },
    });
    this.child = child;
    this.stderrTail = [];
    this.childReady = new Promise((ready, fail) => {
      child.once("error", fail);
      child.on("message", (m: ChildMessage) => {
        if (m.kind === "alive") { ready(); return; }
        const a = this.active;
        if (m.kind === "done") { a?.finish(m.ok ? "ok" : "error", false); return; }
        this.emit(a ? ({ ...m.message, id: a.req.id } as RunnerMessage) : m.message);
      });
    });
    // Output that bypasses the child's JS streams (the native addon's) arrives here, by line.
    for (const name of ["stdout", "stderr"] as const) {
      let partial = "";
      child[name]!.setEncoding("utf8").on("data", (chunk: string) => {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop()!;
        for (const text of lines) {
          if (name === "stderr") { this.stderrTail.push(text); if (this.stderrTail.length > 50) this.stderrTail.shift(); }
          this.emit({ type: name, ...(this.active ? { id: this.active.req.id } : {}), text });
        }
      });
    }
    child.once("exit", (code, signal) => {
      // A child we killed (cancel, timeout) was already replaced: its end is no news.
      if (this.child !== child) return;
      this.child = undefined;
      this.childReady = undefined;
      // Give the last stderr lines (a crash report) a moment to be read before judging.
      setImmediate(() => this.childDied(code, signal));
    });
    return this.childReady;
  }

  private childDied(code: number | null, signal: NodeJS.Signals | null) {
    const a = this.active;
    if (!a || this.closed) return;
    const crash = this.stderrTail.map((l) => CRASH_LINE.exec(l)).find(Boolean);
    const oom = this.stderrTail.some((l) => /heap out of memory|Allocation failed/i.test(l));
    if (crash) {
      this.emit({ type: "error", id: a.req.id, kind: "crash", message: `the native addon crashed (${crash[1]}) in op ${crash[2]}`, lastOp: crash[2]! });
    } else if (oom) {
      this.emit({ type: "error", id: a.req.id, kind: "out-of-memory", message: "the run ran out of memory (JavaScript heap); the process was stopped" });
    } else if (signal) {
      this.emit({ type: "error", id: a.req.id, kind: "crash", message: `the runner's process ended unexpectedly (signal ${signal})` });
    } else {
      // The user's code called process.exit: its own verdict.
      if (code !== 0) this.emit({ type: "error", id: a.req.id, kind: "runtime", message: `the program exited with code ${code}` });
      a.finish(code === 0 ? "ok" : "error");
      return;
    }
    a.finish("crashed");
  }

  private killChild(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    this.childReady = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((res) => c.once("exit", () => res()));
    c.kill("SIGKILL");
    return gone;
  }
}

