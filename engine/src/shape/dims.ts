/**
 * Dimensions as the engine and the language server see them: a concrete size, or a symbolic
 * name ("B", "N") that the static analysis carries through the same rules.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export const isConcrete = (d: Dim): d is number => typeof d === "number";

/** Two dims are equal when both are the same number or the same symbol. */
export function dimEqual(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Product of dims; symbolic factors are kept as a product expression ("B*4"). */
export function dimProduct(shape: Shape): Dim {
  let n = 1;
  const symbols: string[] = [];
  for (const d of shape) {
    if (typeof d === "number") n *= d;
    else symbols.push(d);
  }
  if (symbols.length === 0 || n === 0) return n;
  return n === 1 ? symbols.join("*") : [String(n), ...symbols].join("*");
}

export function isConcreteShape(shape: Shape): shape is readonly number[] {
  return shape.every(isConcrete);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(",")}]`;
}
