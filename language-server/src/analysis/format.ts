/** How abstract values read in the editor: `f32[B,4]`, `?` for what is unknown. */
import type { Value } from "./values.js";
import { SHORT_NAME } from "./engineShapes.js";

/** The engine's short names (engine/src/dtype.ts), as the engine prints shapes. */
export const shortDtype = (dtype: string | null): string => (dtype === null ? "?" : Object.hasOwn(SHORT_NAME, dtype) ? SHORT_NAME[dtype as keyof typeof SHORT_NAME] : dtype);

/** The label of a value, or undefined when nothing about it is worth showing. */
export function formatValue(v: Value, budget = 90): string | undefined {
  switch (v.kind) {
    case "array": {
      if (v.keyId !== undefined && v.shape?.length === 1) return `key ${shortDtype(v.dtype)}[${v.shape.join(",")}]`;
      if (v.shape === null && v.dtype === null) return "?";
      const dims = v.shape === null ? "…" : v.shape.join(",");
      return `${shortDtype(v.dtype)}[${dims}]`;
    }
    case "list": {
      const parts = v.items.map((x) => formatValue(x, budget) ?? "·");
      if (parts.every((p) => p === "·")) return undefined;
      return clip(`[${parts.join(", ")}]`, budget);
    }
    case "seq": {
      // A list of unknown length: its one item type, and an unknown count.
      const item = formatValue(v.item, budget);
      return item === undefined ? undefined : clip(`[${item} × ?]`, budget);
    }
    case "object": {
      const parts = [...v.fields].map(([k, x]) => [k, formatValue(x, budget)] as const).filter(([, s]) => s !== undefined);
      if (parts.length === 0) return undefined;
      return clip(`{${parts.map(([k, s]) => `${k}: ${s}`).join(", ")}}`, budget);
    }
    default:
      return undefined;
  }
}

function clip(s: string, budget: number): string {
  return s.length <= budget ? s : `${s.slice(0, budget - 1)}…`;
}
