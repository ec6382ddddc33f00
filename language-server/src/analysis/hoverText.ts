/** The hover for a value: the full value, how it was derived (op, rule, operands), what each symbol means. */
import { formatValue } from "./format.js";
import { leavesOf, type ArrayValue, type Value } from "./values.js";

/** Why an array has an unknown dim or dtype, in words, from where it was made; undefined if it has none. */
export function unknownWhy(v: ArrayValue): string | undefined {
  const unknownDims = v.shape === null || v.shape.includes("?");
  if (!unknownDims && v.dtype !== null) return undefined;
  const o = v.origin;
  if (!o) return "it comes from a value the analysis does not know (a parameter without a shape annotation, or a value from outside the file): annotate it, e.g. `x: f32<\"B 784\">`";
  if (o.op === "join") return "it differs between the branches, loop iterations or calls that reach here";
  if (o.rule?.startsWith("not modeled")) return `\`${o.op}\` is ${o.rule}`;
  return `\`${o.op}\` got an operand whose size or dtype is not known (a parameter without a shape annotation, a value from outside the file, or a size that differs between paths)`;
}

/** The first leaf of a tree with an unknown dim or dtype, and why. */
export function gapOf(v: Value): { path: string; why: string } | undefined {
  for (const { path, leaf } of leavesOf(v)) {
    if (leaf.kind === "seq") return { path, why: "a list whose length is not known (filled in a loop that does not run a known number of times)" };
    if (leaf.kind !== "array") continue;
    const why = unknownWhy(leaf);
    if (why) return { path, why };
  }
  return undefined;
}

export function hoverMarkdown(v: Value, symbolOrigins: ReadonlyMap<string, string>): string | undefined {
  const label = formatValue(v, 400);
  if (!label) return undefined;
  const lines = [`\`\`\`\n${label}\n\`\`\``];
  if (v.kind === "array") {
    const facts: string[] = [];
    if (v.keyId !== undefined) facts.push("PRNG key");
    if (v.traced) facts.push("traced (inside a transformation)");
    if (facts.length) lines.push(facts.join(" · "));
    if (v.origin) {
      const o = v.origin;
      lines.push(`from \`${o.op}\`${o.detail ? `: ${o.detail}` : ""}${o.rule ? ` — rule: ${o.rule}` : ""}`);
    }
    const dims = (v.shape ?? []).filter((d): d is string => typeof d === "string");
    const why = unknownWhy(v);
    if (why) lines.push(`\`?\`: not known statically: ${why}`);
    for (const d of new Set(dims)) {
      if (d === "?") continue;
      else lines.push(`\`${d}\`: ${symbolOrigins.get(d) ?? "a symbolic size"}`);
    }
  }
  return lines.join("\n\n");
}
