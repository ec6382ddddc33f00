/** How abstract values read in the editor: `f32[B,4]`, `?` for what is unknown. */
import type { Value } from "./values.js";

const DTYPE_SHORT: Record<string, string> = {
  float32: "f32", float16: "f16", float64: "f64", bfloat16: "bf16", int32: "i32", uint32: "u32",
  int8: "i8", uint8: "u8", int16: "i16", int64: "i64", bool: "bool",
};

export const shortDtype = (dtype: string | null): string => (dtype === null ? "?" : DTYPE_SHORT[dtype] ?? dtype);

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
