/**
 * Loops. A short list with known items is unrolled, a counted loop runs concretely while its
 * condition is known, and everything else runs to a fixpoint of the journal (the bindings a loop
 * writes, joined over iterations, until they stop changing).
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import { Scope, type Binding } from "../scope.js";
import { elementOf, sameValue, type Value } from "../values.js";
import { branches } from "./branches.js";
import { bindPattern, declareList } from "./patterns.js";
import { assignTo } from "./assignment.js";
import { checkCondition } from "./purity.js";

/** A counted loop runs concretely for at most this many iterations before its fixpoint. */
const MAX_UNROLLED = 64;
/**
 * From this iteration on, an iteration that changed only numbers (its counters, a running
 * total) ends the concrete run: the iterations left would repeat it (a training loop's 100
 * steps each re-run the step: ~0.6 s of the tutorial's first analysis), and the fixpoint
 * covers them. Shorter loops stay exact, so a size computed in a few steps stays known.
 */
const STEADY_AFTER = 4;
/** A `for...of` over a known list of at most this many items sees each item in its own iteration. */
const MAX_UNROLLED_ITEMS = 32;

/** Runs `body` zero or more times, to a fixpoint; break/continue states join the exit state. */
export function loop(it: Interpreter, body: () => void): void {
  const savedExits = it.frame.loopExits;
  try {
    it.journal.fixpoint((record) => {
      const exits: Map<Binding, Value>[] = [];
      it.frame.loopExits = exits;
      branches(it, [() => { body(); return false; }, () => false]);
      for (const x of exits) record(x);
    });
  } finally {
    it.frame.loopExits = savedExits;
  }
}

export function forOf(it: Interpreter, s: ts.ForOfStatement, scope: Scope): boolean {
  const iterable = it.eval(s.expression, scope);
  const bodyExits = containsJump(s.statement);
  // A short list with known items is unrolled: each iteration sees its own item (layers of a net).
  if (iterable.kind === "list" && iterable.items.length <= MAX_UNROLLED_ITEMS && !bodyExits) {
    for (const item of iterable.items) {
      const inner = new Scope(scope, scope.fnDepth);
      bindForInit(it, s.initializer, item, inner);
      it.exec(s.statement, inner);
    }
    return false;
  }
  const item = elementOf(iterable);
  loop(it, () => { const inner = new Scope(scope, scope.fnDepth); bindForInit(it, s.initializer, item, inner); it.exec(s.statement, inner); });
  return false;
}

export function forIn(it: Interpreter, s: ts.ForInStatement, scope: Scope): boolean {
  it.eval(s.expression, scope);
  loop(it, () => { const inner = new Scope(scope, scope.fnDepth); bindForInit(it, s.initializer, { kind: "string" }, inner); it.exec(s.statement, inner); });
  return false;
}

export function forLoop(it: Interpreter, s: ts.ForStatement, scope: Scope): boolean {
  const inner = new Scope(scope, scope.fnDepth);
  if (s.initializer) {
    if (ts.isVariableDeclarationList(s.initializer)) declareList(it, s.initializer, inner);
    else it.eval(s.initializer, inner);
  }
  // Run concretely while the condition is known (for (let i = 0; i < 3; i++)), else to a fixpoint.
  if (!containsJump(s.statement) && runCounted(it, s, inner) === "ended") return false;
  loop(it, () => {
    if (s.condition) checkCondition(it, s.condition, it.eval(s.condition, inner));
    it.exec(s.statement, new Scope(inner, inner.fnDepth));
    if (s.incrementor) it.eval(s.incrementor, inner);
  });
  return false;
}

/** Runs a for loop's iterations while its condition is known; "ended" when the condition became false. */
function runCounted(it: Interpreter, s: ts.ForStatement, inner: Scope): "ended" | "unknown" {
  for (let i = 0; i < MAX_UNROLLED; i++) {
    const c = s.condition ? it.eval(s.condition, inner) : { kind: "bool" as const, value: true };
    if (c.kind !== "bool" || c.value === undefined) break;
    if (!c.value) return "ended";
    const olds = it.journal.track(() => {
      it.exec(s.statement, new Scope(inner, inner.fnDepth));
      if (s.incrementor) it.eval(s.incrementor, inner);
    });
    if (i + 1 >= STEADY_AFTER && onlyNumbersChanged(olds)) break;
  }
  return "unknown";
}

export function whileLoop(it: Interpreter, s: ts.WhileStatement, scope: Scope): boolean {
  loop(it, () => { checkCondition(it, s.expression, it.eval(s.expression, scope)); it.exec(s.statement, scope); });
  return false;
}

export function doLoop(it: Interpreter, s: ts.DoStatement, scope: Scope): boolean {
  it.exec(s.statement, scope);
  loop(it, () => { checkCondition(it, s.expression, it.eval(s.expression, scope)); it.exec(s.statement, scope); });
  return false;
}

/** Binds a loop variable: `for (const [a, b] of ...)` declares, `for (x of ...)` assigns. */
function bindForInit(it: Interpreter, init: ts.ForInitializer, value: Value, scope: Scope): void {
  if (ts.isVariableDeclarationList(init)) {
    for (const d of init.declarations) bindPattern(it, d.name, value, scope, true);
  } else assignTo(it, init, value, scope);
}

function onlyNumbersChanged(olds: ReadonlyMap<Binding, Value>): boolean {
  for (const [b, old] of olds) if (!(old.kind === "number" && b.value.kind === "number") && !sameValue(old, b.value)) return false;
  return true;
}

/** True when a loop body can leave early (break/continue/return/throw), so it cannot be unrolled blindly. */
const jumps = new WeakMap<ts.Node, boolean>();
function containsJump(node: ts.Node): boolean {
  const known = jumps.get(node);
  if (known !== undefined) return known;
  const out = findJump(node);
  jumps.set(node, out);
  return out;
}

function findJump(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isBreakStatement(n) || ts.isContinueStatement(n) || ts.isReturnStatement(n) || ts.isThrowStatement(n)) { found = true; return; }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}
