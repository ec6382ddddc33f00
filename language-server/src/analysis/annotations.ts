/**
 * jaxtyping-style annotations: `x: f32<"B 784">` declares dtype float32 and shape [B, 784]
 * (B symbolic). The engine exports these as erased types (engine/src/typing.ts).
 */
import ts from "typescript";
import { ENGINE_DTYPES, SHORT_NAME, parseShapeSpec, type Dim } from "./engineShapes.js";
import { UNKNOWN_DIM } from "./values.js";

/** The engine's annotation types are its dtypes' short names (engine/src/typing.ts: f32, bf16, i8 ...), and Arr. */
const DTYPE_OF_TYPE: Record<string, string | null> = {
  ...Object.fromEntries(ENGINE_DTYPES.map((d) => [SHORT_NAME[d], d])), Arr: null,
};

export interface ShapeAnnotation {
  readonly dtype: string | null;
  /** null: "..." (any leading dims) or no shape string. */
  readonly shape: Dim[] | null;
  readonly key?: boolean;
  readonly text: string;
}

/** Reads a parameter's type annotation; `isEngineType` says whether a type name comes from tensorlens. */
export function readAnnotation(type: ts.TypeNode | undefined, isEngineType: (name: string) => boolean): ShapeAnnotation | undefined {
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
  const local = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.left.getText();
  if (!isEngineType(local)) return undefined;
  if (name === "PRNGKey") return { dtype: "uint32", shape: [2], key: true, text: "PRNGKey" };
  if (name === "DeviceArray") return { dtype: null, shape: null, text: "DeviceArray" };
  if (!(name in DTYPE_OF_TYPE)) return undefined;
  const arg = type.typeArguments?.[0];
  const dtype = DTYPE_OF_TYPE[name]!;
  if (!arg) return { dtype, shape: null, text: name };
  if (!ts.isLiteralTypeNode(arg) || !ts.isStringLiteral(arg.literal)) return { dtype, shape: null, text: name };
  return { dtype, shape: parseDims(arg.literal.text), text: `${name}<"${arg.literal.text}">` };
}

/** "B 784" -> ["B", 784]: the engine's parser, with unnamed dims as unknown. */
export function parseDims(spec: string): Dim[] | null {
  return parseShapeSpec(spec)?.map((d) => (d === null ? UNKNOWN_DIM : d)) ?? null;
}

/**
 * Checks an argument's shape against an annotation, binding symbols to sizes as jaxtyping does.
 * Returns a message when the shape certainly does not fit.
 */
export function matchAnnotation(expected: readonly Dim[], actual: readonly Dim[], bound: Map<string, Dim>): string | undefined {
  if (expected.length !== actual.length) return `expected rank ${expected.length} [${expected.join(",")}], got [${actual.join(",")}]`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!, a = actual[i]!;
    if (e === UNKNOWN_DIM || a === UNKNOWN_DIM) continue;
    if (typeof e === "number") {
      if (typeof a === "number" && a !== e) return `axis ${i} must be ${e}, got ${a} (expected [${expected.join(",")}], got [${actual.join(",")}])`;
      continue;
    }
    const prev = bound.get(e);
    if (prev === undefined) bound.set(e, a);
    else if (typeof prev === "number" && typeof a === "number" && prev !== a) {
      return `dim ${e} is ${prev} from an earlier argument but ${a} here (expected [${expected.join(",")}], got [${actual.join(",")}])`;
    }
  }
  return undefined;
}
