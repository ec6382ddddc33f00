/**
 * Wiring: LSP requests and notifications to the workspace and its analysis. Every handler
 * catches: a failure is logged and answered with an empty result, never an internal error.
 */
import {
  createConnection, ProposedFeatures, TextDocumentSyncKind,
  type InitializeParams, type InitializeResult,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { fileURLToPath } from "node:url";
import { Workspace } from "../analysis/workspace.js";
import type { AnalysisResult, Position, Range } from "../analysis/results.js";
import { toCodeActions, toCodeLens, toDiagnostic, toHover, toInlayHint } from "./toProto.js";
import { uriToFileName } from "./uris.js";

/** Diagnostics wait for a pause in typing; hints for the visible range are computed on request. */
const DIAGNOSTICS_DELAY_MS = 150;

export function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  let workspace: Workspace | undefined;
  const documents = new Map<string, TextDocument>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();

  const log = (what: string, e: unknown) => connection.console.error(`tensorlens: ${what}: ${(e as Error)?.stack ?? e}`);

  function guarded<P, R>(what: string, empty: R, run: (p: P) => R): (p: P) => R {
    return (p) => {
      try { return run(p); } catch (e) { log(what, e); return empty; }
    };
  }

  function analysis(uri: string, range?: Range): AnalysisResult | undefined {
    const doc = documents.get(uri);
    const focus = range && doc ? { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) } : undefined;
    const result = workspace?.analyze(uriToFileName(uri), focus);
    if (result?.incomplete?.startsWith("internal")) log(`analysis of ${uri}`, result.incomplete);
    return result;
  }

  function scheduleDiagnostics(uri: string): void {
    clearTimeout(pending.get(uri));
    pending.set(uri, setTimeout(() => {
      pending.delete(uri);
      try {
        const doc = documents.get(uri);
        const result = doc && analysis(uri);
        if (doc && result) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: result.diagnostics.map(toDiagnostic) });
      } catch (e) { log("diagnostics", e); }
    }, DIAGNOSTICS_DELAY_MS));
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const rootUri = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    const root = rootUri?.startsWith("file:") ? fileURLToPath(rootUri) : params.rootPath ?? process.cwd();
    workspace = new Workspace(root);
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
  });

  connection.onDidOpenTextDocument(guarded("didOpen", undefined, ({ textDocument: d }) => {
    documents.set(d.uri, TextDocument.create(d.uri, d.languageId, d.version, d.text));
    workspace?.open(uriToFileName(d.uri), d.text, d.version);
    scheduleDiagnostics(d.uri);
  }));

  connection.onDidChangeTextDocument(guarded("didChange", undefined, ({ textDocument, contentChanges }) => {
    let doc = documents.get(textDocument.uri);
    if (!doc || !workspace) return;
    const fileName = uriToFileName(textDocument.uri);
    const edits = [];
    let full: string | undefined;
    for (const change of contentChanges) {
      if ("range" in change) {
        edits.push({ start: doc.offsetAt(change.range.start), end: doc.offsetAt(change.range.end), text: change.text });
      } else full = change.text;
      doc = TextDocument.update(doc, [change], textDocument.version);
    }
    documents.set(textDocument.uri, doc);
    if (full !== undefined && edits.length === 0) workspace.replace(fileName, full, textDocument.version);
    else if (full !== undefined) workspace.replace(fileName, doc.getText(), textDocument.version);
    else workspace.edit(fileName, edits, textDocument.version);
    scheduleDiagnostics(textDocument.uri);
  }));

  connection.onDidCloseTextDocument(guarded("didClose", undefined, ({ textDocument }) => {
    documents.delete(textDocument.uri);
    clearTimeout(pending.get(textDocument.uri));
    workspace?.close(uriToFileName(textDocument.uri));
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  }));

  connection.languages.inlayHint.on(guarded("inlayHint", [], ({ textDocument, range }) => {
    // The visible range first: only what it needs is analyzed; the whole file follows for diagnostics.
    const result = analysis(textDocument.uri, range);
    return (result?.hints ?? []).filter((h) => inRange(h.position, range)).map(toInlayHint);
  }));

  connection.onHover(guarded("hover", null, ({ textDocument, position }) => {
    const hovers = analysis(textDocument.uri)?.hovers ?? [];
    let best;
    for (const h of hovers) if (contains(h.range, position) && (!best || size(h.range) < size(best.range))) best = h;
    return best ? toHover(best) : null;
  }));

  connection.onCodeLens(guarded("codeLens", [], ({ textDocument }) =>
    (analysis(textDocument.uri)?.lenses ?? []).map((l) => toCodeLens(l, textDocument.uri))));

  connection.onCodeAction(guarded("codeAction", [], ({ textDocument, range }) =>
    (analysis(textDocument.uri)?.diagnostics ?? [])
      .filter((d) => d.fixes.length && overlaps(d.range, range))
      .flatMap((d) => toCodeActions(d, textDocument.uri))));

  // The file's gaps: every hint with an unknown size or dtype and why (what to annotate or model).
  connection.onRequest("tensorlens/gaps", guarded("gaps", [], ({ textDocument }: { textDocument: { uri: string } }) =>
    (analysis(textDocument.uri)?.gaps ?? []).map((g) => ({ range: g.range, name: g.name, label: g.label, why: g.why }))));

  connection.onShutdown(() => { workspace?.dispose(); });
  connection.listen();
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inRange = (p: Position, r: Range) => before(r.start, p) && before(p, r.end);
const contains = (r: Range, p: Position) => before(r.start, p) && before(p, r.end);
const overlaps = (a: Range, b: Range) => before(a.start, b.end) && before(b.start, a.end);
const size = (r: Range) => (r.end.line - r.start.line) * 10000 + (r.end.character - r.start.character);
