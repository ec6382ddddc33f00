/**
 * Runs an engine shape rule for a call and turns a certain failure into a diagnostic with the
 * op, both shapes, the broken rule and a fix where one is unambiguous.
 */
import type { Dim, ShapeError } from "./engineShapes.js";
import { applyRule } from "./applyRule.js";
import type { CallSite } from "./callContext.js";
import type { FixItem } from "./results.js";
import { shortDtype } from "./format.js";
import type { ArrayValue } from "./values.js";

/** Diagnostic codes by the op the engine names in its ShapeError. */
const CODE: Record<string, string> = {
  matmul: "shape/matmul", dot: "shape/matmul", dot_general: "shape/matmul", einsum: "shape/einsum",
  reshape: "shape/reshape", concatenate: "shape/concatenate", stack: "shape/stack",
  broadcastTo: "shape/broadcast", transpose: "shape/transpose", squeeze: "shape/squeeze",
};

export const label = (a: ArrayValue) => `${shortDtype(a.dtype)}[${a.shape?.join(",") ?? "…"}]`;

/** The shapes of `arrays` through `rule`; null (and maybe a diagnostic) when it cannot be known. */
export function checkRule<T>(
  c: CallSite,
  shapes: readonly (readonly Dim[] | null)[],
  rule: (shapes: Dim[][]) => T,
  fixes?: (e: ShapeError) => FixItem[],
): T | null {
  if (shapes.some((s) => s === null)) return null;
  const r = applyRule(shapes as (readonly Dim[])[], rule);
  if (r.ok) return r.value;
  if (r.error) {
    const e = r.error;
    const code = CODE[e.op] ?? (e.rule.includes("axis") ? "shape/axis" : e.rule.includes("broadcast") ? "shape/broadcast" : `shape/${e.op}`);
    const fixList = fixes?.(e) ?? [];
    const advice = ADVICE[code === "shape/axis" || e.rule === "axis out of range" ? "axis" : code] ?? "";
    const fixText = fixList.length ? ` Fix: ${fixList[0]!.title}.` : advice;
    c.report(e.rule === "axis out of range" ? "shape/axis" : code, `${e.message} [rule: ${e.rule}].${fixText}`, "error", fixList);
  }
  return null;
}

const ADVICE: Record<string, string> = {
  "shape/reshape": " Fix: the sizes must multiply to the same total; use -1 for one dim to infer it.",
  "shape/concatenate": " Fix: every dim except the concatenation axis must match.",
  "shape/stack": " Fix: stacked arrays must all have the same shape.",
  "shape/broadcast": " Fix: align the axes (expandDims / reshape) so each pair is equal or 1.",
  axis: " Fix: use an axis in [-ndim, ndim).",
};
