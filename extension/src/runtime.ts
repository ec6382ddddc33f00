/**
 * The run machinery (runner sessions, the param-tree view, the array viewer, the profile view,
 * the training curves, run annotations), a bundle of its own (extension/dist/runtime.cjs) that
 * the entry loads on first use: it holds the protocol's zod schemas, whose loading would
 * otherwise lengthen every activation, including the hints-only ones.
 */
import * as vscode from "vscode";
import { RunAnnotations } from "./annotations.js";
import { ArrayViewerPanel } from "./arrayViewerPanel.js";
import { CurvesPanel } from "./curvesPanel.js";
import { ParamTreeView, type ShownResult } from "./paramTreeView.js";
import { ProfilePanel } from "./profilePanel.js";
import { Runs } from "./runs.js";
import { leavesByLine, nodeAt } from "./results.js";
import type { Settings } from "./settings.js";
import type { BackendStatus } from "./statusBar.js";

/** The `tensorlens.openArray` command's argument: a leaf's key path, or a file's line (default: the cursor's). */
export interface OpenArrayArgs { uri?: string; path?: string[]; line?: number }

export interface Runtime {
  runs: Runs;
  view: ParamTreeView;
  annotations: RunAnnotations;
  arrayViewer: ArrayViewerPanel;
  profile: ProfilePanel;
  curves: CurvesPanel;
  openArray(args?: OpenArrayArgs): Promise<boolean>;
}

export function createRuntime(context: vscode.ExtensionContext, settings: Settings, output: vscode.OutputChannel, status: BackendStatus): Runtime {
  const bundleDir = vscode.Uri.joinPath(context.extensionUri, "webview", "dist");
  const annotations = new RunAnnotations();
  let arrayViewer: ArrayViewerPanel;
  const view = new ParamTreeView(bundleDir, {
    reveal: (result, path) => reveal(result, path),
    openArray: (result, path) => {
      if (!arrayViewer.show(result, path)) void vscode.window.showInformationMessage(`Tensorlens: ${path.join("/") || "the result"} is not an array`);
    },
  });
  const runs = new Runs(context.extensionPath, settings, output, annotations, view, status);
  arrayViewer = new ArrayViewerPanel(bundleDir, (handle, start, stop, step) => runs.fetch(handle, start, stop, step));
  const profile = new ProfilePanel(bundleDir, (line) => output.appendLine(line));
  const curves = new CurvesPanel(bundleDir, (id) => runs.cancel(id));

  // The runs' messages that the panels show.
  const routing = runs.onDidMessage(({ id, label, session, message: m }) => {
    switch (m.type) {
      case "started": if (curves.host.isOpen) curves.runStarted(id, label); break;
      case "metric": curves.metric(id, label, m); break;
      case "result": arrayViewer.newResult(); break;
      case "preview": arrayViewer.preview(m.handle, m.preview); break;
      case "profile": void profile.show(label, m, session.workingDir); break;
      case "exit": curves.runEnded(id, m.status); break;
      default: break;
    }
  });

  const openArray = async (args?: OpenArrayArgs): Promise<boolean> => {
    const result = view.lastResult;
    if (!result) { void vscode.window.showInformationMessage("Tensorlens: run a function first; its arrays open in the array viewer."); return false; }
    if (args?.path) return arrayViewer.show(result, args.path);
    const editor = vscode.window.activeTextEditor;
    const uri = args?.uri ? vscode.Uri.parse(args.uri) : editor?.document.uri;
    const line = args?.line ?? editor?.selection.active.line;
    if (!uri || line === undefined || uri.toString() !== result.uri.toString()) {
      void vscode.window.showInformationMessage("Tensorlens: the last result is not from this file; run it to see its arrays.");
      return false;
    }
    const leaves = leavesByLine(result.tree, uri.fsPath, result.line).get(line) ?? [];
    if (!leaves.length) { void vscode.window.showInformationMessage("Tensorlens: no array of the last result belongs to this line."); return false; }
    let path = leaves[0]!.path;
    if (leaves.length > 1) {
      const pick = await vscode.window.showQuickPick(leaves.map((l) => ({ label: l.path.join("/") || "(result)", path: l.path })), { placeHolder: "Which array?" });
      if (!pick) return false;
      path = pick.path;
    }
    return arrayViewer.show(result, path);
  };

  context.subscriptions.push(annotations, view, runs, arrayViewer, profile, curves, routing);
  return { runs, view, annotations, arrayViewer, profile, curves, openArray };
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
