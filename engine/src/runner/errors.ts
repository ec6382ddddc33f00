/**
 * Errors thrown by user code, as protocol errors: the message, the user's .ts location (stack
 * frames are source-mapped: the child runs with source maps enabled), and the stack with the
 * engine's and Node's own frames marked.
 */
import { isAbsolute, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorKind, Location, MessageOf, StackFrame } from "./protocol.js";

const FRAME = /^\s*at (?:(.*?) \()?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;
const LOCATED = / at ((?:\/|[A-Za-z]:\\)?[^\s]+?):(\d+):(\d+)$/;

export function parseStack(stack: string, engineRoots: readonly string[], cwd: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[2]!;
    if (file.startsWith("file://")) file = fileURLToPath(file);
    const internal = file.startsWith("node:") || !isAbsolute(file) && !file.includes(sep);
    if (!internal && !isAbsolute(file)) file = resolve(cwd, file);
    const engine = internal || engineRoots.some((r) => file.startsWith(r + sep)) || file.includes(`${sep}node_modules${sep}`);
    const frame: StackFrame = { file, line: Number(m[3]), column: Number(m[4]), engine };
    if (m[1]) frame.function = m[1];
    frames.push(frame);
  }
  return frames;
}

/** A thrown value as an `error` message's fields. */
export function describeError(err: unknown, engineRoots: readonly string[], cwd: string, kind: ErrorKind = "runtime"): Omit<MessageOf<"error">, "type" | "id"> {
  if (!(err instanceof Error)) return { kind, message: `uncaught ${typeof err}: ${safeString(err)}` };
  const stack = parseStack(err.stack ?? "", engineRoots, cwd);
  let message = err.message;
  let location: Location | undefined;
  // Engine errors already name the user's line (captured at trace time for jitted code, which
  // the stack at the throw no longer shows): " at file:line:col" at the end of the message.
  const m = (err as { located?: boolean }).located ? LOCATED.exec(message) : null;
  if (m) {
    location = { file: resolve(cwd, m[1]!), line: Number(m[2]), column: Number(m[3]) };
    message = message.slice(0, m.index);
  } else {
    const user = stack.find((f) => !f.engine);
    if (user) location = { file: user.file, line: user.line, column: user.column };
  }
  if (/out of memory/i.test(message) || err instanceof RangeError && /allocation failed|Array buffer allocation/i.test(message)) kind = "out-of-memory";
  // The runner's own input errors speak for themselves; others keep their class (TypeError: ...).
  const name = err.name && err.name !== "Error" && err.name !== "InputError" ? `${err.name}: ` : "";
  message = name + message;
  const out: Omit<MessageOf<"error">, "type" | "id"> = { kind, message, stack };
  if (location) out.location = location;
  return out;
}

function safeString(v: unknown): string {
  try { return typeof v === "string" ? v : JSON.stringify(v) ?? String(v); } catch { return String(v); }
}
