/**
 * Drives a real VS Code build (code-server, the npm package, under Node 24) in headless
 * Chromium with playwright-core, and runs an in-host test module inside its extension host
 * with the extension loaded from this repository (the `payload` of extensionDevelopmentPath and
 * extensionTestsPath; see ../../shared/notes/vscode-real-client.md in the shared notes).
 * While the in-host tests run they can ask for a screenshot: they write `<comm>/<name>.request`
 * and wait for `<comm>/<name>.done`; the picture goes to test/artifacts/<name>.png, and the
 * answer says what the workbench and the Tensorlens panels (webview frames) showed. They can
 * also click inside a panel: `<comm>/<name>.click` holding `{ panel, selector, keys? }` (the
 * panel's `body[data-panel]`; with `keys` the element is focused and they are pressed instead),
 * answered in `<comm>/<name>.done` with `{ ok }` or `{ error }`.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { cpSync, existsSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
// @ts-expect-error: a plain .mjs script without types
import { setup } from "../../scripts/vscode-setup.mjs";

/** Answers a request of the in-host tests: written aside, then renamed, so they never read a half-written file. */
function answerDone(comm: string, name: string, answer: unknown): void {
  const tmp = join(comm, `${name}.done.tmp`);
  writeFileSync(tmp, JSON.stringify(answer));
  renameSync(tmp, join(comm, `${name}.done`));
}

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const artifacts = join(repo, "test", "artifacts");

export interface DriveOptions {
  /** The in-host test module (CommonJS, `exports.run`). */
  testsModule: string;
  /**
   * The files of the folder VS Code opens (a fresh temporary folder: nothing the tests edit or
   * save reaches the repository): workspace path -> source file. The workspace's
   * node_modules/tensorlens links to this repository's engine, as a user's project would have it.
   */
  files: Record<string, string>;
  /** Workspace Trust on (the workspace starts untrusted) or off (everything trusted). */
  trust: boolean;
  /** Prefix of screenshots and logs under test/artifacts/. */
  name: string;
  timeoutMs?: number;
  /** Extra environment for the extension host (the in-host tests read it). */
  env?: Record<string, string>;
  /**
   * A .vsix to install (code-server --install-extension) instead of loading the extension from
   * the repository, and without a link to the repository's engine in the workspace.
   */
  vsix?: string;
}

export interface DriveResult {
  exitCode: number;
  /** The in-host tests' console.log lines. */
  lines: string[];
  screenshots: string[];
  seconds: number;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const a = s.address(); s.close(() => (a && typeof a === "object" ? res(a.port) : rej(new Error("no port")))); });
  });
}

/** The PIDs of a process's descendants (Linux /proc), children before their parents' siblings. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try { entries = readdirSync("/proc"); } catch { return []; }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch { /* exited */ }
  }
  const out: number[] = [];
  const walk = (pid: number) => { for (const c of children.get(pid) ?? []) { out.push(c); walk(c); } };
  walk(root);
  return out;
}

/**
 * Ends what the server started: its process group (extension host, language server, runner)
 * and any descendant that left the group, by PID; then lets go of its pipes.
 */
function killServer(proc: ChildProcess | undefined): void {
  if (!proc?.pid) return;
  const pids = descendants(proc.pid);
  try { process.kill(-proc.pid, "SIGTERM"); } catch { /* gone */ }
  for (const pid of pids) { try { process.kill(pid, "SIGTERM"); } catch { /* gone */ } }
  const t = setTimeout(() => {
    try { process.kill(-proc.pid!, "SIGKILL"); } catch { /* gone */ }
    for (const pid of pids) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  }, 2000);
  t.unref();
  proc.stdout?.destroy();
  proc.stderr?.destroy();
}

type PageT = Awaited<ReturnType<Awaited<ReturnType<typeof chromium.launchPersistentContext>>["newPage"]>>;
type FrameT = ReturnType<PageT["frames"]>[number];

/** The webview frame whose page is a Tensorlens panel of this kind (`body[data-panel]`), if any is loaded. */
async function panelFrame(page: PageT, panel: string): Promise<FrameT | undefined> {
  for (const frame of page.frames()) {
    const kind = await frame.evaluate(() => document.body?.dataset.panel ?? null).catch(() => null);
    if (kind === panel) return frame;
  }
  return undefined;
}

/**
 * What each loaded Tensorlens panel shows: its kind, whether it is on screen, its title and
 * a few counts (canvases, charts and their points, tree rows).
 */
async function panelsShown(page: PageT): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const frame of page.frames()) {
    const info = await frame.evaluate(() => {
      const panel = document.body?.dataset.panel;
      if (!panel) return null;
      return {
        panel,
        visible: document.visibilityState === "visible" && window.innerWidth > 0,
        title: (document.querySelector(".tl-title, h1")?.textContent ?? "").slice(0, 120),
        canvases: document.querySelectorAll("canvas").length,
        charts: document.querySelectorAll(".tl-chart").length,
        points: [...document.querySelectorAll<HTMLElement>(".tl-chart")].map((e) => `${e.dataset.metric}:${e.dataset.points}`),
        rows: document.querySelectorAll('[role="treeitem"]').length,
        empty: document.querySelector("#root")?.classList.contains("tl-empty-state") ?? false,
      };
    }).catch(() => null);
    if (info) out.push(info);
  }
  return out;
}

export async function drive(opts: DriveOptions): Promise<DriveResult> {
  const t0 = Date.now();
  const p = setup();
  const tmp = mkdtempSync(join(tmpdir(), "tensorlens-vscode-"));
  const comm = join(tmp, "comm");
  const workspace = join(tmp, "ws");
  for (const [rel, from] of Object.entries(opts.files)) cpSync(from, join(workspace, rel));
  if (!opts.vsix) {
    mkdirSync(join(workspace, "node_modules"), { recursive: true });
    symlinkSync(join(repo, "engine"), join(workspace, "node_modules", "tensorlens"), "dir");
  }
  for (const d of ["home", "xdg-config", "xdg-data", "xdg-cache", "ud/User", "ext", "comm", "chromium"]) mkdirSync(join(tmp, d), { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  const settings: Record<string, unknown> = {
    "telemetry.telemetryLevel": "off",
    "chat.disableAIFeatures": true,
    "workbench.startupEditor": "none",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "workbench.tips.enabled": false,
    "files.autoSave": "off",
    "editor.inlayHints.enabled": "on",
    "files.watcherExclude": { "**/node_modules/**": true, "**/.vscode-test/**": true, "**/.git/**": true, "**/dist/**": true },
    "security.workspace.trust.enabled": opts.trust,
    "security.workspace.trust.startupPrompt": "never",
    "security.workspace.trust.banner": "always",
    "typescript.tsserver.maxTsServerMemory": 1024,
  };
  writeFileSync(join(tmp, "ud", "User", "settings.json"), JSON.stringify(settings, null, 2));
  writeFileSync(join(tmp, "config.yaml"), "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");
  const port = await freePort();
  const args = [
    p.codeServerEntry, "--config", join(tmp, "config.yaml"), "--bind-addr", `127.0.0.1:${port}`, "--auth", "none",
    "--disable-telemetry", "--disable-update-check", "--reconnection-grace-time", "5",
    "--vscode-option", "enable-smoke-test-driver",
    "--user-data-dir", join(tmp, "ud"), "--extensions-dir", join(tmp, "ext"),
  ];
  if (!opts.trust) args.push("--disable-workspace-trust");
  // Extra code-server arguments for experiments, e.g. "--disable-extension vscode.typescript-language-features".
  if (process.env.TENSORLENS_CODE_SERVER_ARGS) args.push(...process.env.TENSORLENS_CODE_SERVER_ARGS.split(" ").filter(Boolean));
  const env = {
    ...process.env,
    HOME: join(tmp, "home"), XDG_CONFIG_HOME: join(tmp, "xdg-config"), XDG_DATA_HOME: join(tmp, "xdg-data"), XDG_CACHE_HOME: join(tmp, "xdg-cache"),
    EXTENSIONS_GALLERY: "{}",
    TENSORLENS_TEST_COMM: comm,
    TENSORLENS_TEST_WS: workspace,
    ...opts.env,
  };
  if (opts.vsix) {
    const r = spawnSync(p.node, [p.codeServerEntry, "--config", join(tmp, "config.yaml"), "--user-data-dir", join(tmp, "ud"), "--extensions-dir", join(tmp, "ext"), "--install-extension", opts.vsix], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`code-server --install-extension ${opts.vsix} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  // The server's process group holds the extension host, the language server and the runner.
  const server = spawn(p.node, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const serverLog: string[] = [];
  server.stdout!.on("data", (d) => serverLog.push(String(d)));
  server.stderr!.on("data", (d) => serverLog.push(String(d)));
  // A watchdog ends the group if this driver is killed outright.
  const watchdog = spawn(process.execPath, ["-e", `
    const [driver, group] = process.argv.slice(1).map(Number);
    setInterval(() => { try { process.kill(driver, 0); } catch { try { process.kill(-group, "SIGKILL"); } catch {} process.exit(0); } }, 1000);
  `, String(process.pid), String(server.pid)], { detached: true, stdio: "ignore" });
  watchdog.unref();

  const lines: string[] = [];
  const screenshots: string[] = [];
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
      if (server.exitCode !== null || i > 300) throw new Error(`code-server did not answer /healthz (exit code ${server.exitCode}):\n${serverLog.join("").slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    context = await chromium.launchPersistentContext(join(tmp, "chromium"), {
      executablePath: p.chromium,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      env: { ...process.env, HOME: join(tmp, "home"), XDG_CONFIG_HOME: join(tmp, "xdg-config"), XDG_CACHE_HOME: join(tmp, "xdg-cache") },
    });
    const page = context.pages()[0] ?? await context.newPage();
    let exit: (code: number) => void = () => {};
    const exited = new Promise<number>((r) => { exit = r; });
    let logs: { relativePath: string; contents: string }[] = [];
    await page.exposeFunction("codeAutomationLog", (level: string, message: unknown) => {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      // The in-host tests' lines arrive as info ["..."].
      if (level === "info" && text.includes("[tl]")) {
        let line = text;
        try { const parsed = JSON.parse(text); line = Array.isArray(parsed) ? parsed.join(" ") : String(parsed); } catch { /* as is */ }
        lines.push(line);
        process.stdout.write(`  ${line}\n`);
      }
    });
    await page.exposeFunction("codeAutomationExit", (code: number, l?: typeof logs) => { logs = l ?? []; exit(code); });
    // The tests path is honoured only with a development extension: for an installed .vsix, an
    // empty stub extension takes that place.
    let devPath = repo;
    if (opts.vsix) {
      devPath = join(tmp, "stub");
      mkdirSync(devPath, { recursive: true });
      writeFileSync(join(devPath, "package.json"), JSON.stringify({ name: "tests-stub", publisher: "tensorlens-tests", version: "0.0.0", engines: { vscode: "*" } }));
    }
    const payload = JSON.stringify([
      ["extensionDevelopmentPath", `vscode-remote://remote${devPath}`],
      ["extensionTestsPath", `vscode-remote://remote${opts.testsModule}`],
    ]);
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);

    // Screenshot and click requests from the in-host tests.
    let polling = true;
    const poll = (async () => {
      while (polling) {
        for (const f of readdirSync(comm)) {
          if (f.endsWith(".click")) {
            const name = f.slice(0, -".click".length);
            let answer: unknown;
            try {
              const { panel, selector, keys } = JSON.parse(readFileSync(join(comm, f), "utf8")) as { panel: string; selector: string; keys?: string[] };
              rmSync(join(comm, f), { force: true });
              const frame = await panelFrame(page, panel);
              if (!frame) throw new Error(`no webview frame with body[data-panel="${panel}"]`);
              const target = frame.locator(selector).first();
              // With keys: focus the element and press them (a keyboard path), else click it.
              if (keys?.length) {
                await target.focus({ timeout: 10_000 });
                for (const k of keys) await target.press(k);
              } else await target.click({ timeout: 10_000 });
              answer = { ok: true };
            } catch (e) {
              rmSync(join(comm, f), { force: true });
              answer = { error: String(e) };
            }
            answerDone(comm, name, answer);
            continue;
          }
          if (!f.endsWith(".request")) continue;
          const name = f.slice(0, -".request".length);
          rmSync(join(comm, f), { force: true });
          const file = join(artifacts, `${opts.name}-${name}.png`);
          try {
            await page.screenshot({ path: file });
            screenshots.push(file);
            const dom = await page.evaluate(() => ({
              lenses: [...document.querySelectorAll(".codelens-decoration")].map((e) => e.textContent).slice(0, 10),
              squiggles: document.querySelectorAll(".squiggly-error").length,
            }));
            (dom as Record<string, unknown>).panels = await panelsShown(page);
            answerDone(comm, name, { file, dom });
          } catch (e) {
            answerDone(comm, name, { error: String(e) });
          }
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const timeoutMs = opts.timeoutMs ?? 240_000;
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([
      exited,
      new Promise<number>((r) => { timer = setTimeout(() => r(-1), timeoutMs); }),
    ]);
    clearTimeout(timer);
    polling = false;
    await poll;
    if (exitCode === -1) {
      const file = join(artifacts, `${opts.name}-timeout.png`);
      try { await page.screenshot({ path: file }); screenshots.push(file); } catch { /* page gone */ }
    }
    if (exitCode !== 0) {
      const dir = join(artifacts, `${opts.name}-logs`);
      for (const l of logs) {
        const f = join(dir, l.relativePath);
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, l.contents);
      }
      writeFileSync(join(artifacts, `${opts.name}-server.log`), serverLog.join(""));
    }
    return { exitCode, lines, screenshots, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await context?.close().catch(() => {});
    killServer(server);
    await new Promise((r) => setTimeout(r, 300));
    try { if (watchdog.pid) process.kill(watchdog.pid); } catch { /* gone */ }
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}
