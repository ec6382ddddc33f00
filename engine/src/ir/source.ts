/**
 * Where in the user's code an op was written. Captured from the JS stack (source-mapped by the
 * runtime) at trace time and when an error is thrown; engine frames are skipped.
 */
export interface SourceLocation { readonly file: string; readonly line: number; readonly column: number }

const ENGINE_DIR = (() => {
  const url = new URL("..", import.meta.url);
  return decodeURIComponent(url.pathname).replace(/\/$/, "");
})();
const ENGINE_ROOT = ENGINE_DIR.replace(/\/(dist|src)$/, "");

function isEngineFrame(file: string) {
  // "<anonymous>": the argument checks api/declared.ts compiles per signature (new Function).
  return file === "<anonymous>" || file.startsWith(ENGINE_ROOT + "/src/") || file.startsWith(ENGINE_ROOT + "/dist/") || file.startsWith("node:") || file.includes("/node_modules/");
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/;

/** The first stack frame outside the engine, relative to the working directory. */
export function userLocation(): SourceLocation | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  return firstUserFrame(stack);
}

/**
 * Where a transformation was entered, captured cheaply: V8 records the frames when the Error
 * is made and formats them only if a message needs the location.
 */
export class CallSite {
  private readonly err: Error;
  private loc: SourceLocation | undefined | null = null;
  // Enough frames to get past the engine's own (an eager grad call is about a dozen deep).
  constructor(frames = 12) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = frames;
    this.err = new Error();
    Error.stackTraceLimit = limit;
  }
  get location(): SourceLocation | undefined {
    if (this.loc === null) this.loc = firstUserFrame(this.err.stack ?? "");
    return this.loc;
  }
}

function firstUserFrame(stack: string): SourceLocation | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line.trim());
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith("file://")) file = decodeURIComponent(new URL(file).pathname);
    if (isEngineFrame(file)) continue;
    const cwd = process.cwd();
    if (file.startsWith(cwd + "/")) file = file.slice(cwd.length + 1);
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

export const formatLocation = (loc: SourceLocation | undefined) => (loc ? `${loc.file}:${loc.line}:${loc.column}` : "");

/** Appends " at file:line:col" to an error raised by a rule, once. */
export function withUserLocation<E extends Error>(err: E, loc = userLocation()): E {
  if (loc && !(err as { located?: boolean }).located) {
    err.message += ` at ${formatLocation(loc)}`;
    (err as { located?: boolean }).located = true;
  }
  return err;
}

/**
 * The call site of an eager transformation (grad, vmap, ...): recorded only with the env
 * TENSORLENS_TRACE_SITES=1, since capturing a stack costs microseconds per call (more than the
 * rest of a small grad). jit and control flow always record theirs (once per trace).
 */
const traceSites = process.env.TENSORLENS_TRACE_SITES === "1";
export function eagerSite(): CallSite | undefined {
  return traceSites ? new CallSite() : undefined;
}

/** Errors that name the user's line (captured when thrown: no cost until then). */
export class LocatedTypeError extends globalThis.TypeError {
  override name = "TypeError";
  constructor(message: string) { super(message); withUserLocation(this); }
}
export class LocatedRangeError extends globalThis.RangeError {
  override name = "RangeError";
  constructor(message: string) { super(message); withUserLocation(this); }
}
export class LocatedError extends globalThis.Error {
  constructor(message: string) { super(message); withUserLocation(this); }
}
