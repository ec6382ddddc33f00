// The shared memory planner (jit/memory-plan.ts): live intervals, the free points lower.ts
// turns into free steps, and the arena packing the native backend uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { freePoints, liveness, packArena } from "../src/jit/memory-plan.js";

// Slots 0 and 1 are inputs; 2 = f(0, 1); 3 = g(2); 4 = h(3, 0) is the output; 5 = k(0) is never read.
const steps = [
  { ins: [0, 1], outs: [2] },
  { ins: [2], outs: [3] },
  { ins: [3, 0], outs: [4] },
  { ins: [0], outs: [5] },
];

test("liveness: each slot from its first write to its last read", () => {
  const { def, last } = liveness(steps, 6);
  assert.deepEqual([...def], [-1, -1, 0, 1, 2, 3]);
  assert.deepEqual([...last], [3, 0, 1, 2, -1, -1]);
});

test("free points: after the last read, or right after a write nothing reads; kept slots never", () => {
  const at = freePoints(steps, 6, (s) => s < 2 || s === 4);
  assert.deepEqual([...at.entries()], [[1, [2]], [2, [3]], [3, [5]]]);
});

test("arena packing: slots whose intervals overlap never share bytes; the others reuse them", () => {
  const live = liveness(steps, 6);
  const bytes = [0, 0, 100, 100, 0, 10];
  const { offsets, size } = packArena([2, 3, 5], bytes, live);
  // 2 lives over steps 0-1 and 3 over 1-2: they overlap at step 1; 5 (step 3) reuses offset 0.
  assert.notEqual(offsets[2], offsets[3]);
  assert.equal(offsets[5], 0);
  assert.equal(size, 256);
  assert.ok(offsets.every((o) => o % 64 === 0 || o === -1));
});
