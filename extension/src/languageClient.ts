/**
 * The language server's client: the bundled server forked over IPC with VS Code's own Node.
 * Restarts it when it dies, with a notice; a server that dies again within a short while stays
 * stopped (a crash loop helps no one) and the notice offers a manual restart.
 */
import * as vscode from "vscode";
import {
  LanguageClient, TransportKind, CloseAction, ErrorAction,
  type LanguageClientOptions, type ServerOptions, type ErrorHandler,
} from "vscode-languageclient/node.js";
import type { Settings } from "./settings.js";

const RESTART_WINDOW_MS = 3 * 60_000;
const MAX_RESTARTS = 3;

export class ServerClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private crashes: number[] = [];
  /** Resolves when the client has started (the first hints can be asked for). */
  started: Promise<void> = Promise.resolve();

  constructor(
    private readonly serverModule: string,
    private readonly settings: Settings,
    private readonly output: vscode.OutputChannel,
    /** Called when hints come back non-empty (the activation-to-first-hints measure). */
    private readonly onHints: () => void = () => {},
    private readonly onHintsAsked: () => void = () => {},
  ) {}

  start(): Promise<void> {
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ["--inspect=6019"] } },
    };
    const settings = this.settings;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: "file", language: "typescript" }, { scheme: "file", language: "typescriptreact" },
        { scheme: "file", language: "javascript" }, { scheme: "file", language: "javascriptreact" },
        { scheme: "untitled", language: "typescript" },
      ],
      outputChannel: this.output,
      errorHandler: this.errorHandler(),
      middleware: {
        // The hints setting/command: the server keeps computing, the editor asks nothing.
        // Workspace Trust: the Run/Profile lenses say why they will not run.
        provideCodeLenses: async (doc, token, next) => {
          const lenses = await next(doc, token);
          if (vscode.workspace.isTrusted || !lenses) return lenses;
          for (const lens of lenses) {
            const id = lens.command?.command;
            if (id === "tensorlens.run" || id === "tensorlens.profile") {
              lens.command!.title = `${lens.command!.title} (needs a trusted workspace)`;
              lens.command!.tooltip = "Restricted Mode: Tensorlens runs nothing until you trust this folder.";
            }
          }
          return lenses;
        },
        provideInlayHints: async (doc, range, token, next) => {
          if (!settings.hintsEnabled()) return [];
          this.onHintsAsked();
          const hints = await next(doc, range, token);
          if (hints?.length) this.onHints();
          return hints;
        },
      },
    };
    const client = new LanguageClient("tensorlens", "Tensorlens Language Server", serverOptions, clientOptions);
    this.client = client;
    this.started = client.start();
    return this.started;
  }

  private errorHandler(): ErrorHandler {
    return {
      error: () => ({ action: ErrorAction.Continue }),
      closed: () => {
        const now = Date.now();
        this.crashes = this.crashes.filter((t) => now - t < RESTART_WINDOW_MS);
        this.crashes.push(now);
        if (this.crashes.length <= MAX_RESTARTS) {
          void vscode.window.showWarningMessage("Tensorlens: the language server stopped unexpectedly and was restarted.");
          return { action: CloseAction.Restart, handled: true };
        }
        void vscode.window.showErrorMessage(
          `Tensorlens: the language server stopped ${this.crashes.length} times in ${RESTART_WINDOW_MS / 60_000} minutes and stays off. See the "Tensorlens" output.`,
          "Restart",
        ).then((pick) => { if (pick === "Restart") void this.restart(); });
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }

  async restart(): Promise<void> {
    this.crashes = [];
    const old = this.client;
    this.client = undefined;
    if (old) { try { await old.stop(); } catch { /* already stopped */ } }
    await this.start();
  }

  /** Asks the editor to fetch hints again (after the hints setting changed). */
  refreshHints(): void {
    // The client's providers expose the emitters a server refresh request fires.
    this.refreshVisible(this.client?.getFeature("textDocument/inlayHint"), (p) => (p as { onDidChangeInlayHints: vscode.EventEmitter<void> }).onDidChangeInlayHints);
  }

  /** Asks the editor to fetch code lenses again (after Workspace Trust was granted). */
  refreshLenses(): void {
    this.refreshVisible(this.client?.getFeature("textDocument/codeLens"), (p) => (p as { onDidChangeCodeLensEmitter: vscode.EventEmitter<void> }).onDidChangeCodeLensEmitter);
  }

  /** Fires, once per provider, the change event of a feature's providers for the visible editors. */
  private refreshVisible(feature: { getProvider(document: vscode.TextDocument): unknown } | undefined, emitterOf: (provider: unknown) => vscode.EventEmitter<void>): void {
    const fired = new Set<unknown>();
    for (const editor of vscode.window.visibleTextEditors) {
      const provider = feature?.getProvider(editor.document);
      if (provider && !fired.has(provider)) { fired.add(provider); emitterOf(provider).fire(); }
    }
  }

  /** A custom request to the server (its `tensorlens/...` methods). */
  async request<R>(method: string, params: unknown): Promise<R> {
    await this.started;
    if (!this.client) throw new Error("the Tensorlens language server is not running");
    return this.client.sendRequest<R>(method, params);
  }

  get serverPid(): number | undefined {
    return (this.client as unknown as { _serverProcess?: { pid?: number } } | undefined)?._serverProcess?.pid;
  }

  async dispose(): Promise<void> {
    await this.client?.stop();
  }
}
