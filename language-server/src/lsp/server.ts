/**
 * Wiring: LSP requests and notifications to the session's handlers (documentSync.ts,
 * features.ts). Every handler is guarded: a failure is logged and answered with an empty
 * result, never an internal error.
 */
import {
  createConnection, ProposedFeatures, TextDocumentSyncKind,
  type InitializeParams, type InitializeResult,
} from "vscode-languageserver/node.js";
import { fileURLToPath } from "node:url";
import { Workspace } from "../analysis/workspace.js";
import { Session } from "./session.js";
import { didChange, didClose, didOpen } from "./documentSync.js";
import { codeActions, codeLenses, gaps, hover, inlayHints } from "./features.js";

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const s = new Session(connection);
  connection.onInitialize((params) => initialize(s, params));
  connection.onDidOpenTextDocument(s.guarded("didOpen", undefined, (p) => didOpen(s, p)));
  connection.onDidChangeTextDocument(s.guarded("didChange", undefined, (p) => didChange(s, p)));
  connection.onDidCloseTextDocument(s.guarded("didClose", undefined, (p) => didClose(s, p)));
  connection.languages.inlayHint.on(s.guarded("inlayHint", [], (p) => inlayHints(s, p)));
  connection.onHover(s.guarded("hover", null, (p) => hover(s, p)));
  connection.onCodeLens(s.guarded("codeLens", [], (p) => codeLenses(s, p)));
  connection.onCodeAction(s.guarded("codeAction", [], (p) => codeActions(s, p)));
  connection.onRequest("tensorlens/gaps", s.guarded("gaps", [], (p: { textDocument: { uri: string } }) => gaps(s, p)));
  connection.onShutdown(() => { s.workspace?.dispose(); });
  connection.listen();
}

/** The workspace opens at the client's first folder (else its root path, else the current directory). */
function initialize(s: Session, params: InitializeParams): InitializeResult {
  const rootUri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  const root = rootUri?.startsWith("file:") ? fileURLToPath(rootUri) : params.rootPath ?? process.cwd();
  s.workspace = new Workspace(root);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      inlayHintProvider: true,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      codeActionProvider: { codeActionKinds: ["quickfix"] },
    },
    serverInfo: { name: "tensorlens-language-server", version: "0.1.0" },
  };
}
