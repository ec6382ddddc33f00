import type { DeviceArray } from "../array.js";
import * as np from "../numpy/index.js";

/**
 * Optax schedules: step -> value. The step may be a number or a traced int32 scalar (inside
 * jit), so every schedule is written with array operations.
 */
export type Schedule = (step: DeviceArray | number) => DeviceArray;
const f32 = (x: DeviceArray | number) => np.asarray(x).astype("float32");

export const constantSchedule = (value: number): Schedule => () => np.array(value, "float32");

/** init * rate^(step / transitionSteps) (floored exponent when staircase), after transitionBegin steps, clipped at endValue. */
export function exponentialDecay(opts: { initValue: number; transitionSteps: number; decayRate: number; transitionBegin?: number; staircase?: boolean; endValue?: number }): Schedule {
  const { initValue, transitionSteps, decayRate, transitionBegin = 0, staircase = false, endValue } = opts;
  return (step) => {
    const count = np.maximum(np.subtract(f32(step), transitionBegin), 0);
    let p = np.divide(count, transitionSteps);
    if (staircase) p = np.floor(p);
    let v = np.multiply(initValue, np.power(np.array(decayRate, "float32"), p));
    if (endValue !== undefined) v = decayRate < 1 ? np.maximum(v, endValue) : np.minimum(v, endValue);
    return v;
  };
}

/** init + (end - init) * min(step, transitionSteps) / transitionSteps (after transitionBegin). */
export function linearSchedule(opts: { initValue: number; endValue: number; transitionSteps: number; transitionBegin?: number }): Schedule {
  const { initValue, endValue, transitionSteps, transitionBegin = 0 } = opts;
  return (step) => {
    const c = np.clip(np.subtract(f32(step), transitionBegin), 0, transitionSteps);
    return np.add(initValue, np.multiply(endValue - initValue, np.divide(c, Math.max(transitionSteps, 1))));
  };
}

/** init * ((1 - alpha) * (1 + cos(pi * min(step, decaySteps) / decaySteps)) / 2 * ... ^ exponent + alpha). */
export function cosineDecay(opts: { initValue: number; decaySteps: number; alpha?: number; exponent?: number }): Schedule {
  const { initValue, decaySteps, alpha = 0, exponent = 1 } = opts;
  return (step) => {
    const c = np.minimum(f32(step), decaySteps);
    const cosine = np.multiply(0.5, np.add(1, np.cos(np.multiply(Math.PI / decaySteps, c))));
    const decayed = np.add(np.multiply(1 - alpha, np.power(cosine, exponent)), alpha);
    return np.multiply(initValue, decayed);
  };
}

/** Runs schedules one after another: schedule i sees (step - boundary[i-1]). */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  return (step) => {
    const s = f32(step);
    let out = schedules[0]!(s);
    boundaries.forEach((b, i) => { out = np.where(np.greaterEqual(s, b), schedules[i + 1]!(np.subtract(s, b)), out); });
    return out;
  };
}

/** Linear warmup from initValue to peakValue over warmupSteps, then cosine decay to endValue at decaySteps (total). */
export function warmupCosineDecay(opts: { initValue: number; peakValue: number; warmupSteps: number; decaySteps: number; endValue?: number; exponent?: number }): Schedule {
  const { initValue, peakValue, warmupSteps, decaySteps, endValue = 0, exponent = 1 } = opts;
  const alpha = peakValue === 0 ? 0 : endValue / peakValue;
  return joinSchedules([
    linearSchedule({ initValue, endValue: peakValue, transitionSteps: warmupSteps }),
    cosineDecay({ initValue: peakValue, decaySteps: decaySteps - warmupSteps, alpha, exponent }),
  ], [warmupSteps]);
}

/** Linear warmup then exponential decay. */
export function warmupExponentialDecay(opts: { initValue: number; peakValue: number; warmupSteps: number; transitionSteps: number; decayRate: number; transitionBegin?: number; staircase?: boolean; endValue?: number }): Schedule {
  const { initValue, peakValue, warmupSteps, ...rest } = opts;
  return joinSchedules([
    linearSchedule({ initValue, endValue: peakValue, transitionSteps: warmupSteps }),
    exponentialDecay({ initValue: peakValue, ...rest }),
  ], [warmupSteps]);
}

/** Piecewise constant: init, multiplied by scales[i] once step reaches boundaries[i]. */
export function piecewiseConstantSchedule(initValue: number, boundariesAndScales: Readonly<Record<number, number>>): Schedule {
  const entries = Object.entries(boundariesAndScales).map(([b, s]) => [Number(b), s] as const).sort((a, b) => a[0] - b[0]);
  return (step) => {
    const s = f32(step);
    let v = np.array(initValue, "float32");
    let acc = initValue;
    for (const [b, scale] of entries) { acc *= scale; v = np.where(np.greaterEqual(s, b), np.array(acc, "float32"), v); }
    return v;
  };
}
