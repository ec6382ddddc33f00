/**
 * What an engine-call handler sees: the evaluated arguments and a way back into the
 * interpreter (to report, to call user functions, to track keys and gradient cuts).
 */
import type ts from "typescript";
import type { Value } from "./values.js";
import type { FixItem, Severity } from "./results.js";

export interface CallMode {
  /** The callee runs under jit: its array arguments are tracers. */
  readonly jit?: boolean;
  /** Results of this visit are not shown (a call into an annotated function, say). */
  readonly quiet?: boolean;
  /** Which transformation is visiting, for messages. */
  readonly via?: string;
}

export interface CallSite {
  readonly node: ts.CallExpression;
  readonly path: string;
  readonly args: readonly Value[];
  readonly argNodes: readonly ts.Expression[];
  readonly inJit: boolean;
  readonly inGrad: boolean;
  report(code: string, message: string, severity?: Severity, fixes?: FixItem[], node?: ts.Node): void;
  call(fn: Value, args: readonly Value[], mode?: CallMode): Value;
  /** A PRNG key argument is consumed by this call. */
  consumeKey(key: Value | undefined): void;
  /** Differentiable dependencies stopped here (stopGradient, argmax, a comparison...). */
  cutGradient(kind: "stop" | "zero", values: readonly Value[]): void;
  /** The local name under which `np` (or another engine namespace) is in scope, for fixes. */
  localName(path: string): string | undefined;
  text(node: ts.Node): string;
}
