import type { DeviceArray } from "../array.js";

/**
 * The static types of the public transformations: a transformed function takes the original's
 * parameters, and a derivative has the structure of what it is the derivative of (a pytree of
 * arrays keeps its type; a JS number's derivative is an array).
 */
export type Fn = (...args: any[]) => any;

/** The derivative of a value of type T. */
export type GradOf<T> = T extends number ? DeviceArray : T;

/** Derivatives of every parameter, in order (what vjp's pullback returns). */
export type GradsOf<P extends readonly unknown[]> = { -readonly [K in keyof P]: GradOf<P[K]> };

/** The gradient argnums selects: one argument's for a number (0 by default), a tuple for a list. */
export type GradAt<P extends readonly unknown[], A> =
  A extends number ? GradOf<P[A]>
  : A extends readonly number[] ? { -readonly [K in keyof A]: GradOf<P[A[K] & number]> }
  : GradOf<P[0]>;

/** The auxiliary value of a hasAux function (its result is [output, aux]). */
export type AuxOf<R> = R extends readonly [unknown, infer X] ? X : unknown;

/** grad(f, { argnums, hasAux }): the gradient, or [gradient, aux] with hasAux. */
export type GradFn<F extends Fn, A, H> = (...args: Parameters<F>) =>
  H extends true ? [GradAt<Parameters<F>, A>, AuxOf<ReturnType<F>>] : GradAt<Parameters<F>, A>;

/** valueAndGrad(f, ...): [f's result (with hasAux, [output, aux]), the gradient]. */
export type ValueAndGradFn<F extends Fn, A> = (...args: Parameters<F>) => [ReturnType<F>, GradAt<Parameters<F>, A>];

/** vjp's pullback: the cotangent has the output's structure; one derivative per primal comes back. */
export type Pullback<F extends Fn> = (ct: ReturnType<F>) => GradsOf<Parameters<F>>;

/** A Jacobian (jacfwd, jacrev, hessian) is one array [...output shape, ...input shape]. */
export type JacobianFn<F extends Fn> = (...args: Parameters<F>) => DeviceArray;
