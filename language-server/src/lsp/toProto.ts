/** Analysis results to LSP types, in one place (the analysis never sees the protocol). */
import {
  CodeActionKind, DiagnosticSeverity, InlayHintKind, MarkupKind,
  type CodeAction, type CodeLens, type Diagnostic, type Hover, type InlayHint,
} from "vscode-languageserver";
import type { DiagnosticItem, HintItem, HoverItem, LensItem, Severity } from "../analysis/results.js";

export const SOURCE = "tensorlens";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information,
};

export function toInlayHint(h: HintItem): InlayHint {
  return { position: h.position, label: `: ${h.label}`, kind: InlayHintKind.Type, paddingLeft: false, tooltip: h.name ? `${h.name}: ${h.label}` : undefined };
}

export function toDiagnostic(d: DiagnosticItem): Diagnostic {
  return { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: SOURCE, message: d.message };
}

export function toHover(h: HoverItem): Hover {
  return { range: h.range, contents: { kind: MarkupKind.Markdown, value: h.markdown } };
}

export function toCodeLens(l: LensItem, uri: string): CodeLens {
  // A lens without a command is information only (the grad lens); an empty command id shows it unclickable.
  const command = l.command
    ? { title: l.title, command: l.command.id, arguments: [{ uri, functionName: l.command.functionName }] }
    : { title: l.title, command: "" };
  return { range: l.range, command };
}

export function toCodeActions(d: DiagnosticItem, uri: string): CodeAction[] {
  return d.fixes.map((f) => ({
    title: f.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [toDiagnostic(d)],
    isPreferred: d.fixes.length === 1,
    edit: { changes: { [uri]: f.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
  }));
}
