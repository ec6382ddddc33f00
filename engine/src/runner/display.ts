/**
 * Text renderings of protocol results, shared by the CLI and the editor: a leaf's one-line
 * summary (`f32[3,1] μ=0.52 σ=0.03`) and a pytree as an indented tree with shapes.
 * Pure: depends only on the protocol's types.
 */
import type { ArrayLeaf, TreeNode } from "./protocol.js";
import { SHORT_NAME as SHORT } from "../dtype.js";

/** The shape and dtype as the engine prints them: f32[3,1]. */
export function shapeLabel(leaf: Pick<ArrayLeaf, "shape" | "dtype">): string {
  return `${SHORT[leaf.dtype]}[${leaf.shape.join(",")}]`;
}

/** Two significant digits, as a summary reads: 0.52, 0.031, 1.2e+4. */
function num(x: number | null): string {
  if (x === null) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(2)));
}

/** `f32[3,1] μ=0.52 σ=0.03` (`f32[] = 2.5` for one element), with NaN/Inf counts when there are any. */
export function summaryLabel(leaf: ArrayLeaf): string {
  const s = leaf.stats;
  let text = leaf.size === 1 && s.mean !== null ? `${shapeLabel(leaf)} = ${num(s.mean)}` : `${shapeLabel(leaf)} μ=${num(s.mean)} σ=${num(s.std)}`;
  if (s.nan) text += ` NaN×${s.nan}`;
  if (s.inf) text += ` Inf×${s.inf}`;
  return text;
}

/** A result tree as indented text, one leaf per line, with the array summaries. */
export function formatTree(node: TreeNode, maxLines = 400): string {
  const lines: string[] = [];
  const walk = (n: TreeNode, indent: string, key: string | null) => {
    if (lines.length > maxLines) return;
    const head = indent + (key === null ? "" : `${key}: `);
    switch (n.kind) {
      case "array": lines.push(head + summaryLabel(n) + (n.stats.min !== null && n.size > 1 ? ` min=${num(n.stats.min)} max=${num(n.stats.max)}` : "")); return;
      case "value": lines.push(head + n.text); return;
      case "ref": lines.push(head + `<ref ${n.path.join("/") || "(root)"}>`); return;
      case "list": {
        if (n.items.length === 0 && !n.omitted) { lines.push(head + "[]"); return; }
        lines.push(head + "[");
        n.items.forEach((c, i) => walk(c, indent + "  ", String(i)));
        if (n.omitted) lines.push(indent + `  ... ${n.omitted} more`);
        lines.push(indent + "]");
        return;
      }
      case "dict": {
        const open = n.className ? `${n.className} {` : "{";
        if (n.entries.length === 0 && !n.omitted) { lines.push(head + open + "}"); return; }
        lines.push(head + open);
        for (const e of n.entries) walk(e.value, indent + "  ", e.key);
        if (n.omitted) lines.push(indent + `  ... ${n.omitted} more`);
        lines.push(indent + "}");
        return;
      }
    }
  };
  walk(node, "", null);
  if (lines.length > maxLines) lines.splice(maxLines, lines.length - maxLines, "...");
  return lines.join("\n");
}

export interface LeafEntry { path: string[]; leaf: ArrayLeaf }

/** Every array leaf of a result, depth first, with its key path (list items by index). */
export function arrayLeaves(node: TreeNode, path: string[] = []): LeafEntry[] {
  switch (node.kind) {
    case "array": return [{ path, leaf: node }];
    case "list": return node.items.flatMap((c, i) => arrayLeaves(c, [...path, String(i)]));
    case "dict": return node.entries.flatMap((e) => arrayLeaves(e.value, [...path, e.key]));
    default: return [];
  }
}
