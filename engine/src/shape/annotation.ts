/**
 * The shape strings of the engine's annotation types (`f32<"B 784">`, engine/src/typing.ts),
 * parsed once for everyone who reads them: the language server (static shapes) and the runner
 * (inputs for annotated parameters).
 */

/** A dim of an annotation: a size, a named (symbolic) dim, or "_" / "?" for an unnamed one. */
export type AnnotatedDim = number | string | null;

/**
 * "B 784" -> ["B", 784]; "_" and "?" are unnamed dims (null); dims may be separated by spaces
 * or commas. Returns null when the rank is open ("..." or "*name" anywhere).
 */
export function parseShapeSpec(spec: string): AnnotatedDim[] | null {
  const parts = spec.trim().split(/[\s,]+/).filter(Boolean);
  if (parts.some((p) => p === "..." || p.startsWith("*"))) return null;
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p === "_" || p === "?" ? null : p));
}
