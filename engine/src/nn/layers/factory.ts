/**
 * Layers are classes that may also be called without `new`, as in Flax: `nn.Dense(4)(x)`.
 * `new nn.Dense(4)`, `instanceof` and `extends` still work on the exported value.
 */
export type Factory<C extends abstract new (...a: any[]) => any> = C & ((...a: ConstructorParameters<C>) => InstanceType<C>);
export function factory<C extends new (...a: any[]) => any>(cls: C): Factory<C> {
  return new Proxy(cls, { apply: (target, _this, args) => new target(...args) }) as Factory<C>;
}
