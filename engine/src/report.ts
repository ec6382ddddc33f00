import { DeviceArray } from "./array.js";

/**
 * Where report() sends metrics: installed by the runner's child process (engine/src/runner)
 * under a global symbol, so that a user's engine copy and the runner's reach the same sink.
 * Outside the runner there is none and report() only validates its argument.
 */
export const REPORT_SINK = Symbol.for("tensorlens.runner.reportSink");
export type ReportSink = (step: number | null, values: Record<string, number | null>) => void;

/**
 * Reports training metrics for live curves: `report({ step, loss, accuracy })`. Values are
 * numbers or scalar arrays (read back at once); `step` is optional. Outside `tensorlens run`
 * it does nothing.
 */
export function report(metrics: Record<string, number | DeviceArray>): void {
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    throw new TypeError(`report: expected an object of metrics such as { step, loss }, got ${metrics === null ? "null" : Array.isArray(metrics) ? "an array" : typeof metrics}`);
  }
  const sink = (globalThis as Record<symbol, ReportSink | undefined>)[REPORT_SINK];
  let step: number | null = null;
  const values: Record<string, number | null> = {};
  for (const [name, v] of Object.entries(metrics)) {
    const n = toNumber(name, v);
    if (name === "step") step = n;
    else values[name] = Number.isFinite(n) ? n : null;
  }
  sink?.(step, values);
}

function toNumber(name: string, v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof DeviceArray) {
    if (v.size !== 1) throw new TypeError(`report: metric "${name}" must be a scalar, got an array of shape [${v.shape.join(",")}]`);
    return Number(v.dataSync()[0]);
  }
  throw new TypeError(`report: metric "${name}" must be a number or a scalar array, got ${v === null ? "null" : typeof v}`);
}
