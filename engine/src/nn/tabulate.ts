import { DeviceArray } from "../array.js";
import { itemSize } from "../dtype.js";
import { leaves } from "../tree.js";
import type { PRNGKey } from "../typing.js";
import { shapeText, type Module, type RngStreams } from "./module.js";

const shapes = (x: unknown): string => {
  const ls = leaves(x).filter((v): v is DeviceArray => v instanceof DeviceArray);
  return ls.map(shapeText).join(", ");
};
function sub(tree: any, path: readonly string[]): any {
  let o = tree;
  for (const p of path) { if (!o || typeof o !== "object") return undefined; o = o[p]; }
  return o;
}
const human = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/**
 * A table of every module call during init (flax.linen.tabulate): path, type, input and output
 * shapes, and the module's own variables per collection with counts and bytes, then totals.
 */
export function tabulate(module: Module, rngs: PRNGKey | RngStreams, ...inputs: unknown[]): string {
  const { vars, records } = module._initRecording(rngs, inputs);
  const collections = Object.keys(vars).sort();
  const rows: string[][] = [["path", "module", "inputs", "outputs", ...collections]];
  // Records arrive innermost first; the table lists outermost first, as Flax does.
  const ordered = [...records].sort((a, b) => a.path.length - b.path.length || 0);
  const totals = new Map<string, [number, number]>();
  for (const r of ordered) {
    const cells = collections.map((c) => {
      const own = sub(vars[c], r.path);
      if (!own || typeof own !== "object") return "";
      const arrs = (Object.entries(own).filter(([, v]) => v instanceof DeviceArray) as [string, DeviceArray][]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      if (!arrs.length) return "";
      const count = arrs.reduce((s, [, a]) => s + a.size, 0), bytes = arrs.reduce((s, [, a]) => s + a.size * itemSize(a.dtype), 0);
      const t = totals.get(c) ?? [0, 0];
      totals.set(c, [t[0] + count, t[1] + bytes]);
      return `${arrs.map(([k, a]) => `${k}: ${shapeText(a)}`).join(", ")} (${count.toLocaleString("en")}, ${human(bytes)})`;
    });
    rows.push([r.path.length ? r.path.join("/") : "", r.type, shapes(r.inputs), shapes(r.output), ...cells]);
  }
  rows.push(["", "", "", "Total", ...collections.map((c) => { const t = totals.get(c) ?? [0, 0]; return `${t[0].toLocaleString("en")} (${human(t[1])})`; })]);
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j]!)).join(" | ")} |`;
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const title = `${module.constructor.name} summary`;
  const total = [...totals.values()].reduce((s, t) => [s[0] + t[0], s[1] + t[1]], [0, 0]);
  return [title, rule, line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows[rows.length - 1]!), rule,
    `Total parameters: ${total[0].toLocaleString("en")} (${human(total[1])})`].join("\n");
}
