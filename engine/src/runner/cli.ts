#!/usr/bin/env node
/**
 * The `tensorlens` command: run or profile a function (or a whole file) of a TypeScript file in
 * a child process, or serve many such requests over stdin/stdout (the editor's session).
 * Output is for people by default, or the protocol's JSON lines with --json (serve always).
 */
import { basename, extname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { Controller, DEFAULT_TIMEOUT_MS } from "./controller.js";
import { resolveEngine } from "./bundle.js";
import { PROTOCOL_VERSION } from "./limits.js";
import type { RunnerMessage } from "./protocol.js";

const USAGE = `usage:
  tensorlens run FILE.ts [--fn NAME] [--backend native|reference|webgpu] [--dim B=32 ...] [--json] [--timeout SECONDS] [-- ARGS...]
  tensorlens profile FILE.ts [--fn NAME] [--out trace.json] [same options as run]
  tensorlens serve        (one JSON request per line on stdin; see docs/runner-protocol.md)
Without --fn, run executes the file as a program (ARGS after -- are its process.argv). Parameters annotated with shape types
(x: f32<"B 784">) get random inputs; bind symbolic dims with --dim.`;

const OPTIONS = {
  fn: { type: "string" }, backend: { type: "string" }, dim: { type: "string", multiple: true },
  json: { type: "boolean" }, timeout: { type: "string" }, out: { type: "string" },
  "max-result-bytes": { type: "string" }, help: { type: "boolean", short: "h" }, version: { type: "boolean" },
} as const;

class UsageError extends Error {}

function main(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    return usageExit((e as Error).message);
  }
  const { values: o, positionals } = parsed;
  if (o.version) { console.log(engineVersion()); return; }
  // Arguments after "--" belong to the program (parseArgs keeps them as positionals).
  const dashes = argv.indexOf("--");
  const programArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
  const [command, file, ...extra] = dashes >= 0 ? positionals.slice(0, positionals.length - programArgs.length) : positionals;
  if (o.help || !command) { console.log(USAGE); return; }
  try {
    if (command === "serve") {
      if (file !== undefined || Object.keys(o).length) throw new UsageError("serve takes no arguments or options");
      void serve();
      return;
    }
    if (command !== "run" && command !== "profile") throw new UsageError(`unknown command "${command}"`);
    if (!file) throw new UsageError(`${command}: which file? e.g. tensorlens ${command} examples/what-is-jax.ts`);
    if (extra.length) throw new UsageError(`${command}: unexpected argument "${extra[0]}"`);
    if (command === "run" && o.out !== undefined) throw new UsageError("--out is an option of profile, not run");
    if (programArgs.length && o.fn !== undefined) throw new UsageError("arguments after -- are for a program; a function (--fn) gets its inputs from its annotations");
    once(command, file, o, programArgs);
  } catch (e) {
    if (e instanceof UsageError) return usageExit(e.message);
    throw e;
  }
}

function usageExit(message: string) {
  process.stderr.write(`tensorlens: ${message}\n${USAGE}\n`);
  process.exitCode = 2;
}

function parseDims(list: readonly string[] = []): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const d of list) {
    const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(d);
    if (!m || Number(m[2]) <= 0) throw new UsageError(`--dim ${d}: expected NAME=SIZE with a positive size, e.g. --dim B=32`);
    dims[m[1]!] = Number(m[2]);
  }
  return dims;
}

function positiveNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0)) throw new UsageError(`--${flag} ${v}: expected a positive number`);
  return n;
}

function once(command: "run" | "profile", file: string, o: Record<string, unknown>, args: string[]) {
  const backend = o.backend as string | undefined;
  if (backend !== undefined && !["native", "reference", "webgpu"].includes(backend)) throw new UsageError(`--backend ${backend}: expected native, reference or webgpu`);
  const timeoutS = positiveNumber("timeout", o.timeout as string | undefined);
  const maxResultBytes = positiveNumber("max-result-bytes", o["max-result-bytes"] as string | undefined);
  const fn = o.fn as string | undefined;
  const out = command === "profile" ? resolve((o.out as string | undefined) ?? `${basename(file, extname(file))}${fn ? `.${fn}` : ""}.trace.json`) : undefined;
  const json = o.json === true;
  const controller = new Controller({
    onMessage: (m) => {
      if (json) writeLine(m); else printHuman(m);
      if (m.type === "exit") { void controller.shutdown(); process.exitCode = m.code; }
    },
  });
  process.once("SIGINT", () => controller.request({ id: "cancel", type: "cancel", target: "1" }));
  process.once("SIGTERM", () => controller.request({ id: "cancel", type: "cancel", target: "1" }));
  controller.request({
    id: "1", type: command, file: resolve(file), dims: parseDims(o.dim as string[] | undefined),
    timeoutMs: (timeoutS ?? DEFAULT_TIMEOUT_MS / 1000) * 1000,
    ...(fn !== undefined ? { fn } : {}), ...(backend ? { backend: backend as "native" } : {}),
    ...(maxResultBytes ? { maxResultBytes: Math.floor(maxResultBytes) } : {}), ...(out ? { out } : {}), ...(args.length ? { args } : {}),
  });
}

function writeLine(m: RunnerMessage) {
  process.stdout.write(JSON.stringify(m) + "\n");
}

function printHuman(m: RunnerMessage) {
  switch (m.type) {
    case "stdout": process.stdout.write(m.text + "\n"); return;
    case "stderr": process.stderr.write(m.text + "\n"); return;
    case "metric": process.stdout.write(`[metric] ${m.step !== null ? `step ${m.step} ` : ""}${Object.entries(m.values).map(([k, v]) => `${k}=${v}`).join(" ")}\n`); return;
    case "result": process.stdout.write(`${m.display}\n`); return;
    case "profile": process.stdout.write(`${m.text}\n${m.summary.traceFile ? `trace (Perfetto, chrome://tracing): ${m.summary.traceFile}\n` : ""}`); return;
    case "error": {
      const where = m.location ? `\n    at ${m.location.file}:${m.location.line}:${m.location.column}` : "";
      const user = (m.stack ?? []).filter((f) => !f.engine).slice(m.location ? 1 : 0, 6);
      const frames = user.map((f) => `\n    at ${f.function ? `${f.function} (` : ""}${f.file}:${f.line}:${f.column}${f.function ? ")" : ""}`).join("");
      process.stderr.write(`tensorlens: ${m.kind === "runtime" ? "error" : m.kind}: ${m.message}${where}${frames}\n`);
      return;
    }
    default: return;
  }
}

async function serve() {
  // zod is loaded here only: the one-shot commands never parse requests.
  const { ProtocolError, parseRequest } = await import("./protocol.js");
  const controller = new Controller({ onMessage: writeLine });
  // The caller closed the pipe: stop the child (and wait for it, so that it is reaped), then go.
  process.stdout.on("error", () => { void controller.shutdown().then(() => process.exit(0)); });
  writeLine({ type: "ready", protocol: PROTOCOL_VERSION, engine: { version: engineVersion(), path: resolveEngine(process.cwd() + "/x.ts") }, backends: ["native", "reference"] });
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (!line.trim()) return;
    try {
      controller.request(parseRequest(line));
    } catch (e) {
      let id: string | undefined;
      try { const raw = JSON.parse(line); if (typeof raw?.id === "string") id = raw.id; } catch { /* not JSON */ }
      writeLine({ type: "error", ...(id ? { id } : {}), kind: "protocol", message: e instanceof ProtocolError ? e.message : String(e) });
    }
  });
  rl.on("close", () => { void controller.shutdown(); });
}

function engineVersion(): string {
  try { return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version; } catch { return "unknown"; }
}

main(process.argv.slice(2));
