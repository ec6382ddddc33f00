/**
 * Loading the panels' pages in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core), as ../shared/notes/vscode-real-client.md "Webview pages alone" says:
 * a persistent context with a fresh profile, quiet flags, HOME/XDG under a temp dir, the page
 * served from a fake https origin by page.route (nothing reaches the network), and
 * acquireVsCodeApi defined by an init script that forwards posted messages to the test.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DeviceArray } from "tensorlens";
import type { HostMessage, PanelMessage, TreeNode } from "../../engine/src/runner/protocol.js";
import { serializeResult } from "../../engine/src/runner/serialize.js";
import { panelHtml, type PanelKind, type PanelPageOptions } from "../../webview/src/page.js";

export const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const artifacts = join(repo, "test", "artifacts");
export const CHROMIUM = "/usr/bin/chromium";
const ORIGIN = "https://tensorlens-panel.test";

/** Builds webview/dist when a panel's bundle is missing or older than any of the sources. */
export function ensureWebviewBuilt(): void {
  const src = join(repo, "webview", "src");
  const panels = readdirSync(src).filter((f) => f.endsWith(".ts") && f !== "page.ts").map((f) => f.slice(0, -3));
  const outs = panels.map((p) => join(repo, "webview", "dist", `${p}.js`));
  const sources = [join(repo, "webview", "build.mjs"), join(repo, "engine", "src", "runner", "protocol.ts"), ...walk(src)];
  const built = outs.every(existsSync) ? Math.min(...outs.map((o) => statSync(o).mtimeMs)) : 0;
  if (built && sources.every((f) => statSync(f).mtimeMs <= built)) return;
  const r = spawnSync(process.execPath, [join(repo, "webview", "build.mjs")], { cwd: repo, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`webview build failed:\n${r.stdout}\n${r.stderr}`);
}
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A result value as the runner sends it: the runner's own serializer over real engine arrays. */
export async function toTree(value: unknown): Promise<TreeNode> {
  const { tree } = await serializeResult(value, { isArray: (x): x is DeviceArray => x instanceof DeviceArray, handlePrefix: "test" });
  return tree;
}

/** VS Code's default theme colours (Light Modern / Dark Modern) for the variables the panels use. */
export const THEMES = {
  light: {
    bodyClass: "vscode-light",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#3b3b3b",
      "--vscode-descriptionForeground": "#3b3b3b",
      "--vscode-editor-background": "#ffffff",
      "--vscode-sideBar-background": "#f8f8f8",
      "--vscode-panel-border": "#e5e5e5",
      "--vscode-widget-border": "#e5e5e5",
      "--vscode-focusBorder": "#005fb8",
      "--vscode-list-activeSelectionBackground": "#e8e8e8",
      "--vscode-list-activeSelectionForeground": "#000000",
      "--vscode-list-inactiveSelectionBackground": "#e4e6f1",
      "--vscode-list-hoverBackground": "#f2f2f2",
      "--vscode-list-focusOutline": "#005fb8",
      "--vscode-input-background": "#ffffff",
      "--vscode-input-foreground": "#3b3b3b",
      "--vscode-input-border": "#cecece",
      "--vscode-input-placeholderForeground": "#767676",
      "--vscode-badge-background": "#cccccc",
      "--vscode-badge-foreground": "#3b3b3b",
      "--vscode-icon-foreground": "#3b3b3b",
      "--vscode-toolbar-hoverBackground": "rgba(184, 184, 184, 0.31)",
      "--vscode-errorForeground": "#f85149",
      "--vscode-editorWarning-foreground": "#bf8803",
      "--vscode-charts-blue": "#1a85ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#e51400",
      "--vscode-gitDecoration-addedResourceForeground": "#587c0c",
      "--vscode-gitDecoration-modifiedResourceForeground": "#895503",
      "--vscode-gitDecoration-deletedResourceForeground": "#ad0707",
      "--vscode-symbolIcon-fieldForeground": "#007acc",
      "--vscode-debugTokenExpression-number": "#098658",
      "--vscode-checkbox-background": "#f8f8f8",
    },
  },
  dark: {
    bodyClass: "vscode-dark",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#cccccc",
      "--vscode-descriptionForeground": "#9d9d9d",
      "--vscode-editor-background": "#1f1f1f",
      "--vscode-sideBar-background": "#181818",
      "--vscode-panel-border": "#2b2b2b",
      "--vscode-widget-border": "#313131",
      "--vscode-focusBorder": "#0078d4",
      "--vscode-list-activeSelectionBackground": "#04395e",
      "--vscode-list-activeSelectionForeground": "#ffffff",
      "--vscode-list-inactiveSelectionBackground": "#37373d",
      "--vscode-list-hoverBackground": "#2a2d2e",
      "--vscode-list-focusOutline": "#0078d4",
      "--vscode-input-background": "#313131",
      "--vscode-input-foreground": "#cccccc",
      "--vscode-input-border": "#3c3c3c",
      "--vscode-input-placeholderForeground": "#989898",
      "--vscode-badge-background": "#616161",
      "--vscode-badge-foreground": "#f8f8f8",
      "--vscode-icon-foreground": "#cccccc",
      "--vscode-toolbar-hoverBackground": "rgba(90, 93, 94, 0.31)",
      "--vscode-errorForeground": "#f85149",
      "--vscode-editorWarning-foreground": "#cca700",
      "--vscode-charts-blue": "#3794ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#f14c4c",
      "--vscode-gitDecoration-addedResourceForeground": "#81b88b",
      "--vscode-gitDecoration-modifiedResourceForeground": "#e2c08d",
      "--vscode-gitDecoration-deletedResourceForeground": "#c74e39",
      "--vscode-symbolIcon-fieldForeground": "#75beff",
      "--vscode-debugTokenExpression-number": "#b5cea8",
      "--vscode-checkbox-background": "#313131",
    },
  },
  /** Dark High Contrast: selection by outlines, not fills. */
  hc: {
    bodyClass: "vscode-high-contrast",
    vars: {
      "--vscode-font-family": "-apple-system, BlinkMacSystemFont, 'Segoe WPC', 'Segoe UI', 'Ubuntu', 'Droid Sans', sans-serif",
      "--vscode-font-size": "13px",
      "--vscode-font-weight": "normal",
      "--vscode-editor-font-family": "'Droid Sans Mono', 'monospace', monospace",
      "--vscode-foreground": "#ffffff",
      "--vscode-descriptionForeground": "rgba(255, 255, 255, 0.7)",
      "--vscode-editor-background": "#000000",
      "--vscode-sideBar-background": "#000000",
      "--vscode-panel-border": "#6fc3df",
      "--vscode-widget-border": "#6fc3df",
      "--vscode-contrastBorder": "#6fc3df",
      "--vscode-contrastActiveBorder": "#f38518",
      "--vscode-focusBorder": "#f38518",
      "--vscode-list-focusOutline": "#f38518",
      "--vscode-input-background": "#000000",
      "--vscode-input-foreground": "#ffffff",
      "--vscode-input-border": "#6fc3df",
      "--vscode-input-placeholderForeground": "rgba(255, 255, 255, 0.7)",
      "--vscode-badge-background": "#000000",
      "--vscode-badge-foreground": "#ffffff",
      "--vscode-icon-foreground": "#ffffff",
      "--vscode-errorForeground": "#f48771",
      "--vscode-editorWarning-foreground": "#ffd370",
      "--vscode-charts-blue": "#3794ff",
      "--vscode-charts-orange": "#d18616",
      "--vscode-charts-red": "#f14c4c",
      "--vscode-gitDecoration-addedResourceForeground": "#a1e3ad",
      "--vscode-gitDecoration-modifiedResourceForeground": "#e2c08d",
      "--vscode-gitDecoration-deletedResourceForeground": "#c74e39",
      "--vscode-symbolIcon-fieldForeground": "#75beff",
      "--vscode-debugTokenExpression-number": "#b5cea8",
    },
  },
} as const;
export type ThemeName = keyof typeof THEMES;

export interface Panel {
  page: Page;
  /** Every message the panel posted, in order. */
  posted: PanelMessage[];
  /** Problems the page reported: CSP violations, script errors, failed requests. */
  problems: string[];
  send(message: HostMessage): Promise<void>;
  /** Waits for the next posted message of a type (after `since` messages). */
  next<T extends PanelMessage["type"]>(type: T, since?: number, timeoutMs?: number): Promise<Extract<PanelMessage, { type: T }>>;
  /** The state the panel last saved with setState. */
  state(): Promise<any>;
  setTheme(theme: ThemeName): Promise<void>;
}

/**
 * Debian's Chromium, headless and quiet, with a fresh profile and HOME/XDG folders of its own
 * (the flags and folders of ../../shared notes: without them it calls home and writes to ~).
 */
export async function launchChromium(prefix: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const d of ["home", "config", "cache", "profile"]) mkdirSync(join(dir, d));
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    env: { ...process.env, HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "config"), XDG_CACHE_HOME: join(dir, "cache") },
    viewport,
    deviceScaleFactor: 1,
  });
  return { context, dir };
}

export interface PanelOptions { theme?: ThemeName; width?: number; height?: number; state?: unknown }

export class Browser {
  private constructor(private readonly context: BrowserContext, private readonly dir: string) {}

  static async launch(): Promise<Browser> {
    const { context, dir } = await launchChromium("tl-webview-", { width: 960, height: 560 });
    return new Browser(context, dir);
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Opens the param-tree page as the extension serves it (same HTML function, same CSP). */
  openParamTree(opts: PanelOptions = {}): Promise<Panel> {
    return this.openPanel("paramTree", opts);
  }

  /** Opens a panel's page: panelHtml(panel) of webview/src/page.ts with dist/<panel>.js and .css. */
  async openPanel(panel: PanelKind, opts: PanelOptions = {}): Promise<Panel> {
    const pageHtml = (o: PanelPageOptions) => panelHtml(panel, o);
    const page = await this.context.newPage();
    await page.setViewportSize({ width: opts.width ?? 960, height: opts.height ?? 560 });
    const posted: PanelMessage[] = [];
    const problems: string[] = [];
    const waiters: (() => void)[] = [];
    page.on("console", (m) => { if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.exposeFunction("__hostReceive", (m: PanelMessage) => { posted.push(m); for (const w of waiters.splice(0)) w(); });
    // A string, not a function: tsx compiles functions with esbuild's keepNames, whose `__name`
    // helper does not exist in the page (the same shim lets page.evaluate callbacks run).
    await page.addInitScript(`
      globalThis.__name = (f) => f;
      document.addEventListener("securitypolicyviolation", (e) => console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI));
      (() => {
        let state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
        let acquired = false;
        window.acquireVsCodeApi = () => {
          if (acquired) throw new Error("acquireVsCodeApi called twice");
          acquired = true;
          return {
            postMessage: (m) => window.__hostReceive(m),
            getState: () => state,
            setState: (s) => { state = s; window.__lastState = s; },
          };
        };
      })();
    `);
    const nonce = "dGVzdG5vbmNlMTIzNDU2Nzg5MA";
    const html = pageHtml({ scriptUri: `${ORIGIN}/dist/${panel}.js`, styleUri: `${ORIGIN}/dist/${panel}.css`, nonce, cspSource: ORIGIN });
    await page.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) { problems.push(`blocked request: ${url.href}`); return route.abort(); }
      if (url.pathname === "/index.html") return route.fulfill({ contentType: "text/html", body: html });
      const file = join(repo, "webview", url.pathname);
      if (!relative(join(repo, "webview", "dist"), file).startsWith("..") && existsSync(file)) {
        return route.fulfill({ contentType: file.endsWith(".css") ? "text/css" : "text/javascript", body: readFileSync(file) });
      }
      problems.push(`not found: ${url.href}`);
      return route.fulfill({ status: 404, body: "" });
    });
    await page.goto(`${ORIGIN}/index.html`);
    const handle: Panel = {
      page, posted, problems,
      send: (message) => page.evaluate((m) => window.postMessage(m, "*"), message),
      next: (type, since = posted.length, timeoutMs = 5_000) => new Promise((resolve, reject) => {
        const check = () => {
          const m = posted.slice(since).find((x) => x.type === type);
          if (m) { clearTimeout(timer); resolve(m as any); return true; }
          return false;
        };
        const timer = setTimeout(() => reject(new Error(`no '${type}' message within ${timeoutMs} ms; posted: ${JSON.stringify(posted.map((p) => p.type))}`)), timeoutMs);
        const wait = () => { if (!check()) waiters.push(wait); };
        wait();
      }),
      state: () => page.evaluate(() => (window as any).__lastState),
      setTheme: (theme) => page.evaluate((t) => {
        document.body.classList.remove("vscode-light", "vscode-dark", "vscode-high-contrast");
        document.body.classList.add(t.bodyClass);
        document.documentElement.removeAttribute("style");
        for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v as string);
      }, THEMES[theme] as { bodyClass: string; vars: Record<string, string> }),
    };
    await handle.setTheme(opts.theme ?? "dark");
    return handle;
  }
}
