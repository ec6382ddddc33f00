/** The hover for a value: the full value, how it was derived (op, rule, operands), what each symbol means. */
import { formatValue } from "./format.js";
import type { Value } from "./values.js";

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
    for (const d of new Set(dims)) {
      if (d === "?") lines.push("`?`: a size that is not known statically (it differs between paths, or depends on unknown input)");
      else lines.push(`\`${d}\`: ${symbolOrigins.get(d) ?? "a symbolic size"}`);
    }
  }
  return lines.join("\n\n");
}
