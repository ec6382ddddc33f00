/**
 * Fixes for a DeviceArray used as a condition, offered where the rewrite is unambiguous:
 * `c ? a : b` becomes `np.where(c, a, b)`; `if (c) { x = a } else { x = b }` becomes
 * `x = np.where(c, a, b)`; any other `if` on an array becomes nothing (lax.cond needs
 * functions, and guessing their operands would change the program).
 */
import ts from "typescript";
import type { FixItem } from "./results.js";
import { rangeOf } from "./ranges.js";

export function arrayConditionFixes(stmt: ts.Node, cond: ts.Expression, np: string | undefined, lax: string | undefined, sf: ts.SourceFile): FixItem[] {
  if (!np) return [];
  const text = (n: ts.Node) => n.getText(sf);
  if (ts.isConditionalExpression(stmt) && stmt.condition === cond) {
    return [{ title: `replace with ${np}.where(…)`, edits: [{ range: rangeOf(stmt, sf), newText: `${np}.where(${text(cond)}, ${text(stmt.whenTrue)}, ${text(stmt.whenFalse)})` }] }];
  }
  if (ts.isIfStatement(stmt) && stmt.expression === cond && stmt.elseStatement) {
    const a = singleAssignment(stmt.thenStatement), b = singleAssignment(stmt.elseStatement);
    if (a && b && text(a.left) === text(b.left)) {
      return [{ title: `replace the if with ${text(a.left)} = ${np}.where(…)`, edits: [{ range: rangeOf(stmt, sf), newText: `${text(a.left)} = ${np}.where(${text(cond)}, ${text(a.right)}, ${text(b.right)});` }] }];
    }
    const ra = singleReturn(stmt.thenStatement), rb = singleReturn(stmt.elseStatement);
    if (ra && rb && lax) {
      return [{ title: `replace the if with ${lax}.cond(…)`, edits: [{ range: rangeOf(stmt, sf), newText: `return ${lax}.cond(${text(cond)}, () => ${text(ra)}, () => ${text(rb)});` }] }];
    }
  }
  return [];
}

function singleAssignment(s: ts.Statement): ts.BinaryExpression | undefined {
  const st = ts.isBlock(s) && s.statements.length === 1 ? s.statements[0]! : s;
  if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(st.expression.left)) return st.expression;
  return undefined;
}

function singleReturn(s: ts.Statement): ts.Expression | undefined {
  const st = ts.isBlock(s) && s.statements.length === 1 ? s.statements[0]! : s;
  return ts.isReturnStatement(st) && st.expression ? st.expression : undefined;
}
