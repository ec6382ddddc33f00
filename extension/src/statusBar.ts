/** The status bar item: the backend (and device) the next run uses; a click switches it. */
import * as vscode from "vscode";
import type { Backend, Settings } from "./settings.js";

export class BackendStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("tensorlens.backend", vscode.StatusBarAlignment.Right, 100);
  /** What the last session reported: the backend that ran and the backends it offers. */
  private lastRan: string | undefined;

  constructor(private readonly settings: Settings) {
    this.item.name = "Tensorlens backend";
    this.item.command = "tensorlens.switchBackend";
    this.update();
  }

  show(): void { this.item.show(); }

  /** After a run: the backend that actually ran (the native one may have fallen back). */
  ran(backend: string): void {
    this.lastRan = backend;
    this.update();
  }

  update(): void {
    const next = this.settings.backend();
    const device = next === "native" ? "CPU (C++)" : "CPU (TypeScript)";
    // The last run may have used another backend (no native addon, or the bundled engine).
    this.item.text = this.lastRan && this.lastRan !== next ? `$(circuit-board) ${next} (ran ${this.lastRan})` : `$(circuit-board) ${next}`;
    const fell = this.lastRan && this.lastRan !== next ? `\n\nThe last run used ${this.lastRan}.` : "";
    this.item.tooltip = `Tensorlens: the next run uses the ${next} backend on ${device}. Click to switch.${fell}`;
  }

  async pick(): Promise<void> {
    const current = this.settings.backend();
    const items: (vscode.QuickPickItem & { backend: Backend })[] = [
      { label: "native", description: "C++ addon, CPU", backend: "native", picked: current === "native" },
      { label: "reference", description: "TypeScript interpreter, CPU (the oracle, slow)", backend: "reference", picked: current === "reference" },
    ];
    const pick = await vscode.window.showQuickPick(items, { placeHolder: `Backend for the next run (now ${current})` });
    if (pick) this.switchTo(pick.backend);
  }

  switchTo(backend: Backend): void {
    this.settings.backendOverride = backend;
    this.update();
  }

  dispose(): void { this.item.dispose(); }
}
