/**
 * The run machinery (runner sessions, the param-tree view, run annotations), a bundle of its
 * own (extension/dist/runtime.cjs) that the entry loads on first use: it holds the protocol's
 * zod schemas, whose loading would otherwise lengthen every activation, including the
 * hints-only ones.
 */
import * as vscode from "vscode";
import { RunAnnotations } from "./annotations.js";
import { ParamTreeView, type ShownResult } from "./paramTreeView.js";
import { Runs } from "./runs.js";
import { leafSummary, nodeAt } from "./results.js";
import type { Settings } from "./settings.js";
import type { BackendStatus } from "./statusBar.js";

export interface Runtime {
  runs: Runs;
  view: ParamTreeView;
  annotations: RunAnnotations;
}

export function createRuntime(context: vscode.ExtensionContext, settings: Settings, output: vscode.OutputChannel, status: BackendStatus): Runtime {
  const annotations = new RunAnnotations();
  const view = new ParamTreeView(vscode.Uri.joinPath(context.extensionUri, "webview", "dist"), {
    reveal: (result, path) => reveal(result, path),
    openArray: (result, path) => {
      // The array viewer is the next issue; until then, the leaf's summary.
      const node = nodeAt(result.tree, path);
      const text = node?.kind === "array" ? `${path.join("/")}: ${leafSummary(node)}` : `${path.join("/")}: not an array`;
      void vscode.window.showInformationMessage(text);
    },
  });
  const runs = new Runs(context.extensionPath, settings, output, annotations, view, status);
  context.subscriptions.push(annotations, view, runs);
  return { runs, view, annotations };
}

/** Opens the result's file at the leaf's source line (or the function's line). */
async function reveal(result: ShownResult, path: string[]): Promise<void> {
  const node = nodeAt(result.tree, path);
  const src = node?.kind === "array" ? node.source : undefined;
  const uri = src ? vscode.Uri.file(src.file) : result.uri;
  const pos = src ? new vscode.Position(Math.max(0, src.line - 1), Math.max(0, src.column - 1)) : new vscode.Position(result.line, 0);
  const editor = await vscode.window.showTextDocument(uri, { preview: true });
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
