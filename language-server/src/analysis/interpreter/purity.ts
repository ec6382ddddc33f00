/**
 * What jit makes wrong in code that runs fine eagerly: an array used as a condition, a traced
 * value read as a JS number (concretization), impure calls, and writes to state captured from
 * outside the jit-compiled function.
 */
import type ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Binding } from "../scope.js";
import type { Value } from "../values.js";
import { arrayConditionFixes } from "../purityFixes.js";
import { short } from "./syntax.js";

export function checkCondition(it: Interpreter, expr: ts.Expression, v: Value, stmt?: ts.Node): void {
  if (v.kind !== "array") return;
  const np = it.localEngineName("np"), lax = it.localEngineName("lax");
  it.report(expr, "warning", "purity/array-condition",
    `A DeviceArray used as a condition is always truthy in JavaScript: \`${short(expr.getText(it.frame.module.file))}\` does not test the array's values. ` +
    `Use ${np ?? "np"}.where / ${lax ?? "lax"}.cond to select by value${it.frame.jit ? "" : ", or read a scalar with .item() outside jit"}.`,
    arrayConditionFixes(stmt ?? expr.parent, expr, np, lax, it.frame.module.file));
}

export function concretize(it: Interpreter, node: ts.Node, what: string, v: Value | undefined): void {
  if (!it.frame.jit || !v || v.kind !== "array" || !v.traced) return;
  const lax = it.localEngineName("lax") ?? "lax";
  it.report(node, "error", "purity/concretize",
    `${what} reads the value of a traced array inside jit: the engine throws a concretization error here. Use ${lax}.cond / np.where for control flow, or pass the value as a static argument (staticArgnums).`);
}

export function impureCall(it: Interpreter, node: ts.Node, what: string, why: string): void {
  if (!it.frame.jit) return;
  it.report(node, "warning", "purity/impure-call", `${what} inside jit ${why}.`);
}

/**
 * A write to binding `b` (`mutation`: the method that changed it in place, `xs.push(v)`). A write
 * to an enclosing function's binding is counted (such a call is not memoized); under jit, one
 * above the jit-compiled function happens once, while tracing.
 */
export function checkCapturedWrite(it: Interpreter, node: ts.Node, b: Binding, mutation?: string): void {
  if (b.fnDepth < it.frame.fnDepth) it.outerWrites++;
  if (it.frame.jit && b.fnDepth < it.frame.jitFnDepth) {
    it.report(node, "warning", "purity/captured-mutation", mutation
      ? `\`${mutation}\` mutates \`${b.name}\`, which is declared outside the jit-compiled function: it runs once, while tracing, and leaves tracers in \`${b.name}\` (a leaked tracer) instead of values on each call. Return the values instead.`
      : `\`${b.name}\` is declared outside the jit-compiled function: this write happens once, while tracing, not on every call. Return the new value instead.`);
  }
}
