/**
 * The server's knowledge of the engine's API comes from the engine's own table
 * (engine/src/signatures): every function the engine declares has a rule in the server or a
 * listed reason why not (language-server/src/analysis/coverage.ts), so a function the engine
 * gains fails here until it is classified. The optimizers (not in the table) are walked from the
 * engine's exports.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SIGNATURES } from "../../language-server/src/analysis/engineShapes.js";
import { engineHandler } from "../../language-server/src/analysis/engineApi.js";
import { AD_CALLS, TRANSFORMS, isControlFlow } from "../../language-server/src/analysis/transforms.js";
import { UNMODELED } from "../../language-server/src/analysis/coverage.js";
import { OPTIMIZERS } from "../../language-server/src/analysis/optimizers.js";
import * as engine from "../../engine/src/index.js";

/** Rules that live outside engineApi's table (interpreter/engineCalls.ts: pooling functions). */
const ELSEWHERE = new Set(["nn.avgPool", "nn.maxPool", "nn.minPool"]);

const hasRule = (path: string) => !!engineHandler(path) || !!TRANSFORMS[path] || AD_CALLS.has(path) || isControlFlow(path) || ELSEWHERE.has(path);

test("every function the engine declares has a rule in the server or a listed reason", () => {
  const missing = [...SIGNATURES.keys()].filter((p) => !hasRule(p) && !UNMODELED.has(p));
  assert.deepEqual(missing, [], `declared by the engine, unknown to the server (add a rule, or a reason in coverage.ts): ${missing.join(" ")}`);
});

test("the list of unmodeled functions holds only declared functions without a rule", () => {
  const stale = [...UNMODELED.keys()].filter((p) => !SIGNATURES.has(p));
  assert.deepEqual(stale, [], "listed but not declared by the engine");
  const ruled = [...UNMODELED.keys()].filter(hasRule);
  assert.deepEqual(ruled, [], "listed as unmodeled but the server has a rule");
});

test("every optimizer the engine exports is modeled or has a reason", () => {
  const REASONS: Record<string, string> = {
    applyUpdates: "modeled (interpreter: parameters keep their shapes)",
    losses: "a namespace (loss functions)",
    globalNorm: "returns a scalar; not modeled",
  };
  const schedule = (n: string) => /Schedule(s)?$|Decay$/.test(n);
  const missing = Object.keys(engine.optim).filter((n) => !OPTIMIZERS.has(n) && !REASONS[n] && !schedule(n));
  assert.deepEqual(missing, []);
});
