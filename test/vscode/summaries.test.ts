// The extension's result summaries (pure functions, no VS Code): what the inline decorations say.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeAt, summariesByLine } from "../../extension/src/results.js";
import { arrayLeaves, summaryLabel as leafSummary } from "../../engine/src/runner/display.js";
import type { ArrayLeaf, TreeNode } from "../../engine/src/runner/protocol.js";

const leaf = (shape: number[], mean: number | null, std: number | null, extra: Partial<ArrayLeaf> = {}): ArrayLeaf => ({
  kind: "array", shape, dtype: "float32", size: shape.reduce((a, b) => a * b, 1),
  stats: { min: 0, max: 1, mean, std, nan: 0, inf: 0 }, ...extra,
});

test("a leaf's summary: shape, dtype, mean and std to two digits; NaN/Inf counts when present", () => {
  assert.equal(leafSummary(leaf([3, 1], 0.5234, 0.0312)), "f32[3,1] μ=0.52 σ=0.031");
  assert.equal(leafSummary(leaf([], 2.5, 0)), "f32[] = 2.5");
  assert.equal(leafSummary(leaf([4], null, null, { stats: { min: null, max: null, mean: null, std: null, nan: 4, inf: 0 } })), "f32[4] μ=– σ=– NaN×4");
  assert.equal(leafSummary(leaf([2], 12345.6, 1e-5)), "f32[2] μ=1.2e+4 σ=1.0e-5");
});

test("leaves by key path, and summaries grouped by the line that produced them", () => {
  const tree: TreeNode = { kind: "dict", entries: [
    { key: "Dense_0", value: { kind: "dict", entries: [
      { key: "kernel", value: leaf([2, 4], 0.1, 0.7, { source: { file: "/w/a.ts", line: 6, column: 12 } }) },
      { key: "bias", value: leaf([4], 0, 0, { source: { file: "/w/other.ts", line: 2, column: 1 } }) },
    ] } },
    { key: "xs", value: { kind: "list", items: [leaf([1], 1, 0)] } },
    { key: "n", value: { kind: "value", type: "number", text: "3" } },
  ] };
  assert.deepEqual(arrayLeaves(tree).map((l) => l.path.join("/")), ["Dense_0/kernel", "Dense_0/bias", "xs/0"]);
  assert.equal(nodeAt(tree, ["Dense_0", "kernel"])?.kind, "array");
  assert.equal(nodeAt(tree, ["nope"]), undefined);
  const lines = summariesByLine(tree, "/w/a.ts", 9);
  // The kernel's source is line 6 of this file (0-based 5); the others fall back to the function's line.
  assert.deepEqual([...lines.keys()].sort(), [5, 9]);
  assert.equal(lines.get(5), "Dense_0/kernel: f32[2,4] μ=0.1 σ=0.7");
  assert.equal(lines.get(9), "Dense_0/bias: f32[4] μ=0 σ=0, xs/0: f32[1] = 1");
});
