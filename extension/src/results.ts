/**
 * Reading a run's result tree (pure: no vscode): a node by key path, and the array leaves'
 * one-line summaries (`f32[3,1] μ=0.52 σ=0.03`, the runner's display.ts) by the line each belongs to.
 */
import type { TreeNode } from "../../engine/src/runner/protocol.js";
// The summary and the leaf walk are the runner's own (the CLI prints the same text).
import { arrayLeaves, summaryLabel, type LeafEntry } from "../../engine/src/runner/display.js";


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

/**
 * Summaries grouped by the 0-based line of `file` they belong to: the leaf's `source` when it
 * is in this file, else `fallbackLine` (the function's line). Several leaves on one line are
 * joined, the first few shown.
 */
export function summariesByLine(tree: TreeNode, file: string, fallbackLine: number, maxPerLine = 4): Map<number, string> {
  const out = new Map<number, string>();
  for (const [line, entries] of leavesByLine(tree, file, fallbackLine)) {
    const list = entries.map(({ path, leaf }) => (path.length ? `${path.join("/")}: ${summaryLabel(leaf)}` : summaryLabel(leaf)));
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
