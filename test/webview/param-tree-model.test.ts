// The explorer's model without a browser: totals per subtree, the comparison with the previous
// run, and which rows a filter keeps, over trees serialized from real engine values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np } from "tensorlens";
import { buildModel, pathText, visibleRows, type Model } from "../../webview/src/paramTree/model.js";
import { formatBytes, formatCount, formatStat } from "../../webview/src/shared/format.js";
import { toTree } from "./helpers.js";

const rows = (m: Model, filter = "", changedOnly = false) =>
  visibleRows(m, { filter, changedOnly, isExpanded: () => true }).map((n) => pathText(n.path));

test("subtree totals: parameters, bytes, arrays, NaN/Inf arrays", async () => {
  const tree = await toTree({
    params: { Dense_0: { kernel: np.ones([2, 4]), bias: np.zeros([4]) }, Embed: { table: np.ones([3, 2], "float16") }, mask: np.ones([5], "bool") },
    bad: np.array([1, NaN, Infinity]),
    step: 3,
  });
  const m = buildModel(tree);
  assert.deepEqual(m.roots.map((r) => r.key), ["params", "bad", "step"]);
  assert.equal(m.total.params, 8 + 4 + 6 + 5 + 3);
  assert.equal(m.total.bytes, (8 + 4) * 4 + 6 * 2 + 5 + 3 * 4); // f16 counts 2 bytes, bool 1
  assert.equal(m.total.leaves, 5);
  assert.equal(m.total.nanLeaves, 1);
  assert.equal(m.total.infLeaves, 1);
  const dense = m.all.find((n) => pathText(n.path) === "params/Dense_0")!;
  assert.equal(dense.params, 12);
  assert.equal(dense.depth, 1);
  assert.equal(m.all.find((n) => pathText(n.path) === "params/Dense_0/kernel")!.text, "f32[2,4]");
  assert.equal(m.all.find((n) => pathText(n.path) === "params/Embed/table")!.text, "f16[3,2]");
  assert.equal(m.hasPrevious, false);
  assert.equal(dense.change, undefined);
});

test("comparison: changed, same, new and removed, counted up the tree", async () => {
  const prev = await toTree({ params: { a: np.ones([3]), b: np.zeros([2]), gone: np.ones([1]) } });
  const cur = await toTree({ params: { a: np.ones([3]).mul(2), b: np.zeros([2]), added: np.ones([1]) } });
  const m = buildModel(cur, prev);
  const at = (p: string) => m.all.find((n) => pathText(n.path) === p)!;
  assert.equal(at("params/a").change, "changed");
  assert.equal(at("params/b").change, "same");
  assert.equal(at("params/added").change, "new");
  assert.equal(at("params/gone").change, "removed");
  assert.equal(at("params").change, "changed");
  assert.deepEqual([m.total.changed, m.total.added, m.total.removed], [1, 1, 1]);
  assert.equal(m.total.params, 3 + 2 + 1); // removed leaves are not counted
  assert.deepEqual(rows(m, "", true), ["params", "params/a", "params/added", "params/gone"]);
});

test("filter: every term must be in the path; ancestors of matches stay", async () => {
  const m = buildModel(await toTree({ params: { Dense_0: { kernel: np.ones([1]), bias: np.ones([1]) }, Dense_1: { kernel: np.ones([1]) } } }));
  assert.deepEqual(rows(m, "kernel"), ["params", "params/Dense_0", "params/Dense_0/kernel", "params/Dense_1", "params/Dense_1/kernel"]);
  assert.deepEqual(rows(m, "DENSE_0 bias"), ["params", "params/Dense_0", "params/Dense_0/bias"]);
  assert.deepEqual(rows(m, "nothing"), []);
});

test("formatting", () => {
  assert.equal(formatStat(null), "–");
  assert.equal(formatStat(0.123456), "0.1235");
  assert.equal(formatStat(-1.5e-7), "-1.5e-7");
  assert.equal(formatStat(123456), "1.23e+5");
  assert.equal(formatCount(1234567), "1,234,567");
  assert.equal(formatBytes(48), "48 B");
  assert.equal(formatBytes(20 * 1024 + 300), "20.3 KiB");
});
