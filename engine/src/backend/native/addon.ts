import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The functions the C++ addon exports (engine/native/src/addon.cc). Pointers are numbers. */
export interface Addon {
  info(): { simd: string; threads: number; microKernel: string; unary: string[]; binary: string[] };
  /** A Float64Array shared with the addon: hot calls exchange pointers through it. */
  io(): Float64Array;
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** Gives freed blocks kept for reuse (from 1 MiB, up to 256 MiB in all) back to the system; returns their bytes. */
  releaseReusable(): number;
  adjustExternal(deltaBytes: number): void;
  detach(buffer: ArrayBuffer): void;
  upload(data: ArrayBufferView): number;
  read(ptr: number, bytes: number): ArrayBuffer;
  write(ptr: number, data: ArrayBufferView): void;
  /** A zero-copy ArrayBuffer over native memory, or undefined where the runtime forbids it (Electron). */
  view(ptr: number, bytes: number): ArrayBuffer | undefined;
  createOp(enc: Float64Array, outBytes: Float64Array): number;
  destroyOp(id: number): void;
  /** Inputs in io[0..numIn); writes new output pointers to io[numIn..]. */
  exec(id: number): void;
  /** The address of an ArrayBuffer's backing store (stable: V8 does not move them), 0 if none. */
  addressOf(ab: ArrayBuffer): number;
  /** Inputs in io[0..numIn), existing outputs in io[numIn..]. */
  execInto(id: number): void;
  createProgram(enc: Float64Array): number;
  destroyProgram(id: number): void;
  /**
   * Inputs in io[0..numInputs); writes output pointers to io[0..numOutputs). `outs[k]`, when a
   * number, is the address output k is written to (a heap buffer the caller made); otherwise
   * output k is a new native block.
   */
  runProgram(id: number, outs?: (number | undefined)[]): void;
  /**
   * Profiler timing: with `steps`, each runProgram writes [count, start0, end0, start1, ...]
   * there (the native clock, ms); with `spans`, the thread pool logs [count, (thread, start,
   * end)...]; null turns both off (then timing costs one branch per step). Returns the native
   * clock now, to pair with performance.now().
   */
  setStepTiming(steps: Float64Array | null, spans?: Float64Array | null): number;
  /** Names an op in crash reports ("<label> [<the addon's description>]"). */
  labelOp(id: number, label: string): void;
  /** The native clock (steady_clock) now, in ms. */
  steadyMs(): number;
  setThreads(n: number): number;
  liveBytes(): number;
  noop(): void;
}

export type AddonLoad = { ok: true; addon: Addon; path: string } | { ok: false; reason: string };

const engineRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const addonPath = join(engineRoot, "native", "build", "Release", "tensorlens.node");

let loaded: AddonLoad | undefined;

/** Loads the addon once; on failure says why (missing build, its log, or the loader's error). */
export function loadAddon(): AddonLoad {
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const addon = require(addonPath) as Addon;
    loaded = { ok: true, addon, path: addonPath };
  } catch (e) {
    const log = join(engineRoot, "native", "build", "build-error.log");
    let reason: string;
    if (existsSync(log)) {
      const lines = readFileSync(log, "utf8").split("\n").filter((l) => /error/i.test(l)).slice(0, 3).join(" | ");
      reason = `its build failed during npm install (${lines || "see log"}; full log: ${log})`;
    } else if (!existsSync(addonPath)) {
      reason = `it is not built (${addonPath} is missing; run \`npm rebuild tensorlens\` with a C++ toolchain and python3 installed)`;
    } else {
      reason = `it failed to load: ${(e as Error).message.split("\n")[0]}`;
    }
    loaded = { ok: false, reason };
  }
  return loaded;
}
