/** Open, incremental change and close of documents: the session's copies and the workspace's follow the client's. */
import type { DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams } from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { OffsetEdit } from "../analysis/workspace.js";
import type { Session } from "./session.js";
import { uriToFileName } from "./uris.js";

export function didOpen(s: Session, { textDocument: d }: DidOpenTextDocumentParams): void {
  s.documents.set(d.uri, TextDocument.create(d.uri, d.languageId, d.version, d.text));
  s.workspace?.open(uriToFileName(d.uri), d.text, d.version);
  // Nothing is being typed yet: the whole file's analysis starts at once, so the editor's first
  // hint request (which comes a few hundred ms later) finds it cached.
  s.scheduleDiagnostics(d.uri, 0);
}

/** Range changes become offset edits (the workspace reparses incrementally); a full-text change replaces the text. */
export function didChange(s: Session, { textDocument, contentChanges }: DidChangeTextDocumentParams): void {
  let doc = s.documents.get(textDocument.uri);
  if (!doc || !s.workspace) return;
  const fileName = uriToFileName(textDocument.uri);
  const edits: OffsetEdit[] = [];
  let full: string | undefined;
  for (const change of contentChanges) {
    if ("range" in change) {
      edits.push({ start: doc.offsetAt(change.range.start), end: doc.offsetAt(change.range.end), text: change.text });
    } else full = change.text;
    doc = TextDocument.update(doc, [change], textDocument.version);
  }
  s.documents.set(textDocument.uri, doc);
  if (full !== undefined && edits.length === 0) s.workspace.replace(fileName, full, textDocument.version);
  else if (full !== undefined) s.workspace.replace(fileName, doc.getText(), textDocument.version);
  else s.workspace.edit(fileName, edits, textDocument.version);
  s.scheduleDiagnostics(textDocument.uri);
}

export function didClose(s: Session, { textDocument }: DidCloseTextDocumentParams): void {
  s.documents.delete(textDocument.uri);
  s.cancelDiagnostics(textDocument.uri);
  s.workspace?.close(uriToFileName(textDocument.uri));
  void s.connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
}
