/**
 * Quick fixes for shape errors, offered only where one edit is the evident repair:
 * a transposed matmul operand, or a missing trailing axis in a broadcast.
 */
import type ts from "typescript";
import type { Dim } from "./engineShapes.js";
import type { CallSite } from "./callContext.js";
import type { FixItem } from "./results.js";
import { rangeOf } from "./ranges.js";

/** a @ b failed on the contraction: transposing one side makes it work (and only one does). */
export function matmulFixes(c: CallSite, a: readonly Dim[], b: readonly Dim[], aNode?: ts.Expression, bNode?: ts.Expression): FixItem[] {
  if (a.length !== 2 || b.length !== 2) return [];
  const fixB = a[1] === b[1] && a[1] !== b[0];
  const fixA = a[0] === b[0] && a[1] !== b[0];
  if (fixB === fixA) return [];
  const node = fixB ? bNode : aNode;
  if (!node) return [];
  return [transposeFix(c, node)];
}

function transposeFix(c: CallSite, node: ts.Expression): FixItem {
  const text = c.text(node);
  const simple = /^[\w$.]+$/.test(text);
  return { title: `transpose the operand: ${simple ? text : `(${text})`}.T`, edits: [{ range: rangeOf(node), newText: `${simple ? text : `(${text})`}.T` }] };
}

/**
 * [n] against [n, m] (or [m, n] against [n]): the user meant a column. Adding a trailing axis to
 * the 1-D operand is the fix only when that makes the shapes broadcast.
 */
export function broadcastFixes(c: CallSite, shapes: readonly (readonly Dim[])[], nodes: readonly (ts.Expression | undefined)[]): FixItem[] {
  if (shapes.length !== 2) return [];
  const np = c.localName("np");
  if (!np) return [];
  const fixes: FixItem[] = [];
  for (const [i, j] of [[0, 1], [1, 0]] as const) {
    const v = shapes[i]!, w = shapes[j]!, node = nodes[i];
    if (!node || v.length !== 1 || w.length !== 2) continue;
    if (v[0] === w[0] && w[1] !== v[0] && w[1] !== 1) {
      const text = c.text(node);
      fixes.push({ title: `add a trailing axis: ${np}.expandDims(${text}, -1)`, edits: [{ range: rangeOf(node), newText: `${np}.expandDims(${text}, -1)` }] });
    }
  }
  return fixes.length === 1 ? fixes : [];
}
