/**
 * Calls an engine shape rule on shapes that may hold unknown ("?") and symbolic ("B") dims,
 * and reports an error only when it is certain: when no sizes for the unknown and symbolic
 * dims could make the rule pass. A result dim that depends on an unknown dim reads "?".
 */
import { ShapeError, type Dim } from "./engineShapes.js";
import { UNKNOWN_DIM } from "./values.js";

export type RuleResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error?: ShapeError };

const FRESH = "?#";
/** Enumerating sizes for symbols is cheap (rules are tiny), but bounded. */
const MAX_ASSIGNMENTS = 2048;

/**
 * `shapes` are the operands; `rule` receives them with every "?" replaced by a distinct fresh
 * symbol, so that an unknown dim is never taken to equal another one.
 */
export function applyRule<T>(shapes: readonly (readonly Dim[])[], rule: (shapes: Dim[][]) => T): RuleResult<T> {
  let fresh = 0;
  const named = shapes.map((s) => s.map((d) => (d === UNKNOWN_DIM ? `${FRESH}${fresh++}` : d)));
  try {
    return { ok: true, value: scrubUnknown(rule(named.map((s) => [...s]))) };
  } catch (e) {
    if (!(e instanceof ShapeError)) return { ok: false };
    return provable(named, rule) ? { ok: false, error: e } : { ok: false };
  }
}

/** True when the rule fails for every assignment of sizes to the non-concrete dims. */
function provable<T>(shapes: Dim[][], rule: (shapes: Dim[][]) => T): boolean {
  const symbols = [...new Set(shapes.flat().filter((d): d is string => typeof d === "string"))];
  if (symbols.length === 0) return true;
  const concrete = [...new Set(shapes.flat().filter((d): d is number => typeof d === "number"))];
  // A symbol may equal any size seen, 1, or a size of its own (shared with other symbols).
  const candidates = [...new Set([1, ...concrete])].concat(symbols.map((_, i) => 1_000_003 + i));
  if (candidates.length ** symbols.length > MAX_ASSIGNMENTS) return false;
  const choice = new Array<number>(symbols.length).fill(0);
  for (;;) {
    const sizes = new Map(symbols.map((s, i) => [s, candidates[choice[i]!]!]));
    try {
      rule(shapes.map((s) => s.map((d) => (typeof d === "string" ? sizes.get(d)! : d))));
      return false;
    } catch {
      // this assignment fails too; try the next
    }
    let i = 0;
    while (i < choice.length && ++choice[i]! === candidates.length) choice[i++] = 0;
    if (i === choice.length) return true;
  }
}

/** Replaces fresh symbols (and composite dims built from them, like "4*?#1") by "?". */
function scrubUnknown<T>(value: T): T {
  if (typeof value === "string") return (value.includes(FRESH) ? UNKNOWN_DIM : value) as T;
  if (Array.isArray(value)) return value.map(scrubUnknown) as T;
  return value;
}
