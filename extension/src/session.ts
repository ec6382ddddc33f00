/**
 * One runner session process (`tensorlens serve`) per engine: requests go in as JSON lines on
 * stdin, messages come back as JSON lines on stdout, each answering message carrying its
 * request's id. User code never runs in the extension host; it runs here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import {
  parseMessage, type RunnerMessage, type RunnerRequest, type MessageOf,
} from "../../engine/src/runner/protocol.js";
import type { EngineLocation } from "./engine.js";
import { nodeCommand } from "./engine.js";

export type Listener = (m: RunnerMessage) => void;

export interface SessionLog {
  /** Lines the session printed outside the protocol (its stderr, unparsable lines). */
  (line: string): void;
}

export class RunnerSession {
  private proc: ChildProcess | undefined;
  private readyPromise: Promise<MessageOf<"ready">> | undefined;
  private readonly listeners = new Map<string, Listener>();
  private nextId = 1;
  private disposed = false;

  constructor(readonly engine: EngineLocation, private readonly log: SessionLog, private readonly cwd?: string) {}

  /** Starts the process if it is not running; resolves on its `ready` line. */
  ready(): Promise<MessageOf<"ready">> {
    if (this.readyPromise && this.proc && this.proc.exitCode === null && !this.proc.killed) return this.readyPromise;
    this.readyPromise = this.start();
    return this.readyPromise;
  }

  private start(): Promise<MessageOf<"ready">> {
    const { command, env } = nodeCommand();
    const proc = spawn(command, [this.engine.cli, "serve"], {
      cwd: this.workingDir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.proc = proc;
    return new Promise((resolve, reject) => {
      let ready = false;
      proc.on("error", (e) => { if (!ready) reject(new Error(`could not start the runner (${command} ${this.engine.cli}): ${e.message}`)); });
      createInterface({ input: proc.stderr! }).on("line", (line) => this.log(line));
      createInterface({ input: proc.stdout! }).on("line", (line) => {
        if (!line.trim()) return;
        let m: RunnerMessage;
        try { m = parseMessage(line); } catch (e) { this.log(`runner: ${(e as Error).message}: ${line.slice(0, 200)}`); return; }
        if (m.type === "ready") { ready = true; resolve(m); return; }
        const id = "id" in m ? m.id : undefined;
        if (id !== undefined) this.listeners.get(id)?.(m);
      });
      proc.on("exit", (code, signal) => {
        if (this.proc === proc) this.proc = undefined;
        const why = signal ? `signal ${signal}` : `code ${code}`;
        if (!ready) reject(new Error(`the runner exited before it was ready (${why})`));
        else if (!this.disposed) this.log(`runner: the session process exited (${why}); the next run starts a new one`);
        // Every request still waiting learns that it will get no answer.
        for (const [id, listener] of [...this.listeners]) {
          listener({ type: "error", id, kind: "crash", message: `the runner process exited (${why})` });
          listener({ type: "exit", id, code: 1, status: "crashed", elapsedMs: 0 });
        }
        this.listeners.clear();
      });
    });
  }

  /** Sends a request built around a fresh id; `listener` receives every message with that id until `exit`. */
  async request(build: (id: string) => RunnerRequest, listener: Listener): Promise<string> {
    await this.ready();
    const id = String(this.nextId++);
    this.listeners.set(id, (m) => {
      if (m.type === "exit") this.listeners.delete(id);
      listener(m);
    });
    this.send(build(id));
    return id;
  }

  cancel(target: string): void {
    if (!this.listeners.has(target)) return;
    this.send({ id: String(this.nextId++), type: "cancel", target });
  }

  private send(r: RunnerRequest): void {
    this.proc?.stdin?.write(JSON.stringify(r) + "\n");
  }

  get pid(): number | undefined { return this.proc?.pid; }

  /** The runner's working folder: relative paths in its traces are relative to it. */
  get workingDir(): string { return this.cwd ?? this.engine.dir; }

  dispose(): void {
    this.disposed = true;
    const proc = this.proc;
    if (!proc) return;
    try { this.send({ id: String(this.nextId++), type: "shutdown" }); proc.stdin?.end(); } catch { /* already gone */ }
    const t = setTimeout(() => proc.kill(), 1000);
    proc.once("exit", () => clearTimeout(t));
  }
}
