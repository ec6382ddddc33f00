/// <reference types="@webgpu/types" />
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Getting a WebGPU device: in browsers from `navigator.gpu`, in Node from the `webgpu` npm
 * package (Dawn). The device wrapper owns the object `create()` returned: if that object is
 * garbage-collected while a device lives, Dawn crashes the process seconds later.
 */
export interface Gpu {
  readonly device: GPUDevice;
  /** How errors name the adapter: "llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)", "NVIDIA GeForce ...". */
  readonly adapterName: string;
  readonly isFallback: boolean;
  readonly features: ReadonlySet<string>;
  readonly limits: GpuLimits;
  /** Keeps Dawn's instance alive for as long as this wrapper is referenced. */
  readonly instance: unknown;
}

/** The limits kernels adapt to, as requested from the adapter (its maxima). */
export interface GpuLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
}
const LIMIT_NAMES: readonly (keyof GpuLimits)[] = [
  "maxBufferSize", "maxStorageBufferBindingSize", "maxStorageBuffersPerShaderStage", "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX", "maxComputeWorkgroupSizeY", "maxComputeWorkgroupStorageSize", "maxComputeWorkgroupsPerDimension",
];
/** Optional features used when the adapter has them (timestamp-query for the profiler, f16 for later kernels). */
const WANTED_FEATURES = ["timestamp-query", "shader-f16", "subgroups"] as const;

/**
 * Dawn's instance flags. Dawn rounds timestamps down to ~65 µs by default (a browser's defence
 * against timing attacks), which would make the profiler's kernel times multiples of that; a
 * Node process measuring its own kernels has nothing to defend, so they are exact here.
 */
const DAWN_FLAGS = ["disable-dawn-features=timestamp_quantization"];

/** Where scripts/setup-lavapipe.sh leaves its ICD json, relative to a package root. */
const LAVAPIPE_ICD = join("node_modules", ".cache", "lavapipe", "lvp_icd.json");

/** The lavapipe ICD json set up by scripts/setup-lavapipe.sh, searched upward from cwd and from this file. */
export function findLavapipeIcd(): string | undefined {
  const starts = [process.cwd(), dirname(fileURLToPath(import.meta.url))];
  for (const start of starts) {
    for (let d = resolve(start); ; d = dirname(d)) {
      const p = join(d, LAVAPIPE_ICD);
      if (existsSync(p)) return p;
      if (dirname(d) === d) break;
    }
  }
  return undefined;
}

/** Whether the Vulkan loader has any driver manifest in its standard places (Linux). */
function systemVulkanDrivers(): boolean {
  const home = process.env.HOME ?? "";
  const dirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", join(home, ".local/share/vulkan/icd.d"),
    ...(process.env.XDG_DATA_DIRS ?? "").split(":").filter((d) => d).map((d) => join(d, "vulkan/icd.d"))];
  return dirs.some((d) => { try { return readdirSync(d).some((f) => f.endsWith(".json")); } catch { return false; } });
}

export class NoAdapterError extends Error {
  override name = "NoAdapterError";
}

function noAdapterMessage(tried: string[]): string {
  return [
    "webgpu: no WebGPU adapter was found.",
    `Looked for: ${tried.join("; ")}.`,
    "To get one: install your GPU's driver (Vulkan on Linux, Metal on macOS, D3D12 on Windows), or, without a GPU,",
    "the CPU Vulkan driver lavapipe (Mesa >= 24): on Debian/Ubuntu x86_64 run `scripts/setup-lavapipe.sh` from the",
    "tensorlens repository (it fetches Mesa's lavapipe into node_modules/.cache/lavapipe/, which the engine finds by",
    "itself), or point VK_ICD_FILENAMES at an lvp_icd json. Other backends: TENSORLENS_BACKEND=native or reference.",
  ].join("\n");
}

/**
 * Every Dawn instance made here stays referenced for the life of the process: if one is
 * collected while a device it made lives, Dawn crashes the process seconds later.
 */
const instances: unknown[] = [];

type DawnModule = { create(flags: string[]): GPU; globals: Record<string, unknown> };

async function loadDawn(): Promise<DawnModule | string> {
  try {
    // A variable specifier keeps bundlers from resolving this optional dependency for the browser.
    const name = "webgpu";
    return (await import(name)) as DawnModule;
  } catch (e) {
    return `the \`webgpu\` npm package (Dawn) could not be loaded: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`;
  }
}

async function requestAdapter(gpu: GPU): Promise<GPUAdapter | null> {
  return (await gpu.requestAdapter({ powerPreference: "high-performance" })) ?? (await gpu.requestAdapter());
}

/** Finds an adapter and requests a device with the adapter's limits; rejects with a NoAdapterError that says how to get one. */
export async function acquireGpu(): Promise<Gpu> {
  const tried: string[] = [];
  let instance: unknown = undefined;
  let adapter: GPUAdapter | null = null;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    tried.push("navigator.gpu (the browser's WebGPU)");
    adapter = await requestAdapter(nav.gpu);
    instance = nav.gpu;
  }
  if (!adapter && typeof process !== "undefined" && process.versions?.node) {
    const dawn = await loadDawn();
    if (typeof dawn === "string") tried.push(dawn);
    else {
      Object.assign(globalThis, dawn.globals);
      const icdEnv = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
      tried.push(`the \`webgpu\` npm package (Dawn) over the system's drivers${icdEnv ? ` (VK_ICD_FILENAMES=${icdEnv})` : ""}`);
      const icd = findLavapipeIcd();
      // Without any Vulkan driver installed, asking the system first only prints Dawn's warnings.
      let gpu: GPU | undefined;
      if (icdEnv || !icd || process.platform !== "linux" || systemVulkanDrivers()) {
        gpu = dawn.create(DAWN_FLAGS);
        instances.push(gpu);
        adapter = await requestAdapter(gpu);
        instance = gpu;
      }
      // No driver of the system's: try the lavapipe that scripts/setup-lavapipe.sh leaves. The
      // Vulkan loader reads VK_ICD_FILENAMES when an instance is made, so setting it here works.
      if (!adapter && !icdEnv) {
        if (icd) {
          tried.push(`lavapipe at ${icd}`);
          process.env.VK_ICD_FILENAMES = icd;
          gpu = dawn.create(DAWN_FLAGS);
          instances.push(gpu);
          adapter = await requestAdapter(gpu);
          instance = gpu;
          if (!adapter) delete process.env.VK_ICD_FILENAMES;
        } else tried.push(`lavapipe set up by scripts/setup-lavapipe.sh (no ${LAVAPIPE_ICD} above ${process.cwd()})`);
      }
    }
  }
  if (!adapter) {
    if (tried.length === 0) tried.push("navigator.gpu (absent: this browser has no WebGPU)");
    throw new NoAdapterError(noAdapterMessage(tried));
  }
  const info = adapter.info;
  const adapterName = [info.device || info.vendor || "unknown adapter", info.description].filter((s) => s).join(": ") + (adapter.info.isFallbackAdapter ? " (a fallback adapter)" : "");
  const requiredLimits: Record<string, number> = {};
  for (const n of LIMIT_NAMES) requiredLimits[n] = adapter.limits[n];
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter!.features.has(f)) as GPUFeatureName[];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: "tensorlens" });
  } catch (e) {
    throw new Error(`webgpu: the adapter "${adapterName}" refused a device: ${e instanceof Error ? e.message : String(e)}`);
  }
  const limits = Object.fromEntries(LIMIT_NAMES.map((n) => [n, device.limits[n]])) as unknown as GpuLimits;
  return { device, adapterName, isFallback: !!adapter.info.isFallbackAdapter, features: new Set(requiredFeatures), limits, instance };
}
