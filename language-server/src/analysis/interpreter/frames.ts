/**
 * The records the interpreter keeps while it walks: a user module as loaded, the scope a function
 * closes over, and the frame of the function (or module top level) running.
 */
import type ts from "typescript";
import type { Binding, Scope } from "../scope.js";
import type { Value } from "../values.js";

export interface ModuleRecord {
  readonly file: ts.SourceFile;
  readonly scope: Scope;
  readonly exports: Map<string, Value>;
  /** Local names bound to engine exports: local -> engine path ("np", "grad", "f32"). */
  readonly engineNames: Map<string, string>;
  done: boolean;
  /** Top-level statements not run yet (an import needed only some names), and those names. */
  readonly skipped: ts.Statement[];
  seeds: ReadonlySet<string> | undefined;
}

export interface Closure { readonly scope: Scope; readonly module: ModuleRecord }

export interface Frame {
  readonly fnDepth: number;
  readonly jit: boolean;
  /** fnDepth of the function jit was applied to: writes to bindings above it are captured writes. */
  readonly jitFnDepth: number;
  readonly quiet: boolean;
  readonly module: ModuleRecord;
  returns: Value | undefined;
  /** break/continue snapshots of the innermost loop. */
  loopExits?: Map<Binding, Value>[];
}

/** The frame of a module's top level. */
export function topFrame(module: ModuleRecord, quiet = false): Frame {
  return { fnDepth: 0, jit: false, jitFnDepth: -1, quiet, module, returns: undefined };
}
