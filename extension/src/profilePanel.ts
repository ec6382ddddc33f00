/**
 * The profile view panel (webview/src/panels/profile): opens after a Profile run with the
 * runner's summary and the text of the Chrome trace it wrote (summary.traceFile). `openSource`
 * opens the file at that line: sources in the summary are absolute, those in the trace are
 * relative to the runner's working folder (the session's cwd), resolved against it here.
 * `exportTrace` asks where to save and copies the trace file there.
 */
import * as vscode from "vscode";
import { copyFile, readFile } from "node:fs/promises";
import { basename, isAbsolute, resolve } from "node:path";
import type { HostMessage, MessageOf, PanelMessage } from "../../engine/src/runner/protocol.js";
import { PanelHost } from "./panelHost.js";

type ShowProfile = Extract<HostMessage, { type: "showProfile" }>;

export class ProfilePanel implements vscode.Disposable {
  readonly host: PanelHost;
  private shown: { message: ShowProfile; cwd: string; traceFile?: string } | undefined;

  constructor(bundleDir: vscode.Uri, private readonly log: (line: string) => void) {
    this.host = new PanelHost(bundleDir, {
      kind: "profile",
      onReady: () => { if (this.shown) this.host.post(this.shown.message); },
      onMessage: (m) => { void this.receive(m); },
    });
  }

  /** Shows a profile (`cwd`: the runner's working folder, for the trace's relative paths). */
  async show(label: string, m: MessageOf<"profile">, cwd: string): Promise<void> {
    const traceFile = m.summary.traceFile;
    let traceJson: string | undefined;
    if (traceFile) {
      try { traceJson = await readFile(traceFile, "utf8"); } catch (e) { this.log(`Tensorlens: could not read the trace ${traceFile}: ${(e as Error).message}`); }
    }
    const message: ShowProfile = { type: "showProfile", label, summary: m.summary, ...(traceJson !== undefined ? { traceJson } : {}) };
    this.shown = { message, cwd, ...(traceFile ? { traceFile } : {}) };
    this.host.open();
    this.host.post(message);
  }

  private async receive(m: PanelMessage): Promise<void> {
    if (m.type === "openSource") await this.openSource(m.file, m.line, m.column);
    else if (m.type === "exportTrace") await this.exportTrace();
  }

  /** Opens `file` (absolute, or relative to the runner's folder) at a 1-based line and column. */
  async openSource(file: string, line: number, column: number): Promise<void> {
    const path = isAbsolute(file) ? file : resolve(this.shown?.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? ".", file);
    const uri = vscode.Uri.file(path);
    const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
    // In the editor group that already shows the file, else the first one (the panel sits beside).
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    try {
      await vscode.window.showTextDocument(uri, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: new vscode.Range(pos, pos), preview: true });
    } catch (e) {
      void vscode.window.showWarningMessage(`Tensorlens: cannot open ${path}: ${(e as Error).message}`);
    }
  }

  private async exportTrace(): Promise<void> {
    const from = this.shown?.traceFile;
    if (!from) { void vscode.window.showWarningMessage("Tensorlens: this profile has no trace file to export."); return; }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const to = await vscode.window.showSaveDialog({
      title: "Export the Chrome trace (opens in Perfetto or chrome://tracing)",
      defaultUri: folder ? vscode.Uri.joinPath(folder, basename(from)) : vscode.Uri.file(from),
      filters: { "Chrome trace": ["json"] },
    });
    if (!to) return;
    try {
      await copyFile(from, to.fsPath);
      void vscode.window.setStatusBarMessage(`Tensorlens: trace saved to ${to.fsPath}`, 3000);
    } catch (e) {
      void vscode.window.showErrorMessage(`Tensorlens: could not save the trace: ${(e as Error).message}`);
    }
  }

  dispose(): void { this.host.dispose(); }
}
