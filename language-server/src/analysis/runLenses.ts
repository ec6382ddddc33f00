/**
 * Run / Profile lenses above functions the extension can run with no input from the user:
 * exported, and every parameter optional or annotated with a shape (the runner makes arrays).
 */
import ts from "typescript";
import type { LensItem } from "./results.js";
import { rangeOf } from "./ranges.js";
import { readAnnotation } from "./annotations.js";

export function runLenses(sf: ts.SourceFile, isEngineType: (name: string) => boolean): LensItem[] {
  const out: LensItem[] = [];
  const add = (nameNode: ts.Identifier, fn: ts.SignatureDeclaration) => {
    const runnable = fn.parameters.every((p) => p.questionToken || p.initializer || p.dotDotDotToken || readAnnotation(p.type, isEngineType)?.shape);
    if (!runnable) return;
    const range = rangeOf(nameNode, sf);
    out.push({ range, title: "▶ Run", command: { id: "tensorlens.run", functionName: nameNode.text } });
    out.push({ range, title: "Profile", command: { id: "tensorlens.profile", functionName: nameNode.text } });
  };
  for (const st of sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isFunctionDeclaration(st) && st.name && st.body) add(st.name, st);
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        const init = d.initializer && skip(d.initializer);
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) add(d.name, init);
      }
    }
  }
  return out;
}

function skip(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}
