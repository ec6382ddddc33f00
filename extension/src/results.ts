/**
 * Reading a run's result tree (pure: no vscode): every array leaf with its key path, its
 * one-line summary (`f32[3,1] μ=0.52 σ=0.03`) and the line it belongs to.
 */
import { shapeLabel, type ArrayLeaf, type TreeNode } from "../../engine/src/runner/protocol.js";

export interface LeafEntry {
  path: string[];
  leaf: ArrayLeaf;
}

/** Every array leaf of a result, depth first, with its key path (list items by index). */
export function arrayLeaves(tree: TreeNode, path: string[] = [], out: LeafEntry[] = []): LeafEntry[] {
  switch (tree.kind) {
    case "array": out.push({ path, leaf: tree }); break;
    case "list": tree.items.forEach((t, i) => arrayLeaves(t, [...path, String(i)], out)); break;
    case "dict": for (const e of tree.entries) arrayLeaves(e.value, [...path, e.key], out); break;
    default: break;
  }
  return out;
}

/** The node at a key path, if any. */
export function nodeAt(tree: TreeNode, path: readonly string[]): TreeNode | undefined {
  let node: TreeNode | undefined = tree;
  for (const key of path) {
    if (!node) return undefined;
    if (node.kind === "list") node = node.items[Number(key)];
    else if (node.kind === "dict") node = node.entries.find((e) => e.key === key)?.value;
    else return undefined;
  }
  return node;
}

/** Two significant digits, as a summary reads: 0.52, 0.031, 1.2e+03. */
function num(x: number | null): string {
  if (x === null) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(2)));
}

/** `f32[3,1] μ=0.52 σ=0.03`, with NaN/Inf counts when there are any. */
export function leafSummary(leaf: ArrayLeaf): string {
  const s = leaf.stats;
  let text = `${shapeLabel(leaf)} μ=${num(s.mean)} σ=${num(s.std)}`;
  if (leaf.size === 1 && s.mean !== null) text = `${shapeLabel(leaf)} = ${num(s.mean)}`;
  if (s.nan) text += ` NaN×${s.nan}`;
  if (s.inf) text += ` Inf×${s.inf}`;
  return text;
}

/**
 * Summaries grouped by the 0-based line of `file` they belong to: the leaf's `source` when it
 * is in this file, else `fallbackLine` (the function's line). Several leaves on one line are
 * joined, the first few shown.
 */
export function summariesByLine(tree: TreeNode, file: string, fallbackLine: number, maxPerLine = 4): Map<number, string> {
  const out = new Map<number, string>();
  for (const [line, entries] of leavesByLine(tree, file, fallbackLine)) {
    const list = entries.map(({ path, leaf }) => (path.length ? `${path.join("/")}: ${leafSummary(leaf)}` : leafSummary(leaf)));
    const shown = list.slice(0, maxPerLine).join(", ");
    out.set(line, list.length > maxPerLine ? `${shown}, … ${list.length - maxPerLine} more` : shown);
  }
  return out;
}

/** The array leaves grouped by the 0-based line of `file` they belong to (as summariesByLine places them). */
export function leavesByLine(tree: TreeNode, file: string, fallbackLine: number): Map<number, LeafEntry[]> {
  const byLine = new Map<number, LeafEntry[]>();
  for (const entry of arrayLeaves(tree)) {
    const src = entry.leaf.source;
    const line = src && sameFile(src.file, file) ? src.line - 1 : fallbackLine;
    const list = byLine.get(line) ?? [];
    list.push(entry);
    byLine.set(line, list);
  }
  return byLine;
}

function sameFile(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/^file:\/\//, "").replace(/\\/g, "/");
  return norm(a) === norm(b);
}
