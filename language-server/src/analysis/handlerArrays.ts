/**
 * The two things every engine-call handler (engineApi.ts, indexing.ts, modules.ts) shares: an
 * argument read as an array operand, and the result array built from the operands (tracedness,
 * gradient dependencies and the origin shown in hovers).
 */
import type { Dim } from "./engineShapes.js";
import type { CallSite } from "./callContext.js";
import { isFloat } from "./engineArgs.js";
import { anyTraced, arrayOf, unionDeps, type ArrayValue, type Value } from "./values.js";

/** A value as an array operand: JS numbers and nested number lists are 0-d / literal arrays. */
export function asArray(v: Value | undefined): ArrayValue | undefined {
  if (!v) return undefined;
  if (v.kind === "array") return v;
  if (v.kind === "number") return arrayOf([], null, { origin: { op: "number" } });
  if (v.kind === "bool") return arrayOf([], "bool");
  if (v.kind === "list") {
    const shape = literalShape(v);
    return shape ? arrayOf(shape, literalIsBool(v) ? "bool" : "float32") : arrayOf(null, null);
  }
  return undefined;
}

function literalShape(v: Value): Dim[] | null {
  if (v.kind === "number" || v.kind === "bool") return [];
  if (v.kind === "array") return v.shape ? [...v.shape] : null;
  if (v.kind !== "list") return null;
  if (v.items.length === 0) return [0];
  const inner = v.items.map(literalShape);
  if (inner.some((s) => s === null)) return null;
  const first = inner[0]!;
  if (inner.some((s) => s!.length !== first.length || s!.some((d, i) => d !== first[i]))) return null;
  return [v.items.length, ...first];
}
const literalIsBool = (v: Value): boolean => v.kind === "bool" || (v.kind === "list" && v.items.length > 0 && v.items.every(literalIsBool));

interface OutOptions {
  /** The op passes gradients from its inputs (false for argmax, comparisons, integer casts). */
  readonly grad?: "pass" | "zero";
  readonly rule?: string;
  readonly detail?: string;
}

/** Builds a result array, carrying tracedness and gradient dependencies from the inputs. */
export function result(c: CallSite, shape: readonly Dim[] | null, dtype: string | null, inputs: readonly Value[], o: OutOptions = {}): ArrayValue {
  const zero = o.grad === "zero" || (dtype !== null && !isFloat(dtype));
  if (zero) c.cutGradient("zero", inputs);
  return arrayOf(shape ? [...shape] : null, dtype, {
    traced: c.inJit || anyTraced(inputs),
    deps: zero ? new Set() : unionDeps(inputs),
    origin: { op: c.path.replace(/^array\./, "x."), rule: o.rule, detail: o.detail },
  });
}
