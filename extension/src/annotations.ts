/**
 * What a run leaves in the editor: runtime errors as diagnostics at their .ts line (cleared on
 * the next edit of that file) and each returned array's summary as an inline decoration at
 * the line that produced it (cleared when the file changes).
 */
import * as vscode from "vscode";
import type { MessageOf, TreeNode } from "../../engine/src/runner/protocol.js";
import { leavesByLine, summariesByLine } from "./results.js";

export class RunAnnotations implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection("tensorlens-run");
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 2em", color: new vscode.ThemeColor("editorCodeLens.foreground"), fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  /** Decorations per file, re-applied when an editor of that file becomes visible. */
  private readonly byFile = new Map<string, vscode.DecorationOptions[]>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length === 0) return;
        const key = e.document.uri.toString();
        this.diagnostics.delete(e.document.uri);
        if (this.byFile.delete(key)) this.apply(key);
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => { for (const key of this.byFile.keys()) this.apply(key); }),
    );
  }

  clear(uri: vscode.Uri): void {
    this.diagnostics.delete(uri);
    this.byFile.delete(uri.toString());
    this.apply(uri.toString());
  }

  /** A runtime error at its location (in the file it names), or at the function's line. */
  error(m: MessageOf<"error">, fallback: { uri: vscode.Uri; line: number }): void {
    const loc = m.location;
    const uri = loc ? vscode.Uri.file(loc.file) : fallback.uri;
    const line = loc ? Math.max(0, loc.line - 1) : fallback.line;
    const col = loc ? Math.max(0, loc.column - 1) : 0;
    const range = new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER);
    const d = new vscode.Diagnostic(range, m.message, vscode.DiagnosticSeverity.Error);
    d.source = "tensorlens run";
    d.code = m.kind;
    if (m.stack?.length) {
      d.relatedInformation = m.stack.filter((f) => !f.engine).slice(0, 5).map((f) => new vscode.DiagnosticRelatedInformation(
        new vscode.Location(vscode.Uri.file(f.file), new vscode.Position(Math.max(0, f.line - 1), Math.max(0, f.column - 1))),
        f.function ? `at ${f.function}` : "called from here",
      ));
    }
    this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), d]);
  }

  /**
   * The result's array summaries as end-of-line decorations; their hover links each array to
   * the array viewer (the `tensorlens.openArray` command, the only command the link may run).
   */
  result(uri: vscode.Uri, tree: TreeNode, fallbackLine: number): Map<number, string> {
    const lines = summariesByLine(tree, uri.fsPath, fallbackLine);
    const leaves = leavesByLine(tree, uri.fsPath, fallbackLine);
    const options: vscode.DecorationOptions[] = [];
    for (const [line, text] of lines) {
      const hover = new vscode.MarkdownString().appendText(`Tensorlens (last run): ${text}`);
      hover.isTrusted = { enabledCommands: ["tensorlens.openArray"] };
      for (const { path } of (leaves.get(line) ?? []).slice(0, 8)) {
        const args = encodeURIComponent(JSON.stringify([{ uri: uri.toString(), path }]));
        hover.appendMarkdown(`\n\n[$(graph) Open ${path.length ? escapeMd(path.join("/")) : "the result"} in the array viewer](command:tensorlens.openArray?${args})`);
      }
      hover.supportThemeIcons = true;
      options.push({
        range: new vscode.Range(line, Number.MAX_SAFE_INTEGER, line, Number.MAX_SAFE_INTEGER),
        renderOptions: { after: { contentText: `  ${text}` } },
        hoverMessage: hover,
      });
    }
    this.byFile.set(uri.toString(), options);
    this.apply(uri.toString());
    return lines;
  }

  /** The decorations currently set for a file (for tests and the explorer). */
  decorationsOf(uri: vscode.Uri): string[] {
    return (this.byFile.get(uri.toString()) ?? []).map((o) => String(o.renderOptions?.after?.contentText ?? "").trim());
  }

  private apply(key: string): void {
    const options = this.byFile.get(key) ?? [];
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) editor.setDecorations(this.decoration, options);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.diagnostics.dispose();
    this.decoration.dispose();
  }
}

function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
