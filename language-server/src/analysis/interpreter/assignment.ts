/**
 * Assignment to an identifier, a destructuring pattern or a property. `mutation` names a method
 * that mutated the target in place (`xs.push(v)`), for the captured-write message.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Scope } from "../scope.js";
import { indexValue, replaceAt, restOf, unknown, type Value } from "../values.js";
import { checkCapturedWrite } from "./purity.js";
import { propName, skipParens } from "./syntax.js";

export function assignTo(it: Interpreter, target: ts.Expression, value: Value, scope: Scope, mutation?: string): void {
  target = skipParens(target);
  if (ts.isIdentifier(target)) assignName(it, target, value, scope, mutation);
  else if (ts.isArrayLiteralExpression(target)) assignArrayPattern(it, target, value, scope);
  else if (ts.isObjectLiteralExpression(target)) assignObjectPattern(it, target, value, scope);
  else if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) assignProperty(it, target, value, scope, mutation);
}

function assignName(it: Interpreter, target: ts.Identifier, value: Value, scope: Scope, mutation?: string): void {
  const b = scope.lookup(target.text);
  if (!b) return;
  checkCapturedWrite(it, target, b, mutation);
  it.journal.assign(b, value);
  it.hover(target, value);
}

/** `[a, b] = ...` */
function assignArrayPattern(it: Interpreter, target: ts.ArrayLiteralExpression, value: Value, scope: Scope): void {
  target.elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el)) return;
    if (ts.isSpreadElement(el)) assignTo(it, el.expression, restOf(value, i), scope);
    else assignTo(it, ts.isBinaryExpression(el) && el.operatorToken.kind === ts.SyntaxKind.EqualsToken ? el.left : el, indexValue(value, i), scope);
  });
}

/** `({ a, b: c } = ...)` */
function assignObjectPattern(it: Interpreter, target: ts.ObjectLiteralExpression, value: Value, scope: Scope): void {
  for (const p of target.properties) {
    if (ts.isShorthandPropertyAssignment(p)) assignTo(it, p.name, value.kind === "object" ? value.fields.get(p.name.text) ?? unknown : unknown, scope);
    else if (ts.isPropertyAssignment(p)) { const k = propName(p.name); assignTo(it, p.initializer, k !== undefined && value.kind === "object" ? value.fields.get(k) ?? unknown : unknown, scope); }
  }
}

/**
 * obj.a.b = v / xs[i] = v / this.f = v on values we track: the root name gets a copy with the path
 * replaced (objects are shared, so other aliases would change too; we update only this name). A
 * path we cannot follow leaves the root unknown.
 */
function assignProperty(it: Interpreter, target: ts.PropertyAccessExpression | ts.ElementAccessExpression, value: Value, scope: Scope, mutation?: string): void {
  const path: (string | number | undefined)[] = [];
  let e: ts.Expression = target;
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e)) path.unshift(e.name.text);
    else {
      const k = it.eval(e.argumentExpression, scope);
      path.unshift(k.kind === "string" || k.kind === "number" ? k.value : undefined);
    }
    e = skipParens(e.expression);
  }
  const rootName = ts.isIdentifier(e) ? e.text : e.kind === ts.SyntaxKind.ThisKeyword ? "this" : undefined;
  const b = rootName ? scope.lookup(rootName) : undefined;
  if (!b) return;
  checkCapturedWrite(it, target, b, mutation);
  it.journal.assign(b, replaceAt(b.value, path, value));
}
