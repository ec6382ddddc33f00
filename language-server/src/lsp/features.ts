/** The requests that read a document's analysis: inlay hints, hover, code lenses, quick fixes and `tensorlens/gaps`. */
import type { CodeActionParams, CodeLensParams, HoverParams, InlayHintParams } from "vscode-languageserver/node.js";
import type { HoverItem, Position, Range } from "../analysis/results.js";
import type { Session } from "./session.js";
import { toCodeActions, toCodeLens, toHover, toInlayHint } from "./toProto.js";

/** The visible range first: only what it needs is analyzed; the whole file follows for diagnostics. */
export function inlayHints(s: Session, { textDocument, range }: InlayHintParams) {
  const result = s.analysis(textDocument.uri, range);
  return (result?.hints ?? []).filter((h) => inRange(h.position, range)).map(toInlayHint);
}

/** The innermost hover range that holds the position. */
export function hover(s: Session, { textDocument, position }: HoverParams) {
  const hovers = s.analysis(textDocument.uri)?.hovers ?? [];
  let best: HoverItem | undefined;
  for (const h of hovers) if (contains(h.range, position) && (!best || size(h.range) < size(best.range))) best = h;
  return best ? toHover(best) : null;
}

export function codeLenses(s: Session, { textDocument }: CodeLensParams) {
  return (s.analysis(textDocument.uri)?.lenses ?? []).map((l) => toCodeLens(l, textDocument.uri));
}

/** The quick fixes of the diagnostics that overlap the range. */
export function codeActions(s: Session, { textDocument, range }: CodeActionParams) {
  return (s.analysis(textDocument.uri)?.diagnostics ?? [])
    .filter((d) => d.fixes.length && overlaps(d.range, range))
    .flatMap((d) => toCodeActions(d, textDocument.uri));
}

/** The file's gaps: every hint with an unknown size or dtype and why (what to annotate or model). */
export function gaps(s: Session, { textDocument }: { textDocument: { uri: string } }) {
  return (s.analysis(textDocument.uri)?.gaps ?? []).map((g) => ({ range: g.range, name: g.name, label: g.label, why: g.why }));
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inRange = (p: Position, r: Range) => before(r.start, p) && before(p, r.end);
const contains = (r: Range, p: Position) => before(r.start, p) && before(p, r.end);
const overlaps = (a: Range, b: Range) => before(a.start, b.end) && before(b.start, a.end);
const size = (r: Range) => (r.end.line - r.start.line) * 10000 + (r.end.character - r.start.character);
