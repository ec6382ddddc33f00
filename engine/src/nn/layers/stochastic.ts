import type { DeviceArray } from "../../array.js";
import * as np from "../../numpy/index.js";
import * as random from "../../random/index.js";
import { Module, type ModuleOptions } from "../module.js";
import { factory } from "./factory.js";

export interface DropoutOptions extends ModuleOptions { deterministic?: boolean; broadcastDims?: readonly number[]; rngCollection?: string }
/** Zeroes each element with probability `rate` and scales the rest by 1/(1-rate); needs rngs: { dropout }. */
class Dropout extends Module {
  readonly rate: number;
  readonly deterministic: boolean | undefined;
  readonly broadcastDims: readonly number[];
  readonly rngCollection: string;
  constructor(rate: number, opts: DropoutOptions = {}) {
    super(opts);
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`Dropout: rate must be in [0, 1], got ${rate}`);
    this.rate = rate;
    this.deterministic = opts.deterministic;
    this.broadcastDims = opts.broadcastDims ?? [];
    this.rngCollection = opts.rngCollection ?? "dropout";
  }
  call(x: DeviceArray, deterministic?: boolean): DeviceArray {
    const det = deterministic ?? this.deterministic;
    if (det === undefined) throw new Error("Dropout: pass deterministic (as an option or a call argument)");
    if (this.rate === 0 || det) return x;
    if (this.rate === 1) return np.zerosLike(x);
    const keepProb = 1 - this.rate;
    const maskShape = x.shape.map((d, i) => (this.broadcastDims.some((b) => (b < 0 ? b + x.ndim : b) === i) ? 1 : d));
    const keep = random.bernoulli(this.makeRng(this.rngCollection), keepProb, maskShape);
    return np.where(np.broadcastTo(keep, x.shape), np.divide(x, keepProb), np.zerosLike(x));
  }
}
const DropoutF = factory(Dropout);
export { DropoutF as Dropout };
