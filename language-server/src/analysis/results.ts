/**
 * What analysis gives the editor, as plain data in editor terms (0-based lines, UTF-16
 * characters). Nothing here knows the protocol; src/lsp converts it in one place.
 */
export interface Position { readonly line: number; readonly character: number }
export interface Range { readonly start: Position; readonly end: Position }

export type Severity = "error" | "warning" | "info";

export interface TextEdit { readonly range: Range; readonly newText: string }
export interface FixItem { readonly title: string; readonly edits: readonly TextEdit[] }

export interface HintItem {
  readonly position: Position;
  readonly label: string;
  /** The name the hint belongs to, for tests and tooltips. */
  readonly name?: string;
  readonly tooltip?: string;
}

export interface DiagnosticItem {
  readonly range: Range;
  readonly severity: Severity;
  /** e.g. "shape/matmul", "purity/array-condition", "grad/no-path". */
  readonly code: string;
  readonly message: string;
  readonly fixes: readonly FixItem[];
}

export interface HoverItem { readonly range: Range; readonly markdown: string }

export interface LensItem {
  readonly range: Range;
  readonly title: string;
  /** A command the client executes, with the arguments it needs (the server adds the uri). */
  readonly command?: { readonly id: string; readonly functionName: string };
}

/** A place where a hint lost a size or dtype (`?`), and why: what to annotate or model. */
export interface GapItem {
  readonly range: Range;
  /** The declared name, when the gap is a declaration's hint. */
  readonly name?: string;
  readonly label: string;
  readonly why: string;
}

export interface AnalysisResult {
  readonly hints: readonly HintItem[];
  /** Every hint with an unknown dim or dtype, with the reason (the `tensorlens/gaps` request lists them). */
  readonly gaps: readonly GapItem[];
  readonly diagnostics: readonly DiagnosticItem[];
  readonly hovers: readonly HoverItem[];
  readonly lenses: readonly LensItem[];
  /** Set when analysis stopped early (budget) or failed inside: results are partial. */
  readonly incomplete?: string;
}
