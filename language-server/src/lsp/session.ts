/**
 * One client's session: the connection, the open documents (for offsets of LSP positions), the
 * workspace that analyzes them, and diagnostics published after a pause in typing.
 */
import type { Connection } from "vscode-languageserver/node.js";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Workspace } from "../analysis/workspace.js";
import type { AnalysisResult, Range } from "../analysis/results.js";
import { toDiagnostic } from "./toProto.js";
import { uriToFileName } from "./uris.js";

/** Diagnostics wait for a pause in typing; hints for the visible range are computed on request. */
const DIAGNOSTICS_DELAY_MS = 150;

export class Session {
  /** Created on initialize, when the workspace root is known. */
  workspace: Workspace | undefined;
  readonly documents = new Map<string, TextDocument>();
  private readonly pendingDiagnostics = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(readonly connection: Connection) {}

  log(what: string, e: unknown): void {
    this.connection.console.error(`tensorlens: ${what}: ${(e as Error)?.stack ?? e}`);
  }

  /** A handler that never fails: an exception is logged and answered with `empty`. */
  guarded<P, R>(what: string, empty: R, run: (p: P) => R): (p: P) => R {
    return (p) => {
      try { return run(p); } catch (e) { this.log(what, e); return empty; }
    };
  }

  /** The document's analysis; with a range, only what that range needs (the visible hints). */
  analysis(uri: string, range?: Range): AnalysisResult | undefined {
    const doc = this.documents.get(uri);
    const focus = range && doc ? { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) } : undefined;
    const result = this.workspace?.analyze(uriToFileName(uri), focus);
    if (result?.incomplete?.startsWith("internal")) this.log(`analysis of ${uri}`, result.incomplete);
    return result;
  }

  /** Publishes the document's diagnostics once typing pauses (a later edit restarts the wait). */
  scheduleDiagnostics(uri: string, delayMs = DIAGNOSTICS_DELAY_MS): void {
    this.cancelDiagnostics(uri);
    this.pendingDiagnostics.set(uri, setTimeout(() => {
      this.pendingDiagnostics.delete(uri);
      try {
        const doc = this.documents.get(uri);
        const result = doc && this.analysis(uri);
        if (doc && result) void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: result.diagnostics.map(toDiagnostic) });
      } catch (e) { this.log("diagnostics", e); }
    }, delayMs));
  }

  cancelDiagnostics(uri: string): void {
    clearTimeout(this.pendingDiagnostics.get(uri));
  }
}
