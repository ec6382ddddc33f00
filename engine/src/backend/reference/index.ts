import type { TypedArray } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import type { ParamsOf, Primitive } from "../../ir/primitives.js";
import type { Backend, Buffer } from "../interface.js";
import type { FusedKernel } from "../kernel.js";
import { runFusedKernel } from "./fused.js";
import { referenceImpls, type DataPrimitive, type Impl } from "./ops.js";

/** A reference buffer is a host typed array. */
class HostBuffer { constructor(readonly data: TypedArray) {} }
const data = (b: Buffer) => (b as HostBuffer).data;

/** The TypeScript backend: correct for every primitive, the oracle for the others. */
export class ReferenceBackend implements Backend {
  readonly name = "reference";
  upload(d: TypedArray): Buffer { return new HostBuffer(d.slice()); }
  async download(b: Buffer): Promise<TypedArray> { return data(b).slice(); }
  downloadSync(b: Buffer): TypedArray { return data(b).slice(); }
  free(): void { /* garbage collected */ }
  execute<P extends Primitive>(prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Buffer[] {
    // Control flow and custom calls have no kernel here (the engine runs them): the table holds data primitives only.
    const impl = (referenceImpls as Partial<Record<Primitive, Impl<P & DataPrimitive>>>)[prim];
    if (!impl) throw new Error(`internal: the reference backend has no kernel for ${prim}`);
    return impl(inputs.map(data), params as ParamsOf<P & DataPrimitive>, inAvals, outAvals).map((d) => new HostBuffer(d));
  }
  runKernel(kernel: FusedKernel, inputs: readonly Buffer[]): Buffer {
    return new HostBuffer(runFusedKernel(kernel, inputs.map(data)));
  }
}
