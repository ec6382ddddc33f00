// Every primitive has a rule in every table and at least one conformance case; the primitives
// without a derivative are listed here with the reason, and the cases confirm that list: a
// primitive outside it must show a nonzero tangent somewhere, one inside it never does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { shapeRules } from "../src/ir/abstract-eval.js";
import { jvpRules } from "../src/trace/ad/jvp.js";
import { vjpRules } from "../src/trace/ad/vjp.js";
import { batchRules } from "../src/trace/batching.js";
import { referenceImpls } from "../src/backend/reference/ops.js";
import { controlImpls } from "../src/trace/control.js";
import { NoRule } from "../src/ir/rule-table.js";
import { UNARY_PRIMITIVES, BINARY_PRIMITIVES, type Primitive } from "../src/ir/primitives.js";
import { jvpFlat } from "../src/trace/transforms.js";
import { isFloat } from "../src/dtype.js";
import { Rand, list, type Case } from "./helpers/primitive-cases.js";
import { cases as elementwise } from "./primitives-elementwise.test.js";
import { cases as structural } from "./primitives-structural.test.js";
import { cases as reductions } from "./primitives-reductions.test.js";
import { cases as linalg } from "./primitives-linalg.test.js";
import { cases as indexing } from "./primitives-indexing.test.js";
import { cases as sorting } from "./primitives-sort.test.js";
import { cases as control } from "./primitives-control.test.js";

const all: Case[] = [...elementwise, ...structural, ...reductions, ...linalg, ...indexing, ...sorting, ...control];
/** The shape rule table is checked by the compiler to hold every primitive: it is the list. */
const primitives = Object.keys(shapeRules) as Primitive[];

/** Primitives whose derivative is zero everywhere it exists, and why. */
const ZERO_DERIVATIVE: Partial<Record<Primitive, string>> = {
  sign: "piecewise constant", floor: "piecewise constant", ceil: "piecewise constant", round: "piecewise constant",
  not: "integer/bool-valued", is_finite: "bool-valued",
  and: "integer/bool-valued", or: "integer/bool-valued", xor: "integer/bool-valued",
  eq: "bool-valued", ne: "bool-valued", lt: "bool-valued", le: "bool-valued", gt: "bool-valued", ge: "bool-valued",
  shift_left: "integer-valued", shift_right_logical: "integer-valued", shift_right_arithmetic: "integer-valued",
  bitcast_convert_type: "reinterprets bits: not a differentiable function of the value",
  stop_gradient: "zero derivative by definition",
  iota: "no operands", argmax: "integer-valued", argmin: "integer-valued", reduce_and: "bool-valued", reduce_or: "bool-valued",
  threefry2x32: "uint32-valued (a block cipher)",
};
/** Primitives (or modes) whose differentiation throws, and why. */
const REFUSED: Record<string, string> = {
  digamma: "its derivative is trigamma (polygamma(1, x)), which the engine does not have",
  cummax: "not implemented (JAX differentiates it through an associative scan)",
  cummin: "not implemented (JAX differentiates it through an associative scan)",
  "scatter mul": "not implemented (needs the product of the other updates at duplicate indices)",
  "scatter min": "not implemented (needs tie handling between operand and updates)",
  "scatter max": "not implemented (needs tie handling between operand and updates)",
  custom_vjp_call: "forward mode is refused, as in JAX (reverse mode runs the user's bwd: custom-derivatives.test.ts)",
  "while (reverse mode)": "the trip count is not known in advance, as in JAX: use scan / forILoop, or forward mode",
};

test("every primitive has a rule in every table", () => {
  assert.ok(primitives.length > 90, `only ${primitives.length} primitives found`);
  for (const p of [...UNARY_PRIMITIVES, ...BINARY_PRIMITIVES]) assert.ok(primitives.includes(p), `${p} has no shape rule`);
  const tables: [string, Record<string, unknown>][] = [["JVP", jvpRules], ["VJP", vjpRules], ["batching", batchRules]];
  for (const p of primitives) {
    // A table may say why it has no rule (NoRule: listed by rule-tables.test.ts).
    for (const [name, table] of tables) assert.ok(typeof table[p] === "function" || table[p] instanceof NoRule, `${p} has no ${name} rule`);
    const kernel = (referenceImpls as Record<string, unknown>)[p] ?? controlImpls[p];
    assert.equal(typeof kernel, "function", `${p} has no reference kernel (or engine implementation, for control flow)`);
  }
});

test("every primitive has a conformance case", () => {
  const covered = new Set(all.map((c) => c.prim));
  assert.deepEqual(primitives.filter((p) => !covered.has(p)), [], "primitives without a case in engine/test/primitives-*.test.ts");
});

test("the primitives without a derivative are exactly the listed ones", () => {
  const moving = new Set<string>(), refused = new Set<string>();
  for (const c of all) {
    const args = c.make(new Rand(2));
    const r = new Rand(3);
    const ts = args.map((a) => (isFloat(a.dtype) ? r.f([...a.shape], -1, 1, a.dtype) : null));
    const key = c.prim === "scatter" ? `scatter ${c.name.split(" ")[1]}` : c.prim;
    try {
      const [outs, touts] = jvpFlat(c.fn, args, ts);
      if (outs.some((o, i) => isFloat(o.dtype) && touts[i] && list(touts[i]!).some((v) => v !== 0))) moving.add(key);
    } catch (e) {
      refused.add(key);
      assert.ok(c.noDerivative, `${c.name}: the JVP threw: ${(e as Error).message}`);
    }
  }
  for (const p of primitives) {
    if (ZERO_DERIVATIVE[p]) assert.ok(!moving.has(p), `${p} is listed as zero-derivative (${ZERO_DERIVATIVE[p]}) but a case moved its output`);
    else if (!REFUSED[p] && p !== "scatter") assert.ok(moving.has(p), `${p}: no case shows a nonzero tangent, and it is not listed as without a derivative`);
  }
  for (const k of Object.keys(REFUSED)) if (!k.startsWith("while")) assert.ok(refused.has(k), `${k} is listed as refused but differentiated`);
  for (const k of refused) assert.ok(REFUSED[k], `${k}: differentiation refused but not listed with a reason`);
  assert.ok(moving.has("scatter set") && moving.has("scatter add"));
  assert.ok(control.some((c) => c.prim === "while" && c.noReverse), "while's reverse-mode refusal is checked by a case");
});
