/**
 * Which engine runs a file: the `tensorlens` of the user's project, resolved from the file's
 * folder as Node would resolve the file's own import (the way the ESLint extension resolves
 * eslint), or, where the project has none, the runner bundled into the extension.
 */
import { createRequire } from "node:module";
import { existsSync, realpathSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

export interface EngineLocation {
  /** The engine package folder (or the extension's bundle folder for the fallback). */
  dir: string;
  /** The runner CLI to start with `serve`. */
  cli: string;
  bundled: boolean;
}

/** The project's engine for `file`, or undefined when `tensorlens` does not resolve from there. */
export function projectEngine(file: string): EngineLocation | undefined {
  try {
    const pkg = createRequire(file).resolve("tensorlens/package.json");
    const dir = realpathSync(dirname(pkg));
    return { dir, cli: join(dir, "dist", "runner", "cli.js"), bundled: false };
  } catch {
    return undefined;
  }
}

/** The runner bundled into the extension (reference backend), if this build has one. */
export function bundledEngine(extensionDir: string): EngineLocation | undefined {
  const cli = join(extensionDir, "extension", "dist", "engine", "runner", "cli.js");
  return existsSync(cli) ? { dir: dirname(dirname(cli)), cli, bundled: true } : undefined;
}

/**
 * How to start Node for the runner: a `node` on PATH (the user's own, with the ABI their native
 * addon was built for), else VS Code's own runtime as plain Node.
 */
export function nodeCommand(env: NodeJS.ProcessEnv = process.env): { command: string; env: NodeJS.ProcessEnv } {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const name of process.platform === "win32" ? ["node.exe"] : ["node"]) {
      const p = join(dir, name);
      if (existsSync(p)) return { command: p, env: { ...env } };
    }
  }
  return { command: process.execPath, env: { ...env, ELECTRON_RUN_AS_NODE: "1" } };
}
