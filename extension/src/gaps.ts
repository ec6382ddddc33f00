/**
 * "Tensorlens: Show Shape Gaps": the active file's hints whose size or dtype the server could
 * not work out, each with the reason (what to annotate or what the server does not model),
 * from the server's `tensorlens/gaps` request. Picking one goes to its line.
 */
import * as vscode from "vscode";
import type { ServerClient } from "./languageClient.js";

/** A gap as the server sends it (language-server/src/analysis/results.ts GapItem, in LSP ranges). */
export interface Gap {
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
  readonly name?: string;
  readonly label: string;
  readonly why: string;
}

/** With `{ uri, pick: false }` it only answers the list (tests, other commands). */
export async function showGaps(client: ServerClient, args?: { uri?: string; pick?: boolean }): Promise<Gap[]> {
  const uri = args?.uri ?? vscode.window.activeTextEditor?.document.uri.toString();
  if (!uri) {
    void vscode.window.showInformationMessage("Tensorlens: open a TypeScript file to see its shape gaps.");
    return [];
  }
  const gaps = await client.request<Gap[]>("tensorlens/gaps", { textDocument: { uri } });
  if (args?.pick === false) return gaps;
  if (gaps.length === 0) {
    void vscode.window.showInformationMessage("Tensorlens: every shape and dtype in this file is known.");
    return gaps;
  }
  const picked = await vscode.window.showQuickPick(
    gaps.map((g) => ({ label: `${g.name ? `${g.name}: ` : ""}${g.label}`, description: `line ${g.range.start.line + 1}`, detail: g.why, gap: g })),
    { placeHolder: `${gaps.length} hint${gaps.length === 1 ? "" : "s"} with an unknown size or dtype`, matchOnDetail: true },
  );
  if (picked) {
    const r = picked.gap.range;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uri), { selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  return gaps;
}
