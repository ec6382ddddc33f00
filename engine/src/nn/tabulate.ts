import { DeviceArray } from "../array.js";
import { itemSize } from "../dtype.js";
import { leaves } from "../tree.js";
import type { PRNGKey } from "../typing.js";
import { shapeText, type Module, type RngStreams } from "./module.js";

/** Flax's byte counts: decimal units, one decimal. */
export function bytesText(n: number): string {
  const [v, unit] = n > 1e9 ? [n / 1e9, "GB"] : n > 1e6 ? [n / 1e6, "MB"] : n > 1e3 ? [n / 1e3, "KB"] : [n, "B"];
  return `${unit === "B" ? v.toLocaleString("en") : v.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${unit}`;
}
const arrays = (x: unknown) => leaves(x).filter((v): v is DeviceArray => v instanceof DeviceArray);
function sub(tree: any, path: readonly string[]): any {
  let o = tree;
  for (const p of path) { if (!o || typeof o !== "object") return undefined; o = o[p]; }
  return o;
}

/**
 * A table of every module call during init (flax.linen.tabulate): path, type, input and output
 * shapes, and the module's own variables per collection (one per line) with their count and
 * bytes; then the totals. Rows are in the order the calls began (the root first), as in Flax;
 * `params` is the first collection column.
 */
export function tabulate(module: Module, rngs: PRNGKey | RngStreams, ...inputs: unknown[]): string {
  const { vars, records } = module._initRecording(rngs, inputs);
  const collections = Object.keys(vars).sort((a, b) => (a === "params" ? -1 : b === "params" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const totals = new Map<string, [number, number]>();
  const rows: string[][][] = records.map((r) => [
    [r.path.join("/")], [r.type], arrays(r.inputs).map(shapeText), arrays(r.output).map(shapeText),
    ...collections.map((c) => {
      const own = sub(vars[c], r.path);
      if (!own || typeof own !== "object") return [];
      // A module's own variables are its array entries; nested objects are its submodules'.
      const arrs = (Object.entries(own).filter(([, v]) => v instanceof DeviceArray) as [string, DeviceArray][]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      if (!arrs.length) return [];
      const count = arrs.reduce((s, [, a]) => s + a.size, 0), bytes = arrs.reduce((s, [, a]) => s + a.size * itemSize(a.dtype), 0);
      const t = totals.get(c) ?? [0, 0];
      totals.set(c, [t[0] + count, t[1] + bytes]);
      return [...arrs.map(([k, a]) => `${k}: ${shapeText(a)}`), "", `${count.toLocaleString("en")} (${bytesText(bytes)})`];
    }),
  ]);
  const header = ["path", "module", "inputs", "outputs", ...collections].map((h) => [h]);
  const footer = [[""], [""], [""], ["Total"], ...collections.map((c) => { const t = totals.get(c) ?? [0, 0]; return [`${t[0].toLocaleString("en")} (${bytesText(t[1])})`]; })];
  const all = [header, ...rows, footer];
  const widths = header.map((_, j) => Math.max(...all.map((r) => Math.max(0, ...r[j]!.map((l) => l.length)))));
  const render = (r: string[][], rightAlign = -1) => {
    const height = Math.max(1, ...r.map((c) => c.length));
    return Array.from({ length: height }, (_, i) => `│ ${r.map((c, j) => (j === rightAlign ? (c[i] ?? "").padStart(widths[j]!) : (c[i] ?? "").padEnd(widths[j]!))).join(" │ ")} │`);
  };
  const rule = (l: string, m: string, r: string, h = "─") => `${l}${widths.map((w) => h.repeat(w + 2)).join(m)}${r}`;
  const total = [...totals.values()].reduce((s, t) => [s[0] + t[0], s[1] + t[1]], [0, 0]);
  const tableWidth = widths.reduce((s, w) => s + w + 3, 1);
  const center = (s: string) => " ".repeat(Math.max(0, Math.floor((tableWidth - s.length) / 2))) + s;
  return [
    center(`${module.constructor.name} Summary`),
    rule("┏", "┳", "┓", "━"), ...render(header).map((l) => l.replaceAll("│", "┃")), rule("┡", "╇", "┩", "━"),
    ...rows.flatMap((r, i) => [...(i ? [rule("├", "┼", "┤")] : []), ...render(r)]),
    rule("├", "┼", "┤"), ...render(footer, 3), rule("└", "┴", "┘"),
    "", center(`Total Parameters: ${total[0].toLocaleString("en")} (${bytesText(total[1])})`),
  ].join("\n");
}
