/**
 * The param-tree explorer: a webview view in the Tensorlens side bar. The page (HTML and its
 * bundle) comes from webview/; this file serves it under a strict nonce CSP, with resources
 * only from the webview bundle folder, sends it each run's result, and validates every message
 * it posts with the shared protocol's PanelMessage schema before acting on it.
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import { PanelMessage, HostMessage, type TreeNode } from "../../engine/src/runner/protocol.js";
import { paramTreeHtml } from "../../webview/src/page.js";

export interface ShownResult {
  label: string;
  backend: string;
  tree: TreeNode;
  previous?: TreeNode;
  /** Where the result came from: the file and the function's 0-based line. */
  uri: vscode.Uri;
  line: number;
}

export type PanelHandlers = {
  reveal(result: ShownResult, path: string[]): void | Promise<void>;
  openArray(result: ShownResult, path: string[]): void | Promise<void>;
};

export class ParamTreeView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = "tensorlens.paramTree";
  private view: vscode.WebviewView | undefined;
  private last: ShownResult | undefined;
  private pageReady = false;
  private readonly renderedEmitter = new vscode.EventEmitter<{ ms: number; rows: number; leaves: number }>();
  /** Fires on each `rendered` message of the page (after a showResult is on screen). */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.renderedEmitter];

  constructor(private readonly bundleDir: vscode.Uri, private readonly handlers: PanelHandlers) {}

  get lastResult(): ShownResult | undefined { return this.last; }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.pageReady = false;
    view.webview.options = { enableScripts: true, localResourceRoots: [this.bundleDir] };
    const nonce = randomBytes(18).toString("base64");
    view.webview.html = paramTreeHtml({
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(this.bundleDir, "paramTree.js")).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(this.bundleDir, "paramTree.css")).toString(),
      nonce,
      cspSource: view.webview.cspSource,
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidDispose(() => { if (this.view === view) { this.view = undefined; this.pageReady = false; } }),
    );
  }

  /**
   * Opens the view ahead of a result (when a run starts), so that its page loads while the
   * runner works instead of after the result arrives.
   */
  async open(): Promise<void> {
    if (!this.view) await vscode.commands.executeCommand(`${ParamTreeView.viewId}.focus`, { preserveFocus: true });
  }

  /** Shows a run's result (now if the page is up, else when it says `ready`), revealing the view. */
  async show(result: ShownResult): Promise<void> {
    this.last = result;
    if (!this.view) {
      // Opening the view resolves it; the page asks for the result with `ready`.
      await vscode.commands.executeCommand(`${ParamTreeView.viewId}.focus`, { preserveFocus: true });
    } else if (!this.view.visible) {
      this.view.show(true);
    }
    this.post();
  }

  private post(): void {
    if (!this.view || !this.pageReady || !this.last) return;
    const msg = HostMessage.parse({ type: "showResult", label: this.last.label, backend: this.last.backend, tree: this.last.tree, previous: this.last.previous });
    void this.view.webview.postMessage(msg);
  }

  private receive(raw: unknown): void {
    const parsed = PanelMessage.safeParse(raw);
    if (!parsed.success) {
      console.warn(`tensorlens: ignored an invalid message from the param-tree view: ${parsed.error.message.slice(0, 300)}`);
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case "ready": this.pageReady = true; this.post(); break;
      case "rendered": this.renderedEmitter.fire({ ms: m.ms, rows: m.rows, leaves: m.leaves }); break;
      case "copyPath": void vscode.env.clipboard.writeText(m.text).then(() => vscode.window.setStatusBarMessage(`Copied ${m.text}`, 2000)); break;
      case "reveal": if (this.last) void this.handlers.reveal(this.last, m.path); break;
      case "openArray": if (this.last) void this.handlers.openArray(this.last, m.path); break;
    }
  }

  dispose(): void { for (const d of this.disposables) d.dispose(); }
}
