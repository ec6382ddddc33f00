/**
 * Expressions: literals, names, property and element reads, function values, `?:`, unary
 * operators. Binary operators are in operators.ts, property reads of each kind of value in
 * members.ts, calls in calls.ts.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Scope } from "../scope.js";
import { isArray, join, num, seqOf, unknown, type Value } from "../values.js";
import { LAYERS, newModule } from "../modules.js";
import { branches } from "./branches.js";
import { binary } from "./operators.js";
import { member } from "./members.js";
import { call } from "./calls.js";
import { construct } from "./classes.js";
import { assignTo } from "./assignment.js";
import { checkCondition, concretize } from "./purity.js";
import { propName } from "./syntax.js";

/** Names read as the JS globals they are (Math.floor, console.log...), not as unknown values. */
const GLOBALS = new Set(["Math", "console", "Date", "Number", "performance", "Object", "Array", "JSON", "parseFloat", "parseInt",
  "Boolean", "String", "Promise", "process", "crypto", "Symbol"]);

export function evaluate(it: Interpreter, e: ts.Expression, scope: Scope): Value {
  it.tick();
  switch (e.kind) {
    case ts.SyntaxKind.NumericLiteral: return num(Number((e as ts.NumericLiteral).text));
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral: return { kind: "string", value: (e as ts.StringLiteral).text };
    case ts.SyntaxKind.TemplateExpression:
      for (const sp of (e as ts.TemplateExpression).templateSpans) it.eval(sp.expression, scope);
      return { kind: "string" };
    case ts.SyntaxKind.TrueKeyword: return { kind: "bool", value: true };
    case ts.SyntaxKind.FalseKeyword: return { kind: "bool", value: false };
    case ts.SyntaxKind.NullKeyword: return { kind: "null" };
    case ts.SyntaxKind.Identifier: return identifier(it, e as ts.Identifier, scope);
    case ts.SyntaxKind.ParenthesizedExpression:
    case ts.SyntaxKind.AsExpression:
    case ts.SyntaxKind.SatisfiesExpression:
    case ts.SyntaxKind.NonNullExpression:
    case ts.SyntaxKind.TypeAssertionExpression:
    case ts.SyntaxKind.AwaitExpression:
    case ts.SyntaxKind.SpreadElement:
      return it.eval((e as ts.ParenthesizedExpression).expression, scope);
    case ts.SyntaxKind.ArrayLiteralExpression: return arrayLiteral(it, e as ts.ArrayLiteralExpression, scope);
    case ts.SyntaxKind.ObjectLiteralExpression: return objectLiteral(it, e as ts.ObjectLiteralExpression, scope);
    case ts.SyntaxKind.PropertyAccessExpression: return propertyAccess(it, e as ts.PropertyAccessExpression, scope);
    case ts.SyntaxKind.ElementAccessExpression: return elementAccess(it, e as ts.ElementAccessExpression, scope);
    case ts.SyntaxKind.CallExpression: return call(it, e as ts.CallExpression, scope);
    case ts.SyntaxKind.NewExpression: return newExpression(it, e as ts.NewExpression, scope);
    case ts.SyntaxKind.ThisKeyword: return scope.lookup("this")?.value ?? unknown;
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression: return functionValue(it, e as ts.ArrowFunction, scope);
    case ts.SyntaxKind.ConditionalExpression: return conditional(it, e as ts.ConditionalExpression, scope);
    case ts.SyntaxKind.BinaryExpression: return binary(it, e as ts.BinaryExpression, scope);
    case ts.SyntaxKind.PrefixUnaryExpression: return prefixUnary(it, e as ts.PrefixUnaryExpression, scope);
    case ts.SyntaxKind.PostfixUnaryExpression: return postfixUnary(it, e as ts.PostfixUnaryExpression, scope);
    case ts.SyntaxKind.TypeOfExpression: it.eval((e as ts.TypeOfExpression).expression, scope); return { kind: "string" };
    case ts.SyntaxKind.VoidExpression: it.eval((e as ts.VoidExpression).expression, scope); return { kind: "null" };
    case ts.SyntaxKind.DeleteExpression: return { kind: "bool" };
    default: return unknown;
  }
}

function identifier(it: Interpreter, id: ts.Identifier, scope: Scope): Value {
  const name = id.text;
  if (name === "undefined") return { kind: "null" };
  if (name === "Infinity" || name === "NaN") return num(name === "NaN" ? NaN : Infinity);
  const b = scope.lookup(name);
  if (b) {
    if (isArray(b.value) || b.value.kind === "list" || b.value.kind === "object") it.hover(id, b.value);
    return b.value;
  }
  if (GLOBALS.has(name)) return { kind: "engine", path: `$${name}` };
  return unknown;
}

function arrayLiteral(it: Interpreter, e: ts.ArrayLiteralExpression, scope: Scope): Value {
  const items: Value[] = [];
  let summary: Value | undefined;
  for (const el of e.elements) {
    if (ts.isSpreadElement(el)) {
      const v = it.eval(el.expression, scope);
      if (v.kind === "seq") { summary = summary ? join(summary, v.item) : v.item; continue; }
      if (v.kind !== "list") return unknown;
      items.push(...v.items);
    } else if (ts.isOmittedExpression(el)) items.push({ kind: "null" });
    else items.push(it.eval(el, scope));
  }
  // A spread of a list of unknown length makes the whole literal one.
  if (summary) return seqOf([summary, ...items].reduce(join));
  return { kind: "list", items };
}

function objectLiteral(it: Interpreter, o: ts.ObjectLiteralExpression, scope: Scope): Value {
  const fields = new Map<string, Value>();
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p)) {
      const k = propName(p.name);
      const v = it.eval(p.initializer, scope);
      if (k !== undefined) fields.set(k, v);
    } else if (ts.isShorthandPropertyAssignment(p)) {
      fields.set(p.name.text, identifier(it, p.name, scope));
    } else if (ts.isSpreadAssignment(p)) {
      const v = it.eval(p.expression, scope);
      if (v.kind === "object") for (const [k, x] of v.fields) fields.set(k, x);
      else return unknown;
    } else if (ts.isMethodDeclaration(p)) {
      const closure = { scope, module: it.frame.module };
      it.createdIn.set(p, closure);
      const k = propName(p.name);
      if (k !== undefined) fields.set(k, it.makeFunction(p, closure));
    } else {
      return unknown;
    }
  }
  return { kind: "object", fields };
}

function propertyAccess(it: Interpreter, pa: ts.PropertyAccessExpression, scope: Scope): Value {
  const obj = it.eval(pa.expression, scope);
  const v = member(it, obj, pa.name.text);
  if (isArray(v)) it.hover(pa.name, v);
  return v;
}

function elementAccess(it: Interpreter, ea: ts.ElementAccessExpression, scope: Scope): Value {
  const obj = it.eval(ea.expression, scope);
  const idx = it.eval(ea.argumentExpression, scope);
  if (obj.kind === "list") {
    if (idx.kind === "number" && idx.value !== undefined) return obj.items[idx.value < 0 ? obj.items.length + idx.value : idx.value] ?? unknown;
    return obj.items.length ? obj.items.reduce(join) : unknown;
  }
  if (obj.kind === "seq") return obj.item;
  if (obj.kind === "object" && idx.kind === "string" && idx.value !== undefined) return obj.fields.get(idx.value) ?? unknown;
  return unknown;
}

/** `new Cls(...)` of a user class, or `new nn.Dense(4)`. */
function newExpression(it: Interpreter, ne: ts.NewExpression, scope: Scope): Value {
  const callee = it.eval(ne.expression, scope);
  const args = (ne.arguments ?? []).map((a) => it.eval(a, scope));
  if (callee.kind === "class") return construct(it, callee, args);
  if (callee.kind === "engine" && callee.path.startsWith("nn.") && LAYERS.has(callee.path.slice(3))) return newModule(callee.path.slice(3), undefined, args);
  return unknown;
}

function functionValue(it: Interpreter, f: ts.ArrowFunction | ts.FunctionExpression, scope: Scope): Value {
  const closure = { scope, module: it.frame.module };
  it.createdIn.set(f, closure);
  return it.makeFunction(f, closure);
}

function conditional(it: Interpreter, c: ts.ConditionalExpression, scope: Scope): Value {
  const cond = it.eval(c.condition, scope);
  checkCondition(it, c.condition, cond, c);
  if (cond.kind === "bool" && cond.value !== undefined) return it.eval(cond.value ? c.whenTrue : c.whenFalse, scope);
  let a: Value = unknown, b: Value = unknown;
  branches(it, [() => { a = it.eval(c.whenTrue, scope); return false; }, () => { b = it.eval(c.whenFalse, scope); return false; }]);
  return join(a, b);
}

function prefixUnary(it: Interpreter, p: ts.PrefixUnaryExpression, scope: Scope): Value {
  const v = it.eval(p.operand, scope);
  switch (p.operator) {
    case ts.SyntaxKind.ExclamationToken:
      checkCondition(it, p.operand, v);
      return v.kind === "bool" && v.value !== undefined ? { kind: "bool", value: !v.value } : { kind: "bool" };
    case ts.SyntaxKind.MinusToken:
      concretize(it, p, "Unary minus", v);
      return v.kind === "number" && v.value !== undefined ? num(-v.value) : num();
    case ts.SyntaxKind.PlusToken:
      concretize(it, p, "Unary plus", v);
      return v.kind === "number" ? v : num();
    case ts.SyntaxKind.PlusPlusToken:
    case ts.SyntaxKind.MinusMinusToken: {
      const next = stepped(v, p.operator);
      assignTo(it, p.operand, next, scope);
      return next;
    }
    default: return num();
  }
}

function postfixUnary(it: Interpreter, p: ts.PostfixUnaryExpression, scope: Scope): Value {
  const v = it.eval(p.operand, scope);
  assignTo(it, p.operand, stepped(v, p.operator), scope);
  return v;
}

/** The value after `++` / `--`. */
function stepped(v: Value, operator: ts.SyntaxKind): Value {
  return v.kind === "number" && v.value !== undefined ? num(v.value + (operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1)) : num();
}
