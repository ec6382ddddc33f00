/**
 * After the top level: functions no call reached and transformed functions never called
 * (`const g = grad(loss)` alone) are analyzed on their own, with arguments from their shape
 * annotations (else unknown), so that their bodies get hints and reports too.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import { topFrame, type ModuleRecord } from "./frames.js";
import type { UserFunctionValue } from "../values.js";
import { callTransformed } from "../transforms.js";
import { callUser, standaloneArgs } from "./userCalls.js";

/** Rounds of analysis: a function analyzed on its own may create transformed functions not called yet. */
const ROUNDS = 4;

export function analyzeUncalled(it: Interpreter, mod: ModuleRecord): void {
  const functions = collectFunctions(it.target);
  for (let round = 0; round < ROUNDS; round++) {
    const ranTransforms = runPendingTransforms(it, mod);
    const ranFunctions = runUncalledFunctions(it, mod, functions);
    if (!ranTransforms && !ranFunctions) break;
  }
}

function runPendingTransforms(it: Interpreter, mod: ModuleRecord): boolean {
  let ran = false;
  for (const [site, t] of [...it.pendingTransforms]) {
    it.pendingTransforms.delete(site);
    const decl = t.fn.kind === "function" ? (t.fn.decl as ts.SignatureDeclaration) : undefined;
    const args = decl ? standaloneArgs(it, decl, t.fn as UserFunctionValue) : [];
    it.withFrame(topFrame(mod), () => callTransformed(it, t, args, site as ts.CallExpression, undefined));
    ran = true;
  }
  return ran;
}

function runUncalledFunctions(it: Interpreter, mod: ModuleRecord, functions: readonly ts.FunctionLikeDeclaration[]): boolean {
  let ran = false;
  for (const fnNode of functions) {
    if (it.visited.has(fnNode)) continue;
    if (it.focus && (fnNode.getEnd() < it.focus.start || fnNode.getStart(it.target) > it.focus.end)) continue;
    const closure = it.createdIn.get(fnNode) ?? { scope: mod.scope, module: mod };
    const fn = it.makeFunction(fnNode, closure);
    it.withFrame(topFrame(mod), () => callUser(it, fn, standaloneArgs(it, fnNode, fn), undefined, { standalone: true }));
    ran = true;
  }
  return ran;
}

/** Every function-like node of a file with a body (analyzed on its own if no call reached it). */
function collectFunctions(sf: ts.SourceFile): ts.FunctionLikeDeclaration[] {
  const out: ts.FunctionLikeDeclaration[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) && n.body) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
