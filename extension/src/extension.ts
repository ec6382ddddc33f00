/**
 * The extension's entry: wiring only. It starts the language server's client, registers the
 * commands, the param-tree view and the status bar item, and returns a small API for tests.
 * No analysis and no computation happen here. The run machinery (runtime.ts) is a separate
 * bundle loaded on the first run or when the param-tree view opens.
 */
import * as vscode from "vscode";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { ServerClient } from "./languageClient.js";
import { showGaps } from "./gaps.js";
import { Settings } from "./settings.js";
import { BackendStatus } from "./statusBar.js";
import type { OpenArrayArgs, Runtime } from "./runtime.js";
import type { Painted } from "./panelHost.js";
import type { FetchRecord } from "./arrayViewerPanel.js";
import type { ShownResult } from "./paramTreeView.js";
import type { LensArgs, RunRecord } from "./runs.js";

/** What `activate` returns: hooks for tests and other extensions. */
export interface TensorlensApi {
  /** performance.now() in the extension host at the start of activate. */
  activatedAt: number;
  /** Resolves when the language client is running. */
  clientReady: Promise<void>;
  /** The next `rendered` message of the param-tree page. */
  nextRendered(): Promise<{ ms: number; rows: number; leaves: number }>;
  lastResult(): ShownResult | undefined;
  lastRun(): RunRecord | undefined;
  /** Requests sent to runner processes so far. */
  runRequests(): number;
  /** The inline summaries currently shown for a file. */
  decorations(uri: vscode.Uri): string[];
  serverPid(): number | undefined;
  timings(): Timings;
  /** The next `painted` message of a panel (the array viewer, the profile view), optionally about `what`. */
  nextPainted(panel: Painted["panel"], what?: string): Promise<Painted>;
  /** What the editor-area panels did so far. */
  panels(): PanelActivity;
}

export interface PanelActivity {
  /** Every `painted` message, in order. */
  painted: Painted[];
  /** The array viewer's fetchSlice requests answered (slice or sliceFailed). */
  fetches: FetchRecord[];
  /** Metric messages posted to the training curves page. */
  metricsPosted: number;
  open: { arrayViewer: boolean; profile: boolean; curves: boolean };
}

/** Milliseconds from the start of activate. */
export interface Timings {
  /** activate returned. */
  activatedMs?: number;
  /** The server process started (Linux only: from /proc). */
  serverSpawnedMs?: number;
  /** The language client runs (the server answered initialize). */
  clientReadyMs?: number;
  /** CPU time the server had used by then (Linux only). */
  serverCpuMsAtReady?: number;
  /** The editor first asked this extension for hints, and first got some. */
  firstHintsAskedMs?: number;
  firstHintsMs?: number;
  /** The run machinery's bundle loaded (first run or view), and how long its loading took. */
  runtimeLoadedMs?: number;
  runtimeLoadMs?: number;
}

export function activate(context: vscode.ExtensionContext): TensorlensApi {
  const activatedAt = performance.now();
  const since = () => performance.now() - activatedAt;
  const timings: Timings = {};
  const output = vscode.window.createOutputChannel("Tensorlens");
  const settings = new Settings();
  const dist = join(context.extensionPath, "extension", "dist");
  const client = new ServerClient(join(dist, "server.cjs"), settings, output,
    () => { timings.firstHintsMs ??= since(); },
    () => { timings.firstHintsAskedMs ??= since(); });
  const clientReady = client.start().then(() => {
    timings.clientReadyMs = since();
    const proc = processTimes(client.serverPid);
    if (proc) { timings.serverSpawnedMs = timings.clientReadyMs - proc.ageMs; timings.serverCpuMsAtReady = proc.cpuMs; }
  }).catch((e: Error) => {
    output.appendLine(`Tensorlens: the language server did not start: ${e.message}`);
    void vscode.window.showErrorMessage(`Tensorlens: the language server did not start: ${e.message}`);
  });

  const status = new BackendStatus(settings);
  status.show();

  let runtime: Runtime | undefined;
  const renderWaiters: ((r: { ms: number; rows: number; leaves: number }) => void)[] = [];
  const painted: Painted[] = [];
  let paintWaiters: { panel: string; what?: string; resolve: (p: Painted) => void }[] = [];
  const load = (): Runtime => {
    if (runtime) return runtime;
    const t0 = performance.now();
    // A path esbuild does not follow: runtime.cjs is its own bundle.
    const mod = require(join(dist, "runtime.cjs")) as typeof import("./runtime.js");
    runtime = mod.createRuntime(context, settings, output, status);
    runtime.view.onDidRender((r) => { for (const w of renderWaiters.splice(0)) w(r); });
    for (const host of [runtime.arrayViewer.host, runtime.profile.host, runtime.curves.host]) {
      host.onDidPaint((p) => {
        painted.push(p);
        const hit = paintWaiters.filter((w) => w.panel === p.panel && (w.what === undefined || w.what === p.what));
        paintWaiters = paintWaiters.filter((w) => !hit.includes(w));
        for (const w of hit) w.resolve(p);
      });
    }
    timings.runtimeLoadMs = performance.now() - t0;
    timings.runtimeLoadedMs = since();
    return runtime;
  };

  context.subscriptions.push(
    output, status,
    { dispose: () => { void client.dispose(); } },
    vscode.window.registerWebviewViewProvider("tensorlens.paramTree", {
      resolveWebviewView: (view) => load().view.resolveWebviewView(view),
    }, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand("tensorlens.run", (args?: LensArgs) => load().runs.run("run", args)),
    vscode.commands.registerCommand("tensorlens.profile", (args?: LensArgs) => load().runs.run("profile", args)),
    vscode.commands.registerCommand("tensorlens.cancelRun", () => runtime?.runs.cancelAll() ?? 0),
    // From a result decoration's hover link ({ uri, path }), or the palette (the cursor's line).
    vscode.commands.registerCommand("tensorlens.openArray", (args?: OpenArrayArgs) => load().openArray(args)),
    vscode.commands.registerCommand("tensorlens.showCurves", () => load().curves.open()),
    vscode.commands.registerCommand("tensorlens.toggleHints", async () => {
      await settings.setHintsEnabled(!settings.hintsEnabled());
      void vscode.window.setStatusBarMessage(`Tensorlens: shape hints ${settings.hintsEnabled() ? "on" : "off"}`, 2500);
    }),
    // With an argument ("native" | "reference") it switches without asking (keybindings, tests).
    vscode.commands.registerCommand("tensorlens.switchBackend", (backend?: unknown) =>
      backend === "native" || backend === "reference" ? status.switchTo(backend) : status.pick()),
    vscode.commands.registerCommand("tensorlens.restartServer", () => client.restart()),
    vscode.commands.registerCommand("tensorlens.showGaps", (args?: { uri?: string; pick?: boolean }) => showGaps(client, args)),
    vscode.commands.registerCommand("tensorlens.showOutput", () => output.show()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => client.refreshLenses()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("tensorlens.hints.enabled")) client.refreshHints();
      if (e.affectsConfiguration("tensorlens.backend")) { settings.backendOverride = undefined; status.update(); }
    }),
  );

  timings.activatedMs = since();
  return {
    activatedAt,
    clientReady: clientReady.then(() => undefined),
    nextRendered: () => new Promise((resolve) => { renderWaiters.push(resolve); }),
    lastResult: () => runtime?.view.lastResult,
    lastRun: () => runtime?.runs.last,
    runRequests: () => runtime?.runs.requestsSent ?? 0,
    decorations: (uri) => runtime?.annotations.decorationsOf(uri) ?? [],
    serverPid: () => client.serverPid,
    timings: () => ({ ...timings }),
    nextPainted: (panel, what) => new Promise((resolve) => { paintWaiters.push({ panel, what, resolve }); }),
    panels: () => ({
      painted: [...painted],
      fetches: [...(runtime?.arrayViewer.fetches ?? [])],
      metricsPosted: runtime?.curves.posted ?? 0,
      open: { arrayViewer: !!runtime?.arrayViewer.host.isOpen, profile: !!runtime?.profile.host.isOpen, curves: !!runtime?.curves.host.isOpen },
    }),
  };
}

/** How long ago a process started and the CPU time it used, from /proc (Linux); undefined elsewhere. */
function processTimes(pid: number | undefined): { ageMs: number; cpuMs: number } | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const uptimeS = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    // Fields 14, 15 (utime, stime) and 22 (starttime) of proc(5), in clock ticks of 1/100 s.
    return { ageMs: (uptimeS - Number(f[19]) / 100) * 1000, cpuMs: (Number(f[11]) + Number(f[12])) * 10 };
  } catch { return undefined; }
}

export function deactivate(): void { /* disposables close the client and the sessions */ }
