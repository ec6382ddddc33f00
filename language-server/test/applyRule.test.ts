/** Errors only when certain: unknown and symbolic dims never produce a false report. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyRule } from "../src/analysis/applyRule.js";
import { broadcastShapes, matmulShape, reshapeShape } from "../src/analysis/engineShapes.js";

test("concrete mismatch is an error; a symbol that could fit is not", () => {
  const bad = applyRule([[3, 4], [5, 6]], ([a, b]) => matmulShape(a!, b!));
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.error?.rule === "contraction dims differ");
  const maybe = applyRule([["B", 4], ["N", 6]], ([a, b]) => matmulShape(a!, b!));
  assert.ok(!maybe.ok && maybe.error === undefined, "[B,4] @ [N,6]: N may be 4, so this is not certain and not reported");
});

test("a symbol that can never fit is an error", () => {
  const r = applyRule([["B", 3], ["B", 4]], ([a, b]) => broadcastShapes("add", a!, b!));
  assert.ok(!r.ok && r.error, "3 vs 4 on the last axis fails whatever B is");
});

test("unknown dims become ? in results and never match each other", () => {
  const r = applyRule([["?", 4], [4, "?"]], ([a, b]) => matmulShape(a!, b!));
  assert.deepEqual(r, { ok: true, value: ["?", "?"] });
  const s = applyRule([["?"], ["?"]], ([a, b]) => broadcastShapes("add", a!, b!));
  assert.ok(!s.ok && s.error === undefined, "two unknown sizes may differ or not: no error, no result");
});

test("reshape with symbols infers the hole and reports certain size mismatches", () => {
  assert.deepEqual(applyRule([["B", 4, 4], [-1, 16]], ([s, t]) => reshapeShape(s!, t!)), { ok: true, value: ["B", 16] });
  const bad = applyRule([[6, 4], [5, 5]], ([s, t]) => reshapeShape(s!, t!));
  assert.ok(!bad.ok && bad.error?.op === "reshape");
});
