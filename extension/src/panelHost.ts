/**
 * One editor-area webview panel (the array viewer, the profile view, the training curves): the
 * page from webview/src/page.ts under a strict nonce CSP, resources only from the webview
 * bundle folder, every message it posts validated with the shared protocol's PanelMessage
 * before use, and everything sent to it a HostMessage. The panel is created on first use and
 * again after the user closes it. No retainContextWhenHidden: the page keeps its UI state
 * with setState, and the owner re-sends its data when the page says `ready` (after a load, or
 * after being shown again).
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import { HostMessage, PanelMessage } from "../../engine/src/runner/protocol.js";
import { panelHtml, PANEL_TITLES, type PanelKind } from "../../webview/src/page.js";

export type Painted = Extract<PanelMessage, { type: "painted" }>;

export interface PanelHostOptions {
  kind: Exclude<PanelKind, "paramTree">;
  /** The page loaded (or was rebuilt after hide/show): send it what it should show. */
  onReady(): void;
  /** Any other valid message from the page. */
  onMessage(message: PanelMessage): void;
}

export class PanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly paintedEmitter = new vscode.EventEmitter<Painted>();
  /** Each `painted` message of the page (tests and the bench read them through the API). */
  readonly onDidPaint = this.paintedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.paintedEmitter];

  constructor(private readonly bundleDir: vscode.Uri, private readonly opts: PanelHostOptions) {}

  get isOpen(): boolean { return this.panel !== undefined; }
  get isReady(): boolean { return this.ready; }

  /** Opens the panel (beside the editor) or reveals it; `preserveFocus` keeps the editor focused. */
  open(preserveFocus = true): void {
    if (this.panel) {
      if (!this.panel.visible) this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      `tensorlens.${this.opts.kind}`,
      PANEL_TITLES[this.opts.kind],
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: [this.bundleDir] },
    );
    this.panel = panel;
    this.ready = false;
    const webview = panel.webview;
    webview.html = panelHtml(this.opts.kind, {
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.bundleDir, `${this.opts.kind}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.bundleDir, `${this.opts.kind}.css`)).toString(),
      nonce: randomBytes(18).toString("base64"),
      cspSource: webview.cspSource,
    });
    const subs = [
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      // Hidden without retainContextWhenHidden, the page is gone: it posts `ready` again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
    ];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      if (this.panel === panel) { this.panel = undefined; this.ready = false; }
    });
  }

  /**
   * Sends a message (validated: it must be a HostMessage) when the page is up; returns false
   * when it is not (the owner re-sends what matters on `ready`).
   */
  post(message: HostMessage): boolean {
    if (!this.panel || !this.ready) return false;
    void this.panel.webview.postMessage(HostMessage.parse(message));
    return true;
  }

  private receive(raw: unknown): void {
    const parsed = PanelMessage.safeParse(raw);
    if (!parsed.success) {
      console.warn(`tensorlens: ignored an invalid message from the ${this.opts.kind} panel: ${parsed.error.message.slice(0, 300)}`);
      return;
    }
    const m = parsed.data;
    if (m.type === "ready") { this.ready = true; this.opts.onReady(); return; }
    if (m.type === "painted") { this.paintedEmitter.fire(m); return; }
    this.opts.onMessage(m);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
