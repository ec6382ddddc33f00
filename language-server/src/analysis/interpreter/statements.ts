/**
 * Statements. Each returns true when control does not continue after it (return, throw, break),
 * so a block stops there; branches (if, switch, try) run as exclusive paths that the journal joins.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import { Scope } from "../scope.js";
import { isArray, join, unknown, type Value } from "../values.js";
import { branches } from "./branches.js";
import { doLoop, forIn, forLoop, forOf, whileLoop } from "./loops.js";
import { bindPattern, declareList } from "./patterns.js";
import { checkCondition } from "./purity.js";
import { skipParens } from "./syntax.js";

export function exec(it: Interpreter, st: ts.Statement, scope: Scope): boolean {
  it.tick();
  switch (st.kind) {
    case ts.SyntaxKind.VariableStatement: declareList(it, (st as ts.VariableStatement).declarationList, scope); return false;
    case ts.SyntaxKind.ExpressionStatement: return expressionStatement(it, st as ts.ExpressionStatement, scope);
    case ts.SyntaxKind.ReturnStatement: return returnStatement(it, st as ts.ReturnStatement, scope);
    case ts.SyntaxKind.Block: return execBlock(it, (st as ts.Block).statements, new Scope(scope, scope.fnDepth));
    case ts.SyntaxKind.IfStatement: return ifStatement(it, st as ts.IfStatement, scope);
    case ts.SyntaxKind.ForOfStatement: return forOf(it, st as ts.ForOfStatement, scope);
    case ts.SyntaxKind.ForInStatement: return forIn(it, st as ts.ForInStatement, scope);
    case ts.SyntaxKind.ForStatement: return forLoop(it, st as ts.ForStatement, scope);
    case ts.SyntaxKind.WhileStatement: return whileLoop(it, st as ts.WhileStatement, scope);
    case ts.SyntaxKind.DoStatement: return doLoop(it, st as ts.DoStatement, scope);
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement:
      it.frame.loopExits?.push(it.journal.snapshot());
      return true;
    case ts.SyntaxKind.ThrowStatement: it.eval((st as ts.ThrowStatement).expression, scope); return true;
    case ts.SyntaxKind.TryStatement: return tryStatement(it, st as ts.TryStatement, scope);
    case ts.SyntaxKind.SwitchStatement: return switchStatement(it, st as ts.SwitchStatement, scope);
    case ts.SyntaxKind.LabeledStatement: return it.exec((st as ts.LabeledStatement).statement, scope);
    case ts.SyntaxKind.FunctionDeclaration: {
      // Hoisted with its block (hoist); remembered here for when no call reaches it (uncalled.ts).
      const f = st as ts.FunctionDeclaration;
      if (f.name && f.body) it.createdIn.set(f, { scope, module: it.frame.module });
      return false;
    }
    case ts.SyntaxKind.ClassDeclaration:
      for (const m of (st as ts.ClassDeclaration).members) if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) it.createdIn.set(m, { scope, module: it.frame.module });
      return false;
    default:
      return false;
  }
}

/** Declares a block's functions and classes before its statements run (JS hoisting). */
export function hoist(it: Interpreter, statements: readonly ts.Statement[], scope: Scope): void {
  for (const st of statements) {
    if (ts.isFunctionDeclaration(st) && st.name && st.body) scope.declare(st.name.text, it.makeFunction(st, { scope, module: it.frame.module }));
    else if (ts.isClassDeclaration(st) && st.name) {
      scope.declare(st.name.text, { kind: "class", id: it.nextId(), decl: st, closure: { scope, module: it.frame.module }, name: st.name.text });
    }
  }
}

export function execBlock(it: Interpreter, statements: readonly ts.Statement[], scope: Scope): boolean {
  hoist(it, statements, scope);
  for (const st of statements) if (it.exec(st, scope)) return true;
  return false;
}

/** The hint of a call whose result is not assigned (`f(x);`, `return f(x)`, `(x) => f(x)`). */
export function resultHint(it: Interpreter, e: ts.Expression, v: Value): void {
  if (isArray(v) || v.kind === "list" || v.kind === "object") it.hint(e, v);
}

function expressionStatement(it: Interpreter, st: ts.ExpressionStatement, scope: Scope): boolean {
  const v = it.eval(st.expression, scope);
  if (ts.isCallExpression(skipParens(st.expression))) resultHint(it, st.expression, v);
  return false;
}

function returnStatement(it: Interpreter, st: ts.ReturnStatement, scope: Scope): boolean {
  const e = st.expression;
  const v = e ? it.eval(e, scope) : { kind: "null" as const };
  if (e && ts.isCallExpression(skipParens(e))) resultHint(it, e, v);
  it.frame.returns = it.frame.returns ? join(it.frame.returns, v) : v;
  return true;
}

function ifStatement(it: Interpreter, s: ts.IfStatement, scope: Scope): boolean {
  const c = it.eval(s.expression, scope);
  checkCondition(it, s.expression, c, s);
  if (c.kind === "bool" && c.value !== undefined && !it.frame.jit) {
    return c.value ? it.exec(s.thenStatement, scope) : s.elseStatement ? it.exec(s.elseStatement, scope) : false;
  }
  return branches(it, [() => it.exec(s.thenStatement, scope), () => (s.elseStatement ? it.exec(s.elseStatement, scope) : false)]);
}

function tryStatement(it: Interpreter, s: ts.TryStatement, scope: Scope): boolean {
  const runs = [() => it.exec(s.tryBlock, scope)];
  if (s.catchClause) {
    const cc = s.catchClause;
    runs.push(() => { const inner = new Scope(scope, scope.fnDepth); if (cc.variableDeclaration) bindPattern(it, cc.variableDeclaration.name, unknown, inner, false); return it.exec(cc.block, inner); });
  }
  const t = branches(it, runs);
  if (s.finallyBlock) return it.exec(s.finallyBlock, scope) || t;
  return t;
}

function switchStatement(it: Interpreter, s: ts.SwitchStatement, scope: Scope): boolean {
  it.eval(s.expression, scope);
  const inner = new Scope(scope, scope.fnDepth);
  const clauses = s.caseBlock.clauses;
  const runs = clauses.map((_, i) => () => {
    // Fallthrough: a clause runs on into the next until a break.
    for (const cl of clauses.slice(i)) for (const x of cl.statements) {
      if (ts.isBreakStatement(x)) return false;
      if (it.exec(x, inner)) return true;
    }
    return false;
  });
  if (!clauses.some(ts.isDefaultClause)) runs.push(() => false);
  branches(it, runs);
  return false;
}
