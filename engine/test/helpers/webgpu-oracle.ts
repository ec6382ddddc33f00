// The webgpu backend against the reference backend (the oracle), for the webgpu test files:
// the adapter check (skip only without an adapter, fail with TENSORLENS_REQUIRE_WEBGPU=1), one
// primitive run on both through the Backend contract, and the API run on both from the same values.
import assert from "node:assert/strict";
import { devicePut, getBackend, type DeviceArray } from "../../src/index.js";
import type { ShapedArray } from "../../src/ir/aval.js";
import type { Primitive } from "../../src/ir/primitives.js";
import type { TypedArray } from "../../src/dtype.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../../src/backend/reference/ops.js";
import type { WebGPUBackend } from "../../src/backend/webgpu/backend.js";

export const be = getBackend("webgpu") as WebGPUBackend;
const ready = await be.ready().then((info) => ({ ok: true as const, info }), (e: Error) => ({ ok: false as const, reason: e.message }));
if (!ready.ok && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready.reason}`);
export const skip: string | false = ready.ok ? false : `no WebGPU adapter: ${ready.reason}`;
/** The adapter's name and features, when there is one. */
export const adapter = ready.ok ? ready.info : undefined;

export const gpu = (x: DeviceArray) => devicePut(x, "webgpu");
export const ref = (x: DeviceArray) => devicePut(x, "reference");

/** |got - want| <= atol + rtol |want| (the tolerance), NaN = NaN, infinities exact. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]), w = Number(want[i]);
    if (Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= atol + rtol * Math.abs(w)) continue;
    assert.fail(`${what}: element ${i} is ${g}, expected ${w}`);
  }
}

/** One primitive on the reference kernels and on webgpu (through the Backend contract): both outputs. */
export async function runPrim(prim: Primitive, params: any, inputs: TypedArray[], inAvals: ShapedArray[], outAvals: ShapedArray[], on: WebGPUBackend = be) {
  const impl = referenceImpls[prim as DataPrimitive] as Impl<DataPrimitive>;
  const want = impl(inputs.map((x) => x.slice()), params, inAvals, outAvals);
  const bufs = inputs.map((x, i) => on.upload(x, inAvals[i]!));
  const outs = on.execute(prim, params, bufs, inAvals, outAvals);
  const got = await Promise.all(outs.map((b, i) => on.download(b, outAvals[i]!)));
  for (const b of [...bufs, ...outs]) on.free(b);
  return { want, got };
}

/** One primitive on the reference kernels and on webgpu; outputs compared within the tolerance. */
export async function checkPrim(prim: Primitive, params: any, inputs: TypedArray[], inAvals: ShapedArray[], outAvals: ShapedArray[], what: string, rtol = 1e-4, atol = 1e-5, on: WebGPUBackend = be) {
  const { want, got } = await runPrim(prim, params, inputs, inAvals, outAvals, on);
  want.forEach((w, i) => assertClose(got[i]!, w, `${what} output ${i}`, rtol, atol));
}

/** A result computed on webgpu equals the reference's (shape, dtype, values within the tolerance). */
export async function same(got: DeviceArray, want: DeviceArray, what: string) {
  assert.equal(got.device, "webgpu", `${what}: computed on webgpu`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assertClose(await got.data(), want.dataSync(), what);
}

/** Runs f on webgpu and on the reference backend from the same host values; every output compared. */
export async function both(f: (...xs: DeviceArray[]) => DeviceArray | DeviceArray[], xs: DeviceArray[], what: string) {
  const g = f(...xs.map((x) => devicePut(x, "webgpu"))), w = f(...xs.map((x) => devicePut(x, "reference")));
  const gs = Array.isArray(g) ? g : [g], ws = Array.isArray(w) ? w : [w];
  assert.equal(gs.length, ws.length, `${what}: output count`);
  for (let i = 0; i < ws.length; i++) {
    const a = gs[i]!, b = ws[i]!;
    assert.equal(a.device, "webgpu", `${what}[${i}]: computed on webgpu`);
    assert.deepEqual(a.shape, b.shape, `${what}[${i}]: shape`);
    assert.equal(a.dtype, b.dtype, `${what}[${i}]: dtype`);
    assertClose(await a.data(), b.dataSync(), `${what}[${i}]`);
  }
}
