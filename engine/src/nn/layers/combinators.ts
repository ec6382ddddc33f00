import { Module, type ModuleOptions } from "../module.js";
import { factory } from "./factory.js";

type Layer = ((...args: any[]) => any);
/** Applies layers in order; a layer returning an array of values passes them on as arguments. Modules are named layers_0, layers_1, ... */
class Sequential extends Module {
  readonly layers: readonly Layer[];
  constructor(layers: readonly Layer[], opts: ModuleOptions = {}) {
    super(opts);
    this.layers = layers;
  }
  call(...args: any[]): any {
    let out: any = args;
    this.layers.forEach((layer, i) => {
      out = layer(...(Array.isArray(out) && i > 0 ? out : i === 0 ? args : [out]));
    });
    return out;
  }
}
const SequentialF = factory(Sequential);
export { SequentialF as Sequential };
