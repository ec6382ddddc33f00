/**
 * The training curves panel (webview/src/panels/curves): opens on a run's first `metric` (or by
 * the `tensorlens.showCurves` command). It gets `runState { running: true, id }` when a run
 * starts, every `metric` as the runner sent it, `runState { running: false, id, status }` at the
 * run's exit; its Cancel (`cancelRun { id }`) becomes the runner's `cancel`.
 *
 * Hide/show: the page keeps its points with setState, but metrics that arrive while it is
 * hidden (or before it has loaded) would be lost; the current run's metrics are kept here
 * (bounded) and replayed after `clear` when the page says `ready`, so it always ends complete.
 */
import * as vscode from "vscode";
import type { HostMessage, MessageOf, PanelMessage } from "../../engine/src/runner/protocol.js";
import { PanelHost } from "./panelHost.js";

type RunState = Extract<HostMessage, { type: "runState" }>;

/** Metric messages kept for a replay: the panel keeps at most 20,000 points per metric too. */
const MAX_KEPT = 20_000;

export class CurvesPanel implements vscode.Disposable {
  readonly host: PanelHost;
  private state: RunState | undefined;
  private metrics: MessageOf<"metric">[] = [];
  /** Metric messages posted to a ready page (tests read it). */
  posted = 0;

  constructor(bundleDir: vscode.Uri, private readonly cancelRun: (id: string) => boolean) {
    this.host = new PanelHost(bundleDir, {
      kind: "curves",
      onReady: () => this.replay(),
      onMessage: (m) => this.receive(m),
    });
  }

  open(): void { this.host.open(); }

  runStarted(id: string, label: string): void {
    this.state = { type: "runState", running: true, id, label };
    this.metrics = [];
    this.host.post(this.state);
  }

  metric(id: string, label: string, m: MessageOf<"metric">): void {
    if (this.state?.id !== id) this.runStarted(id, label);
    this.metrics.push(m);
    if (this.metrics.length > MAX_KEPT) this.metrics = this.metrics.filter((_, i) => i % 2 === 0 || i === this.metrics.length - 1);
    if (!this.host.isOpen) { this.host.open(); return; } // replayed when the page is ready
    if (this.host.post(m)) this.posted++;
  }

  runEnded(id: string, status: MessageOf<"exit">["status"]): void {
    if (this.state?.id !== id) return;
    this.state = { ...this.state, running: false, status };
    this.host.post(this.state);
  }

  private replay(): void {
    if (!this.state) return;
    if (this.metrics.length) this.host.post({ type: "clear", reason: "Waiting for metrics: call report({ loss }) in a running program." });
    this.host.post(this.state);
    for (const m of this.metrics) if (this.host.post(m)) this.posted++;
  }

  private receive(m: PanelMessage): void {
    if (m.type !== "cancelRun") return;
    if (!this.cancelRun(m.id)) {
      void vscode.window.setStatusBarMessage("Tensorlens: that run is not running any more", 2500);
      if (this.state?.id === m.id && this.state.running) this.runEnded(m.id, "cancelled");
    }
  }

  dispose(): void { this.host.dispose(); }
}
