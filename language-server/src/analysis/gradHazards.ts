/**
 * `np.where(c, np.log(x), 0)` under grad: where evaluates both branches, and the gradient of
 * the unselected log(x) at x <= 0 is inf/NaN, which 0 * NaN turns into NaN in the result.
 */
import type { CallSite } from "./callContext.js";

const UNSAFE = /\b(log|log2|log10|log1p|sqrt|rsqrt|reciprocal|divide|div|power|pow|arctanh|arcsin|arccos)\s*\(/;

export function checkWhereNaN(c: CallSite): void {
  const offset = c.path.startsWith("array.") ? 1 : 0; // x.where(...) is not an engine form, but be safe
  for (const i of [1, 2]) {
    const node = c.argNodes[i - offset];
    const value = c.args[i];
    if (!node || value?.kind !== "array" || value.deps.size === 0) continue;
    const text = c.text(node);
    const m = UNSAFE.exec(text);
    if (!m) continue;
    const np = c.localName("np") ?? "np";
    c.report("grad/where-nan",
      `${m[1]} inside ${np}.where is evaluated on every element, also where the other branch is selected: where it is undefined its gradient is NaN and poisons the whole gradient. Fix: guard the input too (the double-where trick): ${np}.where(c, ${m[1]}(${np}.where(c, x, 1)), 0).`,
      "warning", [], node);
  }
}
