/**
 * Calls as written (`f(x)`, `obj.m(...xs)`, `super({ name })`, `xs.push(v)`) and the dispatch of
 * a called value to what models it: a user function (userCalls.ts), a transformed function
 * (transforms.ts), an engine function (engineCalls.ts), a module instance (modules.ts).
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Scope } from "../scope.js";
import { unknown, type Value } from "../values.js";
import type { CallMode } from "../callContext.js";
import { callTransformed } from "../transforms.js";
import { callModule } from "../modules.js";
import { LIST_MUTATORS, mutatedList, mutatorResult } from "../jsBuiltins.js";
import { branches } from "./branches.js";
import { callEngine } from "./engineCalls.js";
import { callUser } from "./userCalls.js";
import { member } from "./members.js";
import { assignTo } from "./assignment.js";
import { checkCapturedWrite } from "./purity.js";
import { short, skipParens } from "./syntax.js";

export function call(it: Interpreter, node: ts.CallExpression, scope: Scope): Value {
  const callee = skipParens(node.expression);
  if (callee.kind === ts.SyntaxKind.SuperKeyword) return superCall(it, node, scope);
  const fn = ts.isPropertyAccessExpression(callee) ? member(it, it.eval(callee.expression, scope), callee.name.text) : it.eval(callee, scope);
  const args: Value[] = [];
  for (const a of node.arguments) {
    if (ts.isSpreadElement(a)) {
      const v = it.eval(a.expression, scope);
      if (v.kind === "list") args.push(...v.items); else args.push(unknown);
    } else args.push(it.eval(a, scope));
  }
  if (ts.isPropertyAccessExpression(callee) && LIST_MUTATORS.has(callee.name.text)) {
    const mutated = listMutation(it, callee, fn, args, scope);
    if (mutated) return mutated;
  }
  const v = callValue(it, fn, args, node);
  it.hover(ts.isPropertyAccessExpression(callee) ? callee.name : callee, v);
  return v;
}

/** `super({ name })` in a module's constructor: nn.Module's constructor keeps only the name it is given. */
function superCall(it: Interpreter, node: ts.CallExpression, scope: Scope): Value {
  const opts = node.arguments[0] ? it.eval(node.arguments[0], scope) : undefined;
  const self = scope.lookup("this");
  const name = opts?.kind === "object" ? opts.fields.get("name") : undefined;
  if (self && self.value.kind === "object" && name) self.value = { kind: "object", fields: new Map([...self.value.fields, ["name", name]]) };
  return { kind: "null" };
}

/**
 * An array method that changes the array in place (xs.push(v)): the name holding it gets the new
 * list, and the call's result is returned. Undefined when the list is not one we track (the call
 * goes on as any other), after checking a mutation of captured state under jit all the same.
 */
function listMutation(it: Interpreter, callee: ts.PropertyAccessExpression, fn: Value, args: readonly Value[], scope: Scope): Value | undefined {
  const self = fn.kind === "engine" && fn.path.startsWith("$list.") ? fn.self : undefined;
  const what = `${short(callee.getText(it.frame.module.file))}(…)`;
  if (self && (self.kind === "list" || self.kind === "seq")) {
    assignTo(it, callee.expression, mutatedList(self, callee.name.text, args), scope, what);
    return mutatorResult(self, callee.name.text, args);
  }
  if (fn.kind === "unknown") {
    let root: ts.Expression = callee.expression;
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipParens(root.expression);
    const b = ts.isIdentifier(root) ? scope.lookup(root.text) : undefined;
    if (b) checkCapturedWrite(it, callee.expression, b, what);
  }
  return undefined;
}

export function callValue(it: Interpreter, fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value {
  switch (fn.kind) {
    case "function": return callUser(it, fn, args, node, mode);
    case "transformed": return callTransformed(it, fn, args, node, mode);
    case "engine": return node ? callEngine(it, fn, args, node) : unknown;
    case "module": return callModule(it, fn, args, node);
    default: maybeCallbacks(it, args, node); return unknown;
  }
}

/**
 * A call we cannot follow may call the functions it is given (xs.forEach(f) on a list we do
 * not know): each is analyzed with unknown arguments, as maybe run, so that what it writes to
 * enclosing scopes is joined into them rather than lost.
 */
export function maybeCallbacks(it: Interpreter, args: readonly Value[], node: ts.CallExpression | undefined): void {
  for (const f of args) {
    if (f.kind !== "function") continue;
    const decl = f.decl as ts.FunctionLikeDeclaration;
    maybeCall(it, f, decl.parameters.map(() => unknown), node, { quiet: true });
  }
}

/** Calls `fn` as maybe run (zero or more times): its writes to enclosing scopes join the state before. */
export function maybeCall(it: Interpreter, fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value {
  let out: Value = unknown;
  branches(it, [() => { out = callValue(it, fn, args, node, mode); return false; }, () => false]);
  return out;
}
