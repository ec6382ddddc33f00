/**
 * The runner's protocol: every request a caller sends and every message the runner emits, one
 * JSON object per line, each with a `type`. This module is the one definition: the CLI, the
 * session mode, the extension and the webview import the schemas and the types derived from
 * them (nothing restates a message's shape). Documented with examples in docs/runner-protocol.md.
 *
 * Versioning: `PROTOCOL_VERSION` changes when a field is removed or changes meaning; new
 * optional fields and new message types do not change it (callers ignore types they do not
 * know). `started` and `ready` carry the version.
 */
import { z } from "zod";
import { DTYPES, type DType } from "../dtype.js";

// The constants live apart so that the runner's start-up path need not load zod.
export { PROTOCOL_VERSION, LIMITS } from "./limits.js";

// ---- building blocks -------------------------------------------------------------------------

export const Location = z.object({ file: z.string(), line: z.number().int(), column: z.number().int() });
export type Location = z.infer<typeof Location>;

export const DTypeName = z.enum(DTYPES as [DType, ...DType[]]);
export type DTypeName = z.infer<typeof DTypeName>;

/**
 * Array values: the host storage of the dtype, little-endian, base64 (16-bit floats widened
 * to float32, 8- and 16-bit ints to int32, bool as one byte). Exact, NaN and Inf included, and compact.
 */
export const ArrayData = z.object({
  encoding: z.literal("base64"),
  storage: z.enum(["float32", "float64", "int32", "uint32", "uint8"]),
  bytes: z.string(),
});
export type ArrayData = z.infer<typeof ArrayData>;

/** Statistics over the finite values (null when there are none); nan and inf are counts. */
export const ArrayStats = z.object({
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  nan: z.number().int(),
  inf: z.number().int(),
});
export type ArrayStats = z.infer<typeof ArrayStats>;

/**
 * A strided view of an array: element [i0, i1, ...] of `data` is element
 * [start0 + i0*step0, ...] of the original; `shape` is the view's shape.
 */
export const ArraySlice = z.object({
  start: z.array(z.number().int()),
  step: z.array(z.number().int().positive()),
  shape: z.array(z.number().int().nonnegative()),
  data: ArrayData,
});
export type ArraySlice = z.infer<typeof ArraySlice>;

export const ArrayLeaf = z.object({
  kind: z.literal("array"),
  shape: z.array(z.number().int().nonnegative()),
  dtype: DTypeName,
  size: z.number().int().nonnegative(),
  stats: ArrayStats,
  /** The whole array, when it fits the inline and result budgets. */
  data: ArrayData.optional(),
  /** For arrays sent without data: a handle for `fetch` requests; a `preview` message follows. */
  handle: z.string().optional(),
  /** Where the array was produced, when the engine knows (the jit call or op's user line). */
  source: Location.optional(),
});
export type ArrayLeaf = z.infer<typeof ArrayLeaf>;

/**
 * A result as a tree: arrays, JS values, lists, objects (plain, class instances, Maps), and
 * references for values seen before (cycles, shared subtrees).
 */
export type TreeNode =
  | ArrayLeaf
  | { kind: "value"; type: "number" | "string" | "boolean" | "bigint" | "undefined" | "null" | "symbol" | "function" | "other"; text: string }
  | { kind: "list"; items: TreeNode[]; /** elements left out past the budget */ omitted?: number }
  | { kind: "dict"; className?: string; entries: { key: string; value: TreeNode }[]; omitted?: number }
  | { kind: "ref"; path: string[] };

export const TreeNode: z.ZodType<TreeNode> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    ArrayLeaf,
    z.object({
      kind: z.literal("value"),
      type: z.enum(["number", "string", "boolean", "bigint", "undefined", "null", "symbol", "function", "other"]),
      text: z.string(),
    }),
    z.object({ kind: z.literal("list"), items: z.array(TreeNode), omitted: z.number().int().optional() }),
    z.object({
      kind: z.literal("dict"),
      className: z.string().optional(),
      entries: z.array(z.object({ key: z.string(), value: TreeNode })),
      omitted: z.number().int().optional(),
    }),
    z.object({ kind: z.literal("ref"), path: z.array(z.string()) }),
  ]),
);

export const StackFrame = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  function: z.string().optional(),
  /** A frame inside the engine (or Node's internals): hidden by default in editors. */
  engine: z.boolean(),
});
export type StackFrame = z.infer<typeof StackFrame>;

// ---- profiles --------------------------------------------------------------------------------

/** One row of the per-op table: an eager op, a fused kernel, or a non-fused op of a jit program. */
export const ProfileOp = z.object({
  name: z.string(),
  kind: z.enum(["eager", "kernel", "op", "transfer"]),
  count: z.number().int(),
  totalUs: z.number(),
  meanUs: z.number(),
  flops: z.number(),
  bytes: z.number(),
  /** The user's lines that produced it (for a fused kernel: every equation fused into it). */
  sources: z.array(Location),
  /** The jitted function it ran in, if any. */
  jit: z.string().optional(),
});
export type ProfileOp = z.infer<typeof ProfileOp>;

export const ProfileCompile = z.object({
  fn: z.string(),
  signature: z.string(),
  /** "first call", or what changed: which argument's shape, dtype or static value, and how. */
  reason: z.string(),
  traceMs: z.number(),
  compileMs: z.number(),
  source: Location.optional(),
});
export type ProfileCompile = z.infer<typeof ProfileCompile>;

export const ProfileSummary = z.object({
  backend: z.string(),
  threads: z.number().int(),
  wallMs: z.number(),
  /** Time in tracing + optimizing/lowering, and in executing ops and kernels. */
  traceMs: z.number(),
  compileMs: z.number(),
  runMs: z.number(),
  ops: z.array(ProfileOp),
  compiles: z.array(ProfileCompile),
  jitCalls: z.array(z.object({ fn: z.string(), calls: z.number().int(), hits: z.number().int(), misses: z.number().int() })),
  peakBytes: z.number(),
  events: z.number().int(),
  /** The Chrome trace-event JSON with every event (Perfetto opens it), when one was written. */
  traceFile: z.string().optional(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

/**
 * One Chrome trace event as the profiler writes it (`Profile.chromeTrace()`): "X" complete
 * slices (ts/dur in microseconds, `args.source` = "file:line:col"), "M" metadata naming
 * threads, "C" counters (live bytes). Other fields pass through. Checked by a plain predicate
 * rather than an object schema: a profile has 100,000s of them, and the predicate is ~15x faster.
 */
export interface TraceEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  pid?: number | string;
  tid?: number | string;
  cat?: string;
  args?: Record<string, unknown>;
  [field: string]: unknown;
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const optionalOf = (v: unknown, type: string) => v === undefined || typeof v === type;
export function isTraceEvent(e: unknown): e is TraceEvent {
  return isRecord(e) && typeof e.name === "string" && typeof e.ph === "string" && optionalOf(e.ts, "number") && optionalOf(e.dur, "number")
    && (e.pid === undefined || typeof e.pid === "number" || typeof e.pid === "string")
    && (e.tid === undefined || typeof e.tid === "number" || typeof e.tid === "string")
    && optionalOf(e.cat, "string") && (e.args === undefined || isRecord(e.args));
}
export const TraceEvent = z.custom<TraceEvent>(isTraceEvent, { message: "not a trace event (name and ph strings; ts, dur numbers; args an object)" });
/** A Chrome trace file's content: `{ traceEvents: [...] }` (other top-level fields pass through). */
export const ChromeTrace = z.object({ traceEvents: z.array(TraceEvent) }).loose();
export type ChromeTrace = z.infer<typeof ChromeTrace>;

// ---- messages from the runner ----------------------------------------------------------------

const id = z.string().optional();

export const ReadyMessage = z.object({
  type: z.literal("ready"),
  protocol: z.number().int(),
  engine: z.object({ version: z.string(), path: z.string() }),
  backends: z.array(z.string()),
});
export const StartedMessage = z.object({
  type: z.literal("started"),
  id,
  protocol: z.number().int(),
  file: z.string(),
  fn: z.string().optional(),
  backend: z.string(),
  pid: z.number().int(),
  /** The inputs made for an annotated function's parameters, as shapes. */
  inputs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: DTypeName })).optional(),
});
export const OutputMessage = z.object({ type: z.enum(["stdout", "stderr"]), id, text: z.string() });
export const MetricMessage = z.object({
  type: z.literal("metric"),
  id,
  step: z.number().nullable(),
  values: z.record(z.string(), z.number().nullable()),
  /** Milliseconds since the run started. */
  t: z.number(),
});
export const ResultMessage = z.object({
  type: z.literal("result"),
  id,
  tree: TreeNode,
  /** The result as the engine prints it (arrays as in JAX, pytrees with shapes), bounded. */
  display: z.string(),
  elapsedMs: z.number(),
});
export const PreviewMessage = z.object({ type: z.literal("preview"), id, handle: z.string(), preview: ArraySlice });
export const SliceMessage = z.object({ type: z.literal("slice"), id, handle: z.string(), slice: ArraySlice });
export const ProfileMessage = z.object({ type: z.literal("profile"), id, summary: ProfileSummary, text: z.string() });
export const ErrorKind = z.enum(["usage", "not-found", "syntax", "runtime", "timeout", "cancelled", "out-of-memory", "crash", "protocol"]);
export type ErrorKind = z.infer<typeof ErrorKind>;
export const ErrorMessage = z.object({
  type: z.literal("error"),
  id,
  kind: ErrorKind,
  message: z.string(),
  /** The user's .ts line (through the source map) where it was raised. */
  location: Location.optional(),
  stack: z.array(StackFrame).optional(),
  /** For a crash in the native addon: the last op that started. */
  lastOp: z.string().optional(),
});
export const ExitMessage = z.object({
  type: z.literal("exit"),
  id,
  /** 0 on success, 1 for an error in user code or input, 2 for usage; cancelled runs read 130. */
  code: z.number().int(),
  status: z.enum(["ok", "error", "cancelled", "timeout", "crashed"]),
  elapsedMs: z.number(),
});

export const RunnerMessage = z.discriminatedUnion("type", [
  ReadyMessage, StartedMessage, OutputMessage, MetricMessage, ResultMessage, PreviewMessage,
  SliceMessage, ProfileMessage, ErrorMessage, ExitMessage,
]);
export type RunnerMessage = z.infer<typeof RunnerMessage>;
export type MessageOf<T extends RunnerMessage["type"]> = Extract<RunnerMessage, { type: T }>;

// ---- requests to a session (`tensorlens serve`) ----------------------------------------------

export const RunOptions = z.object({
  file: z.string(),
  /** An exported function to call; without it the file runs as a program. */
  fn: z.string().optional(),
  backend: z.enum(["native", "reference", "webgpu"]).optional(),
  /** Sizes for symbolic dims of shape-annotated parameters (`B` in f32<"B 784">). */
  dims: z.record(z.string(), z.number().int().positive()).optional(),
  timeoutMs: z.number().positive().optional(),
  maxResultBytes: z.number().int().positive().optional(),
  /** Command-line arguments for a program (its process.argv after the file). */
  args: z.array(z.string()).optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const RunRequest = RunOptions.extend({ id: z.string(), type: z.literal("run") }).strict();
export const ProfileRequest = RunOptions.extend({ id: z.string(), type: z.literal("profile"), out: z.string().optional() }).strict();
export const FetchRequest = z.object({
  id: z.string(),
  type: z.literal("fetch"),
  handle: z.string(),
  start: z.array(z.number().int().nonnegative()),
  stop: z.array(z.number().int().nonnegative()),
  step: z.array(z.number().int().positive()).optional(),
}).strict();
export const CancelRequest = z.object({ id: z.string(), type: z.literal("cancel"), target: z.string() }).strict();
export const ShutdownRequest = z.object({ id: z.string(), type: z.literal("shutdown") }).strict();

export const RunnerRequest = z.discriminatedUnion("type", [RunRequest, ProfileRequest, FetchRequest, CancelRequest, ShutdownRequest]);
export type RunnerRequest = z.infer<typeof RunnerRequest>;
export type RequestOf<T extends RunnerRequest["type"]> = Extract<RunnerRequest, { type: T }>;

/** Parses one line as a message from the runner; a clear error says what is wrong with it. */
export function parseMessage(line: string): RunnerMessage {
  return parseWith(RunnerMessage, line, "runner message");
}
/** Parses one line as a request to a session. */
export function parseRequest(line: string): RunnerRequest {
  return parseWith(RunnerRequest, line, "request");
}

function parseWith<T>(schema: z.ZodType<T>, line: string, what: string): T {
  let raw: unknown;
  try { raw = JSON.parse(line); } catch (e) { throw new ProtocolError(`${what} is not JSON: ${(e as Error).message}`); }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ProtocolError(`invalid ${what}: ${z.prettifyError(r.error)}`);
  return r.data;
}

export class ProtocolError extends Error {
  override name = "ProtocolError";
}

export { shapeLabel } from "./display.js";

/** Decodes ArrayData to a typed array (browser and Node: atob is global in both). */
export function decodeArrayData(d: ArrayData): Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array {
  const bin = atob(d.bytes);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  switch (d.storage) {
    case "float32": return new Float32Array(u8.buffer);
    case "float64": return new Float64Array(u8.buffer);
    case "int32": return new Int32Array(u8.buffer);
    case "uint32": return new Uint32Array(u8.buffer);
    case "uint8": return u8;
  }
}

// ---- messages between the extension and its panels (webviews) --------------------------------
// The extension validates every message a panel posts with PanelMessage before acting on it.

/** Extension -> panel. */
export const HostMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("showResult"),
    /** What ran: "file.ts › fn" (or the file, for a program). */
    label: z.string(),
    backend: z.string(),
    tree: TreeNode,
    /** The previous run's result of the same function, to compare with. */
    previous: TreeNode.optional(),
  }),
  z.object({ type: z.literal("clear"), reason: z.string() }),
  // ---- the array viewer, the profile view and the training curves (webview/src/panels/) ----
  /**
   * Shows one array. With `leaf.data` the whole array is there; otherwise `leaf.handle` names it
   * for `fetchSlice` and `preview` is the runner's downsampled view (its `preview` message),
   * drawn at once while detail is fetched.
   */
  z.object({
    type: z.literal("showArray"),
    label: z.string(),
    leaf: ArrayLeaf,
    /** Key path of the leaf from the result's root. */
    path: z.array(z.string()),
    preview: ArraySlice.optional(),
  }),
  /** The answer to a panel's `fetchSlice`: the runner's `slice` (its step may be larger than asked). */
  z.object({ type: z.literal("slice"), requestId: z.string(), slice: ArraySlice }),
  /** A `fetchSlice` that could not be answered (the handle expired, the runner is gone). */
  z.object({ type: z.literal("sliceFailed"), requestId: z.string(), message: z.string() }),
  /** A profile: the runner's summary and, when read, the Chrome trace (`{ traceEvents }`) it wrote. */
  z.object({
    type: z.literal("showProfile"),
    label: z.string().optional(),
    summary: ProfileSummary,
    trace: ChromeTrace.optional(),
    /**
     * The same trace as the text of its file (what the profiler wrote at `summary.traceFile`):
     * cheaper to post than `trace` for 100,000s of events; the panel parses and validates it with ChromeTrace.
     */
    traceJson: z.string().optional(),
  }),
  /** A metric reported by the running program: the runner's `metric` message, forwarded as is. */
  MetricMessage,
  /** Whether the run whose metrics the curves show is live (`id`: the run's request id, for `cancelRun`). */
  z.object({ type: z.literal("runState"), running: z.boolean(), id: z.string().optional(), label: z.string().optional(), status: ExitMessage.shape.status.optional() }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** Panel -> extension. Paths are key paths from the root of the result tree. */
export const PanelMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  /** After a showResult is on screen: how long it took and how many rows exist. */
  z.object({ type: z.literal("rendered"), ms: z.number(), rows: z.number().int(), leaves: z.number().int() }),
  z.object({ type: z.literal("reveal"), path: z.array(z.string()) }),
  z.object({ type: z.literal("copyPath"), path: z.array(z.string()), text: z.string() }),
  z.object({ type: z.literal("openArray"), path: z.array(z.string()), handle: z.string().optional() }),
  // ---- the array viewer, the profile view and the training curves (webview/src/panels/) ----
  /** Read a slice of a large array: forwarded as the runner's `fetch`; answered with `slice` (same requestId). */
  z.object({
    type: z.literal("fetchSlice"),
    requestId: z.string(),
    handle: z.string(),
    start: z.array(z.number().int().nonnegative()),
    stop: z.array(z.number().int().nonnegative()),
    step: z.array(z.number().int().positive()),
  }),
  /** Jump to a source line in the editor (as the protocol's Location; a relative file is relative to the runner's working directory). */
  z.object({ type: z.literal("openSource"), file: z.string(), line: z.number().int(), column: z.number().int() }),
  /** Cancel the live run (its request id, from runState): forwarded as the runner's `cancel`. */
  z.object({ type: z.literal("cancelRun"), id: z.string() }),
  /** Put text on the clipboard (an array as JSON or CSV, a table row). */
  z.object({ type: z.literal("copy"), text: z.string() }),
  /** Save the shown profile's Chrome trace (the extension asks where, and copies the trace file). */
  z.object({ type: z.literal("exportTrace") }),
  /** A panel finished drawing what a message asked for: which panel, what, and ms from arrival to paint. */
  z.object({ type: z.literal("painted"), panel: z.enum(["arrayViewer", "profile", "curves"]), what: z.string(), ms: z.number() }),
]);
export type PanelMessage = z.infer<typeof PanelMessage>;
