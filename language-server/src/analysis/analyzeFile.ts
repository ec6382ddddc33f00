/**
 * One analysis of one file: runs the interpreter over it (and, quietly, over the user modules it
 * imports) and returns plain results. Never throws: a failure inside returns what was found so far.
 */
import ts from "typescript";
import { BudgetExceeded, Interpreter, type ModuleHost } from "./interpreter.js";
import { formatValue } from "./format.js";
import { gapOf, hoverMarkdown } from "./hoverText.js";
import { positionAt, rangeOf } from "./ranges.js";
import type { AnalysisResult, GapItem, HintItem, HoverItem, LensItem } from "./results.js";
import { runLenses } from "./runLenses.js";
import { readAnnotation } from "./annotations.js";
import type { Focus } from "./focus.js";

/** With a focus, only what that range needs is analyzed (results outside it are partial). */
export function analyzeFile(sf: ts.SourceFile, host: ModuleHost, focus?: Focus): AnalysisResult {
  const it = new Interpreter(sf, host, focus);
  let incomplete: string | undefined;
  try {
    it.run();
  } catch (e) {
    incomplete = e instanceof BudgetExceeded ? "budget" : `internal: ${(e as Error)?.stack ?? e}`;
  }
  const engineNames = engineImports(sf);

  const hints: HintItem[] = [];
  const gaps: GapItem[] = [];
  for (const { node, value, name } of it.hints.values()) {
    const label = formatValue(value, 140);
    if (!label) continue;
    hints.push({ position: positionAt(sf, node.getEnd()), label, name });
    const gap = label.includes("?") || label.includes("…") ? gapOf(value) : undefined;
    if (gap) gaps.push({ range: rangeOf(node, sf), name, label, why: `${gap.path ? `at ${gap.path}: ` : ""}${gap.why}` });
  }
  gaps.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  hints.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);

  // Hovers are built when first asked for: the visible-range path (hints) never needs them.
  let hoverList: HoverItem[] | undefined;
  const hoversOf = (): HoverItem[] => {
    if (hoverList) return hoverList;
    const symbolOrigins = annotationSymbols(sf, engineNames);
    const hovers: HoverItem[] = [];
    for (const { node, value } of it.hovers.values()) {
      const markdown = hoverMarkdown(value, symbolOrigins);
      if (markdown) hovers.push({ range: rangeOf(node, sf), markdown });
    }
    // Gradient flow in the hover of the transformation's name (`grad` in grad(f)).
    for (const [site, text] of it.gradNotes) {
      const range = rangeOf(site.expression, sf);
      const i = hovers.findIndex((h) => h.range.start.line === range.start.line && h.range.start.character === range.start.character && h.range.end.character === range.end.character);
      if (i >= 0) hovers[i] = { range, markdown: `${hovers[i]!.markdown}\n\n${text}` };
      else hovers.push({ range, markdown: text });
    }
    return (hoverList = hovers);
  };

  const lenses: LensItem[] = [...runLenses(sf, (n) => engineNames.has(n.split(".")[0]!))];
  // One gradient lens per line (nested grads on one line: the worst).
  const gradByLine = new Map<number, LensItem>();
  for (const [site, title] of it.gradLenses) {
    const range = rangeOf(site, sf);
    const prev = gradByLine.get(range.start.line);
    const count = (t: string) => Number(/: (\d+)\//.exec(t)?.[1] ?? Infinity);
    if (!prev || count(title) < count(prev.title)) gradByLine.set(range.start.line, { range, title });
  }
  lenses.push(...gradByLine.values());

  return { hints, gaps, diagnostics: [...it.diagnostics.values()], get hovers() { return hoversOf(); }, lenses, incomplete };
}

/** Local names imported from tensorlens in this file (syntactic: enough for type annotations). */
function engineImports(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !/^tensorlens(\/|$)/.test(st.moduleSpecifier.text)) continue;
    const c = st.importClause;
    if (c?.name) names.add(c.name.text);
    const nb = c?.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) names.add(nb.name.text);
    else if (nb) for (const el of nb.elements) names.add(el.name.text);
  }
  return names;
}

/** Where each symbolic dim was introduced: `B: from \`x: f32<"B 784">\` (line 3)`. */
function annotationSymbols(sf: ts.SourceFile, engineNames: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: ts.Node): void => {
    if (ts.isParameter(n) && n.type) {
      const ann = readAnnotation(n.type, (name) => engineNames.has(name.split(".")[0]!));
      for (const d of ann?.shape ?? []) {
        if (typeof d === "string" && d !== "?" && !out.has(d)) {
          out.set(d, `symbolic size from the annotation \`${n.name.getText(sf)}: ${ann!.text}\` (line ${positionAt(sf, n.getStart(sf)).line + 1})`);
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
