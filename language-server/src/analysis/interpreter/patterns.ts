/** Declarations: `const`/`let` lists and binding patterns (`const [a, b] = ...`, `const { x } = np`). */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Scope } from "../scope.js";
import { indexValue, restOf, unknown, type Value } from "../values.js";
import { propName } from "./syntax.js";

export function declareList(it: Interpreter, list: ts.VariableDeclarationList, scope: Scope): void {
  for (const d of list.declarations) {
    const v = d.initializer ? it.eval(d.initializer, scope) : { kind: "null" as const };
    bindPattern(it, d.name, v, scope, true, d.type);
  }
}

/** Declares the names of a binding pattern; `showHints` for const/let declarations. */
export function bindPattern(it: Interpreter, name: ts.BindingName, value: Value, scope: Scope, showHints: boolean, typeNode?: ts.TypeNode): void {
  if (ts.isIdentifier(name)) bindName(it, name, value, scope, showHints, typeNode);
  else if (ts.isArrayBindingPattern(name)) bindArrayPattern(it, name, value, scope, showHints);
  else bindObjectPattern(it, name, value, scope, showHints);
}

function bindName(it: Interpreter, name: ts.Identifier, value: Value, scope: Scope, showHints: boolean, typeNode?: ts.TypeNode): void {
  const existing = scope.vars.get(name.text);
  if (existing) it.journal.assign(existing, value);
  else scope.declare(name.text, value);
  // An alias of an engine name (`const n = np`, `const { matmul } = np`) is that name too.
  const engineNames = it.frame.module.engineNames;
  if (value.kind === "engine" && !value.self && value.path !== "" && !value.path.startsWith("$") && scope.fnDepth === 0 && !engineNames.has(name.text)) {
    engineNames.set(name.text, value.path);
  }
  if (showHints) it.hint(typeNode ?? name, value, name.text);
  it.hover(name, value);
}

function bindArrayPattern(it: Interpreter, name: ts.ArrayBindingPattern, value: Value, scope: Scope, showHints: boolean): void {
  name.elements.forEach((el, i) => {
    if (ts.isOmittedExpression(el)) return;
    let v = el.dotDotDotToken ? restOf(value, i) : indexValue(value, i);
    if (el.initializer && (v.kind === "unknown" || v.kind === "null")) v = it.eval(el.initializer, scope);
    bindPattern(it, el.name, v, scope, showHints);
  });
}

function bindObjectPattern(it: Interpreter, name: ts.ObjectBindingPattern, value: Value, scope: Scope, showHints: boolean): void {
  for (const el of name.elements) {
    const key = el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
    // Destructuring an engine namespace (`const { matmul } = np`) names its members.
    let v: Value = key !== undefined && value.kind === "object" ? value.fields.get(key) ?? unknown
      : key !== undefined && value.kind === "engine" && !value.self && !value.path.startsWith("$") ? { kind: "engine", path: value.path ? `${value.path}.${key}` : key }
      : unknown;
    if (el.initializer && (v.kind === "unknown" || v.kind === "null")) v = it.eval(el.initializer, scope);
    bindPattern(it, el.name, v, scope, showHints);
  }
}
