/**
 * Exclusive paths (if/else, `a ? b : c`, `a && b`, a loop body that may not run, a callback that
 * may not be called): each runs from the same state, and the journal joins what they wrote.
 */
import type { Interpreter } from "../interpreter.js";

/** Runs each path from the state before; true when no path continues after it. */
export function branches(it: Interpreter, runs: (() => boolean)[]): boolean {
  // PRNG key uses are state too: uses on exclusive paths are not reuse.
  const before = it.keyUses;
  const after = new Map(before);
  const wrapped = runs.map((run) => () => {
    it.keyUses = new Map(before);
    try { return run(); } finally { for (const [k, n] of it.keyUses) if (!after.has(k)) after.set(k, n); }
  });
  try {
    return it.journal.branches(wrapped);
  } finally {
    it.keyUses = after;
  }
}
