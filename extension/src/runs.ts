/**
 * The Run / Profile lens commands: a request to the engine's session process (never the
 * extension host), a progress notification with Cancel, the run's output in the output channel,
 * and what it leaves behind: error diagnostics, array summaries, the param-tree explorer.
 */
import * as vscode from "vscode";
import type { ArraySlice, MessageOf, RunnerMessage, TreeNode } from "../../engine/src/runner/protocol.js";
import { bundledEngine, projectEngine, type EngineLocation } from "./engine.js";
import { RunnerSession } from "./session.js";
import type { Settings } from "./settings.js";
import type { RunAnnotations } from "./annotations.js";
import type { ParamTreeView } from "./paramTreeView.js";
import type { BackendStatus } from "./statusBar.js";

export interface LensArgs { uri: string; functionName?: string }

/** A message of a run, with what the panels need to place it (see runtime.ts). */
export interface RunEvent {
  kind: "run" | "profile";
  /** The request's id in its session (what `cancel` names). */
  id: string;
  label: string;
  session: RunnerSession;
  message: RunnerMessage;
}

export interface RunRecord {
  kind: "run" | "profile";
  file: string;
  fn?: string;
  status: MessageOf<"exit">["status"] | "refused" | "failed";
  /** From the command's invocation to the result message, and to the exit. */
  toResultMs?: number;
  toExitMs?: number;
  engine?: EngineLocation;
  /** The backend that ran (from `started`). */
  backend?: string;
  error?: MessageOf<"error">;
  result?: MessageOf<"result">;
  profile?: MessageOf<"profile">;
}

export class Runs implements vscode.Disposable {
  private readonly sessions = new Map<string, RunnerSession>();
  private readonly previous = new Map<string, TreeNode>();
  /** Requests sent to a runner (tests check that an untrusted workspace sends none). */
  requestsSent = 0;
  last: RunRecord | undefined;
  private lastBackend: string | undefined;
  /** Cancellers of the runs in flight (the progress notification's Cancel, or the command). */
  private readonly inFlight = new Set<() => void>();
  /** The same cancellers by request id (the curves panel's Cancel names its run). */
  private readonly cancelById = new Map<string, () => void>();
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  readonly onDidFinish = this.finished.event;
  private readonly messages = new vscode.EventEmitter<RunEvent>();
  /** Every message of every run (the panels: previews, metrics, profiles, run state). */
  readonly onDidMessage = this.messages.event;
  /** The session that produced the last result: its array handles are fetchable there. */
  private resultSession: RunnerSession | undefined;

  constructor(
    private readonly extensionDir: string,
    private readonly settings: Settings,
    private readonly output: vscode.OutputChannel,
    private readonly annotations: RunAnnotations,
    private readonly view: ParamTreeView,
    private readonly status: BackendStatus,
  ) {}

  async run(kind: "run" | "profile", args: LensArgs | undefined): Promise<RunRecord> {
    const t0 = performance.now();
    const uri = args?.uri ? vscode.Uri.parse(args.uri) : vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== "file") {
      void vscode.window.showErrorMessage("Tensorlens: open a saved TypeScript file to run it.");
      return this.done({ kind, file: uri?.toString() ?? "", status: "failed" });
    }
    const file = uri.fsPath;
    const fn = args?.functionName;
    if (!vscode.workspace.isTrusted) {
      // Workspace Trust: running user code needs a trusted workspace; hints keep working.
      void vscode.window.showWarningMessage(
        "Tensorlens runs nothing in an untrusted workspace: trust this folder to use Run and Profile (shapes and hints still work).",
        "Manage Workspace Trust",
      ).then((pick) => { if (pick) void vscode.commands.executeCommand("workbench.trust.manage"); });
      return this.done({ kind, file, fn, status: "refused" });
    }

    const doc = await vscode.workspace.openTextDocument(uri);
    // The runner bundles the file from disk: what is on screen is what runs.
    if (doc.isDirty) await doc.save();
    const fnLine = functionLine(doc, fn);

    const engine = projectEngine(file) ?? bundledEngine(this.extensionDir);
    if (!engine) {
      const msg = "Tensorlens: no engine to run with: `tensorlens` does not resolve from this file's folder. Install it in your project (npm install tensorlens).";
      void vscode.window.showErrorMessage(msg);
      this.output.appendLine(msg);
      return this.done({ kind, file, fn, status: "failed" });
    }
    if (engine.bundled) {
      this.output.appendLine("Tensorlens: this project has no `tensorlens` package; running with the engine bundled in the extension, on the reference backend (TypeScript, slow). For the native backend: npm install tensorlens");
    }
    const session = this.session(engine);
    void this.view.open();
    const backend = engine.bundled ? "reference" : this.settings.backend();
    const label = `${vscode.workspace.asRelativePath(uri)}${fn ? ` › ${fn}` : ""}`;
    this.annotations.clear(uri);
    this.output.appendLine(`\n${kind === "run" ? "▶" : "⏱"} ${label} (${backend})`);

    const record: RunRecord = { kind, file, fn, status: "failed", engine };
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tensorlens: ${kind === "run" ? "running" : "profiling"} ${fn ?? label}`, cancellable: true },
      (progress, token) => new Promise<RunRecord>((resolve) => {
        let id: string | undefined;
        let cancelled = false;
        const cancel = () => { cancelled = true; if (id) session.cancel(id); };
        this.inFlight.add(cancel);
        token.onCancellationRequested(cancel);
        const onMessage = (m: RunnerMessage) => {
          if (id !== undefined) {
            if (m.type === "started") this.cancelById.set(id, cancel);
            if (m.type === "result") this.resultSession = session;
            try { this.messages.fire({ kind, id, label, session, message: m }); } catch (e) { this.output.appendLine(`Tensorlens: ${(e as Error).message}`); }
          }
          switch (m.type) {
            case "started":
              record.backend = m.backend;
              this.lastBackend = m.backend;
              progress.report({ message: `on ${m.backend} (pid ${m.pid})` });
              this.status.ran(m.backend);
              break;
            case "stdout": case "stderr":
              this.output.append(m.text.endsWith("\n") ? m.text : m.text + "\n");
              break;
            case "metric":
              progress.report({ message: Object.entries(m.values).map(([k, v]) => `${k}=${v}`).join(" ") });
              break;
            case "result":
              record.result = m;
              record.toResultMs = performance.now() - t0;
              this.output.appendLine(m.display);
              this.showResult(uri, fnLine, label, m);
              break;
            case "profile":
              record.profile = m;
              this.output.appendLine(m.text);
              if (m.summary.traceFile) this.output.appendLine(`Trace (open in https://ui.perfetto.dev): ${m.summary.traceFile}`);
              break;
            case "error":
              record.error = m;
              this.output.appendLine(`${m.kind}: ${m.message}${m.location ? ` (${m.location.file}:${m.location.line}:${m.location.column})` : ""}`);
              if (m.kind !== "cancelled" && m.kind !== "timeout") this.annotations.error(m, { uri, line: fnLine });
              if (m.kind === "timeout") void vscode.window.showWarningMessage(`Tensorlens: ${label} ran past the run timeout (tensorlens.run.timeoutSeconds).`);
              break;
            case "exit":
              record.status = m.status;
              record.toExitMs = performance.now() - t0;
              this.inFlight.delete(cancel);
              if (id !== undefined) this.cancelById.delete(id);
              this.output.appendLine(`${m.status} (exit ${m.code}) in ${m.elapsedMs.toFixed(0)} ms`);
              if (m.status === "error" || m.status === "crashed") this.output.show(true);
              resolve(this.done(record));
              break;
            default: break;
          }
        };
        this.requestsSent++;
        session.request((rid) => {
          id = rid;
          const base = { id: rid, file, fn, backend, dims: this.settings.dims(), timeoutMs: this.settings.runTimeoutMs(), maxResultBytes: this.settings.maxResultBytes() };
          return kind === "run" ? { ...base, type: "run" as const } : { ...base, type: "profile" as const };
        }, onMessage).then(() => { if (cancelled && id) session.cancel(id); }, (e: Error) => {
          this.output.appendLine(`Tensorlens: ${e.message}`);
          this.output.show(true);
          void vscode.window.showErrorMessage(`Tensorlens: ${e.message}`);
          this.inFlight.delete(cancel);
          resolve(this.done(record));
        });
      }),
    );
  }

  /** Cancels the run with this request id, if it is still in flight; returns whether it was. */
  cancel(id: string): boolean {
    const c = this.cancelById.get(id);
    c?.();
    return c !== undefined;
  }

  /**
   * Reads a slice of an array of the last result (sent with a handle) from the session that ran
   * it: the runner's `fetch`. Rejects with the runner's message when it cannot.
   */
  fetch(handle: string, start: number[], stop: number[], step: number[]): Promise<ArraySlice> {
    const session = this.resultSession;
    if (!session) return Promise.reject(new Error("no run result to read from"));
    return new Promise<ArraySlice>((resolve, reject) => {
      let slice: ArraySlice | undefined;
      let error: string | undefined;
      session.request((id) => ({ id, type: "fetch", handle, start, stop, step }), (m) => {
        if (m.type === "slice") slice = m.slice;
        else if (m.type === "error") error = m.message;
        else if (m.type === "exit") {
          if (slice) resolve(slice);
          else reject(new Error(error ?? `the fetch ended ${m.status}`));
        }
      }).catch(reject);
    });
  }

  /** Cancels every run in flight; returns how many there were. */
  cancelAll(): number {
    const n = this.inFlight.size;
    for (const cancel of this.inFlight) cancel();
    return n;
  }

  private showResult(uri: vscode.Uri, fnLine: number, label: string, m: MessageOf<"result">): void {
    this.annotations.result(uri, m.tree, fnLine);
    const previous = this.previous.get(label);
    this.previous.set(label, m.tree);
    void this.view.show({ label, backend: this.lastBackend ?? this.settings.backend(), tree: m.tree, previous, uri, line: fnLine });
  }

  private session(engine: EngineLocation): RunnerSession {
    let s = this.sessions.get(engine.cli);
    if (!s) {
      s = new RunnerSession(engine, (line) => this.output.appendLine(line));
      this.sessions.set(engine.cli, s);
    }
    return s;
  }

  private done(r: RunRecord): RunRecord {
    this.last = r;
    this.finished.fire(r);
    return r;
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.finished.dispose();
    this.messages.dispose();
  }
}

/** The 0-based line declaring `fn` (function, const/let arrow), else 0. */
export function functionLine(doc: vscode.TextDocument, fn: string | undefined): number {
  if (!fn) return 0;
  const re = new RegExp(`^\\s*(export\\s+)?(default\\s+)?(async\\s+)?(function\\*?\\s+${fn}\\b|(const|let|var)\\s+${fn}\\b)`);
  for (let i = 0; i < doc.lineCount; i++) if (re.test(doc.lineAt(i).text)) return i;
  return 0;
}
