import type { DeviceArray } from "./array.js";

/**
 * Erased shape annotations in the style of jaxtyping: `x: f32<"B 784">` is a DeviceArray to the
 * type checker (the brand is optional, so any DeviceArray is assignable) and a shape contract
 * ("B 784": symbolic dim B, concrete dim 784) to the language server. Nothing is checked at
 * run time. Dims are separated by spaces; "..." stands for any number of leading dims.
 */
export type Shaped<D extends string, S extends string> = DeviceArray & {
  readonly __tensorlensDType?: D;
  readonly __tensorlensShape?: S;
};
export type f32<S extends string = string> = Shaped<"float32", S>;
export type f16<S extends string = string> = Shaped<"float16", S>;
export type f64<S extends string = string> = Shaped<"float64", S>;
export type i32<S extends string = string> = Shaped<"int32", S>;
export type u32<S extends string = string> = Shaped<"uint32", S>;
export type bf16<S extends string = string> = Shaped<"bfloat16", S>;
export type i8<S extends string = string> = Shaped<"int8", S>;
export type i16<S extends string = string> = Shaped<"int16", S>;
export type u8<S extends string = string> = Shaped<"uint8", S>;
export type bool<S extends string = string> = Shaped<"bool", S>;
/** Any dtype with a shape contract. */
export type Arr<S extends string = string> = Shaped<string, S>;
/** A PRNG key (uint32[2] for threefry keys). */
export type PRNGKey = DeviceArray & { readonly __tensorlensKey?: true };
