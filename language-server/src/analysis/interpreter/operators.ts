/**
 * Binary operators: assignment (plain and compound), the short-circuit operators as branches,
 * comparisons and arithmetic on known numbers (and symbolic sizes: `B * 4`). A JS operator on a
 * traced array reads its value: a concretization error under jit.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Scope } from "../scope.js";
import { isArray, join, num, unknown, type Value } from "../values.js";
import { assignTo } from "./assignment.js";
import { branches } from "./branches.js";
import { checkCondition, concretize } from "./purity.js";

export function binary(it: Interpreter, b: ts.BinaryExpression, scope: Scope): Value {
  const op = b.operatorToken.kind;
  if (op === ts.SyntaxKind.EqualsToken) {
    const v = it.eval(b.right, scope);
    assignTo(it, b.left, v, scope);
    return v;
  }
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return logical(it, b, scope);
  const l = it.eval(b.left, scope);
  const r = it.eval(b.right, scope);
  if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
    const v = arith(compoundBase(op), l, r);
    assignTo(it, b.left, v, scope);
    return v;
  }
  switch (op) {
    case ts.SyntaxKind.LessThanToken: case ts.SyntaxKind.GreaterThanToken: case ts.SyntaxKind.LessThanEqualsToken:
    case ts.SyntaxKind.GreaterThanEqualsToken:
      concretize(it, b, "A comparison", isArray(l) ? l : r);
      return compare(op, l, r);
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsEqualsToken:
    case ts.SyntaxKind.EqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken:
      return compare(op, l, r);
    case ts.SyntaxKind.InstanceOfKeyword: case ts.SyntaxKind.InKeyword:
      return { kind: "bool" };
    case ts.SyntaxKind.CommaToken: return r;
    default:
      if (isArray(l) || isArray(r)) concretize(it, b, "Arithmetic with a JS operator", isArray(l) ? l : r);
      return arith(op, l, r);
  }
}

/** `a && b`, `a || b`, `a ?? b`: the right side may not run. */
function logical(it: Interpreter, b: ts.BinaryExpression, scope: Scope): Value {
  const op = b.operatorToken.kind;
  const l = it.eval(b.left, scope);
  if (op !== ts.SyntaxKind.QuestionQuestionToken) checkCondition(it, b.left, l);
  let r: Value = unknown;
  branches(it, [() => { r = it.eval(b.right, scope); return false; }, () => false]);
  if (op === ts.SyntaxKind.QuestionQuestionToken) return l.kind === "null" ? r : l.kind === "unknown" ? join(l, r) : l;
  if (l.kind === "bool" && l.value !== undefined) return op === ts.SyntaxKind.AmpersandAmpersandToken ? (l.value ? r : l) : (l.value ? l : r);
  return join(l, r);
}

function compoundBase(op: ts.SyntaxKind): ts.SyntaxKind {
  switch (op) {
    case ts.SyntaxKind.PlusEqualsToken: return ts.SyntaxKind.PlusToken;
    case ts.SyntaxKind.MinusEqualsToken: return ts.SyntaxKind.MinusToken;
    case ts.SyntaxKind.AsteriskEqualsToken: return ts.SyntaxKind.AsteriskToken;
    case ts.SyntaxKind.SlashEqualsToken: return ts.SyntaxKind.SlashToken;
    default: return op;
  }
}

function arith(op: ts.SyntaxKind, l: Value, r: Value): Value {
  if (l.kind === "string" || r.kind === "string") return { kind: "string" };
  if (l.kind !== "number" || r.kind !== "number" || l.value === undefined || r.value === undefined) {
    // Symbolic sizes: B * 4 stays a product expression, used as a dim.
    if (op === ts.SyntaxKind.AsteriskToken && l.kind === "number" && r.kind === "number" && l.dim !== undefined && r.dim !== undefined) return num(undefined, `${l.dim}*${r.dim}`);
    return num();
  }
  const a = l.value, b = r.value;
  switch (op) {
    case ts.SyntaxKind.PlusToken: return num(a + b);
    case ts.SyntaxKind.MinusToken: return num(a - b);
    case ts.SyntaxKind.AsteriskToken: return num(a * b);
    case ts.SyntaxKind.SlashToken: return num(a / b);
    case ts.SyntaxKind.PercentToken: return num(a % b);
    case ts.SyntaxKind.AsteriskAsteriskToken: return num(a ** b);
    default: return num();
  }
}

function compare(op: ts.SyntaxKind, l: Value, r: Value): Value {
  const known = (v: Value) => (v.kind === "number" || v.kind === "string" || v.kind === "bool") && v.value !== undefined;
  if (!known(l) || !known(r)) return { kind: "bool" };
  const a = (l as { value: number }).value, b = (r as { value: number }).value;
  switch (op) {
    case ts.SyntaxKind.LessThanToken: return { kind: "bool", value: a < b };
    case ts.SyntaxKind.GreaterThanToken: return { kind: "bool", value: a > b };
    case ts.SyntaxKind.LessThanEqualsToken: return { kind: "bool", value: a <= b };
    case ts.SyntaxKind.GreaterThanEqualsToken: return { kind: "bool", value: a >= b };
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken: return { kind: "bool", value: a === b };
    default: return { kind: "bool", value: a !== b };
  }
}
